package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// TestPhoneLimitsOnRedis: the per-item, per-address limits of phones'
// ratings and feedback are kept in the store's shared counters, so they
// hold on a Redis store as on SQLite: the fourth rating and the fourth
// message from one address are refused. The test's keys live under a
// prefix of their own and are deleted at the end.
func TestPhoneLimitsOnRedis(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := goredis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Redis at %s: %v", url, err)
		}
		t.Skipf("no Redis at %s: %v", url, err)
	}
	var b [6]byte
	rand.Read(b[:])
	prefix := "hallcast-test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
	})
	env := map[string]string{"HALLCAST_DATA": t.TempDir(), "HALLCAST_ADMIN_PASSWORD": hallAdminPassword,
		"HALLCAST_STORE": url, "HALLCAST_REDIS_PREFIX": prefix, "HALLCAST_REDIS_ALLOW_VOLATILE": "true"}
	base, _, _ := startServer(t, env)
	c := adminClient(t, base, env)
	items := publicItems(c, "budget")
	if len(items) == 0 {
		t.Fatal("the demo content has no published budget")
	}
	phone := &client{t: t, base: base}
	for _, k := range []struct {
		path string
		body map[string]any
	}{
		{"/rating", map[string]any{"level": 5}},
		{"/feedback", map[string]any{"text": "请公开更多明细"}},
	} {
		path := "/api/v1/public/items/" + items[0].ID + k.path
		for i := 1; i <= 4; i++ {
			var out map[string]any
			code := phone.call("POST", path, k.body, &out)
			want := http.StatusCreated
			if i == 4 {
				want = http.StatusTooManyRequests
			}
			if code != want {
				t.Errorf("%s #%d: %d %v, want %d", k.path, i, code, out, want)
			}
		}
	}
}
