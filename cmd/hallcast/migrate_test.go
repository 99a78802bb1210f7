package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

// testRedis returns the test Redis URL and a fresh prefix whose keys are
// deleted when the test ends; it skips (fails under CI=true) without Redis.
func testRedis(t *testing.T) (string, string) {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Redis at %s: %v", url, err)
		}
		t.Skipf("no Redis at %s: %v", url, err)
	}
	var b [6]byte
	rand.Read(b[:])
	prefix := "hallcast-test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		defer c.Close()
		iter := c.Scan(context.Background(), 0, prefix+"*", 1000).Iterator()
		for iter.Next(context.Background()) {
			c.Unlink(context.Background(), iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("delete test keys: %v", err)
		}
	})
	return url, prefix
}

func TestMigrate(t *testing.T) {
	// A demo deployment, served briefly so the archive is signed.
	src := t.TempDir()
	_, _, stop := startServer(t, map[string]string{"HALLCAST_DATA": src, "HALLCAST_ADMIN_PASSWORD": "a-long-test-password"})
	stop()
	if err := os.MkdirAll(filepath.Join(src, "media"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "media", "ab12"), []byte("png"), 0o640); err != nil {
		t.Fatal(err)
	}
	url, prefix := testRedis(t)
	ctx := context.Background()
	dbBefore, err := os.ReadFile(filepath.Join(src, "hallcast.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		after, err := os.ReadFile(filepath.Join(src, "hallcast.db"))
		if err != nil || !bytes.Equal(after, dbBefore) {
			t.Errorf("migrate changed the source database (%v)", err)
		}
	})
	migrateRun := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, append([]string{"migrate"}, args...), envOf(nil), nil, &out, &errOut)
		return out.String() + errOut.String(), err
	}

	t.Run("SQLiteToRedis", func(t *testing.T) {
		out, err := migrateRun("--from", src, "--to", url, "--to-prefix", prefix, "--redis-allow-volatile")
		if err != nil {
			t.Fatalf("migrate: %v\n%s", err, out)
		}
		for _, want := range []string{"archive verifies:", "items ", "media: copy the 1 files", "archive key: keep " + src} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		// archive verify on the target through the store flags.
		var vout, verr bytes.Buffer
		err = run(ctx, []string{"archive", "verify", "--data", src, "--store", url, "--redis-prefix", prefix,
			"--redis-allow-volatile"}, envOf(nil), nil, &vout, &verr)
		if err != nil || !strings.Contains(vout.String(), "archive verifies:") {
			t.Errorf("archive verify on Redis: %v\n%s%s", err, vout.String(), verr.String())
		}
	})

	t.Run("RefusedNonEmpty", func(t *testing.T) {
		out, err := migrateRun("--from", src, "--to", url, "--to-prefix", prefix, "--redis-allow-volatile")
		if err == nil || hall.ErrorCode(err) != hall.EConflict || !strings.Contains(err.Error(), "nothing was written") {
			t.Fatalf("migrate into a full target: got %v, want a refusal\n%s", err, out)
		}
		dir := t.TempDir()
		if out, err := migrateRun("--from", src, "--to", dir); err != nil {
			t.Fatalf("migrate to SQLite: %v\n%s", err, out)
		}
		if out, err := migrateRun("--from", src, "--to", dir); err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Errorf("second migrate into %s: got %v, want a refusal\n%s", dir, err, out)
		}
	})

	t.Run("BadFlags", func(t *testing.T) {
		if _, err := migrateRun("--from", src); err == nil || !strings.Contains(err.Error(), "required") {
			t.Errorf("migrate without --to: got %v", err)
		}
		if _, err := migrateRun("--from", url, "--from-prefix", prefix, "--to", t.TempDir(), "--key-dir", t.TempDir()); err == nil ||
			!strings.Contains(err.Error(), "no archive key") {
			t.Errorf("migrate without a key: got %v", err)
		}
	})

	t.Run("RedisToSQLite", func(t *testing.T) {
		dir := t.TempDir()
		out, err := migrateRun("--from", url, "--from-prefix", prefix, "--key-dir", src, "--to", dir)
		if err != nil {
			t.Fatalf("migrate: %v\n%s", err, out)
		}
		if !strings.Contains(out, "archive verifies:") || !strings.Contains(out, "media: 1 files copied") {
			t.Errorf("output:\n%s", out)
		}
		var vout bytes.Buffer
		if err := run(ctx, []string{"archive", "verify", "--data", dir}, envOf(nil), nil, &vout, &vout); err != nil {
			t.Errorf("archive verify on the copy: %v\n%s", err, vout.String())
		}
		// The copy serves.
		_, _, stop := startServer(t, map[string]string{"HALLCAST_DATA": dir, "HALLCAST_ADMIN_PASSWORD": "a-long-test-password"})
		stop()
	})
}
