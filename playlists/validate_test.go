package playlists

import (
	"errors"
	"strings"
	"testing"
)

func checkValidation(t *testing.T, err error, wantField, wantMessage string) {
	t.Helper()
	if wantField == "" {
		if err != nil {
			t.Errorf("got %v, want nil", err)
		}
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v (%T), want *ValidationError", err, err)
	}
	if ve.Field != wantField {
		t.Errorf("field %q, want %q", ve.Field, wantField)
	}
	if !strings.Contains(ve.Message, wantMessage) {
		t.Errorf("message %q, want it to contain %q", ve.Message, wantMessage)
	}
	if got, want := err.Error(), wantField+": "+ve.Message; got != want {
		t.Errorf("Error() %q, want %q", got, want)
	}
}

func TestValidateSchedule(t *testing.T) {
	ok := Schedule{ID: "s", PlaylistID: "p"}
	with := func(f func(*Schedule)) Schedule {
		s := ok
		f(&s)
		return s
	}
	tests := []struct {
		name        string
		s           Schedule
		wantField   string
		wantMessage string
	}{
		{"AllDayEveryDay", ok, "", ""},
		{"Full", with(func(s *Schedule) {
			s.Target = Target{Screens: []string{"a"}, Groups: []string{"g"}, Halls: []string{"h"}, Kinds: []string{"led", "kiosk"}}
			s.Days, s.Start, s.End, s.From, s.Until, s.Priority = []int{1, 7}, "22:00", "06:00", "2026-01-01", "2026-12-31", -3
		}), "", ""},
		{"EndAt2400", with(func(s *Schedule) { s.Start, s.End = "18:00", "24:00" }), "", ""},
		{"SameDayRange", with(func(s *Schedule) { s.From, s.Until = "2026-02-28", "2026-02-28" }), "", ""},
		{"MissingPlaylist", with(func(s *Schedule) { s.PlaylistID = " " }), "playlist_id", "want a playlist id"},
		{"BadKind", with(func(s *Schedule) { s.Target.Kinds = []string{"led", "tv"} }), "target.kinds[1]", "want led or kiosk"},
		{"EmptyGroupID", with(func(s *Schedule) { s.Target.Groups = []string{""} }), "target.groups[0]", "non-empty"},
		{"DayZero", with(func(s *Schedule) { s.Days = []int{1, 0} }), "days[1]", "want 1 (Monday) to 7 (Sunday)"},
		{"DayEight", with(func(s *Schedule) { s.Days = []int{8} }), "days[0]", "want 1 (Monday) to 7 (Sunday)"},
		{"StartOneDigitHour", with(func(s *Schedule) { s.Start, s.End = "8:00", "18:00" }), "start", "want HH:MM"},
		{"Start2400", with(func(s *Schedule) { s.Start, s.End = "24:00", "18:00" }), "start", "want HH:MM"},
		{"StartMinute60", with(func(s *Schedule) { s.Start, s.End = "08:60", "18:00" }), "start", "want HH:MM"},
		{"End2401", with(func(s *Schedule) { s.Start, s.End = "08:00", "24:01" }), "end", "want HH:MM"},
		{"End25", with(func(s *Schedule) { s.Start, s.End = "08:00", "25:00" }), "end", "want HH:MM"},
		{"EndNotTime", with(func(s *Schedule) { s.Start, s.End = "08:00", "6pm" }), "end", "want HH:MM"},
		{"OnlyStart", with(func(s *Schedule) { s.Start = "08:00" }), "end", "want HH:MM"},
		{"OnlyEnd", with(func(s *Schedule) { s.End = "08:00" }), "start", "want HH:MM"},
		{"FromNotDate", with(func(s *Schedule) { s.From = "2026/01/01" }), "from", "want YYYY-MM-DD"},
		{"FromNoDay", with(func(s *Schedule) { s.From = "2026-02-30" }), "from", "want YYYY-MM-DD"},
		{"UntilShort", with(func(s *Schedule) { s.Until = "2026-1-1" }), "until", "want YYYY-MM-DD"},
		{"UntilBeforeFrom", with(func(s *Schedule) { s.From, s.Until = "2026-05-02", "2026-05-01" }), "until", "on or after from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidation(t, ValidateSchedule(tt.s), tt.wantField, tt.wantMessage)
		})
	}
}

func TestValidatePlaylist(t *testing.T) {
	entries := func(es ...Entry) Playlist { return Playlist{ID: "p", Name: "轮播", Entries: es} }
	many := make([]Entry, MaxEntries+1)
	for i := range many {
		many[i] = Entry{ItemID: "x", DurationS: 5}
	}
	tests := []struct {
		name        string
		p           Playlist
		wantField   string
		wantMessage string
	}{
		{"Empty", entries(), "", ""},
		{"AllKinds", entries(
			Entry{ItemID: "i", DurationS: 1},
			Entry{Category: "c", DurationS: 3600},
			Entry{MediaURL: "/media/ab", MediaType: "video", DurationS: 20},
			Entry{MediaURL: "https://example.org/a.png", DurationS: 20},
		), "", ""},
		{"NoName", Playlist{Name: "  "}, "name", "want a name"},
		{"LongName", Playlist{Name: strings.Repeat("长", MaxNameRunes+1)}, "name", "at most"},
		{"TooManyEntries", entries(many...), "entries", "at most"},
		{"NothingSet", entries(Entry{DurationS: 5}), "entries[0]", "exactly one of item_id, category, media_url"},
		{"TwoSet", entries(Entry{ItemID: "i", DurationS: 5}, Entry{ItemID: "i", Category: "c", DurationS: 5}), "entries[1]", "exactly one"},
		{"DurationZero", entries(Entry{ItemID: "i"}), "entries[0].duration_s", "want 1..3600 seconds"},
		{"DurationTooLong", entries(Entry{Category: "c", DurationS: 3601}), "entries[0].duration_s", "want 1..3600 seconds"},
		{"DurationNegative", entries(Entry{Category: "c", DurationS: -1}), "entries[0].duration_s", "want 1..3600 seconds"},
		{"JavascriptURL", entries(Entry{MediaURL: "javascript:alert(1)", DurationS: 5}), "entries[0].media_url", "want a path"},
		{"ProtocolRelativeURL", entries(Entry{MediaURL: "//evil.example/x", DurationS: 5}), "entries[0].media_url", "want a path"},
		{"URLWithSpace", entries(Entry{MediaURL: "/media/a b", DurationS: 5}), "entries[0].media_url", "want a path"},
		{"TypeWithoutMedia", entries(Entry{ItemID: "i", MediaType: "image", DurationS: 5}), "entries[0].type", "only with media_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidation(t, ValidatePlaylist(tt.p), tt.wantField, tt.wantMessage)
		})
	}
}

func TestLoadZone(t *testing.T) {
	tests := []struct {
		name      string
		zone      string
		want      string
		wantField string
	}{
		{"EmptyIsShanghai", "", "Asia/Shanghai", ""},
		{"Berlin", "Europe/Berlin", "Europe/Berlin", ""},
		{"Unknown", "Asia/Atlantis", "", "tz"},
		{"HostLocal", "Local", "", "tz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := LoadZone(tt.zone)
			checkValidation(t, err, tt.wantField, "IANA")
			if tt.wantField == "" && (loc == nil || loc.String() != tt.want) {
				t.Errorf("got %v, want %s", loc, tt.want)
			}
		})
	}
}

func TestTargetMatches(t *testing.T) {
	sc := Screen{ID: "s1", HallID: "h1", Kind: KindKiosk, Groups: []string{"g1", "g2"}}
	tests := []struct {
		name string
		t    Target
		want bool
		spec int
	}{
		{"Empty", Target{}, true, SpecificityAll},
		{"Screen", Target{Screens: []string{"s0", "s1"}}, true, SpecificityScreen},
		{"OtherScreen", Target{Screens: []string{"s2"}}, false, SpecificityScreen},
		{"AnyGroup", Target{Groups: []string{"g9", "g2"}}, true, SpecificityGroup},
		{"NoGroup", Target{Groups: []string{"g9"}}, false, SpecificityGroup},
		{"Hall", Target{Halls: []string{"h1"}}, true, SpecificityHall},
		{"Kind", Target{Kinds: []string{KindKiosk}}, true, SpecificityKind},
		{"OtherKind", Target{Kinds: []string{KindLED}}, false, SpecificityKind},
		{"HallAndKindBothMatch", Target{Halls: []string{"h1"}, Kinds: []string{KindKiosk}}, true, SpecificityHall},
		{"HallMatchesKindDoesNot", Target{Halls: []string{"h1"}, Kinds: []string{KindLED}}, false, SpecificityHall},
		{"ScreenAndOtherGroup", Target{Screens: []string{"s1"}, Groups: []string{"g9"}}, false, SpecificityScreen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.t.Matches(sc); got != tt.want {
				t.Errorf("Matches: got %t, want %t", got, tt.want)
			}
			if got := (Schedule{Target: tt.t}).Matches(sc); got != tt.want {
				t.Errorf("Schedule.Matches: got %t, want %t", got, tt.want)
			}
			if got := tt.t.Specificity(); got != tt.spec {
				t.Errorf("Specificity: got %d, want %d", got, tt.spec)
			}
		})
	}
}
