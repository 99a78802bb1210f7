package hub

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hallcast/hallcast/server/hall"
)

// Limits on the fields of an event.
const (
	MaxEventIDRunes   = 64
	maxRefRunes       = 64  // item_id, playlist_id
	maxSessionRunes   = 128 // session
	maxMediaURLBytes  = 512
	maxFeedbackRunes  = 2000
	maxContactRunes   = 100
	maxAspects        = 10
	maxEventMillis    = 24 * 60 * 60 * 1000
	maxEventRevision  = 1_000_000
	eventClockSlackYr = 1 // events dated more than this many years from now are absurd
)

// EventError says why one event of a batch was refused. ID is empty when the
// event had no usable id.
type EventError struct {
	Index   int    `json:"index"`
	ID      string `json:"id,omitempty"`
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
// websocket or the HTTP fallback alike. Valid events come back as
// hall.Events stamped with the screen and now as ReceivedAt; each invalid
// one is reported and must not be acknowledged.
func DecodeEvents(raw []json.RawMessage, screenID string, now time.Time) (ok []*hall.Event, bad []EventError) {
	for i, r := range raw {
		e, err := decodeEvent(r, screenID, now)
		if err != nil {
			bad = append(bad, EventError{Index: i, ID: eventIDOf(r), Message: err.Error()})
			continue
		}
		ok = append(ok, e)
	}
	return ok, bad
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
	if at.Before(now.AddDate(-eventClockSlackYr, 0, 0)) || at.After(now.AddDate(eventClockSlackYr, 0, 0)) {
		return nil, fmt.Errorf("at: more than a year from the server's time")
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
		if !hall.ValidKey(k) {
			return nil, fmt.Errorf("aspects: %q is not a key", k)
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
