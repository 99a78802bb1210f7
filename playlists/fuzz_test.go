package playlists

import (
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// FuzzSchedule validates any schedule and resolves a screen's timeline
// with it (docs/RELIABILITY.md):
//
//	go test ./playlists -run '^$' -fuzz FuzzSchedule -fuzztime 60s
//
// Nothing panics; a schedule ValidateSchedule accepts resolves without
// error, one it refuses makes Resolve fail; the timeline covers the range
// with the default playlist behind it, in order, without gaps or overlaps.
func FuzzSchedule(f *testing.F) {
	f.Add("lobby", []byte{1, 2, 3, 4, 5}, "08:30", "17:00", "", "", 10, uint8(0), int64(0), uint16(24*60), "lobby")
	f.Add("night", []byte{6, 7}, "22:00", "06:00", "2026-03-01", "2026-03-31", 0, uint8(1), int64(86400*60), uint16(3*24*60), "")
	f.Add("dst", []byte{}, "02:30", "03:30", "2026-03-07", "2026-03-09", 5, uint8(2), int64(86400*66), uint16(4*24*60), "lobby")
	f.Add("allday", []byte{7}, "00:00", "24:00", "", "2026-01-01", -3, uint8(3), int64(-86400*400), uint16(9000), "x")
	f.Add("", []byte{0, 8}, "24:00", "7:00", "2026-02-30", "1999-13-01", 1, uint8(0), int64(1), uint16(1), "lobby")
	zones := []string{"Asia/Shanghai", "UTC", "America/New_York", "Australia/Lord_Howe", "Pacific/Kiritimati", "Asia/Kathmandu"}
	// Instants within 1900–2300, so the fuzzer explores dates, not overflow.
	const span400 = 400 * 365 * 86400
	base := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, playlist string, days []byte, start, end, from, until string, priority int, zone uint8, at int64, minutes uint16, group string) {
		ds := make([]int, len(days))
		for i, d := range days {
			ds[i] = int(int8(d))
		}
		s := hall.Schedule{ID: "fuzz", PlaylistID: playlist, Days: ds, Start: start, End: end, From: from, Until: until,
			Priority: priority, Target: hall.Target{Groups: []string{"lobby"}}}
		other := hall.Schedule{ID: "fixed", PlaylistID: "fixed", Days: []int{1, 3, 5}, Start: "12:00", End: "13:30", Priority: 1}
		if ValidateSchedule(other) != nil {
			t.Fatal("the fixed schedule is invalid")
		}
		valid := ValidateSchedule(s) == nil

		sc := hall.Placement{ID: "s1", HallID: "h1", Kind: hall.KindLED, Groups: []string{group}, TZ: zones[int(zone)%len(zones)], DefaultPlaylistID: "p0"}
		if at < 0 {
			at = -at
		}
		fromT := base.Add(time.Duration(at%span400) * time.Second)
		toT := fromT.Add(time.Duration(minutes) * time.Minute)
		slots, err := Resolve(sc, []hall.Schedule{s, other}, fromT, toT)
		matches := group == "lobby"
		switch {
		case err != nil && (valid || !matches):
			t.Fatalf("Resolve of a valid schedule (or one not targeting the screen): %v", err)
		case err == nil && !valid && matches:
			t.Fatalf("Resolve accepted an invalid schedule targeting the screen: %+v", s)
		case err != nil:
			return
		}
		if minutes == 0 {
			if len(slots) != 0 {
				t.Fatalf("an empty range resolved to %d slots", len(slots))
			}
			return
		}
		if len(slots) == 0 || !slots[0].From.Equal(fromT) || !slots[len(slots)-1].To.Equal(toT) {
			t.Fatalf("timeline of [%v, %v) does not cover it: %+v", fromT, toT, slots)
		}
		for i, sl := range slots {
			if !sl.To.After(sl.From) {
				t.Fatalf("slot %d is empty or reversed: %+v", i, sl)
			}
			if i > 0 && !slots[i-1].To.Equal(sl.From) {
				t.Fatalf("slots %d and %d leave a gap or overlap: %+v %+v", i-1, i, slots[i-1], sl)
			}
			if sl.PlaylistID != "p0" && sl.PlaylistID != "fixed" && sl.PlaylistID != playlist {
				t.Fatalf("slot %d plays %q", i, sl.PlaylistID)
			}
		}
		if _, err := NextBoundary(sc, []hall.Schedule{s, other}, fromT, toT); err != nil {
			t.Fatalf("NextBoundary: %v", err)
		}
	})
}
