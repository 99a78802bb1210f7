package ingest

import (
	"fmt"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

func rating(id, screen, session, subject string, at time.Time) *hall.Event {
	return &hall.Event{ID: id, Kind: hall.EventRating, ScreenID: screen, Session: session, Subject: subject, Level: 5, At: at}
}

func TestMisuseFlagger(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	t.Run("OnePerSubjectPerSession", func(t *testing.T) {
		f := NewMisuseFlagger()
		evs := []*hall.Event{
			rating("a", "k1", "s1", "item:x", t0),
			rating("b", "k1", "s1", "item:y", t0.Add(10*time.Second)),
			rating("c", "k1", "s1", "item:x", t0.Add(20*time.Second)), // again in the same session
			rating("d", "k1", "s2", "item:x", t0.Add(90*time.Second)), // a new session
			rating("e", "k2", "s1", "item:x", t0.Add(30*time.Second)), // another kiosk
		}
		f.Flag(evs)
		want := map[string]bool{"a": false, "b": false, "c": true, "d": false, "e": false}
		for _, e := range evs {
			if e.Misuse != want[e.ID] {
				t.Errorf("%s: misuse %v, want %v", e.ID, e.Misuse, want[e.ID])
			}
		}
	})
	t.Run("Burst", func(t *testing.T) {
		f := NewMisuseFlagger()
		var evs []*hall.Event
		for i := 0; i < 8; i++ { // 8 presses in 8 seconds, each a "new session"
			evs = append(evs, rating(fmt.Sprint("r", i), "k1", fmt.Sprint("s", i), "service:hall", t0.Add(time.Duration(i)*time.Second)))
		}
		f.Flag(evs[:3]) // arriving in two frames must not matter
		f.Flag(evs[3:])
		for i, e := range evs {
			if want := i >= BurstLimit; e.Misuse != want {
				t.Errorf("press %d: misuse %v, want %v", i, e.Misuse, want)
			}
		}
		later := rating("late", "k1", "s9", "service:hall", t0.Add(5*time.Minute))
		f.Flag([]*hall.Event{later})
		if later.Misuse {
			t.Error("a rating minutes after the burst was flagged")
		}
	})
	t.Run("ResentEventNotFlagged", func(t *testing.T) {
		f := NewMisuseFlagger()
		a := rating("a", "k1", "s1", "item:x", t0)
		f.Flag([]*hall.Event{a})
		again := rating("a", "k1", "s1", "item:x", t0)
		f.Flag([]*hall.Event{again})
		if again.Misuse {
			t.Error("the same event id resent was flagged as a second rating")
		}
	})
}
