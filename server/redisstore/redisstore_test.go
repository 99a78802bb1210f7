package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/storetest"
)

// testCluster is the Redis Cluster TestMain starts for this test binary
// ("" when redis-server or redis-cli is missing; why, in
// testClusterMissing).
var (
	testClusterURL     string
	testClusterMissing error
)

func TestMain(m *testing.M) {
	c, err := startCluster(3)
	if err != nil {
		testClusterMissing = err
	} else {
		testClusterURL = c.URL()
	}
	code := m.Run()
	if c != nil {
		c.Stop()
	}
	os.Exit(code)
}

// needRedis fails (under CI=true) or skips the test when what it needs is
// missing.
func needRedis(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...) + " (install with: apt-get install redis-server)"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// standaloneURL returns the URL of the shared test Redis (REDIS_URL,
// default redis://127.0.0.1:6379/0), failing or skipping when it does not
// answer.
func standaloneURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := goredis.ParseURL(url)
	if err != nil {
		tb.Fatalf("REDIS_URL %q: %v", url, err)
	}
	c := goredis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		needRedis(tb, "no Redis at %s: %v", url, err)
	}
	return url
}

// clusterURL returns the URL of the test binary's Cluster.
func clusterURL(tb testing.TB) string {
	tb.Helper()
	if testClusterURL == "" {
		needRedis(tb, "no test Redis Cluster: %v", testClusterMissing)
	}
	return testClusterURL
}

// testPrefix returns a fresh key prefix.
func testPrefix() string {
	var b [6]byte
	rand.Read(b[:])
	return "hallcast-test:" + hex.EncodeToString(b[:]) + ":"
}

// openTest opens a store on url under prefix (a fresh one when ""), which
// is closed, and whose keys are deleted, when the test ends.
func openTest(tb testing.TB, url, prefix string) *Store {
	tb.Helper()
	if prefix == "" {
		prefix = testPrefix()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, Options{URL: url, Prefix: prefix, AllowVolatile: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatalf("Open %s: %v", url, err)
	}
	tb.Cleanup(func() {
		if err := deleteKeys(context.Background(), s.Client(), prefix); err != nil {
			tb.Errorf("delete test keys %s*: %v", prefix, err)
		}
		s.Close()
	})
	return s
}

// deleteKeys deletes the keys under prefix on every master, with SCAN and
// UNLINK (one key at a time: a Cluster refuses multi-key deletes across
// slots).
func deleteKeys(ctx context.Context, c goredis.UniversalClient, prefix string) error {
	del := func(ctx context.Context, n *goredis.Client) error {
		iter := n.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		pipe := n.Pipeline()
		for iter.Next(ctx) {
			pipe.Unlink(ctx, iter.Val())
			if pipe.Len() >= 1000 {
				if _, err := pipe.Exec(ctx); err != nil {
					return err
				}
			}
		}
		if err := iter.Err(); err != nil {
			return err
		}
		_, err := pipe.Exec(ctx)
		return err
	}
	switch c := c.(type) {
	case *goredis.ClusterClient:
		return c.ForEachMaster(ctx, del)
	case *goredis.Client:
		return del(ctx, c)
	}
	return fmt.Errorf("client of type %T", c)
}

// countKeys counts the keys under prefix on every master.
func countKeys(tb testing.TB, c goredis.UniversalClient, prefix string) int {
	tb.Helper()
	var n int64
	count := func(ctx context.Context, node *goredis.Client) error {
		iter := node.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			n++
		}
		return iter.Err()
	}
	var err error
	switch c := c.(type) {
	case *goredis.ClusterClient:
		err = c.ForEachMaster(context.Background(), count)
	case *goredis.Client:
		err = count(context.Background(), c)
	}
	if err != nil {
		tb.Fatalf("count keys: %v", err)
	}
	return int(n)
}

func TestStore(t *testing.T) {
	url := standaloneURL(t)
	storetest.Run(t, func(t *testing.T) hall.Store { return openTest(t, url, "") })
}

func TestStoreCluster(t *testing.T) {
	url := clusterURL(t)
	storetest.Run(t, func(t *testing.T) hall.Store { return openTest(t, url, "") })
}

func mustOK(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
