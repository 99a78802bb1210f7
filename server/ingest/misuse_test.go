package ingest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/sqlite"
)

// t0 is the server's clock when the first events of a test arrive.
var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// rating is a rating received at received, dated at by the kiosk.
func rating(id, screen, session, subject string, at, received time.Time) *hall.Event {
	return &hall.Event{ID: id, Kind: hall.EventRating, ScreenID: screen, Session: session, Subject: subject, Level: 5, At: at, ReceivedAt: received}
}

func feedback(id, screen string, received time.Time) *hall.Event {
	return &hall.Event{ID: id, Kind: hall.EventFeedback, ScreenID: screen, Session: "s-" + id, Text: "留言 " + id, At: received, ReceivedAt: received}
}

func vet(t *testing.T, r *Rules, screen string, evs ...*hall.Event) (keep []*hall.Event, refused []hall.EventRefusal) {
	t.Helper()
	keep, refused, err := r.Vet(context.Background(), screen, evs)
	if err != nil {
		t.Fatalf("Vet: %v", err)
	}
	return keep, refused
}

func misuse(evs []*hall.Event) map[string]bool {
	out := map[string]bool{}
	for _, e := range evs {
		out[e.ID] = e.Misuse
	}
	return out
}

func TestRulesBurstByServerClock(t *testing.T) {
	store := openStore(t)
	r := NewRules(store, RulesConfig{})
	// 8 presses sent at once, dated 13 s apart by the kiosk: one burst.
	var evs []*hall.Event
	for i := range 8 {
		evs = append(evs, rating(fmt.Sprint("r", i), "k1", fmt.Sprint("s", i), hall.SubjectHall, t0.Add(time.Duration(i-8)*13*time.Second), t0))
	}
	vet(t, r, "k1", evs[:3]...) // arriving in two frames must not matter
	vet(t, r, "k1", evs[3:]...)
	for i, e := range evs {
		if want := i >= BurstLimit; e.Misuse != want {
			t.Errorf("press %d: misuse %v, want %v", i, e.Misuse, want)
		}
	}
	// Another kiosk has its own window.
	other := rating("o1", "k2", "s1", hall.SubjectHall, t0, t0.Add(time.Second))
	vet(t, r, "k2", other)
	if other.Misuse {
		t.Error("a rating from another kiosk was flagged")
	}
	// Once the window has passed, by the server's clock, ratings count again,
	// whatever the kiosk says the time is.
	later := rating("late", "k1", "s9", hall.SubjectHall, t0.Add(-time.Hour), t0.Add(BurstWindow))
	vet(t, r, "k1", later)
	if later.Misuse {
		t.Error("a rating a minute after the burst (by the server's clock) was flagged")
	}
}

func TestRulesOnePerSubjectPerSession(t *testing.T) {
	store := openStore(t)
	r := NewRules(store, RulesConfig{})
	evs := []*hall.Event{
		rating("a", "k1", "s1", "item:x", t0, t0),
		rating("b", "k1", "s1", "item:y", t0.Add(10*time.Second), t0.Add(10*time.Second)),
		rating("c", "k1", "s1", "item:x", t0.Add(20*time.Second), t0.Add(20*time.Second)), // again in the same session
		rating("d", "k1", "s2", "item:x", t0.Add(90*time.Second), t0.Add(90*time.Second)), // a new session
		rating("e", "k2", "s1", "item:x", t0.Add(30*time.Second), t0.Add(30*time.Second)), // another kiosk
	}
	for _, e := range evs {
		e.Subject = hall.SubjectHall // the subjects are not items here: no archive check
		if e.ID == "b" {
			e.Subject = "service:window"
		}
	}
	for _, e := range evs {
		vet(t, r, e.ScreenID, e)
	}
	want := map[string]bool{"a": false, "b": false, "c": true, "d": false, "e": false}
	if got := misuse(evs); !maps(got, want) {
		t.Errorf("misuse %v, want %v", got, want)
	}
	t.Run("TwiceInOneBatch", func(t *testing.T) {
		x := rating("x1", "k3", "s1", hall.SubjectHall, t0, t0)
		y := rating("x2", "k3", "s1", hall.SubjectHall, t0, t0)
		vet(t, r, "k3", x, y)
		if x.Misuse || !y.Misuse {
			t.Errorf("misuse %v %v, want the second flagged", x.Misuse, y.Misuse)
		}
	})
	t.Run("SameIDTwiceInOneBatch", func(t *testing.T) {
		x := rating("z1", "k4", "s1", hall.SubjectHall, t0, t0)
		y := rating("z1", "k4", "s1", hall.SubjectHall, t0, t0)
		keep, _ := vet(t, r, "k4", x, y)
		if x.Misuse || len(keep) != 2 {
			t.Errorf("first copy misuse %v, kept %d; want the first copy unflagged, both passed on", x.Misuse, len(keep))
		}
	})
}

func maps(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestRulesSharedByReplicas judges one kiosk's ratings on two Rules (two
// replicas, or a restart) over one store: the window is the store's.
func TestRulesSharedByReplicas(t *testing.T) {
	store := openStore(t)
	a, b := NewRules(store, RulesConfig{}), NewRules(store, RulesConfig{})
	var evs []*hall.Event
	for i := range 8 {
		evs = append(evs, rating(fmt.Sprint("r", i), "k1", fmt.Sprint("s", i), hall.SubjectHall, t0, t0.Add(time.Duration(i)*time.Second)))
	}
	for i, e := range evs {
		rules := a
		if i%2 == 1 {
			rules = b
		}
		vet(t, rules, "k1", e)
	}
	for i, e := range evs {
		if want := i >= BurstLimit; e.Misuse != want {
			t.Errorf("rating %d: misuse %v, want %v (ratings split over two replicas)", i, e.Misuse, want)
		}
	}
	same := rating("again", "k1", "s0", hall.SubjectHall, t0, t0.Add(2*BurstWindow))
	vet(t, b, "k1", same)
	if !same.Misuse {
		t.Error("a second rating of the session's subject, on the other replica, was not flagged")
	}
}

// publishedItem stores an item published at pub (revision 1), republished
// at rev2 (revision 2) unless zero, and withdrawn at gone unless zero.
func publishedItem(t *testing.T, s *sqlite.Store, id string, pub, rev2, gone time.Time) {
	t.Helper()
	ctx := context.Background()
	it := &hall.Item{ID: id, Category: "finance", Department: "caizheng", Title: "预算", Body: "正文",
		Status: hall.StatusApproved, CreatedAt: pub, UpdatedAt: pub}
	if err := s.CreateItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	publish := func(rev int, at time.Time) {
		it.Status = hall.StatusPublished
		it.Public = &hall.PublicState{Revision: rev, Category: it.Category, Department: it.Department, Title: it.Title, PublishedAt: at, FirstPublished: pub}
		e, err := hall.NewPublishEntry(&hall.Revision{ID: id, Revision: rev, Category: it.Category, Department: it.Department,
			Title: it.Title, Body: it.Body, Assets: []hall.Asset{}, PublishedAt: at, Page: "/p/" + id})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveWithEntry(ctx, it, e); err != nil {
			t.Fatal(err)
		}
	}
	publish(1, pub)
	if !rev2.IsZero() {
		publish(2, rev2)
	}
	if !gone.IsZero() {
		it.Public.WithdrawnAt = &gone
		e, err := hall.NewStateEntry(hall.EntryWithdraw, id, it.Public.Revision, gone, "数据有误")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveWithEntry(ctx, it, e); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRulesRatedItemMustBePublic(t *testing.T) {
	store := openStore(t)
	r := NewRules(store, RulesConfig{})
	day := 24 * time.Hour
	publishedItem(t, store, "it_live", t0.Add(-3*day), t0.Add(-day), time.Time{})
	publishedItem(t, store, "it_gone", t0.Add(-3*day), time.Time{}, t0.Add(-2*day))
	if err := store.CreateItem(context.Background(), &hall.Item{ID: "it_draft", Category: "finance", Department: "caizheng",
		Title: "草稿", Status: hall.StatusDraft, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, item string
		rev        int
		at         time.Time
		refused    string // part of the message; "" for kept
	}{
		{"Live", "it_live", 0, t0, ""},
		{"LiveOldRevision", "it_live", 1, t0, ""},
		{"LiveCurrentRevision", "it_live", 2, t0, ""},
		{"BeforeFirstPublish", "it_live", 0, t0.Add(-4 * day), "was not public"},
		{"RevisionNotYetPublished", "it_live", 2, t0.Add(-2 * day), "revision 2 was not published yet"},
		{"SlowClockAtPublish", "it_live", 0, t0.Add(-3*day - time.Minute), ""},
		{"WhilePublic", "it_gone", 1, t0.Add(-2*day - time.Hour), ""},
		{"AfterWithdrawal", "it_gone", 0, t0.Add(-day), "was not public"},
		{"NeverPublished", "it_draft", 0, t0, "is not a published item"},
		{"NoSuchItem", "it_nobody", 0, t0, "is not a published item"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := rating("r-"+tc.name, "k-"+tc.name, "s1", hall.ItemSubject(tc.item), tc.at, t0)
			e.Revision = tc.rev
			keep, refused := vet(t, r, e.ScreenID, e)
			if tc.refused == "" {
				if len(keep) != 1 || len(refused) != 0 {
					t.Errorf("kept %d, refused %+v; want it kept", len(keep), refused)
				}
				return
			}
			if len(keep) != 0 || len(refused) != 1 || refused[0].ID != e.ID || refused[0].Code != hall.EValidation ||
				!strings.Contains(refused[0].Message, tc.refused) {
				t.Errorf("kept %d, refused %+v; want it refused: %q", len(keep), refused, tc.refused)
			}
		})
	}
}

func TestRulesFeedbackLimit(t *testing.T) {
	store := openStore(t)
	r := NewRules(store, RulesConfig{FeedbackLimit: 3, FeedbackWindow: 10 * time.Minute})
	var first []*hall.Event
	for i := range 5 {
		first = append(first, feedback(fmt.Sprint("f", i), "k1", t0))
	}
	keep, refused := vet(t, r, "k1", first...)
	if len(keep) != 3 || len(refused) != 2 || refused[0].ID != "f3" || refused[1].ID != "f4" || refused[0].Code != hall.ERateLimited {
		t.Fatalf("kept %d, refused %+v; want f0–f2 kept, f3 and f4 rate limited", len(keep), refused)
	}
	if _, err := store.InsertEvents(context.Background(), keep); err != nil {
		t.Fatal(err)
	}
	// A resend of stored feedback is not counted, and is passed on to be
	// acknowledged again.
	keep, refused = vet(t, r, "k1", first[:3]...)
	if len(keep) != 3 || len(refused) != 0 {
		t.Errorf("resend of stored feedback: kept %d, refused %+v; want all 3 kept", len(keep), refused)
	}
	// The limit holds until the window ends by the server's clock.
	if keep, _ = vet(t, r, "k1", feedback("f5", "k1", t0.Add(9*time.Minute))); len(keep) != 0 {
		t.Error("feedback within the window past the limit was kept")
	}
	if keep, _ = vet(t, r, "k1", feedback("f6", "k1", t0.Add(10*time.Minute))); len(keep) != 1 {
		t.Error("feedback after the window was refused")
	}
	if keep, _ = vet(t, r, "k2", feedback("g0", "k2", t0)); len(keep) != 1 {
		t.Error("another kiosk's feedback was refused")
	}
	unlimited := NewRules(store, RulesConfig{FeedbackLimit: -1})
	var many []*hall.Event
	for i := range 30 {
		many = append(many, feedback(fmt.Sprint("u", i), "k9", t0))
	}
	if keep, _ = vet(t, unlimited, "k9", many...); len(keep) != 30 {
		t.Errorf("with no limit: kept %d of 30", len(keep))
	}
}

// TestIngestRefusesAndFlags runs the rules inside an Ingester: refused
// events are not stored, flagged ones are stored flagged and open no case.
func TestIngestRefusesAndFlags(t *testing.T) {
	store := openStore(t)
	g := New(Config{Store: store, Vetter: NewRules(store, RulesConfig{})})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	var evs []*hall.Event
	for i := range 7 {
		e := rating(fmt.Sprint("p", i), "k1", fmt.Sprint("s", i), hall.SubjectHall, t0, t0)
		e.Level = 1
		evs = append(evs, e)
	}
	evs = append(evs, rating("ghost", "k1", "s9", hall.ItemSubject("it_none"), t0, t0))
	acked, refused, err := g.Ingest(context.Background(), "k1", evs)
	if err != nil {
		t.Fatal(err)
	}
	if len(acked) != 7 || len(refused) != 1 || refused[0].ID != "ghost" {
		t.Fatalf("acked %v, refused %+v; want the 7 hall ratings acked, ghost refused", acked, refused)
	}
	cases, err := store.ListCases(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != BurstLimit {
		t.Errorf("%d cases opened, want %d (the burst past the limit opens none)", len(cases), BurstLimit)
	}
	n, err := store.CountEvents(context.Background(), hall.EventRating)
	if err != nil {
		t.Fatal(err)
	}
	if n != 7 {
		t.Errorf("%d ratings stored, want 7 (flagged ones kept)", n)
	}
}
