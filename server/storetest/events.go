package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// impression is an impression event received n seconds after t0.
func impression(id string, n int) *hall.Event {
	d := time.Duration(n) * time.Second
	return &hall.Event{ID: id, Kind: hall.EventImpression, At: at(d - time.Second), ScreenID: "sc_wall",
		ReceivedAt: at(d), ItemID: "it_budget", Revision: 2, PlaylistID: "morning", DurationMS: 20000}
}

// inUTCEvents returns copies of the events with their times in UTC.
func inUTCEvents(es ...*hall.Event) []*hall.Event {
	out := make([]*hall.Event, len(es))
	for i, e := range es {
		c := *e
		c.At, c.ReceivedAt = c.At.UTC(), c.ReceivedAt.UTC()
		out[i] = &c
	}
	return out
}

func wantInserted(t *testing.T, s hall.Store, events []*hall.Event, want int, what string) {
	t.Helper()
	n, err := s.InsertEvents(t.Context(), events)
	mustOK(t, err, what)
	if n != want {
		t.Errorf("%s: got %d new, want %d", what, n, want)
	}
}

func wantCount(t *testing.T, s hall.Store, kind string, want int) {
	t.Helper()
	n, err := s.CountEvents(t.Context(), kind)
	mustOK(t, err, "CountEvents")
	if n != want {
		t.Errorf("CountEvents(%q): got %d, want %d", kind, n, want)
	}
}

func testEvents(t *testing.T, s hall.Store) {
	ctx := t.Context()
	wantCount(t, s, "", 0)
	list, err := s.ListEvents(ctx, "", time.Time{}, time.Time{}, 0)
	mustOK(t, err, "ListEvents")
	if len(list) != 0 {
		t.Errorf("ListEvents of an empty store: got %d, want 0", len(list))
	}
	wantInserted(t, s, nil, 0, "InsertEvents of no events")

	shown := impression("ev-1", 1)
	shown.At, shown.ReceivedAt = shown.At.In(cst), shown.ReceivedAt.In(cst)
	viewed := &hall.Event{ID: "ev-2", Kind: hall.EventView, At: at(2 * time.Second), ScreenID: "sc_kiosk",
		ReceivedAt: at(3 * time.Second), ItemID: "it_budget", Revision: 2, DwellMS: 41250, Session: "ses-9"}
	rated := &hall.Event{ID: "ev-3", Kind: hall.EventRating, At: at(4 * time.Second), ScreenID: "sc_kiosk",
		ReceivedAt: at(5 * time.Second), Session: "ses-9", Subject: hall.SubjectHall, Level: 2,
		Data: json.RawMessage(`{"subject":{"service":"hall"},"level":2,"aspects":{"speed":1}}`), Misuse: true}
	first := []*hall.Event{shown, viewed, rated}
	wantInserted(t, s, first, 3, "InsertEvents of 3 new events")
	list, err = s.ListEvents(ctx, "", time.Time{}, time.Time{}, 0)
	mustOK(t, err, "ListEvents")
	same(t, "ListEvents after the first insert", list, inUTCEvents(first...))
	if len(list) > 0 {
		wantUTC(t, "ReceivedAt", list[0].ReceivedAt)
	}

	t.Run("Resent", func(t *testing.T) {
		again := inUTCEvents(first...)
		for _, e := range again {
			e.Kind, e.ReceivedAt = hall.EventFeedback, at(time.Hour) // resent later, and altered
		}
		feedback := &hall.Event{ID: "ev-4", Kind: hall.EventFeedback, At: at(6 * time.Second), ScreenID: "sc_kiosk",
			ReceivedAt: at(7 * time.Second), Topic: "service", Text: "窗口排队时间太长", Contact: "13800000000",
			Data: json.RawMessage(`{"text":"窗口排队时间太长","contact":"13800000000","topic":"service"}`)}
		wantInserted(t, s, append(again, feedback), 1, "InsertEvents of the same 3 and 1 new")
		list, err := s.ListEvents(ctx, "", time.Time{}, time.Time{}, 0)
		mustOK(t, err, "ListEvents")
		same(t, "ListEvents: the first copy of each id is kept", list, inUTCEvents(shown, viewed, rated, feedback))

		dup := impression("ev-5", 8)
		wantInserted(t, s, []*hall.Event{dup, impression("ev-5", 9)}, 1, "InsertEvents with an id twice in the batch")
	})
	t.Run("Counts", func(t *testing.T) {
		for kind, want := range map[string]int{
			"":                   5,
			hall.EventImpression: 2,
			hall.EventView:       1,
			hall.EventRating:     1,
			hall.EventFeedback:   1,
			"unknown":            0,
		} {
			wantCount(t, s, kind, want)
		}
	})
	t.Run("ListFilters", func(t *testing.T) {
		all, err := s.ListEvents(ctx, "", time.Time{}, time.Time{}, 0)
		mustOK(t, err, "ListEvents")
		if len(all) != 5 {
			t.Fatalf("ListEvents: got %d events, want 5", len(all))
		}
		for _, tc := range []struct {
			name     string
			kind     string
			from, to time.Time
			limit    int
			want     []*hall.Event
		}{
			{"Kind", hall.EventImpression, time.Time{}, time.Time{}, 0, []*hall.Event{all[0], all[4]}},
			{"From", "", at(5 * time.Second), time.Time{}, 0, all[2:]},
			{"ToIsExclusive", "", time.Time{}, at(5 * time.Second).In(cst), 0, all[:2]},
			{"FromTo", "", at(3 * time.Second), at(7 * time.Second), 0, all[1:3]},
			{"KindFromTo", hall.EventRating, at(3 * time.Second), at(7 * time.Second), 0, all[2:3]},
			{"Limit", "", time.Time{}, time.Time{}, 2, all[:2]},
			{"NoMatch", hall.EventView, at(time.Hour), time.Time{}, 0, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ListEvents(ctx, tc.kind, tc.from, tc.to, tc.limit)
				mustOK(t, err, "ListEvents")
				if len(got) == 0 && len(tc.want) == 0 {
					return
				}
				same(t, "ListEvents", got, tc.want)
			})
		}
	})
}

func testEventsBatch(t *testing.T, s hall.Store) {
	ctx := t.Context()
	const n = 1000
	batch := make([]*hall.Event, n)
	for i := range batch {
		batch[i] = impression(fmt.Sprintf("ev-%04d", i), i)
	}
	wantInserted(t, s, batch, n, "InsertEvents of 1000 events")
	wantCount(t, s, hall.EventImpression, n)
	wantInserted(t, s, batch, 0, "InsertEvents of the same 1000 again")
	wantCount(t, s, "", n)

	got, err := s.ListEvents(ctx, "", time.Time{}, time.Time{}, n)
	mustOK(t, err, "ListEvents")
	if len(got) != n {
		t.Fatalf("ListEvents: got %d events, want %d", len(got), n)
	}
	same(t, "first event", got[0], batch[0])
	same(t, "last event", got[n-1], batch[n-1])
}

// testEventsConcurrent inserts overlapping ranges of ids from several
// goroutines at once: every id must be stored, and counted new, once.
func testEventsConcurrent(t *testing.T, s hall.Store) {
	ctx := t.Context()
	const (
		senders = 4
		step    = 50  // sender g sends ids g*step … g*step+span-1
		span    = 100 // so neighbours share half their ids
		perCall = 10
		total   = (senders-1)*step + span
	)
	var (
		mu       sync.Mutex
		inserted int
		wg       sync.WaitGroup
	)
	for g := range senders {
		wg.Go(func() {
			for start := g * step; start < g*step+span; start += perCall {
				var evs []*hall.Event
				for i := start; i < start+perCall; i++ {
					evs = append(evs, impression(fmt.Sprintf("ev-%04d", i), i))
				}
				n, err := s.InsertEvents(ctx, evs)
				if err != nil {
					t.Errorf("sender %d: InsertEvents: %v", g, err)
					return
				}
				mu.Lock()
				inserted += n
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if inserted != total {
		t.Errorf("new events reported by all senders: got %d, want %d (each id once)", inserted, total)
	}
	wantCount(t, s, "", total)
	got, err := s.ListEvents(ctx, "", time.Time{}, time.Time{}, 1000)
	mustOK(t, err, "ListEvents")
	var ids []string
	for _, e := range got {
		ids = append(ids, e.ID)
	}
	want := make([]string, total)
	for i := range want {
		want[i] = fmt.Sprintf("ev-%04d", i)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("stored ids: got %d (%v … ), want ev-0000 … ev-%04d once each", len(ids), ids[:min(len(ids), 5)], total-1)
	}
}
