package playlists

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// Slot is a stretch of a screen's timeline: PlaylistID plays from From until
// To (exclusive), rotating by the clock from Anchor (see Position).
type Slot struct {
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	PlaylistID string    `json:"playlist_id"`
	Anchor     time.Time `json:"anchor"`
}

// AnchorEpoch is the anchor of stretches that have no first day (the default
// playlist, and all-day schedules on every day with no From date): local
// midnight of 2000-01-01 in loc.
func AnchorEpoch(loc *time.Location) time.Time {
	return wallTime(dayOf(2000, time.January, 1), 0, loc)
}

// occurrence is one occurrence of a schedule (or the default playlist, when
// sched is nil), clipped to the resolved range.
type occurrence struct {
	start, end time.Time
	anchor     time.Time
	playlist   string
	sched      *compiled
}

// Calendar tells working days from rest days: weekends and public holidays
// are rest days, make-up working days (调休) are working days. The date is
// given as noon UTC of the civil day.
type Calendar interface {
	IsWorkday(date time.Time) bool
}

// Resolve computes what the screen plays in [from, to): the slots in order,
// with no slot where nothing plays. Only schedules whose target matches the
// screen are considered; an invalid one among them is an error that wraps a
// *hall.Error, as is an unknown hall.Placement.TZ. All times in the result are in
// the screen's zone. Schedules limited to working days or rest days count
// Monday to Friday as working days; ResolveOn reads a real calendar.
func Resolve(sc hall.Placement, schedules []hall.Schedule, from, to time.Time) ([]Slot, error) {
	return ResolveOn(sc, schedules, nil, from, to)
}

// ResolveOn is Resolve with the working-day calendar schedules' day types
// are read with (nil: Monday to Friday are working days).
func ResolveOn(sc hall.Placement, schedules []hall.Schedule, cal Calendar, from, to time.Time) ([]Slot, error) {
	if to.Before(from) {
		return nil, errors.New("playlists: resolve: to is before from")
	}
	loc, cs, err := compileFor(sc, schedules, cal)
	if err != nil {
		return nil, err
	}
	if to.Equal(from) {
		return nil, nil
	}

	epoch := AnchorEpoch(loc)
	occ := occurrences(cs, loc, from, to, epoch)
	if sc.DefaultPlaylistID != "" {
		occ = append(occ, occurrence{start: from, end: to, anchor: epoch, playlist: sc.DefaultPlaylistID})
	}
	slots := sweep(occ, from, to)
	for i := range slots {
		slots[i].From = slots[i].From.In(loc)
		slots[i].To = slots[i].To.In(loc)
		slots[i].Anchor = slots[i].Anchor.In(loc)
	}
	return slots, nil
}

// compileFor loads the screen's zone and compiles the schedules whose
// target matches it.
func compileFor(sc hall.Placement, schedules []hall.Schedule, cal Calendar) (*time.Location, []*compiled, error) {
	loc, err := hall.LoadZone(sc.TZ)
	if err != nil {
		return nil, nil, fmt.Errorf("playlists: resolve screen %q: %w", sc.ID, err)
	}
	var cs []*compiled
	for _, s := range schedules {
		if !s.Target.Matches(sc) {
			continue
		}
		c, err := compile(s)
		if err != nil {
			return nil, nil, fmt.Errorf("playlists: resolve: schedule %q: %w", s.ID, err)
		}
		c.cal = cal
		cs = append(cs, c)
	}
	return loc, cs, nil
}

// Pick is what a screen plays at one instant: the playlist, and the schedule
// that put it there ("" for the hall's default playlist). Both are "" in a
// gap.
type Pick struct {
	At         time.Time `json:"at"`
	PlaylistID string    `json:"playlist_id"`
	ScheduleID string    `json:"schedule_id"`
}

// PicksOn tells, for each instant of ats, which schedule wins it, by the
// same occurrences and ranking as ResolveOn. The instants are given in the
// screen's zone in the result.
func PicksOn(sc hall.Placement, schedules []hall.Schedule, cal Calendar, ats []time.Time) ([]Pick, error) {
	loc, cs, err := compileFor(sc, schedules, cal)
	if err != nil {
		return nil, err
	}
	out := make([]Pick, len(ats))
	if len(ats) == 0 {
		return out, nil
	}
	from, to := ats[0], ats[0]
	for _, at := range ats {
		from, to = earlier(from, at), later(to, at)
	}
	to = to.Add(time.Nanosecond)
	epoch := AnchorEpoch(loc)
	occ := occurrences(cs, loc, from, to, epoch)
	if sc.DefaultPlaylistID != "" {
		occ = append(occ, occurrence{start: from, end: to, anchor: epoch, playlist: sc.DefaultPlaylistID})
	}
	slices.SortStableFunc(occ, compareRank)
	for i, at := range ats {
		out[i].At = at.In(loc)
		for _, o := range occ {
			if !o.start.After(at) && o.end.After(at) {
				out[i].PlaylistID = o.playlist
				if o.sched != nil {
					out[i].ScheduleID = o.sched.id
				}
				break
			}
		}
	}
	return out, nil
}

// occurrences lists the occurrences of the schedules that overlap [from, to),
// clipped to it. An occurrence that crosses midnight starts the day before, so
// the scan begins one day before from's date.
func occurrences(cs []*compiled, loc *time.Location, from, to, epoch time.Time) []occurrence {
	first, last := localDay(from, loc)-1, localDay(to, loc)
	var occ []occurrence
	for _, c := range cs {
		for d := first; d <= last; d++ {
			if !c.activeOn(d) {
				continue
			}
			start, end := c.bounds(d, loc)
			if !end.After(start) || !end.After(from) || !start.Before(to) {
				continue
			}
			anchor := start
			if c.win.allDay {
				anchor = epoch
				if rd, ok := c.runStart(d); ok {
					anchor = wallTime(rd, 0, loc)
				}
			}
			occ = append(occ, occurrence{
				start:    later(start, from),
				end:      earlier(end, to),
				anchor:   anchor,
				playlist: c.playlist,
				sched:    c,
			})
		}
	}
	return occ
}

// sweep cuts [from, to) at every occurrence boundary, gives each piece to the
// best occurrence covering it, and merges neighbours with the same playlist
// and anchor.
func sweep(occ []occurrence, from, to time.Time) []Slot {
	slices.SortStableFunc(occ, compareRank)
	cuts := make([]time.Time, 0, 2*len(occ)+2)
	cuts = append(cuts, from, to)
	for _, o := range occ {
		cuts = append(cuts, o.start, o.end)
	}
	slices.SortFunc(cuts, time.Time.Compare)
	cuts = slices.CompactFunc(cuts, time.Time.Equal)

	var slots []Slot
	for i := 0; i+1 < len(cuts); i++ {
		p, q := cuts[i], cuts[i+1]
		var win *occurrence
		for j := range occ {
			if !occ[j].start.After(p) && !occ[j].end.Before(q) {
				win = &occ[j]
				break
			}
		}
		if win == nil {
			continue
		}
		if n := len(slots); n > 0 {
			last := &slots[n-1]
			if last.To.Equal(p) && last.PlaylistID == win.playlist && last.Anchor.Equal(win.anchor) {
				last.To = q
				continue
			}
		}
		slots = append(slots, Slot{From: p, To: q, PlaylistID: win.playlist, Anchor: win.anchor})
	}
	return slots
}

// compareRank orders occurrences best first: any schedule before the default
// playlist; then higher priority, more specific target, later update, smaller
// id; then the earlier occurrence.
func compareRank(a, b occurrence) int {
	x, y := a.sched, b.sched
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return 1
	case y == nil:
		return -1
	}
	if c := cmp.Compare(y.priority, x.priority); c != 0 {
		return c
	}
	if c := cmp.Compare(y.specificity, x.specificity); c != 0 {
		return c
	}
	if c := y.updated.Compare(x.updated); c != 0 {
		return c
	}
	if c := cmp.Compare(x.id, y.id); c != 0 {
		return c
	}
	return a.start.Compare(b.start)
}

// NextBoundary is the first instant in (after, limit] at which what the screen
// plays changes (another playlist, another anchor, or a start or end of a gap);
// it is limit when nothing changes before then. A manifest resolved at after
// stays exact until this instant.
func NextBoundary(sc hall.Placement, schedules []hall.Schedule, after, limit time.Time) (time.Time, error) {
	if !limit.After(after) {
		return time.Time{}, errors.New("playlists: next boundary: limit is not after after")
	}
	slots, err := Resolve(sc, schedules, after, limit)
	if err != nil {
		return time.Time{}, err
	}
	switch {
	case len(slots) == 0:
		return limit, nil
	case slots[0].From.After(after):
		return slots[0].From, nil
	}
	return slots[0].To, nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
