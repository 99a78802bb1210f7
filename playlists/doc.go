// Package playlists is the scheduler of hallcast: it validates playlists and
// schedules (types of the domain root, package hall) and resolves them into
// the timeline a screen plays. It is pure
// Go with no I/O beyond time.LoadLocation (binaries should import time/tzdata so
// zones resolve the same everywhere).
//
// # Playlists
//
// A hall.Playlist is a list of entries, each played for DurationS seconds (1..3600):
// one disclosure item (ItemID), a whole category (Category: every currently
// published item of it, newest first) or a media file (MediaURL and MediaType).
// Expand turns a playlist into concrete Cues using a Catalog supplied by the
// caller, skipping items that are not published.
//
// # Targets
//
// A hall.Target narrows which screens a schedule applies to. Each non-empty list is a
// filter and a screen must pass every one of them: Screens lists screen ids,
// Groups matches when the screen is in any listed group, Halls matches the
// screen's hall and Kinds its kind ("led" or "kiosk"). So {Halls: [A], Kinds:
// [led]} means "the LED screens of hall A". An empty target matches every screen.
// The specificity of a target is that of its most specific non-empty list:
// screens > groups > halls > kinds > none.
//
// # Which schedule wins
//
// Among the schedules in effect at an instant, the one with the higher Priority
// wins; at equal priority the more specific target; then the later UpdatedAt;
// then the smaller ID (byte order), so the result never depends on input order.
// When no schedule is in effect the screen plays its DefaultPlaylistID (the
// hall's default playlist); without one there is a gap and no slot.
//
// # Windows, days and dates
//
// All times of day, weekdays and dates are read in the screen's IANA zone
// (hall.Placement.TZ, hall.DefaultTZ when empty). Start and End are "HH:MM"; End may be
// "24:00" (an End of "00:00" means the same). An End before Start crosses midnight: 22:00–06:00 runs from 22:00 to
// 06:00 the next morning. Start equal to End, both empty, or 00:00–24:00 mean the
// whole calendar day (local midnight to the next local midnight).
//
// A window belongs to the day it starts on: Days (1 = Monday … 7 = Sunday, empty =
// every day) and the inclusive From/Until dates are checked against that day, and
// an occurrence that crosses midnight runs to its end even if the next day is not
// one of Days or lies after Until.
//
// # Daylight saving time
//
// Each wall time is converted on its own, so windows keep their wall-clock start
// and end and their real length changes on switch days:
//
//   - A wall time skipped when clocks go forward (02:30 on 2026-03-29 in
//     Europe/Berlin) is read with the offset in force before the switch, which
//     moves it forward by the length of the gap (02:30 becomes 03:30 CEST), as
//     time.Date does for zones east of UTC. A window whose converted end is not
//     after its converted start (02:30–03:00 that day) does not occur that day;
//     one lying wholly in the gap (02:00–02:30) is shifted to 03:00–03:30.
//   - A wall time that occurs twice when clocks go back (02:30 on 2026-10-25 in
//     Europe/Berlin) means its first occurrence (02:30 CEST). time.Date leaves the
//     choice unspecified, so the resolver picks it explicitly.
//   - All-day schedules and the default playlist follow local midnights, so such
//     days last 23 or 25 hours.
//
// # Anchors
//
// Players rotate by the clock: the entry playing at t is found from
// (t − anchor) mod cycle length (see Position). The anchor must therefore be the
// same on every screen that shows the same schedule window, whenever and over
// whatever range each screen's timeline was resolved. It depends only on the
// schedule and the zone, never on the resolved range or on other schedules:
//
//   - A timed window: the start of the occurrence (the instant its Start wall
//     time falls on, on the day it starts). Where a higher-priority schedule cuts
//     into it, the remaining parts keep that anchor, so the rotation resumes where
//     the clock says and not at the first entry.
//   - An all-day schedule: local midnight of the first day of its run of
//     consecutive active days (the day after the previous inactive weekday, or
//     From). A run of several days is one slot with one anchor.
//   - An all-day schedule active on every day without a From date, and the
//     default playlist, have no first day; their anchor is the fixed instant
//     AnchorEpoch (local midnight of 2000-01-01). Taking the first day of the
//     resolved range instead would give screens whose timelines were resolved on
//     different days different anchors and put them out of step.
//
// # Slots
//
// Resolve returns contiguous, non-overlapping [From, To) slots in order, in the
// screen's zone. Neighbours with the same playlist and the same anchor are merged
// into one slot. Neighbours with the same playlist but different anchors (two
// different schedules meeting, or a scheduled window next to a default that is
// the same playlist) stay separate: each part keeps the anchor of the window it
// comes from, so that it matches the other screens showing that window.
package playlists
