package playlists

import (
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// Cue is one concrete thing a screen plays for DurationS seconds: either a
// published revision of an item or a media file. Its JSON form is the manifest
// entry: {"item_id","revision","duration_s"} or {"media_url","type","duration_s"}.
type Cue struct {
	ItemID    string `json:"item_id,omitempty"`
	Revision  int    `json:"revision,omitempty"`
	MediaURL  string `json:"media_url,omitempty"`
	Type      string `json:"type,omitempty"`
	DurationS int    `json:"duration_s"`
}

// PublishedItem is an item's current published revision.
type PublishedItem struct {
	ID       string
	Revision int
}

// Catalog tells Expand what is published right now. It is implemented by the
// caller, typically from the store.
type Catalog interface {
	// Published reports the current published revision of an item, and false
	// when the item is not published (draft, withdrawn, expired or unknown).
	Published(itemID string) (revision int, ok bool)
	// CategoryItems lists the currently published items of a category,
	// newest first.
	CategoryItems(category string) []PublishedItem
}

// Expand returns the concrete cues of a playlist: an item entry becomes its
// published revision (or nothing when it is not published), a category entry
// becomes one cue per published item of the category in the catalog's order,
// and a media entry is passed through. The result depends on the catalog, so it
// must be recomputed when items are published or withdrawn.
func Expand(p hall.Playlist, c Catalog) []Cue {
	var cues []Cue
	for _, e := range p.Entries {
		switch {
		case e.ItemID != "":
			if rev, ok := c.Published(e.ItemID); ok {
				cues = append(cues, Cue{ItemID: e.ItemID, Revision: rev, DurationS: e.DurationS})
			}
		case e.Category != "":
			for _, it := range c.CategoryItems(e.Category) {
				cues = append(cues, Cue{ItemID: it.ID, Revision: it.Revision, DurationS: e.DurationS})
			}
		case e.MediaURL != "":
			cues = append(cues, Cue{MediaURL: e.MediaURL, Type: e.MediaType, DurationS: e.DurationS})
		}
	}
	return cues
}

// Cycle is the length of one pass through the cues (the sum of the positive
// durations).
func Cycle(cues []Cue) time.Duration {
	var total time.Duration
	for _, c := range cues {
		if c.DurationS > 0 {
			total += time.Duration(c.DurationS) * time.Second
		}
	}
	return total
}

// Position finds what a clock-aligned rotation plays at t: the index of the cue
// and how far into it t is. The position in the cycle is (t − anchor) mod
// Cycle(cues), taken in [0, cycle) also for t before anchor, so the rotation
// runs backwards in time consistently. A cue starts exactly at its boundary:
// offset 0 means its first instant. Cues with a non-positive duration never
// play. ok is false when there is nothing to play.
func Position(cues []Cue, anchor, t time.Time) (index int, offset time.Duration, ok bool) {
	cycle := Cycle(cues)
	if cycle <= 0 {
		return 0, 0, false
	}
	pos := t.Sub(anchor) % cycle
	if pos < 0 {
		pos += cycle
	}
	for i, c := range cues {
		if c.DurationS <= 0 {
			continue
		}
		d := time.Duration(c.DurationS) * time.Second
		if pos < d {
			return i, pos, true
		}
		pos -= d
	}
	// Unreachable: pos < cycle, the sum of the positive durations.
	return 0, 0, false
}
