package playlists

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hallcast/hallcast/server/hall"
)

// Limits on playlists.
const (
	MinDurationS = 1
	MaxDurationS = 3600
	MaxEntries   = 500
	MaxNameRunes = 200
)

// invalid returns a validation error naming the field at fault: its JSON path
// in the request body ("start", "entries[2].duration_s", "target.kinds[0]").
func invalid(field, format string, args ...any) *hall.Error {
	return hall.FieldError(field, format, args...)
}

// ValidatePlaylist checks a playlist's name and entries. It returns a
// *hall.Error for the first fault found, or nil.
func ValidatePlaylist(p hall.Playlist) error {
	name := strings.TrimSpace(p.Name)
	switch {
	case name == "":
		return invalid("name", "want a name")
	case utf8.RuneCountInString(name) > MaxNameRunes:
		return invalid("name", "want at most %d characters", MaxNameRunes)
	case len(p.Entries) > MaxEntries:
		return invalid("entries", "want at most %d entries", MaxEntries)
	}
	for i, e := range p.Entries {
		if err := validateEntry(e, fmt.Sprintf("entries[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

func validateEntry(e hall.PlaylistEntry, field string) error {
	set := 0
	for _, s := range []string{e.ItemID, e.Category, e.MediaURL} {
		if s != "" {
			set++
		}
	}
	if set != 1 {
		return invalid(field, "want exactly one of item_id, category, media_url")
	}
	if e.MediaURL != "" && !isMediaURL(e.MediaURL) {
		return invalid(field+".media_url", "want a path starting with / or an http(s) URL")
	}
	if e.MediaURL == "" && e.MediaType != "" {
		return invalid(field+".type", "want type only with media_url")
	}
	if e.DurationS < MinDurationS || e.DurationS > MaxDurationS {
		return invalid(field+".duration_s", "want %d..%d seconds", MinDurationS, MaxDurationS)
	}
	return nil
}

// isMediaURL accepts a same-origin absolute path or an http(s) URL, never a
// scheme a player could execute (javascript:, data:).
func isMediaURL(s string) bool {
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return false
	}
	switch {
	case strings.HasPrefix(s, "//"):
		return false
	case strings.HasPrefix(s, "/"):
		return true
	case strings.HasPrefix(s, "https://"), strings.HasPrefix(s, "http://"):
		return len(s) > len("https://")
	}
	return false
}

// ValidateSchedule checks a schedule. It returns a *hall.Error for the
// first fault found, or nil.
func ValidateSchedule(s hall.Schedule) error {
	_, err := compile(s)
	return err
}

// compile validates a schedule and prepares it for resolving.
func compile(s hall.Schedule) (*compiled, error) {
	if strings.TrimSpace(s.PlaylistID) == "" {
		return nil, invalid("playlist_id", "want a playlist id")
	}
	if err := s.Target.Validate(); err != nil {
		return nil, err
	}
	c := &compiled{
		id:          s.ID,
		playlist:    s.PlaylistID,
		priority:    s.Priority,
		specificity: s.Target.Specificity(),
		updated:     s.UpdatedAt,
	}
	for i, d := range s.Days {
		if d < 1 || d > 7 {
			return nil, invalid(fmt.Sprintf("days[%d]", i), "want 1 (Monday) to 7 (Sunday)")
		}
		c.days[d] = true
	}
	c.everyDay = true
	for d := 1; d <= 7; d++ {
		if len(s.Days) == 0 {
			c.days[d] = true
		}
		c.everyDay = c.everyDay && c.days[d]
	}
	switch s.DayType {
	case "":
	case hall.DayTypeWorkdays, hall.DayTypeRestDays:
		c.dayType, c.everyDay = s.DayType, false
	default:
		return nil, invalid("day_type", "want workdays, restdays or nothing")
	}

	switch {
	case s.Start == "" && s.End == "":
		c.win.allDay = true
	case s.Start == "":
		return nil, invalid("start", "want HH:MM (set start and end, or neither for all day)")
	case s.End == "":
		return nil, invalid("end", "want HH:MM (set start and end, or neither for all day)")
	default:
		start, ok := parseClock(s.Start, false)
		if !ok {
			return nil, invalid("start", "want HH:MM between 00:00 and 23:59")
		}
		end, ok := parseClock(s.End, true)
		if !ok {
			return nil, invalid("end", "want HH:MM between 00:00 and 24:00")
		}
		if end == 0 {
			end = 1440 // ending at 00:00 is ending at the next midnight
		}
		c.win = window{start: start, end: end}
		if start == end%1440 {
			c.win = window{allDay: true}
		}
	}

	if s.From != "" {
		d, ok := parseDate(s.From)
		if !ok {
			return nil, invalid("from", "want YYYY-MM-DD")
		}
		c.from, c.hasFrom = d, true
	}
	if s.Until != "" {
		d, ok := parseDate(s.Until)
		if !ok {
			return nil, invalid("until", "want YYYY-MM-DD")
		}
		c.until, c.hasUntil = d, true
	}
	if c.hasFrom && c.hasUntil && c.until < c.from {
		return nil, invalid("until", "want a date on or after from")
	}
	return c, nil
}
