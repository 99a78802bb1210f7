package storetest

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// feedbackEvent is a feedback event left at the kiosk n minutes after t0.
func feedbackEvent(id string, n int, itemID, text string) *hall.Event {
	d := time.Duration(n) * time.Minute
	return &hall.Event{ID: id, Kind: hall.EventFeedback, At: at(d).In(cst), ScreenID: "sc_kiosk",
		ReceivedAt: at(d + time.Second), ItemID: itemID, Session: "ses-" + id, Topic: "service", Text: text,
		Contact: "13800000000",
		Data:    json.RawMessage(`{"topic":"service","text":` + dump(text) + `,"contact":"13800000000"}`)}
}

// feedbackOf is the feedback a new feedback event must become.
func feedbackOf(e *hall.Event, receipt string) *hall.Feedback {
	return &hall.Feedback{ID: e.ID, Receipt: receipt, ScreenID: e.ScreenID, ItemID: e.ItemID, Topic: e.Topic,
		Text: e.Text, Contact: e.Contact, At: e.ReceivedAt.UTC(), Status: "open"}
}

// ratingEvent is a rating at the kiosk n minutes after t0.
func ratingEvent(id string, n int, subject string, level int, misuse bool, data string) *hall.Event {
	d := time.Duration(n) * time.Minute
	e := &hall.Event{ID: id, Kind: hall.EventRating, At: at(d).In(cst), ScreenID: "sc_kiosk",
		ReceivedAt: at(d + time.Second), Session: "ses-" + id, Subject: subject, Level: level, Misuse: misuse}
	if data != "" {
		e.Data = json.RawMessage(data)
	}
	return e
}

func feedbackIDs(list []*hall.Feedback) []string {
	ids := []string{}
	for _, f := range list {
		ids = append(ids, f.ID)
	}
	return ids
}

func wantFeedbackList(t *testing.T, s hall.Store, status string, limit int, want ...*hall.Feedback) {
	t.Helper()
	got, err := s.ListFeedback(t.Context(), status, limit)
	mustOK(t, err, "ListFeedback")
	if len(got) == 0 && len(want) == 0 {
		return
	}
	same(t, "ListFeedback("+status+")", got, want)
}

func testFeedback(t *testing.T, s hall.Store) {
	ctx := t.Context()
	wantFeedbackList(t, s, "", 0)

	fb1 := feedbackEvent("k1-7f3a9c2e-01", 1, "it_budget", "预算明细看不清楚")
	fb2 := feedbackEvent("k1-7f3a9c2e-02", 2, "", "窗口排队时间太长")
	fb3 := feedbackEvent("k2-0b41d5aa-01", 3, "", "希望公开低保名单的评议过程")
	view := &hall.Event{ID: "k1-view", Kind: hall.EventView, At: at(0), ScreenID: "sc_kiosk", ReceivedAt: at(0),
		ItemID: "it_budget", DwellMS: 1000}
	wantInserted(t, s, []*hall.Event{fb1, view, fb2, fb1}, 3, "InsertEvents with a feedback event twice")
	altered := *fb1
	altered.Text = "改过的文字"
	wantInserted(t, s, []*hall.Event{&altered, fb3}, 1, "InsertEvents resending a feedback event, altered")

	if got := hall.Receipt(fb1.ID); got != "FKK17F3A9C" {
		t.Fatalf("hall.Receipt(%q) = %q, want FKK17F3A9C (the suite relies on it)", fb1.ID, got)
	}
	// fb1 and fb2 share the first 8 letters and digits of their ids, so
	// fb2, stored later, gets its receipt with the suffix 1.
	f1, f2, f3 := feedbackOf(fb1, "FKK17F3A9C"), feedbackOf(fb2, "FKK17F3A9C1"), feedbackOf(fb3, "FKK20B41D5")

	t.Run("Get", func(t *testing.T) {
		got, err := s.Feedback(ctx, fb1.ID)
		mustOK(t, err, "Feedback")
		same(t, "Feedback: made once, from the first copy", got, f1)
		wantUTC(t, "At", got.At)
		_, err = s.Feedback(ctx, "k9-missing")
		wantCode(t, err, hall.ENotFound, "Feedback of a missing id")
		_, err = s.Feedback(ctx, view.ID)
		wantCode(t, err, hall.ENotFound, "Feedback of a view event's id")
	})
	t.Run("ByReceipt", func(t *testing.T) {
		for _, want := range []*hall.Feedback{f1, f2, f3} {
			got, err := s.FeedbackByReceipt(ctx, want.Receipt)
			mustOK(t, err, "FeedbackByReceipt "+want.Receipt)
			same(t, "FeedbackByReceipt "+want.Receipt, got, want)
		}
		for _, r := range []string{"fkk17f3a9c", "FKK17F3A9", "FKK17F3A9C2", ""} {
			_, err := s.FeedbackByReceipt(ctx, r)
			wantCode(t, err, hall.ENotFound, "FeedbackByReceipt "+dump(r))
		}
	})
	t.Run("ReceiptSuffixes", func(t *testing.T) {
		// Each id gives "FKXY"; later ones get the smallest free suffix.
		first := feedbackEvent("x-y", 50, "", "一")
		second := feedbackEvent("XY", 51, "", "二")
		third := feedbackEvent("x.y", 52, "", "三")
		wantInserted(t, s, []*hall.Event{first, second}, 2, "InsertEvents of two ids with one receipt")
		wantInserted(t, s, []*hall.Event{third}, 1, "InsertEvents of a third id with that receipt")
		for id, want := range map[string]string{"x-y": "FKXY", "XY": "FKXY1", "x.y": "FKXY2"} {
			got, err := s.Feedback(ctx, id)
			mustOK(t, err, "Feedback "+id)
			if got.Receipt != want {
				t.Errorf("receipt of %q: got %q, want %q", id, got.Receipt, want)
			}
		}
	})
	t.Run("List", func(t *testing.T) {
		got, err := s.ListFeedback(ctx, "", 0)
		mustOK(t, err, "ListFeedback")
		if len(got) != 6 {
			t.Fatalf("ListFeedback: got %d, want 6", len(got))
		}
		// The receipt test's feedback, at 50–52 minutes, comes first.
		if ids := feedbackIDs(got); !slices.Equal(ids[:3], []string{"x.y", "XY", "x-y"}) {
			t.Errorf("ListFeedback: got ids %v, want x.y, XY, x-y first", ids)
		}
		same(t, "ListFeedback: newest first", got[3:], []*hall.Feedback{f3, f2, f1})
		wantFeedbackList(t, s, "open", 0, got...)
		wantFeedbackList(t, s, "replied", 0)
		wantFeedbackList(t, s, "", 4, got[:4]...)
		_, err = s.ListFeedback(ctx, "closed", 0)
		wantCode(t, err, hall.EValidation, "ListFeedback of an unknown status")
	})

	t.Run("Reply", func(t *testing.T) {
		private := &hall.Reply{Text: "已电话联系您说明。", By: "wang", At: at(time.Hour).In(cst)}
		mustOK(t, s.ReplyFeedback(ctx, fb2.ID, private), "ReplyFeedback private")
		public := &hall.Reply{Text: "明细表已放大重新公开。", Public: true, By: "li", At: at(2 * time.Hour)}
		mustOK(t, s.ReplyFeedback(ctx, fb1.ID, public), "ReplyFeedback public")
		wantCode(t, s.ReplyFeedback(ctx, "k9-missing", public), hall.ENotFound, "ReplyFeedback of missing feedback")

		f1.Status, f1.Reply = "replied", public
		f2.Status, f2.Reply = "replied", &hall.Reply{Text: private.Text, By: "wang", At: private.At.UTC()}
		got, err := s.Feedback(ctx, fb2.ID)
		mustOK(t, err, "Feedback")
		same(t, "Feedback after a private reply", got, f2)
		if got.Reply != nil {
			wantUTC(t, "Reply.At", got.Reply.At)
		}
		got, err = s.FeedbackByReceipt(ctx, f1.Receipt)
		mustOK(t, err, "FeedbackByReceipt")
		same(t, "FeedbackByReceipt after a public reply", got, f1)

		wantFeedbackList(t, s, "replied", 0, f2, f1)
		open, err := s.ListFeedback(ctx, "open", 0)
		mustOK(t, err, "ListFeedback open")
		if got, want := feedbackIDs(open), []string{"x.y", "XY", "x-y", fb3.ID}; !slices.Equal(got, want) {
			t.Errorf("ListFeedback open: got ids %v, want %v", got, want)
		}

		pubs, err := s.PublicReplies(ctx, 0)
		mustOK(t, err, "PublicReplies")
		same(t, "PublicReplies: only public ones", pubs, []*hall.Feedback{f1})

		// A later public reply to f3 comes first; a correction replaces a reply.
		later := &hall.Reply{Text: "评议过程将于下周公开。", Public: true, By: "li", At: at(3 * time.Hour)}
		mustOK(t, s.ReplyFeedback(ctx, fb3.ID, later), "ReplyFeedback public to f3")
		f3.Status, f3.Reply = "replied", later
		pubs, err = s.PublicReplies(ctx, 0)
		mustOK(t, err, "PublicReplies")
		same(t, "PublicReplies: newest reply first", pubs, []*hall.Feedback{f3, f1})
		pubs, err = s.PublicReplies(ctx, 1)
		mustOK(t, err, "PublicReplies")
		same(t, "PublicReplies with limit 1", pubs, []*hall.Feedback{f3})

		corrected := &hall.Reply{Text: "已当面答复。", By: "li", At: at(4 * time.Hour)}
		mustOK(t, s.ReplyFeedback(ctx, fb1.ID, corrected), "ReplyFeedback again, now private")
		f1.Reply = corrected
		got, err = s.Feedback(ctx, fb1.ID)
		mustOK(t, err, "Feedback")
		same(t, "Feedback after a second reply", got, f1)
		pubs, err = s.PublicReplies(ctx, 0)
		mustOK(t, err, "PublicReplies")
		same(t, "PublicReplies after a public reply became private", pubs, []*hall.Feedback{f3})
	})
}

// caseOf is the case a new poor rating must open: opened when the server
// received the rating, whatever time the kiosk gave it.
func caseOf(e *hall.Event, aspects string) *hall.Case {
	c := &hall.Case{ID: e.ID, ScreenID: e.ScreenID, Subject: e.Subject, Level: e.Level, At: e.ReceivedAt.UTC(), Status: "open"}
	if aspects != "" {
		c.Aspects = json.RawMessage(aspects)
	}
	return c
}

func wantCases(t *testing.T, s hall.Store, status string, limit int, want ...*hall.Case) {
	t.Helper()
	got, err := s.ListCases(t.Context(), status, limit)
	mustOK(t, err, "ListCases")
	if len(got) == 0 && len(want) == 0 {
		return
	}
	same(t, "ListCases("+status+")", got, want)
}

func testCases(t *testing.T, s hall.Store) {
	ctx := t.Context()
	wantCases(t, s, "", 0)

	// Data as a kiosk sends it, spacing and all: aspects come back as sent.
	worst := ratingEvent("r-1", 5, hall.ItemSubject("it_budget"), 1, false,
		`{"subject":{"item":"it_budget"},"level":1,"aspects": {"speed":1, "clarity":2}}`)
	poor := ratingEvent("r-2", 3, hall.SubjectHall, hall.PoorLevel, false, "")
	burst := ratingEvent("r-3", 4, hall.SubjectHall, 1, true, `{"level":1,"aspects":{"speed":1}}`)
	fair := ratingEvent("r-4", 6, hall.SubjectHall, 3, false, `{"level":3,"aspects":{"speed":2}}`)
	nullAspects := ratingEvent("r-5", 7, hall.ItemSubject("it_jobs"), 2, false, `{"level":2,"aspects":null}`)
	wantInserted(t, s, []*hall.Event{worst, poor, burst, worst, fair}, 4, "InsertEvents of ratings, one twice")
	wantInserted(t, s, []*hall.Event{poor, nullAspects}, 1, "InsertEvents resending a poor rating")
	cWorst := caseOf(worst, `{"speed":1, "clarity":2}`)
	cPoor, cNull := caseOf(poor, ""), caseOf(nullAspects, "")

	t.Run("Opened", func(t *testing.T) {
		wantCases(t, s, "", 0, cPoor, cWorst, cNull)
		wantCases(t, s, "open", 0, cPoor, cWorst, cNull)
		wantCases(t, s, "resolved", 0)
		wantCases(t, s, "", 2, cPoor, cWorst)
		got, err := s.Case(ctx, worst.ID)
		mustOK(t, err, "Case")
		same(t, "Case", got, cWorst)
		wantUTC(t, "At", got.At)
		for _, id := range []string{burst.ID, fair.ID, "r-missing"} {
			_, err := s.Case(ctx, id)
			wantCode(t, err, hall.ENotFound, "Case of "+id+" (misuse, level 3, missing)")
		}
		_, err = s.ListCases(ctx, "closed", 0)
		wantCode(t, err, hall.EValidation, "ListCases of an unknown status")
	})
	t.Run("Resolve", func(t *testing.T) {
		when := at(time.Hour).In(cst)
		mustOK(t, s.ResolveCase(ctx, worst.ID, "wang", "已核实，明细表已补充", when), "ResolveCase")
		cWorst.Status, cWorst.ResolvedBy, cWorst.ResolvedAt, cWorst.Note = "resolved", "wang", ptr(when.UTC()), "已核实，明细表已补充"
		got, err := s.Case(ctx, worst.ID)
		mustOK(t, err, "Case")
		same(t, "Case after ResolveCase", got, cWorst)
		if got.ResolvedAt != nil {
			wantUTC(t, "ResolvedAt", *got.ResolvedAt)
		}

		err = s.ResolveCase(ctx, worst.ID, "li", "again", at(2*time.Hour))
		wantCode(t, err, hall.EConflict, "ResolveCase of a resolved case")
		got, err = s.Case(ctx, worst.ID)
		mustOK(t, err, "Case")
		same(t, "Case after a refused second ResolveCase", got, cWorst)
		wantCode(t, s.ResolveCase(ctx, "r-missing", "li", "x", at(0)), hall.ENotFound, "ResolveCase of a missing case")
		wantCode(t, s.ResolveCase(ctx, fair.ID, "li", "x", at(0)), hall.ENotFound, "ResolveCase of a level-3 rating")

		wantCases(t, s, "open", 0, cPoor, cNull)
		wantCases(t, s, "resolved", 0, cWorst)
		wantCases(t, s, "", 0, cPoor, cWorst, cNull)
	})
	t.Run("OpenedWhenReceived", func(t *testing.T) {
		// Dated two days back by the kiosk, received at 10 minutes: the
		// case opens at 10 minutes, so its deadline runs from then.
		late := ratingEvent("r-6", 10, hall.SubjectHall, 1, false, "")
		late.At = at(-48 * time.Hour).In(cst)
		wantInserted(t, s, []*hall.Event{late}, 1, "InsertEvents of a rating dated long before it arrived")
		got, err := s.Case(ctx, late.ID)
		mustOK(t, err, "Case")
		same(t, "Case of a late rating", got, caseOf(late, ""))
		if !got.At.Equal(late.ReceivedAt) {
			t.Errorf("Case.At: got %v, want the receive time %v (not the kiosk's %v)", got.At, late.ReceivedAt, late.At)
		}
	})
}
