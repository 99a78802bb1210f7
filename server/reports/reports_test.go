package reports

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/sqlite"
)

// TestAspects counts the aspects of hall ratings on a SQLite store, over
// more events than one page of ListEvents, with several received at the
// same instant: each counted once, misuse left out.
func TestAspects(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hallcast.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	start := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	const n = 2500
	var events []*hall.Event
	for i := range n {
		at := start.Add(time.Duration(i/3) * time.Second) // three at each instant
		data, _ := json.Marshal(map[string]any{"aspects": map[string]int{"efficiency": 3 + i%3, "attitude": 5}})
		events = append(events, &hall.Event{ID: fmt.Sprintf("r-%04d", i), Kind: hall.EventRating, At: at, ReceivedAt: at, ScreenID: "k1",
			Subject: hall.SubjectHall, Level: 4, Data: data, Misuse: i == 7})
	}
	if _, err := st.InsertEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	s := &Service{Store: st, Now: func() time.Time { return start.Add(24 * time.Hour) }}
	rows, warnings, err := s.aspects(ctx, start, start.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings %v, want none", warnings)
	}
	if len(rows) != 2 {
		t.Fatalf("got %d aspect rows, want 2: %+v", len(rows), rows)
	}
	att, eff := rows[0], rows[1]
	if att.Aspect != "attitude" || att.Subject != hall.SubjectHall || att.Ratings != n-1 || att.Levels != [5]int{0, 0, 0, 0, n - 1} || att.Index == nil || *att.Index != 100 {
		t.Errorf("attitude row %+v, want %d ratings all at 5, index 100", att, n-1)
	}
	// i%3 levels 3, 4, 5 in turn; rating 7 (level 4) is misuse.
	if want := [5]int{0, 0, 834, 832, 833}; eff.Aspect != "efficiency" || eff.Ratings != n-1 || eff.Levels != want {
		t.Errorf("efficiency row %+v, want %d ratings with levels %v", eff, n-1, want)
	}
}
