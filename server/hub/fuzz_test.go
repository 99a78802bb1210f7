package hub

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hallcast/hallcast/server/hall"
)

// Fuzz targets for what a screen sends (docs/RELIABILITY.md):
//
//	go test ./server/hub -run '^$' -fuzz FuzzClientFrame -fuzztime 60s
//	go test ./server/hub -run '^$' -fuzz FuzzDecodeEvents -fuzztime 60s
//
// Inputs that once failed are kept in testdata/fuzz and run with go test.

// FuzzClientFrame decodes any frame as the first (hello) and as a later
// frame, and the events it may carry: nothing panics, and what is accepted
// is what the protocol allows, cut to its limits.
func FuzzClientFrame(f *testing.F) {
	at := testNow.Format(time.RFC3339)
	for _, s := range []string{
		`{"type":"hello","token":"tok-s1","kind":"led","version":"1.2.0","screen":{"w":1920,"h":1080},"manifest_etag":"0123456789abcdef"}`,
		`{"type":"events","events":[{"id":"a","kind":"impression","at":"` + at + `","item_id":"it_1","revision":2,"duration_ms":10000}]}`,
		`{"type":"events","events":[{"id":"b","kind":"rating","at":"` + at + `","subject":{"item_id":"it_1"},"level":5,"session":"k1"},{"id":"c","kind":"feedback","at":"` + at + `","text":"好"}]}`,
		`{"type":"status","showing":{"item_id":"it_1","revision":3},"uptime_s":3600}`,
		`{"type":"status","showing":{"media_url":"/media/` + strings.Repeat("f", 600) + `"}}`,
		`{"type":"hello"}`, `{"type":"bogus"}`, `[]`, `null`, `{"type":"events","events":null}`, "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if h := decodeHello(data); h != nil {
			if h.Type != "hello" || h.Token == "" || len(h.Version) > 64 || len(h.ManifestETag) > 64 {
				t.Fatalf("hello accepted: %+v", h)
			}
		}
		msg, err := decodeFrame(data)
		if err != nil {
			if msg != nil {
				t.Fatal("a message and an error")
			}
			if len(err.Error()) > 300 {
				t.Fatalf("error message of %d bytes: the answer to a frame stays small", len(err.Error()))
			}
			return
		}
		switch msg.Type {
		case "events":
			ok, bad := DecodeEvents(msg.Events, kiosk, testNow)
			if len(ok)+len(bad) != len(msg.Events) {
				t.Fatalf("%d events decoded into %d valid and %d invalid", len(msg.Events), len(ok), len(bad))
			}
		case "status":
			if s := msg.Showing; s != nil && (len(s.ItemID) > maxRefRunes || len(s.MediaURL) > maxMediaURLBytes) {
				t.Fatalf("status showing not cut to size: %d and %d bytes", len(s.ItemID), len(s.MediaURL))
			}
		default:
			t.Fatalf("frame of type %q accepted", msg.Type)
		}
	})
}

// FuzzDecodeEvents decodes any event from a kiosk or an LED screen: every
// event is either accepted, within every limit of the protocol, or refused
// with a reason.
func FuzzDecodeEvents(f *testing.F) {
	at := testNow.Add(-time.Hour).Format(time.RFC3339Nano)
	for _, s := range []string{
		`{"id":"a","kind":"impression","at":"` + at + `","item_id":"it_1","revision":2,"duration_ms":10000,"playlist_id":"p1"}`,
		`{"id":"a","kind":"impression","at":"` + at + `","media_url":"/media/x","duration_ms":5000}`,
		`{"id":"a","kind":"view","at":"` + at + `","item_id":"it_1","revision":2,"dwell_ms":3000,"session":"k1"}`,
		`{"id":"a","kind":"rating","at":"` + at + `","subject":{"item_id":"it_1"},"level":5,"session":"k1"}`,
		`{"id":"a","kind":"rating","at":"` + at + `","subject":{"service":"hall"},"level":2,"aspects":{"efficiency":2,"attitude":3}}`,
		`{"id":"a","kind":"feedback","at":"` + at + `","text":" 希望增加周末办理时间 ","contact":"138****0000","topic":"hours"}`,
		`{"id":"a","kind":"rating","at":"1999-01-01T00:00:00Z","subject":{"service":"hall"},"level":1}`,
		`{"id":7}`, `[1,2]`, `"x"`, `{"id":"\u0000"}`,
	} {
		f.Add([]byte(s), true, int64(0))
		f.Add([]byte(s), false, int64(-3600))
	}
	f.Fuzz(func(t *testing.T, event []byte, isKiosk bool, shiftS int64) {
		screen := &hall.Screen{ID: "s1", Kind: hall.KindLED}
		if isKiosk {
			screen.Kind = hall.KindKiosk
		}
		now := testNow.Add(time.Duration(shiftS%(30*86400)) * time.Second)
		ok, bad := DecodeEvents([]json.RawMessage{event}, screen, now)
		if len(ok)+len(bad) != 1 {
			t.Fatalf("one event decoded into %d valid and %d invalid", len(ok), len(bad))
		}
		for _, b := range bad {
			if b.Index != 0 || b.Message == "" || (b.Code != hall.EValidation && b.Code != hall.EForbidden) {
				t.Fatalf("refusal %+v", b)
			}
			if b.ID != "" && (validText(b.ID, MaxEventIDRunes) != nil) {
				t.Fatalf("refusal names an unusable id %q", b.ID)
			}
		}
		for _, e := range ok {
			checkEvent(t, e, screen, now)
		}
	})
}

// checkEvent fails unless e is within every limit of the protocol.
func checkEvent(t *testing.T, e *hall.Event, screen *hall.Screen, now time.Time) {
	t.Helper()
	if e.ID == "" || validText(e.ID, MaxEventIDRunes) != nil {
		t.Fatalf("accepted id %q", e.ID)
	}
	if e.ScreenID != screen.ID || !e.ReceivedAt.Equal(now) {
		t.Fatalf("accepted event stamped %q at %v, want %q at %v", e.ScreenID, e.ReceivedAt, screen.ID, now)
	}
	if e.At.Before(now.Add(-MaxEventAge)) || e.At.After(now.Add(MaxEventLead)) {
		t.Fatalf("accepted at %v, received %v: outside the window", e.At, now)
	}
	for name, v := range map[string]string{"item_id": e.ItemID, "playlist_id": e.PlaylistID, "session": e.Session, "media_url": e.MediaURL} {
		if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("accepted %s %q", name, v)
		}
	}
	if e.DurationMS < 0 || e.DwellMS < 0 || e.Revision < 0 {
		t.Fatalf("accepted negative numbers: %+v", e)
	}
	if len(e.Data) > 0 && !json.Valid(e.Data) {
		t.Fatalf("data is not JSON: %s", e.Data)
	}
	switch e.Kind {
	case hall.EventImpression:
		if e.ItemID == "" && e.MediaURL == "" {
			t.Fatal("impression of nothing accepted")
		}
	case hall.EventView:
		if e.ItemID == "" {
			t.Fatal("view of nothing accepted")
		}
	case hall.EventRating, hall.EventFeedback:
		if screen.Kind != hall.KindKiosk {
			t.Fatalf("%s from a %q screen accepted", e.Kind, screen.Kind)
		}
		if e.Kind == hall.EventRating && (e.Level < 1 || e.Level > 5 ||
			!strings.HasPrefix(e.Subject, "item:") && !strings.HasPrefix(e.Subject, "service:")) {
			t.Fatalf("rating accepted: level %d subject %q", e.Level, e.Subject)
		}
		if e.Kind == hall.EventFeedback && (strings.TrimSpace(e.Text) == "" || utf8.RuneCountInString(e.Text) > maxFeedbackRunes) {
			t.Fatalf("feedback accepted: %d characters", utf8.RuneCountInString(e.Text))
		}
	default:
		t.Fatalf("kind %q accepted", e.Kind)
	}
}
