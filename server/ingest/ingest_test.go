package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/sqlite"
)

func openStore(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "hallcast.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func impressions(prefix string, n int) []*hall.Event {
	out := make([]*hall.Event, n)
	now := time.Now().UTC()
	for i := range out {
		out[i] = &hall.Event{ID: fmt.Sprintf("%s-%d", prefix, i), Kind: hall.EventImpression, At: now, ScreenID: "sc_test",
			ReceivedAt: now, ItemID: "it_x", Revision: 1, DurationMS: 10_000}
	}
	return out
}

func start(tb testing.TB, store Store) *Ingester {
	g := New(Config{Store: store})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.Run(ctx); close(done) }()
	tb.Cleanup(func() { cancel(); <-done })
	return g
}

func TestIngestStoresOnceAndAcksAll(t *testing.T) {
	store := openStore(t)
	g := start(t, store)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	// 16 senders; each pair sends the same ids (a resend after a lost ack).
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			evs := impressions(fmt.Sprint("w", w/2), 200)
			ids, _, err := g.Ingest(ctx, "sc_test", evs)
			if err != nil {
				errs <- err
				return
			}
			if len(ids) != len(evs) {
				errs <- fmt.Errorf("acked %d of %d", len(ids), len(evs))
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n, err := store.CountEvents(ctx, hall.EventImpression)
	if err != nil {
		t.Fatal(err)
	}
	if n != 8*200 {
		t.Errorf("stored %d events, want %d (each id once)", n, 8*200)
	}
}

func TestIngestAfterStopFailsFast(t *testing.T) {
	store := openStore(t)
	g := New(Config{Store: store})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	// Run is not running: the call must give up with the context, and
	// acknowledge nothing.
	ids, _, err := g.Ingest(ctx, "sc_test", impressions("x", 1))
	if err == nil || ids != nil {
		t.Errorf("Ingest without Run = %v, %v; want an error and no ids", ids, err)
	}
}

func TestIngestErrorAcksNothing(t *testing.T) {
	store := openStore(t)
	g := start(t, store)
	store.Close() // every write now fails
	ids, _, err := g.Ingest(context.Background(), "sc_test", impressions("y", 3))
	if err == nil || ids != nil {
		t.Errorf("Ingest on a closed store = %v, %v; want an error and no ids", ids, err)
	}
}
