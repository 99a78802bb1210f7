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
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// At is when the screen says the event happened, by its clock: kept as
	// sent, accepted only within a bounded window around ReceivedAt (see
	// hub.DecodeEvents). ReceivedAt is when the server received it, by the
	// server's clock: what misuse checks, limits and case deadlines go by.
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
	// Ratings: what is rated ("item:<id>" or "service:hall") and the level,
	// 5 非常满意 … 1 非常不满意.
	Subject string `json:"subject,omitempty"`
	Level   int    `json:"level,omitempty"`
	// Feedback: the topic, the message and an optional phone number (stored,
	// never shown publicly).
	Topic   string `json:"topic,omitempty"`
	Text    string `json:"text,omitempty"`
	Contact string `json:"contact,omitempty"`
	// Data holds the kind-specific rest (a rating's subject, level and
	// aspects; feedback's text, topic and contact), as sent.
	Data json.RawMessage `json:"data,omitempty"`
	// Misuse marks a rating from a burst: kept, left out of results.
	Misuse bool `json:"misuse,omitempty"`
}

// EventRefusal says why the server refused a well-formed event: the event
// is neither stored nor acknowledged, and sending it again is refused again,
// so the screen should drop it.
type EventRefusal struct {
	ID      string
	Code    string // an error code: EValidation, EForbidden or ERateLimited
	Message string
}

// PoorLevel is the highest rating level that counts as poor (差评) and opens
// a case for staff.
const PoorLevel = 2

// Subjects of ratings.
const SubjectHall = "service:hall"

// ItemSubject is the rating subject of an item.
func ItemSubject(itemID string) string { return "item:" + itemID }

// EventStore keeps events.
type EventStore interface {
	// InsertEvents stores the events in one durable transaction, ignoring
	// ids already stored, and returns how many were new. In the same
	// transaction, each new feedback event becomes a Feedback, and each new
	// poor rating (Level <= PoorLevel, not Misuse) opens a Case.
	InsertEvents(ctx context.Context, events []*Event) (int, error)
	CountEvents(ctx context.Context, kind string) (int, error)
	// ListEvents returns events of a kind (all kinds if empty) received in
	// [from, to), oldest first.
	ListEvents(ctx context.Context, kind string, from, to time.Time, limit int) ([]*Event, error)
}

// Feedback is a resident's message left at a kiosk, and staff's reply.
type Feedback struct {
	ID       string    `json:"id"` // the event id
	Receipt  string    `json:"receipt"`
	ScreenID string    `json:"screen_id"`
	ItemID   string    `json:"item_id,omitempty"`
	Topic    string    `json:"topic"`
	Text     string    `json:"text"`
	Contact  string    `json:"contact,omitempty"`
	At       time.Time `json:"at"`     // when the server received it (not the kiosk's clock)
	Status   string    `json:"status"` // open, replied
	Reply    *Reply    `json:"reply,omitempty"`
}

// Reply is staff's answer to feedback; public ones appear on kiosks.
type Reply struct {
	Text   string    `json:"text"`
	Public bool      `json:"public"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// RatingAspects are the aspects a rating may carry besides its overall
// level (the kiosk asks about them after the hall's service): 办事效率,
// 服务态度, 环境设施. A rating naming any other aspect is refused.
var RatingAspects = []string{"efficiency", "attitude", "environment"}

// KnownAspect reports whether a is one of RatingAspects.
func KnownAspect(a string) bool {
	for _, k := range RatingAspects {
		if k == a {
			return true
		}
	}
	return false
}

// Receipt is the number a resident is shown for feedback: made from the
// event id, so the kiosk can show it offline, before the server has it.
func Receipt(eventID string) string {
	var b []byte
	for i := 0; i < len(eventID) && len(b) < 8; i++ {
		c := eventID[i]
		switch {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z':
			b = append(b, c)
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		}
	}
	return "FK" + string(b)
}

// Case is a poor rating staff must look into: verify, fix, reply, close.
type Case struct {
	ID       string          `json:"id"` // the rating event's id
	ScreenID string          `json:"screen_id"`
	Subject  string          `json:"subject"`
	Level    int             `json:"level"`
	Aspects  json.RawMessage `json:"aspects,omitempty"`
	// At is when the case opened: when the server received the rating
	// (its ReceivedAt), never the kiosk's time. Its deadline runs from it.
	At         time.Time  `json:"at"`
	Status     string     `json:"status"` // open, resolved
	ResolvedBy string     `json:"resolved_by,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
	Note       string     `json:"note,omitempty"`
}

// FeedbackStore keeps feedback and cases.
type FeedbackStore interface {
	ListFeedback(ctx context.Context, status string, limit int) ([]*Feedback, error) // newest first
	Feedback(ctx context.Context, id string) (*Feedback, error)
	FeedbackByReceipt(ctx context.Context, receipt string) (*Feedback, error)
	ReplyFeedback(ctx context.Context, id string, r *Reply) error
	PublicReplies(ctx context.Context, limit int) ([]*Feedback, error)        // newest reply first
	ListCases(ctx context.Context, status string, limit int) ([]*Case, error) // oldest first
	Case(ctx context.Context, id string) (*Case, error)
	ResolveCase(ctx context.Context, id, by, note string, at time.Time) error // EConflict if resolved
}
