// Package ingest stores the events screens send with group commit: every
// submission waiting while one transaction commits goes into the next, so
// the cost of a durable commit (an fsync) is shared by all of them. A caller
// is answered only after its events are durably stored, which is what lets
// the hub acknowledge them.
package ingest

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hallcast/hallcast/server/hall"
)

// Store is where events go.
type Store interface {
	InsertEvents(ctx context.Context, events []*hall.Event) (int, error)
}

// Vetter judges the events one screen sent together before they are
// queued for storing: it returns those to store (ratings flagged as misuse
// where they break a rule) and those refused (Rules). It runs on the
// sender's goroutine, so a slow check holds up that sender only.
type Vetter interface {
	Vet(ctx context.Context, screenID string, events []*hall.Event) (keep []*hall.Event, refused []hall.EventRefusal, err error)
}

// Config tunes an Ingester.
type Config struct {
	Store      Store
	Vetter     Vetter // optional
	Registerer prometheus.Registerer
	Logger     *slog.Logger
	// MaxBatch bounds the events in one transaction; default 5000.
	MaxBatch int
	// Queue bounds the submissions waiting; default 4096.
	Queue int
}

// Ingester group-commits events. Run must be running for Ingest to return.
type Ingester struct {
	cfg     Config
	in      chan *request
	stored  prometheus.Counter
	dupes   prometheus.Counter
	refused prometheus.Counter
	misuse  prometheus.Counter
	batches prometheus.Histogram
	commit  prometheus.Histogram
}

type request struct {
	ctx    context.Context
	events []*hall.Event
	done   chan error
}

// New returns an Ingester; start it with Run.
func New(cfg Config) *Ingester {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 5000
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 4096
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	g := &Ingester{
		cfg: cfg,
		in:  make(chan *request, cfg.Queue),
		stored: prometheus.NewCounter(prometheus.CounterOpts{Name: "hallcast_events_stored_total",
			Help: "Events newly stored (duplicates excluded)."}),
		dupes: prometheus.NewCounter(prometheus.CounterOpts{Name: "hallcast_events_duplicate_total",
			Help: "Events received again after they were stored (acknowledged, not stored twice)."}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{Name: "hallcast_events_refused_total",
			Help: "Valid events refused by the rules (ratings of items not public then, feedback past a kiosk's limit)."}),
		misuse: prometheus.NewCounter(prometheus.CounterOpts{Name: "hallcast_ratings_misuse_total",
			Help: "Ratings judged misuse (bursts, repeats in a touch session): stored flagged, left out of results."}),
		batches: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "hallcast_events_commit_batch_size",
			Help: "Events per group commit.", Buckets: prometheus.ExponentialBuckets(1, 4, 8)}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "hallcast_events_commit_seconds",
			Help: "Duration of one group commit.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 12)}),
	}
	if cfg.Registerer != nil {
		cfg.Registerer.MustRegister(g.stored, g.dupes, g.refused, g.misuse, g.batches, g.commit)
	}
	return g
}

// ErrStopped is returned for submissions made after Run ended.
var ErrStopped = errors.New("ingest: stopped")

// Ingest vets the events one screen sent, stores those kept and returns
// their ids once they are durably stored (or were already), with the
// events refused. On error nothing may be acknowledged.
func (g *Ingester) Ingest(ctx context.Context, screenID string, events []*hall.Event) ([]string, []hall.EventRefusal, error) {
	var refused []hall.EventRefusal
	if g.cfg.Vetter != nil && len(events) > 0 {
		keep, no, err := g.cfg.Vetter.Vet(ctx, screenID, events)
		if err != nil {
			return nil, nil, err
		}
		events, refused = keep, no
		g.refused.Add(float64(len(no)))
		for _, e := range events {
			if e.Misuse {
				g.misuse.Inc()
			}
		}
	}
	if len(events) == 0 {
		return []string{}, refused, nil
	}
	r := &request{ctx: ctx, events: events, done: make(chan error, 1)}
	select {
	case g.in <- r:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	select {
	case err := <-r.done:
		if err != nil {
			return nil, nil, err
		}
	case <-ctx.Done():
		// The batch may still commit; the client resends and the id is
		// then acknowledged as already stored.
		return nil, nil, ctx.Err()
	}
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids, refused, nil
}

// Run commits batches until ctx ends, then drains what is queued.
func (g *Ingester) Run(ctx context.Context) {
	var batch []*request
	for {
		select {
		case r := <-g.in:
			batch = append(batch[:0], r)
		case <-ctx.Done():
			g.drain()
			return
		}
		n := len(batch[0].events)
	fill:
		for n < g.cfg.MaxBatch {
			select {
			case r := <-g.in:
				batch = append(batch, r)
				n += len(r.events)
			default:
				break fill
			}
		}
		g.flush(context.WithoutCancel(ctx), batch, n)
	}
}

// drain commits what was submitted before the stop, so nothing accepted
// into the queue is left unanswered.
func (g *Ingester) drain() {
	for {
		select {
		case r := <-g.in:
			g.flush(context.Background(), []*request{r}, len(r.events))
		default:
			return
		}
	}
}

func (g *Ingester) flush(ctx context.Context, batch []*request, n int) {
	events := make([]*hall.Event, 0, n)
	for _, r := range batch {
		if r.ctx.Err() == nil {
			events = append(events, r.events...)
		}
	}
	start := time.Now()
	inserted, err := g.cfg.Store.InsertEvents(ctx, events)
	g.commit.Observe(time.Since(start).Seconds())
	g.batches.Observe(float64(len(events)))
	if err != nil {
		g.cfg.Logger.Error("store events", "events", len(events), "err", err)
	} else {
		g.stored.Add(float64(inserted))
		g.dupes.Add(float64(len(events) - inserted))
	}
	for _, r := range batch {
		if r.ctx.Err() != nil {
			r.done <- r.ctx.Err()
		} else {
			r.done <- err
		}
	}
}
