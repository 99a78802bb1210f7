package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// startRedis runs a redis-server of its own on a free port with args, and
// stops it (by its pid) when the test ends.
func startRedis(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server not found (install with: apt-get install redis-server)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, append([]string{"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", t.TempDir()}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	opt, _ := goredis.ParseURL(url)
	c := goredis.NewClient(opt)
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); c.Ping(context.Background()).Err() != nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %d did not answer", port)
		}
	}
	return url
}

// TestBackupOnRedis: on a Redis store backup copies nothing, reports the
// persistence and what to back up, and fails when Redis persists nothing.
func TestBackupOnRedis(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		ok   bool
		want string
	}{
		{"AppendOnly", []string{"--appendonly", "yes", "--appendfsync", "everysec", "--save", ""}, true, "appendonly=yes appendfsync=everysec"},
		{"Snapshots", []string{"--appendonly", "no", "--save", "3600 1"}, true, `save="3600 1"`},
		{"NoPersistence", []string{"--appendonly", "no", "--save", ""}, false, "appendonly=no"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := startRedis(t, tc.args...)
			dir := t.TempDir()
			var out, errOut bytes.Buffer
			err := run(context.Background(), []string{"backup", "--store", url, "--data", dir, "--redis-prefix", "hallcast-backup-test:"}, envOf(nil), nil, &out, &errOut)
			if (err == nil) != tc.ok {
				t.Fatalf("backup on Redis: %v, want ok=%v\n%s", err, tc.ok, out.String())
			}
			if !tc.ok && !strings.Contains(err.Error(), "no persistence") {
				t.Errorf("error %v does not say Redis persists nothing", err)
			}
			for _, want := range []string{tc.want, "dump.rdb", "archive.key", "media"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("report lacks %q:\n%s", want, out.String())
				}
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				for _, e := range entries {
					if strings.HasSuffix(e.Name(), ".tar.gz") {
						t.Errorf("backup on Redis wrote %s", e.Name())
					}
				}
			}
		})
	}
}
