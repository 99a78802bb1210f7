package redisstore

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"
)

// openStrict opens a store that does not allow a volatile Redis; a store
// it opens has its keys deleted when the test ends.
func openStrict(t *testing.T, url string) (*Store, error) {
	prefix := testPrefix()
	s, err := Open(context.Background(), Options{URL: url, Prefix: prefix, Logger: slog.New(slog.DiscardHandler)})
	if err == nil {
		t.Cleanup(func() {
			if err := deleteKeys(context.Background(), s.Client(), prefix); err != nil {
				t.Errorf("delete test keys: %v", err)
			}
			s.Close()
		})
	}
	return s, err
}

func TestOpenRefusesVolatile(t *testing.T) {
	srv := startChild(t) // --appendonly no
	s, err := openStrict(t, srv.URL())
	if err == nil {
		t.Fatal("Open of a Redis without an append-only file: no error")
	}
	if !strings.Contains(err.Error(), "appendonly") {
		t.Errorf("refusal does not say what to change: %v", err)
	}
	s = openTest(t, srv.URL(), "")
	d := s.Durability()
	if d.AppendOnly || !strings.HasPrefix(d.Guarantee, "volatile:") {
		t.Errorf("Durability of a volatile Redis allowed explicitly: %+v", d)
	}
}

func TestDurability(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		fsync string
		words string
	}{
		{"Always", []string{"--appendonly", "yes", "--appendfsync", "always"}, "always", "always: an acknowledged event is on disk"},
		{"Everysec", []string{"--appendonly", "yes", "--appendfsync", "everysec"}, "everysec",
			"everysec: up to about one second of acknowledged events can be lost if Redis itself crashes"},
		{"No", []string{"--appendonly", "yes", "--appendfsync", "no"}, "no", "no: the operating system decides"},
		// Where CONFIG is refused, INFO persistence still tells whether
		// the append-only file is on, not the fsync policy.
		{"ConfigRefused", []string{"--appendonly", "yes", "--rename-command", "CONFIG", ""}, "unknown", "unknown:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startChild(t, tc.args...)
			s, err := openStrict(t, srv.URL())
			if err != nil {
				t.Fatalf("Open of a Redis with an append-only file: %v", err)
			}
			d := s.Durability()
			if !d.AppendOnly || d.FSync != tc.fsync || !strings.HasPrefix(d.Guarantee, tc.words) {
				t.Errorf("Durability: got %+v, want append-only, fsync %s, guarantee %q…", d, tc.fsync, tc.words)
			}
		})
	}
	t.Run("ConfigRefusedVolatile", func(t *testing.T) {
		srv := startChild(t, "--rename-command", "CONFIG", "")
		if _, err := openStrict(t, srv.URL()); err == nil {
			t.Fatal("Open of a Redis without an append-only file, CONFIG refused: no error")
		}
	})
}

// TestDurabilityCluster checks that Open reads every master: one master
// without an append-only file is enough to refuse.
func TestDurabilityCluster(t *testing.T) {
	url := clusterURL(t)
	if _, err := openStrict(t, url); err == nil {
		t.Fatal("Open of a Cluster without append-only files: no error")
	}
	opt, err := goredis.ParseClusterURL(strings.Replace(url, "redis+cluster://", "redis://", 1))
	mustOK(t, err)
	c := goredis.NewClusterClient(opt)
	defer c.Close()
	ctx := t.Context()
	nodes, err := c.ClusterNodes(ctx).Result()
	mustOK(t, err)
	var addrs []string
	for line := range strings.SplitSeq(strings.TrimSpace(nodes), "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && strings.Contains(f[2], "master") {
			addrs = append(addrs, strings.SplitN(f[1], "@", 2)[0])
		}
	}
	if len(addrs) != 3 {
		t.Fatalf("cluster masters: %v, want 3", addrs)
	}
	setAOF := func(addr, v string) {
		n := goredis.NewClient(&goredis.Options{Addr: addr})
		defer n.Close()
		mustOK(t, n.ConfigSet(ctx, "appendonly", v).Err())
	}
	for _, a := range addrs[:2] {
		setAOF(a, "yes")
		defer setAOF(a, "no")
	}
	if _, err := openStrict(t, url); err == nil {
		t.Fatal("Open of a Cluster with one master of three without an append-only file: no error")
	}
	setAOF(addrs[2], "yes")
	defer setAOF(addrs[2], "no")
	s, err := openStrict(t, url)
	if err != nil {
		t.Fatalf("Open of a Cluster whose masters all keep an append-only file: %v", err)
	}
	if d := s.Durability(); !d.AppendOnly || d.FSync != "everysec" {
		t.Errorf("Durability of the Cluster: %+v, want append-only, everysec (the default)", d)
	}
}
