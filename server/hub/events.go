package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hallcast/hallcast/server/hall"
)

// Limits on the fields of an event.
const (
	MaxEventIDRunes  = 64
	maxRefRunes      = 64  // item_id, playlist_id
	maxSessionRunes  = 128 // session
	maxMediaURLBytes = 512
	maxFeedbackRunes = 2000
	maxContactRunes  = 100
	maxAspects       = 10
	maxEventMillis   = 24 * 60 * 60 * 1000
	maxEventRevision = 1_000_000
)

// The window a screen's clock is believed in: an event's at may lie up to
// MaxEventAge before the moment the server receives it (an outbox kept
// through days offline) and up to MaxEventLead after it (a clock running a
// little fast). An event dated outside the window is refused.
const (
	MaxEventAge  = 7 * 24 * time.Hour
	MaxEventLead = 5 * time.Minute
)

// EventError says why one event of a batch was refused. ID is empty when the
// event had no usable id. Code is an error code: hall.EValidation for an
// invalid event, hall.EForbidden for one the screen may not send (ratings
// and feedback from a screen that is not a kiosk), hall.ERateLimited for one
// past a limit.
type EventError struct {
	Index   int    `json:"index"`
	ID      string `json:"id,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e EventError) Error() string {
	if e.ID == "" {
		return fmt.Sprintf("event %d: %s", e.Index, e.Message)
	}
	return fmt.Sprintf("event %q: %s", e.ID, e.Message)
}

// wireEvent is an EVENT as screens send it (docs/PROTOCOL.md, "Events").
type wireEvent struct {
	ID         string         `json:"id"`
	Kind       string         `json:"kind"`
	At         string         `json:"at"`
	ItemID     string         `json:"item_id"`
	Revision   int            `json:"revision"`
	MediaURL   string         `json:"media_url"`
	PlaylistID string         `json:"playlist_id"`
	DurationMS int64          `json:"duration_ms"`
	DwellMS    int64          `json:"dwell_ms"`
	Session    string         `json:"session"`
	Subject    *ratingSubject `json:"subject"`
	Level      int            `json:"level"`
	Aspects    map[string]int `json:"aspects"`
	Text       string         `json:"text"`
	Contact    string         `json:"contact"`
	Topic      string         `json:"topic"`
}

type ratingSubject struct {
	ItemID  string `json:"item_id,omitempty"`
	Service string `json:"service,omitempty"`
}

// ratingData and feedbackData are hall.Event.Data of ratings and feedback.
type ratingData struct {
	Subject ratingSubject  `json:"subject"`
	Level   int            `json:"level"`
	Aspects map[string]int `json:"aspects,omitempty"`
}

type feedbackData struct {
	Text    string `json:"text"`
	Contact string `json:"contact,omitempty"`
	Topic   string `json:"topic,omitempty"`
}

// DecodeEvents validates a batch of events as sent by a screen, over the
// websocket or the HTTP fallback alike, at now, the moment the server
// received them. Valid events come back as hall.Events stamped with the
// screen and now as ReceivedAt; each invalid one is reported and must not be
// acknowledged. Only a kiosk may send ratings and feedback: from any other
// screen they are refused (hall.EForbidden).
func DecodeEvents(raw []json.RawMessage, screen *hall.Screen, now time.Time) (ok []*hall.Event, bad []EventError) {
	ok, _, bad = decodeAll(raw, screen, now)
	return ok, bad
}

// decodeAll is DecodeEvents that also returns the position in raw of each
// valid event.
func decodeAll(raw []json.RawMessage, screen *hall.Screen, now time.Time) (ok []*hall.Event, pos []int, bad []EventError) {
	for i, r := range raw {
		e, err := decodeEvent(r, screen.ID, now)
		if err != nil {
			bad = append(bad, EventError{Index: i, ID: eventIDOf(r), Code: hall.EValidation, Message: err.Error()})
			continue
		}
		if (e.Kind == hall.EventRating || e.Kind == hall.EventFeedback) && screen.Kind != hall.KindKiosk {
			bad = append(bad, EventError{Index: i, ID: e.ID, Code: hall.EForbidden,
				Message: fmt.Sprintf("%s: only kiosks take ratings and feedback, this screen is %q", e.Kind, screen.Kind)})
			continue
		}
		ok, pos = append(ok, e), append(pos, i)
	}
	return ok, pos, bad
}

// Receive takes a batch of events a screen sent: it decodes them, stores the
// valid ones through ing, and returns the ids acknowledged (durably stored
// now or before) and the events refused, by their position in raw, both
// those that were invalid and those ing refused. On error nothing is
// acknowledged (the screen sends the batch again); the invalid events are
// still reported.
func Receive(ctx context.Context, ing EventIngester, raw []json.RawMessage, screen *hall.Screen, now time.Time) (acked []string, refused []EventError, err error) {
	ok, pos, refused := decodeAll(raw, screen, now)
	if len(ok) == 0 {
		return []string{}, refused, nil
	}
	acked, no, err := ing.Ingest(ctx, screen.ID, ok)
	if err != nil {
		return nil, refused, err
	}
	if len(no) > 0 {
		why := make(map[string]hall.EventRefusal, len(no))
		for _, r := range no {
			why[r.ID] = r
		}
		for i, e := range ok {
			if r, found := why[e.ID]; found {
				refused = append(refused, EventError{Index: pos[i], ID: e.ID, Code: r.Code, Message: r.Message})
			}
		}
		slices.SortFunc(refused, func(a, b EventError) int { return a.Index - b.Index })
	}
	if acked == nil {
		acked = []string{}
	}
	return acked, refused, nil
}

// eventIDOf returns the id of a raw event when it is a usable one.
func eventIDOf(r json.RawMessage) string {
	var v struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(r, &v) != nil {
		return ""
	}
	id, _ := v.ID.(string)
	if validText(id, MaxEventIDRunes) != nil || id == "" {
		return ""
	}
	return id
}

func decodeEvent(r json.RawMessage, screenID string, now time.Time) (*hall.Event, error) {
	var w wireEvent
	if err := json.Unmarshal(r, &w); err != nil {
		return nil, fmt.Errorf("not a valid event object: %w", err)
	}
	if w.ID == "" {
		return nil, fmt.Errorf("id: required")
	}
	if err := validText(w.ID, MaxEventIDRunes); err != nil {
		return nil, fmt.Errorf("id: %w", err)
	}
	at, err := time.Parse(time.RFC3339Nano, w.At)
	if err != nil {
		return nil, fmt.Errorf("at: want an RFC 3339 time with a zone")
	}
	if at.Before(now.Add(-MaxEventAge)) {
		return nil, fmt.Errorf("at: more than %d days before the server received it", MaxEventAge/(24*time.Hour))
	}
	if at.After(now.Add(MaxEventLead)) {
		return nil, fmt.Errorf("at: more than %d minutes after the server received it (is the screen's clock right?)", MaxEventLead/time.Minute)
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"item_id", w.ItemID, maxRefRunes},
		{"playlist_id", w.PlaylistID, maxRefRunes},
		{"session", w.Session, maxSessionRunes},
	} {
		if err := validText(f.value, f.max); err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if len(w.MediaURL) > maxMediaURLBytes || validText(w.MediaURL, maxMediaURLBytes) != nil {
		return nil, fmt.Errorf("media_url: at most %d bytes of text", maxMediaURLBytes)
	}
	if w.Revision < 0 || w.Revision > maxEventRevision {
		return nil, fmt.Errorf("revision: out of range")
	}
	if w.DurationMS < 0 || w.DurationMS > maxEventMillis {
		return nil, fmt.Errorf("duration_ms: want 0 to %d", maxEventMillis)
	}
	if w.DwellMS < 0 || w.DwellMS > maxEventMillis {
		return nil, fmt.Errorf("dwell_ms: want 0 to %d", maxEventMillis)
	}
	e := &hall.Event{
		ID: w.ID, Kind: w.Kind, At: at, ScreenID: screenID, ReceivedAt: now,
		ItemID: w.ItemID, Revision: w.Revision, MediaURL: w.MediaURL, PlaylistID: w.PlaylistID,
		DurationMS: w.DurationMS, DwellMS: w.DwellMS, Session: w.Session,
	}
	var data any
	switch w.Kind {
	case hall.EventImpression:
		if w.ItemID == "" && w.MediaURL == "" {
			return nil, fmt.Errorf("impression: want item_id or media_url")
		}
	case hall.EventView:
		if w.ItemID == "" {
			return nil, fmt.Errorf("view: item_id required")
		}
	case hall.EventRating:
		d, err := ratingOf(&w)
		if err != nil {
			return nil, err
		}
		e.Level = d.Level
		if d.Subject.ItemID != "" {
			e.Subject = hall.ItemSubject(d.Subject.ItemID)
		} else {
			e.Subject = "service:" + d.Subject.Service
		}
		if len(d.Aspects) > 0 {
			data = map[string]any{"aspects": d.Aspects}
		}
	case hall.EventFeedback:
		d, err := feedbackOf(&w)
		if err != nil {
			return nil, err
		}
		// The text, topic and contact have their own columns; the contact
		// is never copied anywhere else.
		e.Text, e.Topic, e.Contact = d.Text, d.Topic, d.Contact
	default:
		return nil, fmt.Errorf("kind: want impression, view, rating or feedback")
	}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return nil, fmt.Errorf("encode event data: %w", err)
		}
		e.Data = b
	}
	return e, nil
}

func ratingOf(w *wireEvent) (*ratingData, error) {
	s := w.Subject
	if s == nil || (s.ItemID == "") == (s.Service == "") {
		return nil, fmt.Errorf(`subject: want {"item_id"} or {"service"}`)
	}
	if err := validText(s.ItemID, maxRefRunes); err != nil {
		return nil, fmt.Errorf("subject.item_id: %w", err)
	}
	if s.Service != "" && !hall.ValidKey(s.Service) {
		return nil, fmt.Errorf("subject.service: want a key such as \"hall\"")
	}
	if w.Level < 1 || w.Level > 5 {
		return nil, fmt.Errorf("level: want 1 to 5")
	}
	if len(w.Aspects) > maxAspects {
		return nil, fmt.Errorf("aspects: at most %d", maxAspects)
	}
	for k, v := range w.Aspects {
		if !hall.KnownAspect(k) {
			return nil, fmt.Errorf("aspects.%s: not a known aspect, want one of %s", k, strings.Join(hall.RatingAspects, ", "))
		}
		if v < 1 || v > 5 {
			return nil, fmt.Errorf("aspects.%s: want 1 to 5", k)
		}
	}
	return &ratingData{Subject: *s, Level: w.Level, Aspects: w.Aspects}, nil
}

func feedbackOf(w *wireEvent) (*feedbackData, error) {
	text := strings.TrimSpace(w.Text)
	if text == "" {
		return nil, fmt.Errorf("text: required")
	}
	if utf8.RuneCountInString(text) > maxFeedbackRunes || !utf8.ValidString(text) {
		return nil, fmt.Errorf("text: at most %d characters", maxFeedbackRunes)
	}
	contact := strings.TrimSpace(w.Contact)
	if err := validText(contact, maxContactRunes); err != nil {
		return nil, fmt.Errorf("contact: %w", err)
	}
	if w.Topic != "" && !hall.ValidKey(w.Topic) {
		return nil, fmt.Errorf("topic: want a key")
	}
	return &feedbackData{Text: text, Contact: contact, Topic: w.Topic}, nil
}

// validText accepts valid UTF-8 of at most max runes with no control
// characters.
func validText(s string, max int) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return fmt.Errorf("at most %d characters", max)
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return fmt.Errorf("control characters not allowed")
	}
	return nil
}
