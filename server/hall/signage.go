package hall

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The signage domain: what plays where. The scheduler in package playlists
// resolves these into the timeline a screen plays; the types live here so the
// domain root depends on nothing of the project.

// Playlist is an ordered list of entries a screen rotates through.
type Playlist struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Entries   []PlaylistEntry `json:"entries"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// PlaylistEntry is one playlist entry. Exactly one of ItemID, Category and
// MediaURL is set. A Category entry stands for every currently published item
// of that category, newest first, each played for DurationS.
type PlaylistEntry struct {
	ItemID    string `json:"item_id,omitempty"`
	Category  string `json:"category,omitempty"`
	MediaURL  string `json:"media_url,omitempty"`
	MediaType string `json:"type,omitempty"`
	DurationS int    `json:"duration_s"`
}

// Schedule puts a playlist on the screens its Target matches, on Days between
// From and Until, in the daily window Start–End (see package playlists for
// how windows, days, dates and ties are read).
type Schedule struct {
	ID         string `json:"id"`
	PlaylistID string `json:"playlist_id"`
	Target     Target `json:"target"`
	Days       []int  `json:"days,omitempty"`  // 1 = Monday … 7 = Sunday; empty = every day
	Start      string `json:"start,omitempty"` // "HH:MM"
	End        string `json:"end,omitempty"`   // "HH:MM", "24:00" allowed
	From       string `json:"from,omitempty"`  // "YYYY-MM-DD", inclusive
	Until      string `json:"until,omitempty"` // "YYYY-MM-DD", inclusive
	// DayType narrows Days by the working-day calendar: DayTypeWorkdays
	// (including make-up working days, 调休), DayTypeRestDays (weekends and
	// public holidays), or empty for every day Days names.
	DayType   string    `json:"day_type,omitempty"`
	Priority  int       `json:"priority"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Day types of a schedule.
const (
	DayTypeWorkdays = "workdays"
	DayTypeRestDays = "restdays"
)

// Matches reports whether the schedule's target includes the screen.
func (s Schedule) Matches(p Placement) bool { return s.Target.Matches(p) }

// Target selects screens. Every non-empty list must match; an empty Target
// matches every screen.
type Target struct {
	Screens []string `json:"screens,omitempty"`
	Groups  []string `json:"groups,omitempty"`
	Halls   []string `json:"halls,omitempty"`
	Kinds   []string `json:"kinds,omitempty"`
}

// MaxTargetItems bounds each list of a target.
const MaxTargetItems = 1000

// Placement is where a screen stands, as targets and the scheduler see it.
type Placement struct {
	ID     string
	HallID string
	Kind   string // KindLED or KindKiosk
	Groups []string
	// TZ is the IANA zone windows, weekdays and dates are read in; empty
	// means DefaultTZ.
	TZ string
	// DefaultPlaylistID is the hall's default playlist, played when no
	// schedule is in effect; empty means nothing plays then.
	DefaultPlaylistID string
}

// Matches reports whether the screen passes every non-empty list of the target.
func (t Target) Matches(p Placement) bool {
	if len(t.Screens) > 0 && !slices.Contains(t.Screens, p.ID) {
		return false
	}
	if len(t.Groups) > 0 && !slices.ContainsFunc(p.Groups, func(g string) bool { return slices.Contains(t.Groups, g) }) {
		return false
	}
	if len(t.Halls) > 0 && !slices.Contains(t.Halls, p.HallID) {
		return false
	}
	if len(t.Kinds) > 0 && !slices.Contains(t.Kinds, p.Kind) {
		return false
	}
	return true
}

// Specificity levels of a Target, higher is more specific.
const (
	SpecificityAll = iota
	SpecificityKind
	SpecificityHall
	SpecificityGroup
	SpecificityScreen
)

// Specificity is the level of the most specific non-empty list of the
// target, one of the Specificity constants.
func (t Target) Specificity() int {
	switch {
	case len(t.Screens) > 0:
		return SpecificityScreen
	case len(t.Groups) > 0:
		return SpecificityGroup
	case len(t.Halls) > 0:
		return SpecificityHall
	case len(t.Kinds) > 0:
		return SpecificityKind
	}
	return SpecificityAll
}

// Validate checks the target's lists; field paths start with "target.".
func (t Target) Validate() error {
	lists := []struct {
		name   string
		values []string
	}{{"screens", t.Screens}, {"groups", t.Groups}, {"halls", t.Halls}, {"kinds", t.Kinds}}
	for _, l := range lists {
		if len(l.values) > MaxTargetItems {
			return FieldError("target."+l.name, "want at most %d values", MaxTargetItems)
		}
		for i, v := range l.values {
			field := fmt.Sprintf("target.%s[%d]", l.name, i)
			if l.name == "kinds" {
				if v != KindLED && v != KindKiosk {
					return FieldError(field, "want %s or %s", KindLED, KindKiosk)
				}
				continue
			}
			if strings.TrimSpace(v) == "" {
				return FieldError(field, "want a non-empty id")
			}
		}
	}
	return nil
}

// LoadZone loads an IANA zone; an empty name means DefaultTZ. A name that is
// not a zone (or is "Local", which depends on the host) is a validation
// error on field "tz".
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultTZ
	}
	if name == "Local" {
		return nil, FieldError("tz", "want an IANA time zone such as %s", DefaultTZ)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, FieldError("tz", "want an IANA time zone such as %s", DefaultTZ)
	}
	return loc, nil
}
