package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// TestOpenWaitsWhileRedisLoads opens the store on a Redis that is still
// reading its append-only file after a restart (it answers LOADING): Open
// waits for it instead of failing.
func TestOpenWaitsWhileRedisLoads(t *testing.T) {
	srv := startChild(t, "--appendonly", "yes", "--appendfsync", "always")
	// No retries: the client would retry LOADING answers itself.
	c := goredis.NewClient(&goredis.Options{Addr: srv.Addr(), MaxRetries: -1})
	defer c.Close()
	ctx := t.Context()
	// Enough keys, each loaded with a delay, for the loading to be seen.
	pipe := c.Pipeline()
	for i := range 20000 {
		pipe.Set(ctx, fmt.Sprint("filler:", i), "x", 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// Rewritten, the file starts with a snapshot, which Redis loads key by key.
	mustOK(t, c.BgRewriteAOF(ctx).Err())
	for {
		info, err := c.Info(ctx, "persistence").Result()
		mustOK(t, err)
		if strings.Contains(info, "aof_rewrite_in_progress:0") && strings.Contains(info, "aof_rewrite_scheduled:0") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv.Stop()

	// Loaded slowly, answering (LOADING) between every few keys.
	srv.args = append(srv.args, "--key-load-delay", "200", "--loading-process-events-interval-bytes", "1024")
	srv.cmd = exec.Command("redis-server", srv.args...)
	mustOK(t, srv.cmd.Start())
	srv.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(srv.cmd, srv.done)
	loading := false
	for !loading {
		err := c.Ping(ctx).Err()
		if err == nil {
			t.Skip("Redis loaded its file before it could be seen loading")
		}
		loading = strings.Contains(err.Error(), "LOADING")
	}

	openCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	s, err := Open(openCtx, Options{URL: srv.URL(), Prefix: testPrefix(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("Open while Redis loads: %v", err)
	}
	defer s.Close()
	if n, err := c.Exists(ctx, "filler:0", "filler:19999").Result(); err != nil || n != 2 {
		t.Errorf("after Open: %d of the first and last keys loaded (%v), want both", n, err)
	}
	if !s.Durability().AppendOnly {
		t.Errorf("durability after loading: %+v", s.Durability())
	}
}
