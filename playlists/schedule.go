package playlists

import (
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// day is a civil date as the number of days since 1970-01-01.
type day int64

func dayOf(y int, m time.Month, d int) day {
	return day(floorDiv(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix(), 86400))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// localDay is the civil date of t in loc.
func localDay(t time.Time, loc *time.Location) day {
	y, m, d := t.In(loc).Date()
	return dayOf(y, m, d)
}

func (d day) date() (int, time.Month, int) {
	return time.Unix(int64(d)*86400, 0).UTC().Date()
}

// isoWeekday is 1 for Monday … 7 for Sunday; 1970-01-01 was a Thursday.
func (d day) isoWeekday() int {
	return int(((int64(d)+3)%7+7)%7) + 1
}

// wallTime is the instant at which the wall clock in loc reads minute (0..1440)
// minutes past midnight of d. A skipped wall time is read with the offset in
// force before the switch (moving it forward by the gap); a repeated one means
// its first occurrence.
func wallTime(d day, minute int, loc *time.Location) time.Time {
	y, m, dd := d.date()
	wall := time.Date(y, m, dd, 0, minute, 0, 0, time.UTC).Unix()
	// Offsets lie within [-12h, +14h], so the instant sought lies within
	// [wall-14h, wall+12h]; zone changes are months apart, so that span holds
	// at most one of them, with offBefore in force before it and offAfter after.
	offBefore := offsetAt(wall-14*3600, loc)
	offAfter := offsetAt(wall+12*3600, loc)
	before := wall - int64(offBefore)
	after := wall - int64(offAfter)
	okBefore := offsetAt(before, loc) == offBefore
	okAfter := offsetAt(after, loc) == offAfter
	u := before // skipped wall time, or no zone change nearby
	switch {
	case okBefore && okAfter:
		u = min(before, after)
	case okAfter:
		u = after
	}
	return time.Unix(u, 0).In(loc)
}

func offsetAt(unix int64, loc *time.Location) int {
	_, off := time.Unix(unix, 0).In(loc).Zone()
	return off
}

// window is a parsed daily window in minutes after midnight.
type window struct {
	allDay     bool
	start, end int // end in 1..1440; end <= start crosses midnight
}

// compiled is a validated schedule ready for resolving.
type compiled struct {
	id, playlist string
	priority     int
	specificity  int
	updated      time.Time
	win          window
	days         [8]bool // indexed 1..7
	everyDay     bool
	from, until  day
	hasFrom      bool
	hasUntil     bool
	dayType      string   // hall.DayTypeWorkdays, hall.DayTypeRestDays or ""
	cal          Calendar // for dayType; nil: Monday to Friday are working days
}

// activeOn reports whether an occurrence starts on d.
func (c *compiled) activeOn(d day) bool {
	if c.hasFrom && d < c.from || c.hasUntil && d > c.until {
		return false
	}
	if !c.days[d.isoWeekday()] {
		return false
	}
	if c.dayType == "" {
		return true
	}
	return c.workday(d) == (c.dayType == hall.DayTypeWorkdays)
}

// workday reports whether d is a working day by the calendar (Monday to
// Friday without one).
func (c *compiled) workday(d day) bool {
	if c.cal == nil {
		return d.isoWeekday() <= 5
	}
	y, m, dd := d.date()
	return c.cal.IsWorkday(time.Date(y, m, dd, 12, 0, 0, 0, time.UTC))
}

// bounds is the occurrence starting on d, as instants; end may not be after
// start on a daylight-saving switch day, and then the occurrence is empty.
func (c *compiled) bounds(d day, loc *time.Location) (start, end time.Time) {
	if c.win.allDay {
		return wallTime(d, 0, loc), wallTime(d+1, 0, loc)
	}
	start = wallTime(d, c.win.start, loc)
	if c.win.end > c.win.start {
		return start, wallTime(d, c.win.end, loc)
	}
	return start, wallTime(d+1, c.win.end, loc)
}

// runStart is the first day of the run of consecutive active days that d
// (an active day) belongs to; ok is false when the run has no first day.
func (c *compiled) runStart(d day) (first day, ok bool) {
	if c.everyDay && !c.hasFrom {
		return 0, false
	}
	for c.activeOn(d - 1) {
		d--
	}
	return d, true
}

// parseClock parses "HH:MM" into minutes after midnight; "24:00" only when
// allow24.
func parseClock(s string, allow24 bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	switch {
	case m > 59:
		return 0, false
	case h == 24 && m == 0 && allow24:
		return 1440, true
	case h > 23:
		return 0, false
	}
	return h*60 + m, true
}

// parseDate parses "YYYY-MM-DD".
func parseDate(s string) (day, bool) {
	if len(s) != 10 {
		return 0, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, false
	}
	return dayOf(t.Date()), true
}
