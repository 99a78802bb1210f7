package redisstore

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// collector is a local notifier that keeps what it is handed.
type collector struct {
	mu      sync.Mutex
	changes []hall.Change
}

func (c *collector) Notify(_ context.Context, ch hall.Change) {
	c.mu.Lock()
	c.changes = append(c.changes, ch)
	c.mu.Unlock()
}

func (c *collector) has(pred func(hall.Change) bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.ContainsFunc(c.changes, pred)
}

// eventually polls cond until it holds, failing after within.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runBroker runs b until the test ends.
func runBroker(t *testing.T, b *Broker, local hall.Notifier, onResubscribe func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		b.Run(ctx, local, onResubscribe)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Broker.Run did not return after its context ended")
		}
	})
}

// deliver publishes changes from pub (numbered from n) until sub's
// collector has one, which proves the subscription is live.
func deliver(t *testing.T, pub *Broker, got *collector, tag string) {
	t.Helper()
	i := 0
	eventually(t, 30*time.Second, "change "+tag+" delivered", func() bool {
		i++
		pub.Notify(t.Context(), hall.Change{Kind: hall.ChangeCommand, ScreenID: tag, Command: fmt.Sprint(i)})
		time.Sleep(20 * time.Millisecond)
		return got.has(func(c hall.Change) bool { return c.ScreenID == tag })
	})
}

func TestBroker(t *testing.T) {
	t.Run("Standalone", func(t *testing.T) { testBroker(t, standaloneURL(t)) })
	t.Run("Cluster", func(t *testing.T) { testBroker(t, clusterURL(t)) })
}

func testBroker(t *testing.T, url string) {
	prefix := testPrefix()
	a, b := openTest(t, url, prefix), openTest(t, url, prefix)
	other := openTest(t, url, "")
	var gotB, gotOther collector
	var resubscribed atomic.Int32
	runBroker(t, NewBroker(b), &gotB, func() { resubscribed.Add(1) })
	runBroker(t, NewBroker(other), &gotOther, nil)

	pub := NewBroker(a)
	deliver(t, pub, &gotB, "sc_ready")
	want := hall.Change{Kind: hall.ChangeInterrupt, Interrupt: &hall.Interrupt{ID: "ir_1", Level: hall.LevelUrgent,
		Text: "暂停办理", Until: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)}}
	pub.Notify(t.Context(), want)
	eventually(t, 10*time.Second, "interrupt change delivered", func() bool {
		return gotB.has(func(c hall.Change) bool {
			return reflect.DeepEqual(c, want)
		})
	})
	if gotOther.has(func(hall.Change) bool { return true }) {
		t.Errorf("a broker under another prefix received changes")
	}
	if n := resubscribed.Load(); n != 0 {
		t.Errorf("onResubscribe called %d times without a lost subscription", n)
	}
}

// TestBrokerResubscribes restarts the Redis a broker listens to: Run
// subscribes again by itself, calls onResubscribe, and changes flow again.
func TestBrokerResubscribes(t *testing.T) {
	srv := startChild(t)
	url := srv.URL() + "?max_retries=1&pool_size=2"
	prefix := testPrefix()
	sub, pubStore := openTest(t, url, prefix), openTest(t, url, prefix)
	b := NewBroker(sub)
	b.maxBackoff = 500 * time.Millisecond
	var got collector
	var resubscribed atomic.Int32
	runBroker(t, b, &got, func() { resubscribed.Add(1) })
	pub := NewBroker(pubStore)

	deliver(t, pub, &got, "sc_before")
	if n := resubscribed.Load(); n != 0 {
		t.Fatalf("onResubscribe called %d times at the first subscription", n)
	}
	srv.Stop()
	mustOK(t, srv.Start())
	eventually(t, time.Minute, "onResubscribe after Redis restarted", func() bool { return resubscribed.Load() >= 1 })
	deliver(t, pub, &got, "sc_after")
}
