package hall

import (
	"context"
	"encoding/json"
	"time"
)

// Event kinds screens send.
const (
	EventImpression = "impression" // shown on screen (proof of play)
	EventView       = "view"       // opened on a kiosk
	EventRating     = "rating"     // 1–5
	EventFeedback   = "feedback"   // a resident's message
)

// Event is what a screen records and sends, with a client-made unique id;
// stored once, however often it is sent.
type Event struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	At         time.Time `json:"at"`
	ScreenID   string    `json:"screen_id"`
	ReceivedAt time.Time `json:"received_at"`
	ItemID     string    `json:"item_id,omitempty"`
	Revision   int       `json:"revision,omitempty"`
	MediaURL   string    `json:"media_url,omitempty"`
	PlaylistID string    `json:"playlist_id,omitempty"`
	DurationMS int64     `json:"duration_ms,omitempty"` // impression
	DwellMS    int64     `json:"dwell_ms,omitempty"`    // view
	Session    string    `json:"session,omitempty"`
	// Data holds the kind-specific rest (a rating's subject, level and
	// aspects; feedback's text, topic and contact), as sent.
	Data json.RawMessage `json:"data,omitempty"`
	// Misuse marks a rating from a burst: kept, left out of results.
	Misuse bool `json:"misuse,omitempty"`
}

// EventStore keeps events.
type EventStore interface {
	// InsertEvents stores the events in one durable transaction, ignoring
	// ids already stored, and returns how many were new.
	InsertEvents(ctx context.Context, events []*Event) (int, error)
	CountEvents(ctx context.Context, kind string) (int, error)
}
