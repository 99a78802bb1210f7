package sqlite

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// TestEventSideEffectsShareTheTransaction refuses the feedback or case row
// an event implies: the event must not be stored either, nor the rest of
// its batch.
func TestEventSideEffectsShareTheTransaction(t *testing.T) {
	ctx := t.Context()
	s := MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	for _, trigger := range []string{
		`CREATE TRIGGER refuse_feedback BEFORE INSERT ON feedback BEGIN SELECT RAISE(ABORT, 'refused'); END`,
		`CREATE TRIGGER refuse_case BEFORE INSERT ON cases BEGIN SELECT RAISE(ABORT, 'refused'); END`,
	} {
		if _, err := s.DB().Exec(trigger); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		event *hall.Event
	}{
		{"Feedback", &hall.Event{ID: "ev-f", Kind: hall.EventFeedback, At: at, ScreenID: "sc_k", ReceivedAt: at, Text: "意见"}},
		{"PoorRating", &hall.Event{ID: "ev-r", Kind: hall.EventRating, At: at, ScreenID: "sc_k", ReceivedAt: at,
			Subject: hall.SubjectHall, Level: 1, Data: json.RawMessage(`{"aspects":{"speed":1}}`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := s.InsertEvents(ctx, []*hall.Event{benchEvent("ok-1", at), tc.event})
			if err == nil {
				t.Fatalf("InsertEvents: %d new, no error; want an error", n)
			}
			count, err := s.CountEvents(ctx, "")
			mustOK(t, err)
			if count != 0 {
				t.Errorf("after a refused %s row: %d events stored, want 0 (one transaction)", tc.name, count)
			}
		})
	}
	// A rating that opens no case and an impression are not held up.
	fair := &hall.Event{ID: "ev-ok", Kind: hall.EventRating, At: at, ScreenID: "sc_k", ReceivedAt: at,
		Subject: hall.SubjectHall, Level: 3}
	n, err := s.InsertEvents(ctx, []*hall.Event{benchEvent("ok-1", at), fair})
	if err != nil || n != 2 {
		t.Errorf("InsertEvents of events implying nothing: %d new, %v; want 2, nil", n, err)
	}
}

func TestRatingAspects(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"Object", `{"level":1,"aspects":{"speed":1,"attitude":2}}`, `{"speed":1,"attitude":2}`},
		{"Array", `{"aspects":["speed"]}`, `["speed"]`},
		{"Absent", `{"level":1}`, ""},
		{"Null", `{"aspects":null}`, ""},
		{"NoData", "", ""},
		{"NotAnObject", `[1,2]`, ""},
		{"Malformed", `{"aspects":`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(ratingAspects(json.RawMessage(tc.data))); got != tc.want {
				t.Errorf("ratingAspects(%s) = %q, want %q", tc.data, got, tc.want)
			}
		})
	}
}

// TestEngagementPlan checks the engagement report reads the period's
// events from an index, not by scanning every event.
func TestEngagementPlan(t *testing.T) {
	s := MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, by := range []string{hall.ByItem, hall.ByCategory, hall.ByDepartment, hall.ByScreen, hall.ByDay} {
		t.Run(by, func(t *testing.T) {
			query, args, err := engagementQuery(from, from.AddDate(0, 1, 0), by, 8*3600)
			mustOK(t, err)
			rows, err := s.DB().Query("EXPLAIN QUERY PLAN "+query, args...)
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
			got := strings.Join(plan, "; ")
			if !strings.Contains(got, "SEARCH e USING INDEX events_kind_at") || strings.Contains(got, "SCAN e") {
				t.Errorf("plan of engagement by %s: %s; want events read through events_kind_at", by, got)
			}
		})
	}
}
