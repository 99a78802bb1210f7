package playlists

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the host's zoneinfo

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/workdays"
)

func mustLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// at parses "2006-01-02 15:04" in loc.
func at(tb testing.TB, loc *time.Location, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return t
}

const slotLayout = "2006-01-02T15:04-07"

// fmtSlots renders slots as "FROM TO (LENGTH) PLAYLIST @ANCHOR", with offsets,
// so a failure shows exact instants.
func fmtSlots(slots []Slot) []string {
	var out []string
	for _, s := range slots {
		out = append(out, fmt.Sprintf("%s %s (%s) %s @%s",
			s.From.Format(slotLayout), s.To.Format(slotLayout), s.To.Sub(s.From),
			s.PlaylistID, s.Anchor.Format(slotLayout)))
	}
	return out
}

func checkSlots(t *testing.T, got []Slot, want []string) {
	t.Helper()
	g := fmtSlots(got)
	if !slices.Equal(g, want) {
		t.Errorf("slots:\ngot:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(want, "\n  "))
	}
	for i := 1; i < len(got); i++ {
		if got[i].From.Before(got[i-1].To) {
			t.Errorf("slot %d overlaps slot %d", i, i-1)
		}
	}
}

var testScreen = hall.Placement{ID: "s1", HallID: "h1", Kind: hall.KindLED, Groups: []string{"g1"}}

func TestResolve(t *testing.T) {
	weekdays := []int{1, 2, 3, 4, 5}
	tests := []struct {
		name      string
		tz        string
		def       string
		schedules []hall.Schedule
		from, to  string
		want      []string
	}{
		{
			name: "WeekdayWindowWithDefault",
			def:  "D",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "P", Days: weekdays, Start: "08:00", End: "18:00"},
			},
			from: "2026-03-10 00:00", to: "2026-03-11 00:00", // a Tuesday
			want: []string{
				"2026-03-10T00:00+08 2026-03-10T08:00+08 (8h0m0s) D @2000-01-01T00:00+08",
				"2026-03-10T08:00+08 2026-03-10T18:00+08 (10h0m0s) P @2026-03-10T08:00+08",
				"2026-03-10T18:00+08 2026-03-11T00:00+08 (6h0m0s) D @2000-01-01T00:00+08",
			},
		},
		{
			name: "NoDefaultLeavesGap",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "P", Days: weekdays, Start: "08:00", End: "18:00"},
			},
			from: "2026-03-10 00:00", to: "2026-03-11 00:00",
			want: []string{
				"2026-03-10T08:00+08 2026-03-10T18:00+08 (10h0m0s) P @2026-03-10T08:00+08",
			},
		},
		{
			name: "WeekendNotScheduledFallsBackToDefault",
			def:  "D",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "P", Days: weekdays, Start: "08:00", End: "18:00"},
			},
			from: "2026-03-14 00:00", to: "2026-03-16 00:00", // Saturday and Sunday
			want: []string{
				"2026-03-14T00:00+08 2026-03-16T00:00+08 (48h0m0s) D @2000-01-01T00:00+08",
			},
		},
		{
			name: "NothingScheduledNoDefault",
			from: "2026-03-10 00:00", to: "2026-03-11 00:00",
			want: nil,
		},
		{
			name: "HigherPriorityCutsInAndWindowResumesOnItsAnchor",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "P", Start: "08:00", End: "18:00"},
				{ID: "b", PlaylistID: "Q", Start: "12:00", End: "13:00", Priority: 10},
			},
			from: "2026-03-10 00:00", to: "2026-03-11 00:00",
			want: []string{
				"2026-03-10T08:00+08 2026-03-10T12:00+08 (4h0m0s) P @2026-03-10T08:00+08",
				"2026-03-10T12:00+08 2026-03-10T13:00+08 (1h0m0s) Q @2026-03-10T12:00+08",
				"2026-03-10T13:00+08 2026-03-10T18:00+08 (5h0m0s) P @2026-03-10T08:00+08",
			},
		},
		{
			name: "LowerPriorityUnderneathIsHidden",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "P", Start: "10:00", End: "11:00", Priority: -1},
				{ID: "b", PlaylistID: "Q", Start: "09:00", End: "12:00"},
			},
			from: "2026-03-10 00:00", to: "2026-03-11 00:00",
			want: []string{
				"2026-03-10T09:00+08 2026-03-10T12:00+08 (3h0m0s) Q @2026-03-10T09:00+08",
			},
		},
		{
			name: "HigherPriorityBeatsMoreSpecificTarget",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "P", Target: hall.Target{Screens: []string{"s1"}}, Start: "08:00", End: "18:00"},
				{ID: "b", PlaylistID: "Q", Start: "08:00", End: "18:00", Priority: 1},
			},
			from: "2026-03-10 00:00", to: "2026-03-11 00:00",
			want: []string{
				"2026-03-10T08:00+08 2026-03-10T18:00+08 (10h0m0s) Q @2026-03-10T08:00+08",
			},
		},
		{
			name: "NonMatchingTargetsAreIgnored",
			def:  "D",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "P", Target: hall.Target{Halls: []string{"h2"}}, Priority: 9},
				{ID: "b", PlaylistID: "P", Target: hall.Target{Kinds: []string{hall.KindKiosk}}, Priority: 9},
				{ID: "c", PlaylistID: "P", Target: hall.Target{Halls: []string{"h1"}, Kinds: []string{hall.KindKiosk}}, Priority: 9},
				{ID: "d", PlaylistID: "P", Target: hall.Target{Screens: []string{"s2"}, Groups: []string{"g1"}}, Priority: 9},
			},
			from: "2026-03-10 00:00", to: "2026-03-11 00:00",
			want: []string{
				"2026-03-10T00:00+08 2026-03-11T00:00+08 (24h0m0s) D @2000-01-01T00:00+08",
			},
		},
		{
			name: "MidnightCrossingBelongsToItsStartDay",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "N", Days: []int{5}, Start: "22:00", End: "06:00"},
			},
			from: "2026-03-13 12:00", to: "2026-03-15 12:00", // Friday noon to Sunday noon
			want: []string{
				"2026-03-13T22:00+08 2026-03-14T06:00+08 (8h0m0s) N @2026-03-13T22:00+08",
			},
		},
		{
			name: "MidnightCrossingResolvedAfterMidnightKeepsItsAnchor",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "N", Days: []int{5}, Start: "22:00", End: "06:00"},
			},
			from: "2026-03-14 03:00", to: "2026-03-14 12:00",
			want: []string{
				"2026-03-14T03:00+08 2026-03-14T06:00+08 (3h0m0s) N @2026-03-13T22:00+08",
			},
		},
		{
			name: "EndAt2400",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "E", Start: "18:00", End: "24:00", From: "2026-03-10", Until: "2026-03-10"},
			},
			from: "2026-03-10 00:00", to: "2026-03-12 00:00",
			want: []string{
				"2026-03-10T18:00+08 2026-03-11T00:00+08 (6h0m0s) E @2026-03-10T18:00+08",
			},
		},
		{
			name: "EndAt0000IsNextMidnight",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "E", Start: "18:00", End: "00:00", From: "2026-03-10", Until: "2026-03-10"},
			},
			from: "2026-03-10 00:00", to: "2026-03-12 00:00",
			want: []string{
				"2026-03-10T18:00+08 2026-03-11T00:00+08 (6h0m0s) E @2026-03-10T18:00+08",
			},
		},
		{
			name: "StartEqualsEndIsAllDay",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "A", Start: "09:00", End: "09:00", From: "2026-03-10", Until: "2026-03-10"},
			},
			from: "2026-03-09 00:00", to: "2026-03-12 00:00",
			want: []string{
				"2026-03-10T00:00+08 2026-03-11T00:00+08 (24h0m0s) A @2026-03-10T00:00+08",
			},
		},
		{
			name: "DateRangeRunIsOneSlotWithOneAnchor",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "A", From: "2026-05-01", Until: "2026-05-03"},
			},
			from: "2026-04-30 00:00", to: "2026-05-05 00:00",
			want: []string{
				"2026-05-01T00:00+08 2026-05-04T00:00+08 (72h0m0s) A @2026-05-01T00:00+08",
			},
		},
		{
			name: "DateRangeRunResolvedMidwayKeepsFirstDayAnchor",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "A", From: "2026-05-01", Until: "2026-05-03"},
			},
			from: "2026-05-02 12:00", to: "2026-05-05 00:00",
			want: []string{
				"2026-05-02T12:00+08 2026-05-04T00:00+08 (36h0m0s) A @2026-05-01T00:00+08",
			},
		},
		{
			name: "UntilKeepsAnOccurrenceThatCrossesMidnight",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "N", Start: "22:00", End: "02:00", From: "2026-05-02", Until: "2026-05-03"},
			},
			from: "2026-05-01 00:00", to: "2026-05-05 00:00",
			want: []string{
				"2026-05-02T22:00+08 2026-05-03T02:00+08 (4h0m0s) N @2026-05-02T22:00+08",
				"2026-05-03T22:00+08 2026-05-04T02:00+08 (4h0m0s) N @2026-05-03T22:00+08",
			},
		},
		{
			name: "WeekdayAllDayRunAnchorsOnMonday",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "W", Days: weekdays},
			},
			from: "2026-03-11 10:00", to: "2026-03-17 10:00", // Wednesday to next Tuesday
			want: []string{
				"2026-03-11T10:00+08 2026-03-14T00:00+08 (62h0m0s) W @2026-03-09T00:00+08",
				"2026-03-16T00:00+08 2026-03-17T10:00+08 (34h0m0s) W @2026-03-16T00:00+08",
			},
		},
		{
			name: "WeekdayRunStartsNoEarlierThanFrom",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "W", Days: weekdays, From: "2026-03-11"},
			},
			from: "2026-03-09 00:00", to: "2026-03-13 00:00",
			want: []string{
				"2026-03-11T00:00+08 2026-03-13T00:00+08 (48h0m0s) W @2026-03-11T00:00+08",
			},
		},
		{
			name: "SundayIsDay7",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "S", Days: []int{7}},
			},
			from: "2026-03-14 00:00", to: "2026-03-17 00:00",
			want: []string{
				"2026-03-15T00:00+08 2026-03-16T00:00+08 (24h0m0s) S @2026-03-15T00:00+08",
			},
		},
		{
			name: "EveryDayAllDayHasEpochAnchorAndMergesWithSameDefault",
			def:  "A",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "A"},
				{ID: "b", PlaylistID: "B", Start: "12:00", End: "13:00", From: "2026-03-11", Until: "2026-03-11", Priority: 1},
			},
			from: "2026-03-10 06:00", to: "2026-03-13 06:00",
			want: []string{
				"2026-03-10T06:00+08 2026-03-11T12:00+08 (30h0m0s) A @2000-01-01T00:00+08",
				"2026-03-11T12:00+08 2026-03-11T13:00+08 (1h0m0s) B @2026-03-11T12:00+08",
				"2026-03-11T13:00+08 2026-03-13T06:00+08 (41h0m0s) A @2000-01-01T00:00+08",
			},
		},
		{
			name: "SamePlaylistFromTwoWindowsKeepsEachAnchor",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "P", Start: "08:00", End: "12:00"},
				{ID: "b", PlaylistID: "P", Start: "12:00", End: "18:00"},
			},
			from: "2026-03-10 00:00", to: "2026-03-11 00:00",
			want: []string{
				"2026-03-10T08:00+08 2026-03-10T12:00+08 (4h0m0s) P @2026-03-10T08:00+08",
				"2026-03-10T12:00+08 2026-03-10T18:00+08 (6h0m0s) P @2026-03-10T12:00+08",
			},
		},
		{
			name: "OverlappingWindowsOfOneScheduleNeighbourMerge",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "P", Start: "08:00", End: "18:00", Priority: 1},
				{ID: "b", PlaylistID: "Q", Start: "10:00", End: "11:00"}, // hidden, only adds cut points
			},
			from: "2026-03-10 00:00", to: "2026-03-11 00:00",
			want: []string{
				"2026-03-10T08:00+08 2026-03-10T18:00+08 (10h0m0s) P @2026-03-10T08:00+08",
			},
		},
		{
			name: "UTCZone",
			tz:   "UTC",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "P", Start: "08:00", End: "09:00"},
			},
			from: "2026-03-10 00:00", to: "2026-03-11 00:00",
			want: []string{
				"2026-03-10T08:00+00 2026-03-10T09:00+00 (1h0m0s) P @2026-03-10T08:00+00",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testScreen
			sc.TZ = tt.tz
			sc.DefaultPlaylistID = tt.def
			loc, err := hall.LoadZone(tt.tz)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Resolve(sc, tt.schedules, at(t, loc, tt.from), at(t, loc, tt.to))
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			checkSlots(t, got, tt.want)

			// The result never depends on the order schedules are given in.
			rev := slices.Clone(tt.schedules)
			slices.Reverse(rev)
			got2, err := Resolve(sc, rev, at(t, loc, tt.from), at(t, loc, tt.to))
			if err != nil {
				t.Fatalf("Resolve reversed: %v", err)
			}
			if g, g2 := fmtSlots(got), fmtSlots(got2); !slices.Equal(g, g2) {
				t.Errorf("reversed input: got %q, want %q", g2, g)
			}
		})
	}
}

func TestResolveDaylightSaving(t *testing.T) {
	tests := []struct {
		name     string
		def      string
		sched    hall.Schedule
		from, to string
		want     []string
	}{
		// 2026-03-29: at 02:00 CET clocks jump to 03:00 CEST.
		{
			name:  "SpringSkippedStartMovesForwardByTheGap",
			sched: hall.Schedule{Start: "02:30", End: "04:00"},
			from:  "2026-03-29 00:00", to: "2026-03-30 00:00",
			want: []string{
				"2026-03-29T03:30+02 2026-03-29T04:00+02 (30m0s) P @2026-03-29T03:30+02",
			},
		},
		{
			name:  "SpringWindowInsideTheGapIsShifted",
			sched: hall.Schedule{Start: "02:00", End: "02:30"},
			from:  "2026-03-29 00:00", to: "2026-03-30 00:00",
			want: []string{
				"2026-03-29T03:00+02 2026-03-29T03:30+02 (30m0s) P @2026-03-29T03:00+02",
			},
		},
		{
			name:  "SpringWindowEndingBeforeItsShiftedStartDoesNotOccur",
			sched: hall.Schedule{Start: "02:30", End: "03:00", From: "2026-03-29"},
			from:  "2026-03-29 00:00", to: "2026-03-31 00:00",
			want: []string{
				"2026-03-30T02:30+02 2026-03-30T03:00+02 (30m0s) P @2026-03-30T02:30+02",
			},
		},
		{
			name:  "SpringWindowAcrossTheSwitchIsAnHourShorter",
			sched: hall.Schedule{Start: "01:00", End: "04:00"},
			from:  "2026-03-29 00:00", to: "2026-03-30 00:00",
			want: []string{
				"2026-03-29T01:00+01 2026-03-29T04:00+02 (2h0m0s) P @2026-03-29T01:00+01",
			},
		},
		{
			name:  "SpringAllDayLasts23Hours",
			sched: hall.Schedule{From: "2026-03-29", Until: "2026-03-29"},
			from:  "2026-03-28 00:00", to: "2026-03-31 00:00",
			want: []string{
				"2026-03-29T00:00+01 2026-03-30T00:00+02 (23h0m0s) P @2026-03-29T00:00+01",
			},
		},
		{
			name:  "SpringNightWindowIntoTheSwitchDay",
			sched: hall.Schedule{Start: "22:00", End: "06:00", From: "2026-03-28", Until: "2026-03-28"},
			from:  "2026-03-28 00:00", to: "2026-03-30 00:00",
			want: []string{
				"2026-03-28T22:00+01 2026-03-29T06:00+02 (7h0m0s) P @2026-03-28T22:00+01",
			},
		},
		{
			name: "SpringDefaultKeepsOneAnchorAcrossTheSwitch",
			def:  "D",
			from: "2026-03-28 12:00", to: "2026-03-29 12:00",
			want: []string{
				"2026-03-28T12:00+01 2026-03-29T12:00+02 (23h0m0s) D @2000-01-01T00:00+01",
			},
		},
		// 2026-10-25: at 03:00 CEST clocks go back to 02:00 CET.
		{
			name:  "FallRepeatedStartIsTheFirstOccurrence",
			sched: hall.Schedule{Start: "02:30", End: "03:30"},
			from:  "2026-10-25 00:00", to: "2026-10-26 00:00",
			want: []string{
				"2026-10-25T02:30+02 2026-10-25T03:30+01 (2h0m0s) P @2026-10-25T02:30+02",
			},
		},
		{
			name:  "FallRepeatedEndIsTheFirstOccurrence",
			sched: hall.Schedule{Start: "01:00", End: "02:30"},
			from:  "2026-10-25 00:00", to: "2026-10-26 00:00",
			want: []string{
				"2026-10-25T01:00+02 2026-10-25T02:30+02 (1h30m0s) P @2026-10-25T01:00+02",
			},
		},
		{
			name:  "FallAllDayLasts25Hours",
			sched: hall.Schedule{From: "2026-10-25", Until: "2026-10-25"},
			from:  "2026-10-24 00:00", to: "2026-10-27 00:00",
			want: []string{
				"2026-10-25T00:00+02 2026-10-26T00:00+01 (25h0m0s) P @2026-10-25T00:00+02",
			},
		},
		{
			name:  "FallNightWindowIntoTheSwitchDay",
			sched: hall.Schedule{Start: "22:00", End: "06:00", Days: []int{6}},
			from:  "2026-10-24 00:00", to: "2026-10-26 00:00",
			want: []string{
				"2026-10-24T22:00+02 2026-10-25T06:00+01 (9h0m0s) P @2026-10-24T22:00+02",
			},
		},
		{
			name:  "FallDaytimeWindowUnaffected",
			sched: hall.Schedule{Start: "08:00", End: "18:00", Days: []int{7}},
			from:  "2026-10-25 00:00", to: "2026-10-26 00:00",
			want: []string{
				"2026-10-25T08:00+01 2026-10-25T18:00+01 (10h0m0s) P @2026-10-25T08:00+01",
			},
		},
	}
	loc := mustLoc(t, "Europe/Berlin")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testScreen
			sc.TZ = "Europe/Berlin"
			sc.DefaultPlaylistID = tt.def
			var schedules []hall.Schedule
			if tt.def == "" {
				s := tt.sched
				s.ID, s.PlaylistID = "a", "P"
				schedules = append(schedules, s)
			}
			got, err := Resolve(sc, schedules, at(t, loc, tt.from), at(t, loc, tt.to))
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			checkSlots(t, got, tt.want)
		})
	}
}

func TestResolveSpecificity(t *testing.T) {
	// Same priority, same window, same update time: the most specific target
	// that matches wins. Each step drops the most specific schedule.
	all := []hall.Schedule{
		{ID: "1", PlaylistID: "screen", Target: hall.Target{Screens: []string{"s1"}}},
		{ID: "2", PlaylistID: "group", Target: hall.Target{Groups: []string{"g0", "g1"}}},
		{ID: "3", PlaylistID: "hall", Target: hall.Target{Halls: []string{"h1"}}},
		{ID: "4", PlaylistID: "kind", Target: hall.Target{Kinds: []string{hall.KindLED}}},
		{ID: "5", PlaylistID: "all"},
	}
	wants := []string{"screen", "group", "hall", "kind", "all"}
	loc := mustLoc(t, hall.DefaultTZ)
	from, to := at(t, loc, "2026-03-10 09:00"), at(t, loc, "2026-03-10 10:00")
	for i, want := range wants {
		t.Run(want, func(t *testing.T) {
			// Put the winner last so input order cannot be what decides.
			schedules := slices.Clone(all[i:])
			slices.Reverse(schedules)
			got, err := Resolve(testScreen, schedules, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].PlaylistID != want {
				t.Errorf("got %q, want one slot of %q", fmtSlots(got), want)
			}
		})
	}
}

func TestResolveTieBreaks(t *testing.T) {
	loc := mustLoc(t, hall.DefaultTZ)
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	tests := []struct {
		name      string
		schedules []hall.Schedule
		want      string
	}{
		{
			name: "LaterUpdatedWins",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "old", UpdatedAt: t1},
				{ID: "b", PlaylistID: "new", UpdatedAt: t2},
			},
			want: "new",
		},
		{
			name: "LaterUpdatedWinsWhateverItsID",
			schedules: []hall.Schedule{
				{ID: "z", PlaylistID: "new", UpdatedAt: t2},
				{ID: "a", PlaylistID: "old", UpdatedAt: t1},
			},
			want: "new",
		},
		{
			name: "SmallerIDWinsWhenUpdatedTogether",
			schedules: []hall.Schedule{
				{ID: "b", PlaylistID: "B", UpdatedAt: t1},
				{ID: "a", PlaylistID: "A", UpdatedAt: t1},
			},
			want: "A",
		},
		{
			name: "SpecificityBeforeUpdateTime",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "hall", Target: hall.Target{Halls: []string{"h1"}}, UpdatedAt: t1},
				{ID: "b", PlaylistID: "kind", Target: hall.Target{Kinds: []string{hall.KindLED}}, UpdatedAt: t2},
			},
			want: "hall",
		},
		{
			name: "CombinedTargetCountsItsMostSpecificList",
			schedules: []hall.Schedule{
				{ID: "a", PlaylistID: "group", Target: hall.Target{Groups: []string{"g1"}}, UpdatedAt: t1},
				{ID: "b", PlaylistID: "hall-led", Target: hall.Target{Halls: []string{"h1"}, Kinds: []string{hall.KindLED}}, UpdatedAt: t2},
			},
			want: "group",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, order := range []string{"given", "reversed"} {
				schedules := slices.Clone(tt.schedules)
				if order == "reversed" {
					slices.Reverse(schedules)
				}
				got, err := Resolve(testScreen, schedules, at(t, loc, "2026-03-10 09:00"), at(t, loc, "2026-03-10 10:00"))
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 || got[0].PlaylistID != tt.want {
					t.Errorf("%s order: got %q, want one slot of %q", order, fmtSlots(got), tt.want)
				}
			}
		})
	}
}

// The anchor of a window must not depend on the range resolved nor on other
// schedules that apply to only some screens, or screens of one group drift
// apart.
func TestResolveAnchorIsStable(t *testing.T) {
	loc := mustLoc(t, hall.DefaultTZ)
	schedules := []hall.Schedule{
		{ID: "group", PlaylistID: "G", Target: hall.Target{Groups: []string{"g1"}}, Start: "08:00", End: "18:00"},
		{ID: "hall-a", PlaylistID: "H", Target: hall.Target{Halls: []string{"hA"}}, Start: "08:00", End: "10:00", Priority: 5},
		{ID: "weekdays", PlaylistID: "W", Target: hall.Target{Groups: []string{"g2"}}, Days: []int{1, 2, 3, 4, 5}},
	}
	screens := []hall.Placement{
		{ID: "s1", HallID: "hA", Kind: hall.KindLED, Groups: []string{"g1", "g2"}, DefaultPlaylistID: "D"},
		{ID: "s2", HallID: "hB", Kind: hall.KindLED, Groups: []string{"g1", "g2"}},
	}
	probes := []struct {
		at       string
		playlist string
		anchor   string
	}{
		{"2026-03-12 12:00", "G", "2026-03-12 08:00"},
		{"2026-03-12 20:00", "W", "2026-03-09 00:00"},
	}
	starts := []string{"2026-03-12 00:00", "2026-03-11 13:00", "2026-03-12 09:30", "2026-03-12 11:59"}
	for _, sc := range screens {
		for _, start := range starts {
			from := at(t, loc, start)
			slots, err := Resolve(sc, schedules, from, from.Add(24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range probes {
				pt := at(t, loc, p.at)
				if pt.Before(from) || !pt.Before(from.Add(24*time.Hour)) {
					continue
				}
				i := slices.IndexFunc(slots, func(s Slot) bool { return !pt.Before(s.From) && pt.Before(s.To) })
				if i < 0 {
					t.Errorf("screen %s from %s: nothing at %s", sc.ID, start, p.at)
					continue
				}
				if got, want := slots[i].PlaylistID, p.playlist; got != want {
					t.Errorf("screen %s from %s at %s: playlist %q, want %q", sc.ID, start, p.at, got, want)
				}
				if got, want := slots[i].Anchor, at(t, loc, p.anchor); !got.Equal(want) {
					t.Errorf("screen %s from %s at %s: anchor %s, want %s", sc.ID, start, p.at, got, want)
				}
			}
		}
	}
}

func TestResolveErrors(t *testing.T) {
	loc := mustLoc(t, hall.DefaultTZ)
	from := at(t, loc, "2026-03-10 00:00")
	good := hall.Schedule{ID: "ok", PlaylistID: "P"}
	bad := hall.Schedule{ID: "bad", PlaylistID: "P", Start: "8:00", End: "18:00"}
	otherHall := bad
	otherHall.Target = hall.Target{Halls: []string{"h9"}}

	t.Run("UnknownZone", func(t *testing.T) {
		sc := testScreen
		sc.TZ = "Mars/Olympus"
		_, err := Resolve(sc, nil, from, from.Add(time.Hour))
		var ve *hall.Error
		if !errors.As(err, &ve) || ve.Field != "tz" {
			t.Errorf("got %v, want a ValidationError on tz", err)
		}
	})
	t.Run("InvalidMatchingSchedule", func(t *testing.T) {
		_, err := Resolve(testScreen, []hall.Schedule{good, bad}, from, from.Add(time.Hour))
		var ve *hall.Error
		if !errors.As(err, &ve) || ve.Field != "start" || !strings.Contains(err.Error(), `"bad"`) {
			t.Errorf("got %v, want a ValidationError on start naming schedule bad", err)
		}
	})
	t.Run("InvalidScheduleForOtherScreensIsIgnored", func(t *testing.T) {
		got, err := Resolve(testScreen, []hall.Schedule{good, otherHall}, from, from.Add(time.Hour))
		if err != nil || len(got) != 1 {
			t.Errorf("got %q, %v; want one slot and no error", fmtSlots(got), err)
		}
	})
	t.Run("ToBeforeFrom", func(t *testing.T) {
		if _, err := Resolve(testScreen, nil, from, from.Add(-time.Second)); err == nil {
			t.Error("got nil error, want one")
		}
	})
	t.Run("EmptyRange", func(t *testing.T) {
		sc := testScreen
		sc.DefaultPlaylistID = "D"
		got, err := Resolve(sc, []hall.Schedule{good}, from, from)
		if err != nil || len(got) != 0 {
			t.Errorf("got %q, %v; want no slots and no error", fmtSlots(got), err)
		}
	})
}

func TestNextBoundary(t *testing.T) {
	loc := mustLoc(t, hall.DefaultTZ)
	window := []hall.Schedule{{ID: "a", PlaylistID: "P", Days: []int{1, 2, 3, 4, 5}, Start: "08:00", End: "18:00"}}
	tests := []struct {
		name         string
		def          string
		schedules    []hall.Schedule
		after, limit string
		want         string
	}{
		{"BeforeWindow", "D", window, "2026-03-10 07:00", "2026-03-11 07:00", "2026-03-10 08:00"},
		{"InWindow", "D", window, "2026-03-10 09:00", "2026-03-11 09:00", "2026-03-10 18:00"},
		{"AtWindowStart", "D", window, "2026-03-10 08:00", "2026-03-11 08:00", "2026-03-10 18:00"},
		{"GapUntilNextWindow", "", window, "2026-03-10 19:00", "2026-03-11 19:00", "2026-03-11 08:00"},
		{"GapOverWeekend", "", window, "2026-03-13 19:00", "2026-03-20 19:00", "2026-03-16 08:00"},
		{"NoChangeBeforeLimit", "D", nil, "2026-03-10 19:00", "2026-03-11 19:00", "2026-03-11 19:00"},
		{"NothingAtAll", "", nil, "2026-03-10 19:00", "2026-03-11 19:00", "2026-03-11 19:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testScreen
			sc.DefaultPlaylistID = tt.def
			got, err := NextBoundary(sc, tt.schedules, at(t, loc, tt.after), at(t, loc, tt.limit))
			if err != nil {
				t.Fatal(err)
			}
			if want := at(t, loc, tt.want); !got.Equal(want) {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
	t.Run("LimitNotAfter", func(t *testing.T) {
		now := at(t, loc, "2026-03-10 08:00")
		if _, err := NextBoundary(testScreen, window, now, now); err == nil {
			t.Error("got nil error, want one")
		}
	})
}

func TestWallTime(t *testing.T) {
	tests := []struct {
		zone     string
		date     string
		minute   int
		wantUTC  string
		wantWall string
	}{
		{"Europe/Berlin", "2026-03-29", 150, "2026-03-29T01:30:00Z", "03:30"}, // skipped: forward by the gap
		{"Europe/Berlin", "2026-03-29", 120, "2026-03-29T01:00:00Z", "03:00"},
		{"Europe/Berlin", "2026-03-29", 180, "2026-03-29T01:00:00Z", "03:00"},
		{"Europe/Berlin", "2026-10-25", 150, "2026-10-25T00:30:00Z", "02:30"}, // repeated: first
		{"Europe/Berlin", "2026-10-25", 180, "2026-10-25T02:00:00Z", "03:00"},
		{"Europe/Berlin", "2026-10-25", 1440, "2026-10-25T23:00:00Z", "00:00"},
		{"America/New_York", "2026-03-08", 150, "2026-03-08T07:30:00Z", "03:30"}, // skipped, west of UTC
		{"America/New_York", "2026-11-01", 90, "2026-11-01T05:30:00Z", "01:30"},  // repeated, west of UTC
		{"Asia/Shanghai", "2026-03-10", 480, "2026-03-10T00:00:00Z", "08:00"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.date+"/"+fmt.Sprint(tt.minute), func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			d, ok := parseDate(tt.date)
			if !ok {
				t.Fatalf("bad date %q", tt.date)
			}
			got := wallTime(d, tt.minute, loc)
			if g := got.UTC().Format(time.RFC3339); g != tt.wantUTC {
				t.Errorf("instant %s, want %s", g, tt.wantUTC)
			}
			if g := got.Format("15:04"); g != tt.wantWall {
				t.Errorf("wall %s, want %s", g, tt.wantWall)
			}
		})
	}
}

func TestISOWeekday(t *testing.T) {
	start := time.Date(1969, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range 800 {
		tm := start.AddDate(0, 0, i)
		d := dayOf(tm.Date())
		want := int(tm.Weekday())
		if want == 0 {
			want = 7
		}
		if got := d.isoWeekday(); got != want {
			t.Fatalf("%s: got %d, want %d", tm.Format(time.DateOnly), got, want)
		}
		if y, m, dd := d.date(); !time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Equal(tm) {
			t.Fatalf("%s: date() round trip gave %d-%d-%d", tm.Format(time.DateOnly), y, m, dd)
		}
	}
}

// benchSchedules is 50 schedules of every kind of target and window.
func benchSchedules() []hall.Schedule {
	targets := []hall.Target{
		{}, {Kinds: []string{hall.KindLED}}, {Halls: []string{"h1"}}, {Groups: []string{"g1"}}, {Screens: []string{"s1"}},
	}
	var schedules []hall.Schedule
	for i := range 50 {
		s := hall.Schedule{
			ID:         fmt.Sprintf("s%02d", i),
			PlaylistID: fmt.Sprintf("p%d", i%7),
			Target:     targets[i%len(targets)],
			Priority:   i % 4,
			UpdatedAt:  time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC),
		}
		switch i % 5 {
		case 0:
			s.Days = []int{1, 2, 3, 4, 5}
		case 1:
			s.Start, s.End = "22:00", "06:00"
		case 2:
			s.From, s.Until = "2026-03-01", "2026-03-31"
		}
		if i%5 != 1 && i%3 != 0 {
			h := i % 20
			s.Start, s.End = fmt.Sprintf("%02d:00", h), fmt.Sprintf("%02d:30", h+2)
		}
		schedules = append(schedules, s)
	}
	return schedules
}

// BenchmarkResolve resolves 24 hours for a screen matched by 50 schedules of
// mixed targets, windows and priorities:
//
//	go test ./playlists -run '^$' -bench Resolve -benchmem
func BenchmarkResolve(b *testing.B) {
	loc := mustLoc(b, hall.DefaultTZ)
	sc := testScreen
	sc.DefaultPlaylistID = "D"
	schedules := benchSchedules()
	from := at(b, loc, "2026-03-10 06:00")
	to := from.Add(24 * time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Resolve(sc, schedules, from, to); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPicksWeek is the week view's work: 168 hourly picks among 50
// schedules.
func BenchmarkPicksWeek(b *testing.B) {
	loc := mustLoc(b, hall.DefaultTZ)
	sc := testScreen
	sc.DefaultPlaylistID = "D"
	schedules := benchSchedules()
	var ats []time.Time
	for h := range 168 {
		ats = append(ats, at(b, loc, "2026-03-09 00:00").Add(time.Duration(h)*time.Hour))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PicksOn(sc, schedules, nil, ats); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDayTypes: a schedule for working days follows the official calendar
// — not on the National Day holiday, but on the make-up Saturday (调休) —
// and one for rest days takes the other days.
func TestDayTypes(t *testing.T) {
	cal, err := workdays.Default()
	if err != nil {
		t.Fatal(err)
	}
	office := hall.Schedule{ID: "office", PlaylistID: "WORK", Start: "08:30", End: "17:30", DayType: hall.DayTypeWorkdays}
	rest := hall.Schedule{ID: "rest", PlaylistID: "REST", Start: "08:30", End: "17:30", DayType: hall.DayTypeRestDays}
	loc := mustLoc(t, "Asia/Shanghai")
	from, to := at(t, loc, "2026-09-28 00:00"), at(t, loc, "2026-10-12 00:00")
	days := func(slots []Slot, playlist string) []string {
		var out []string
		for _, s := range slots {
			if s.PlaylistID == playlist {
				out = append(out, s.From.Format("01-02"))
			}
		}
		return out
	}
	slots, err := ResolveOn(testScreen, []hall.Schedule{office, rest}, cal, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(days(slots, "WORK"), " "), "09-28 09-29 09-30 10-08 10-09 10-10"; got != want {
		t.Errorf("working days: got %s, want %s", got, want)
	}
	if got, want := strings.Join(days(slots, "REST"), " "), "10-01 10-02 10-03 10-04 10-05 10-06 10-07 10-11"; got != want {
		t.Errorf("rest days: got %s, want %s", got, want)
	}
	// Without a calendar, Monday to Friday are the working days.
	slots, err = Resolve(testScreen, []hall.Schedule{office}, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(days(slots, "WORK"), " "), "09-28 09-29 09-30 10-01 10-02 10-05 10-06 10-07 10-08 10-09"; got != want {
		t.Errorf("working days without a calendar: got %s, want %s", got, want)
	}
	bad := office
	bad.DayType = "holidays"
	if err := ValidateSchedule(bad); fieldOfErr(err) != "day_type" {
		t.Errorf("unknown day type: %v", err)
	}
}

func fieldOfErr(err error) string {
	var e *hall.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func TestPicksOn(t *testing.T) {
	cal, err := workdays.Default()
	if err != nil {
		t.Fatal(err)
	}
	loc := mustLoc(t, "Asia/Shanghai")
	scheds := []hall.Schedule{
		{ID: "office", PlaylistID: "WORK", Start: "08:30", End: "17:30", DayType: hall.DayTypeWorkdays},
		{ID: "noon", PlaylistID: "NOON", Start: "12:00", End: "13:00", Days: []int{1, 2, 3, 4, 5}, Priority: 5},
		{ID: "night", PlaylistID: "NIGHT", Start: "22:00", End: "06:00"},
	}
	sc := testScreen
	sc.DefaultPlaylistID = "DEFAULT"
	var ats []time.Time
	for h := 0; h < 14*24; h++ {
		ats = append(ats, at(t, loc, "2026-09-28 00:00").Add(time.Duration(h)*time.Hour))
	}
	picks, err := PicksOn(sc, scheds, cal, ats)
	if err != nil {
		t.Fatal(err)
	}
	slots, err := ResolveOn(sc, scheds, cal, ats[0], ats[len(ats)-1].Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Every pick agrees with the slot the resolver gives that instant.
	for i, p := range picks {
		want := ""
		for _, s := range slots {
			if !ats[i].Before(s.From) && ats[i].Before(s.To) {
				want = s.PlaylistID
			}
		}
		if p.PlaylistID != want {
			t.Errorf("%s: got %q, want %q", ats[i].Format(slotLayout), p.PlaylistID, want)
		}
		if !p.At.Equal(ats[i]) || p.At.Location().String() != "Asia/Shanghai" {
			t.Errorf("pick %d at %v, want %v in the screen's zone", i, p.At, ats[i])
		}
	}
	for _, c := range []struct{ at, playlist, schedule string }{
		{"2026-09-28 09:00", "WORK", "office"}, // Monday
		{"2026-09-28 12:00", "NOON", "noon"},   // priority 5 beats office
		{"2026-09-28 08:00", "DEFAULT", ""},    // before office hours
		{"2026-09-28 23:00", "NIGHT", "night"}, // crosses midnight
		{"2026-09-29 05:00", "NIGHT", "night"}, // the next morning
		{"2026-10-01 10:00", "DEFAULT", ""},    // National Day: a rest day
		{"2026-10-01 12:00", "NOON", "noon"},   // days, not day_type: still on
		{"2026-10-10 10:00", "WORK", "office"}, // Saturday, a make-up working day
		{"2026-10-11 10:00", "DEFAULT", ""},    // Sunday
	} {
		want := at(t, loc, c.at)
		i := slices.IndexFunc(ats, want.Equal)
		if i < 0 {
			t.Fatalf("%s is not among the instants", c.at)
		}
		if picks[i].PlaylistID != c.playlist || picks[i].ScheduleID != c.schedule {
			t.Errorf("%s: got %s/%q, want %s/%q", c.at, picks[i].PlaylistID, picks[i].ScheduleID, c.playlist, c.schedule)
		}
	}
	if got, err := PicksOn(sc, scheds, cal, nil); err != nil || len(got) != 0 {
		t.Errorf("no instants: %v, %v", got, err)
	}
}
