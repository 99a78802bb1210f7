package storetest

import (
	"bytes"
	"testing"

	"github.com/hallcast/hallcast/server/hall"
)

func testCalendar(t *testing.T, s hall.Store) {
	ctx := t.Context()
	_, err := s.CalendarYear(ctx, 2025)
	wantCode(t, err, hall.ENotFound, "CalendarYear of a missing year")
	years, err := s.CalendarYears(ctx)
	mustOK(t, err, "CalendarYears")
	if len(years) != 0 {
		t.Errorf("CalendarYears of an empty store: got %d years, want 0", len(years))
	}

	doc2025 := []byte(`{"year":2025,"holidays":["2025-01-01"],"workdays":["2025-01-26"],"name":"元旦"}`)
	doc2026 := []byte(`{"year":2026,"holidays":["2026-01-01"]}`)
	fixed := []byte(`{"year":2025,"holidays":["2025-01-01","2025-10-01"]}`)
	mustOK(t, s.PutCalendarYear(ctx, 2025, doc2025), "PutCalendarYear 2025")
	mustOK(t, s.PutCalendarYear(ctx, 2026, doc2026), "PutCalendarYear 2026")
	got, err := s.CalendarYear(ctx, 2025)
	mustOK(t, err, "CalendarYear")
	if !bytes.Equal(got, doc2025) {
		t.Errorf("CalendarYear 2025: got %s, want %s", got, doc2025)
	}
	mustOK(t, s.PutCalendarYear(ctx, 2025, fixed), "PutCalendarYear 2025 again")
	got, err = s.CalendarYear(ctx, 2025)
	mustOK(t, err, "CalendarYear")
	if !bytes.Equal(got, fixed) {
		t.Errorf("CalendarYear 2025 after replacing: got %s, want %s", got, fixed)
	}
	years, err = s.CalendarYears(ctx)
	mustOK(t, err, "CalendarYears")
	same(t, "CalendarYears", years, map[int][]byte{2025: fixed, 2026: doc2026})
}
