package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

func TestWriterSyncsEveryCommit(t *testing.T) {
	s := MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	var mode int
	mustOK(t, s.DB().QueryRow("PRAGMA synchronous").Scan(&mode))
	if mode != 2 {
		t.Errorf("writer synchronous: got %d, want 2 (FULL): a WAL commit must be on disk when it returns", mode)
	}
}

func benchEvent(id string, at time.Time) *hall.Event {
	return &hall.Event{ID: id, Kind: hall.EventImpression, At: at, ScreenID: "sc_bench", ReceivedAt: at,
		ItemID: "it_budget", Revision: 3, PlaylistID: "morning", DurationMS: 20000}
}

func TestInsertEventsAllOrNothing(t *testing.T) {
	ctx := t.Context()
	s := MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	if _, err := s.DB().Exec(`CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.id = 'bad'
		BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		events []*hall.Event
	}{
		{"FailingRow", []*hall.Event{benchEvent("ok-1", now), benchEvent("bad", now), benchEvent("ok-2", now)}},
		{"NilEvent", []*hall.Event{benchEvent("ok-1", now), nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := s.InsertEvents(ctx, tc.events)
			if err == nil {
				t.Fatalf("InsertEvents: %d new, no error; want an error", n)
			}
			if n != 0 {
				t.Errorf("InsertEvents that failed: got %d new, want 0", n)
			}
			count, err := s.CountEvents(ctx, "")
			mustOK(t, err)
			if count != 0 {
				t.Errorf("after a failed InsertEvents: %d events stored, want 0 (one transaction)", count)
			}
		})
	}
}

func TestEventColumns(t *testing.T) {
	ctx := t.Context()
	s := MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	rated := &hall.Event{ID: "ev-r", Kind: hall.EventRating, At: at, ScreenID: "sc_k", ReceivedAt: at,
		Subject: hall.SubjectHall, Level: 4, Misuse: true, Data: json.RawMessage(`{"level":4,"aspects":{"speed":5}}`)}
	plain := benchEvent("ev-p", at)
	_, err := s.InsertEvents(ctx, []*hall.Event{rated, plain})
	mustOK(t, err)

	var (
		atText string
		speed  int
		misuse int
		isNull bool
	)
	mustOK(t, s.DB().QueryRow(`SELECT at, json_extract(data, '$.aspects.speed'), misuse FROM events WHERE id = 'ev-r'`).
		Scan(&atText, &speed, &misuse))
	if atText != "2025-03-03T01:00:00.000000000Z" {
		t.Errorf("at column: got %q, want fixed-width UTC text", atText)
	}
	if speed != 5 || misuse != 1 {
		t.Errorf("rating row: aspects.speed %d, misuse %d; want 5, 1", speed, misuse)
	}
	mustOK(t, s.DB().QueryRow(`SELECT data IS NULL FROM events WHERE id = 'ev-p'`).Scan(&isNull))
	if !isNull {
		t.Error("an event with no data: data column is not NULL")
	}
}

// TestEventIndexes checks the queries reports make are answered from an
// index, not by scanning every event (the engagement report's own plan is
// checked in feedback_test.go), and that no index is kept that no query
// uses: every index costs every insert.
func TestEventIndexes(t *testing.T) {
	s := MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	for _, tc := range []struct {
		query, index string
	}{
		{"SELECT COUNT(*) FROM events WHERE kind = ? AND at >= ? AND at < ?", "events_kind_at"},
	} {
		t.Run(tc.index, func(t *testing.T) {
			rows, err := s.DB().Query("EXPLAIN QUERY PLAN "+tc.query, "x", "y", "z")
			mustOK(t, err)
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				mustOK(t, rows.Scan(&id, &parent, &unused, &detail))
				plan = append(plan, detail)
			}
			mustOK(t, rows.Err())
			if got := strings.Join(plan, "; "); !strings.Contains(got, tc.index) {
				t.Errorf("plan of %q: %s; want it to use %s", tc.query, got, tc.index)
			}
		})
	}
	rows, err := s.DB().Query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND name NOT LIKE 'sqlite_autoindex%'")
	mustOK(t, err)
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		mustOK(t, rows.Scan(&n))
		names = append(names, n)
	}
	if strings.Join(names, ",") != "events_kind_at" {
		t.Errorf("indexes on events: %v, want only events_kind_at", names)
	}
}

// BenchmarkInsertEvents measures InsertEvents: one transaction per call, so
// one WAL fsync per call under synchronous=FULL (the store's setting),
// compared with NORMAL (no fsync at commit, not durable on power loss).
// It reports events/s.
//
//	go test ./server/sqlite -run '^$' -bench InsertEvents -benchtime 2s
func BenchmarkInsertEvents(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		for _, size := range []int{1, 100, 1000} {
			b.Run(fmt.Sprintf("sync=%s/batch=%d", strings.ToLower(sync), size), func(b *testing.B) {
				s := MustOpen(b, filepath.Join(b.TempDir(), "hallcast.db"))
				// The writer is one long-lived connection, so the pragma holds.
				if _, err := s.DB().Exec("PRAGMA synchronous = " + sync); err != nil {
					b.Fatal(err)
				}
				ctx := context.Background()
				now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
				batch := make([]*hall.Event, size)
				for i := range batch {
					batch[i] = benchEvent("", now)
				}
				calls := 0
				for b.Loop() {
					for i, e := range batch {
						e.ID = fmt.Sprintf("ev-%d-%d", calls, i)
					}
					n, err := s.InsertEvents(ctx, batch)
					if err != nil || n != size {
						b.Fatalf("InsertEvents: %d new, %v; want %d", n, err, size)
					}
					calls++
				}
				b.ReportMetric(float64(calls*size)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}
