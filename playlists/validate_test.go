package playlists

import (
	"errors"
	"strings"
	"testing"

	"github.com/hallcast/hallcast/server/hall"
)

func checkValidation(t *testing.T, err error, wantField, wantMessage string) {
	t.Helper()
	if wantField == "" {
		if err != nil {
			t.Errorf("got %v, want nil", err)
		}
		return
	}
	var ve *hall.Error
	if !errors.As(err, &ve) {
		t.Fatalf("got %v (%T), want *hall.Error", err, err)
	}
	if ve.Field != wantField {
		t.Errorf("field %q, want %q", ve.Field, wantField)
	}
	if !strings.Contains(ve.Message, wantMessage) {
		t.Errorf("message %q, want it to contain %q", ve.Message, wantMessage)
	}
	if ve.Code != hall.EValidation {
		t.Errorf("code %q, want %q", ve.Code, hall.EValidation)
	}
}

func TestValidateSchedule(t *testing.T) {
	ok := hall.Schedule{ID: "s", PlaylistID: "p"}
	with := func(f func(*hall.Schedule)) hall.Schedule {
		s := ok
		f(&s)
		return s
	}
	tests := []struct {
		name        string
		s           hall.Schedule
		wantField   string
		wantMessage string
	}{
		{"AllDayEveryDay", ok, "", ""},
		{"Full", with(func(s *hall.Schedule) {
			s.Target = hall.Target{Screens: []string{"a"}, Groups: []string{"g"}, Halls: []string{"h"}, Kinds: []string{"led", "kiosk"}}
			s.Days, s.Start, s.End, s.From, s.Until, s.Priority = []int{1, 7}, "22:00", "06:00", "2026-01-01", "2026-12-31", -3
		}), "", ""},
		{"EndAt2400", with(func(s *hall.Schedule) { s.Start, s.End = "18:00", "24:00" }), "", ""},
		{"SameDayRange", with(func(s *hall.Schedule) { s.From, s.Until = "2026-02-28", "2026-02-28" }), "", ""},
		{"MissingPlaylist", with(func(s *hall.Schedule) { s.PlaylistID = " " }), "playlist_id", "want a playlist id"},
		{"BadKind", with(func(s *hall.Schedule) { s.Target.Kinds = []string{"led", "tv"} }), "target.kinds[1]", "want led or kiosk"},
		{"EmptyGroupID", with(func(s *hall.Schedule) { s.Target.Groups = []string{""} }), "target.groups[0]", "non-empty"},
		{"DayZero", with(func(s *hall.Schedule) { s.Days = []int{1, 0} }), "days[1]", "want 1 (Monday) to 7 (Sunday)"},
		{"DayEight", with(func(s *hall.Schedule) { s.Days = []int{8} }), "days[0]", "want 1 (Monday) to 7 (Sunday)"},
		{"StartOneDigitHour", with(func(s *hall.Schedule) { s.Start, s.End = "8:00", "18:00" }), "start", "want HH:MM"},
		{"Start2400", with(func(s *hall.Schedule) { s.Start, s.End = "24:00", "18:00" }), "start", "want HH:MM"},
		{"StartMinute60", with(func(s *hall.Schedule) { s.Start, s.End = "08:60", "18:00" }), "start", "want HH:MM"},
		{"End2401", with(func(s *hall.Schedule) { s.Start, s.End = "08:00", "24:01" }), "end", "want HH:MM"},
		{"End25", with(func(s *hall.Schedule) { s.Start, s.End = "08:00", "25:00" }), "end", "want HH:MM"},
		{"EndNotTime", with(func(s *hall.Schedule) { s.Start, s.End = "08:00", "6pm" }), "end", "want HH:MM"},
		{"OnlyStart", with(func(s *hall.Schedule) { s.Start = "08:00" }), "end", "want HH:MM"},
		{"OnlyEnd", with(func(s *hall.Schedule) { s.End = "08:00" }), "start", "want HH:MM"},
		{"FromNotDate", with(func(s *hall.Schedule) { s.From = "2026/01/01" }), "from", "want YYYY-MM-DD"},
		{"FromNoDay", with(func(s *hall.Schedule) { s.From = "2026-02-30" }), "from", "want YYYY-MM-DD"},
		{"UntilShort", with(func(s *hall.Schedule) { s.Until = "2026-1-1" }), "until", "want YYYY-MM-DD"},
		{"UntilBeforeFrom", with(func(s *hall.Schedule) { s.From, s.Until = "2026-05-02", "2026-05-01" }), "until", "on or after from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidation(t, ValidateSchedule(tt.s), tt.wantField, tt.wantMessage)
		})
	}
}

func TestValidatePlaylist(t *testing.T) {
	entries := func(es ...hall.PlaylistEntry) hall.Playlist {
		return hall.Playlist{ID: "p", Name: "轮播", Entries: es}
	}
	many := make([]hall.PlaylistEntry, MaxEntries+1)
	for i := range many {
		many[i] = hall.PlaylistEntry{ItemID: "x", DurationS: 5}
	}
	tests := []struct {
		name        string
		p           hall.Playlist
		wantField   string
		wantMessage string
	}{
		{"Empty", entries(), "", ""},
		{"AllKinds", entries(
			hall.PlaylistEntry{ItemID: "i", DurationS: 1},
			hall.PlaylistEntry{Category: "c", DurationS: 3600},
			hall.PlaylistEntry{MediaURL: "/media/ab", MediaType: "video", DurationS: 20},
			hall.PlaylistEntry{MediaURL: "https://example.org/a.png", DurationS: 20},
		), "", ""},
		{"NoName", hall.Playlist{Name: "  "}, "name", "want a name"},
		{"LongName", hall.Playlist{Name: strings.Repeat("长", MaxNameRunes+1)}, "name", "at most"},
		{"TooManyEntries", entries(many...), "entries", "at most"},
		{"NothingSet", entries(hall.PlaylistEntry{DurationS: 5}), "entries[0]", "exactly one of item_id, category, media_url"},
		{"TwoSet", entries(hall.PlaylistEntry{ItemID: "i", DurationS: 5}, hall.PlaylistEntry{ItemID: "i", Category: "c", DurationS: 5}), "entries[1]", "exactly one"},
		{"DurationZero", entries(hall.PlaylistEntry{ItemID: "i"}), "entries[0].duration_s", "want 1..3600 seconds"},
		{"DurationTooLong", entries(hall.PlaylistEntry{Category: "c", DurationS: 3601}), "entries[0].duration_s", "want 1..3600 seconds"},
		{"DurationNegative", entries(hall.PlaylistEntry{Category: "c", DurationS: -1}), "entries[0].duration_s", "want 1..3600 seconds"},
		{"JavascriptURL", entries(hall.PlaylistEntry{MediaURL: "javascript:alert(1)", DurationS: 5}), "entries[0].media_url", "want a path"},
		{"ProtocolRelativeURL", entries(hall.PlaylistEntry{MediaURL: "//evil.example/x", DurationS: 5}), "entries[0].media_url", "want a path"},
		{"URLWithSpace", entries(hall.PlaylistEntry{MediaURL: "/media/a b", DurationS: 5}), "entries[0].media_url", "want a path"},
		{"TypeWithoutMedia", entries(hall.PlaylistEntry{ItemID: "i", MediaType: "image", DurationS: 5}), "entries[0].type", "only with media_url"},
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
			loc, err := hall.LoadZone(tt.zone)
			checkValidation(t, err, tt.wantField, "IANA")
			if tt.wantField == "" && (loc == nil || loc.String() != tt.want) {
				t.Errorf("got %v, want %s", loc, tt.want)
			}
		})
	}
}

func TestTargetMatches(t *testing.T) {
	sc := hall.Placement{ID: "s1", HallID: "h1", Kind: hall.KindKiosk, Groups: []string{"g1", "g2"}}
	tests := []struct {
		name string
		t    hall.Target
		want bool
		spec int
	}{
		{"Empty", hall.Target{}, true, hall.SpecificityAll},
		{"hall.Placement", hall.Target{Screens: []string{"s0", "s1"}}, true, hall.SpecificityScreen},
		{"OtherScreen", hall.Target{Screens: []string{"s2"}}, false, hall.SpecificityScreen},
		{"AnyGroup", hall.Target{Groups: []string{"g9", "g2"}}, true, hall.SpecificityGroup},
		{"NoGroup", hall.Target{Groups: []string{"g9"}}, false, hall.SpecificityGroup},
		{"Hall", hall.Target{Halls: []string{"h1"}}, true, hall.SpecificityHall},
		{"Kind", hall.Target{Kinds: []string{hall.KindKiosk}}, true, hall.SpecificityKind},
		{"OtherKind", hall.Target{Kinds: []string{hall.KindLED}}, false, hall.SpecificityKind},
		{"HallAndKindBothMatch", hall.Target{Halls: []string{"h1"}, Kinds: []string{hall.KindKiosk}}, true, hall.SpecificityHall},
		{"HallMatchesKindDoesNot", hall.Target{Halls: []string{"h1"}, Kinds: []string{hall.KindLED}}, false, hall.SpecificityHall},
		{"ScreenAndOtherGroup", hall.Target{Screens: []string{"s1"}, Groups: []string{"g9"}}, false, hall.SpecificityScreen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.t.Matches(sc); got != tt.want {
				t.Errorf("Matches: got %t, want %t", got, tt.want)
			}
			if got := (hall.Schedule{Target: tt.t}).Matches(sc); got != tt.want {
				t.Errorf("Schedule.Matches: got %t, want %t", got, tt.want)
			}
			if got := tt.t.Specificity(); got != tt.spec {
				t.Errorf("Specificity: got %d, want %d", got, tt.spec)
			}
		})
	}
}
