package hall

import (
	"regexp"

	"strings"
	"time"
	"unicode/utf8"
)

// Text is a user-facing string in Simplified Chinese and English.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en,omitempty"`
}

// Validate checks a Text field: Chinese required, both at most max runes.
func (t Text) Validate(field string, max int) error {
	if strings.TrimSpace(t.ZH) == "" {
		return FieldError(field+".zh", "required")
	}
	if utf8.RuneCountInString(t.ZH) > max {
		return FieldError(field+".zh", "at most %d characters", max)
	}
	if utf8.RuneCountInString(t.EN) > max {
		return FieldError(field+".en", "at most %d characters", max)
	}
	return nil
}

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// ValidKey reports whether s is a catalogue key: lower-case letters, digits,
// '-' and '_', starting with a letter or digit, at most 40 characters.
func ValidKey(s string) bool { return keyPattern.MatchString(s) }

// Department is an office that publishes disclosures (one editor each, often).
type Department struct {
	Key  string `json:"key"`
	Name Text   `json:"name"`
}

// Validate checks the department's fields.
func (d *Department) Validate() error {
	if !ValidKey(d.Key) {
		return FieldError("key", "want lower-case letters, digits, '-' or '_' (at most 40)")
	}
	return d.Name.Validate("name", 60)
}

// Hall is one service hall; its screens share its time zone. A township's
// villages and communities (行政村, 社区) are halls too, each with its own
// board: Parent names the town hall they belong to.
type Hall struct {
	ID                string    `json:"id"`
	Name              string    `json:"name"`
	TZ                string    `json:"tz"`
	Kind              HallKind  `json:"kind"`
	Parent            string    `json:"parent,omitempty"`
	DefaultPlaylistID string    `json:"default_playlist_id,omitempty"`
	CreatedAt         time.Time `json:"created_at"`
}

// HallKind says what a hall serves.
type HallKind string

// Hall kinds.
const (
	HallTown      HallKind = "town"      // a township or street office's service hall (乡镇/街道)
	HallVillage   HallKind = "village"   // a village's board (行政村)
	HallCommunity HallKind = "community" // a residents' community's board (社区)
)

// DefaultTZ is the zone of a hall that names none.
const DefaultTZ = "Asia/Shanghai"

// Validate checks the hall's fields, filling the default zone.
func (h *Hall) Validate() error {
	h.Name = strings.TrimSpace(h.Name)
	if h.Name == "" {
		return FieldError("name", "required")
	}
	if utf8.RuneCountInString(h.Name) > 80 {
		return FieldError("name", "at most 80 characters")
	}
	if h.TZ == "" {
		h.TZ = DefaultTZ
	}
	switch h.Kind {
	case "":
		h.Kind = HallTown
	case HallTown, HallVillage, HallCommunity:
	default:
		return FieldError("kind", `want "town", "village" or "community"`)
	}
	h.Parent = strings.TrimSpace(h.Parent)
	switch {
	case h.Parent != "" && h.Parent == h.ID:
		return FieldError("parent", "a hall cannot belong to itself")
	case h.Parent != "" && h.Kind == HallTown:
		return FieldError("parent", "a town hall belongs to no other hall")
	}
	if _, err := LoadZone(h.TZ); err != nil {
		return FieldError("tz", "unknown time zone %q: want an IANA name such as Asia/Shanghai", h.TZ)
	}
	return nil
}

// Cadence is how often an item must be disclosed again.
type Cadence string

const (
	CadenceOnce      Cadence = "once"
	CadenceMonthly   Cadence = "monthly"
	CadenceQuarterly Cadence = "quarterly"
	CadenceAnnual    Cadence = "annual"
)

// Valid reports whether c is a known cadence (empty is not).
func (c Cadence) Valid() bool {
	switch c {
	case CadenceOnce, CadenceMonthly, CadenceQuarterly, CadenceAnnual:
		return true
	}
	return false
}

// Category groups disclosures (finance, personnel, construction…). The
// catalogue is data: halls add their own.
type Category struct {
	Key     string  `json:"key"`
	Name    Text    `json:"name"`
	Cadence Cadence `json:"cadence"`
	// Immediate marks categories disclosed as matters happen (construction,
	// relief, conscription); their deadline counts from the change.
	Immediate bool `json:"immediate,omitempty"`
	Sort      int  `json:"sort"`
	// Group is the open-government heading the category falls under:
	// GroupParty (党务), GroupGovernment (政务) or GroupFinance (财务);
	// empty for none.
	Group string `json:"group,omitempty"`
	// Departments owe this category's disclosures on its cadence: each
	// monthly, quarterly or annual period they publish nothing in counts
	// against them on the scorecard.
	Departments []string `json:"departments,omitempty"`
}

// Category groups (三务公开).
const (
	GroupParty      = "party"      // 党务公开
	GroupGovernment = "government" // 政务公开
	GroupFinance    = "finance"    // 财务公开
)

// Validate checks the category's fields, defaulting the cadence to once.
func (c *Category) Validate() error {
	if !ValidKey(c.Key) {
		return FieldError("key", "want lower-case letters, digits, '-' or '_' (at most 40)")
	}
	if err := c.Name.Validate("name", 40); err != nil {
		return err
	}
	if c.Cadence == "" {
		c.Cadence = CadenceOnce
	}
	if !c.Cadence.Valid() {
		return FieldError("cadence", "want once, monthly, quarterly or annual")
	}
	switch c.Group {
	case "", GroupParty, GroupGovernment, GroupFinance:
	default:
		return FieldError("group", "want party, government, finance or nothing")
	}
	if len(c.Departments) > 50 {
		return FieldError("departments", "at most 50")
	}
	for i, d := range c.Departments {
		if !ValidKey(d) {
			return FieldError("departments["+itoa(i)+"]", "not a department key")
		}
	}
	return nil
}

// Matter is one affair disclosed in stages: before (why and how, to consult),
// during (to take part) and after (results, to check).
type Matter struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks the matter's fields.
func (m *Matter) Validate() error {
	m.Title = strings.TrimSpace(m.Title)
	if m.Title == "" {
		return FieldError("title", "required")
	}
	if utf8.RuneCountInString(m.Title) > 120 {
		return FieldError("title", "at most 120 characters")
	}
	return nil
}

// AuditEntry records one write: who, what, when, from where.
type AuditEntry struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"` // username, "system" or "screen:<id>"
	Action   string    `json:"action"`
	Target   string    `json:"target,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	RemoteIP string    `json:"remote_ip,omitempty"`
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Actor  string
	Action string
	Target string
	From   time.Time
	To     time.Time
	Limit  int
}
