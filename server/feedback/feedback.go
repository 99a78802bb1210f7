// Package feedback is what residents say and how staff answer: feedback
// left at kiosks and its replies (public ones shown to everyone, with
// personal numbers masked), and the cases poor ratings open, each with a
// deadline in working days. Replies and resolutions are written with their
// audit entry in one store transaction.
package feedback

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/catalog"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/privacy"
)

// CaseWorkdays is how many working days staff have to close a case opened
// by a poor rating, and FeedbackWorkdays to reply to feedback, unless the
// service says otherwise.
const (
	CaseWorkdays     = 3
	FeedbackWorkdays = 5
)

// Service answers residents. Store, Calendar and Now are required.
type Service struct {
	Store    hall.FeedbackStore
	Calendar *catalog.Calendar
	Now      func() time.Time
	// Zone is the hall's zone deadlines are counted in (nil: the default).
	Zone *time.Location
	// CaseWorkdays and FeedbackWorkdays override the package's deadlines
	// when positive.
	CaseWorkdays     int
	FeedbackWorkdays int
}

// ReplyWorkdays is the working days to reply to feedback.
func (s *Service) ReplyWorkdays() int {
	if s.FeedbackWorkdays > 0 {
		return s.FeedbackWorkdays
	}
	return FeedbackWorkdays
}

// Workdays is the working days to close a case.
func (s *Service) Workdays() int {
	if s.CaseWorkdays > 0 {
		return s.CaseWorkdays
	}
	return CaseWorkdays
}

func (s *Service) zone() *time.Location {
	if s.Zone != nil {
		return s.Zone
	}
	if loc, err := hall.LoadZone(""); err == nil {
		return loc
	}
	return time.UTC
}

func (s *Service) audited(ctx context.Context, actor *hall.User, action, target string) context.Context {
	return hall.Audited(ctx, s.Now(), hall.ActorName(actor), action, target, "")
}

func canRead(actor *hall.User) error {
	if !actor.Has(hall.RoleReviewer, hall.RoleAuditor) {
		return hall.Errorf(hall.EForbidden, "only reviewers and auditors read feedback and cases")
	}
	return nil
}

func canAnswer(actor *hall.User) error {
	if !actor.Has(hall.RoleReviewer) {
		return hall.Errorf(hall.EForbidden, "only reviewers answer feedback and close cases")
	}
	return nil
}

// View is feedback as staff see it, with its reply deadline.
type View struct {
	*hall.Feedback
	DueAt   *time.Time `json:"due_at,omitempty"`
	Overdue bool       `json:"overdue"`
}

// view is feedback as the actor may see it: the phone number is masked for
// everyone but admins; the deadline counts working days from its arrival.
func (s *Service) view(ctx context.Context, f *hall.Feedback, actor *hall.User) View {
	v := *f
	if actor.Role != hall.RoleAdmin && v.Contact != "" {
		v.Contact = maskContact(v.Contact)
	}
	out := View{Feedback: &v}
	if cal, err := s.Calendar.Get(ctx); err == nil {
		due := cal.AddWorkdays(f.At.In(s.zone()), s.ReplyWorkdays())
		out.DueAt = &due
		end := s.Now()
		if f.Reply != nil {
			end = f.Reply.At
		}
		out.Overdue = end.After(due)
	}
	return out
}

// maskContact masks a phone number as 138****1234, or hides it whole when
// it is not one the privacy scanner recognises.
func maskContact(s string) string {
	if m := privacy.MaskAll(s); m != s {
		return m
	}
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

// List lists feedback, newest first; status "open", "replied" or "" (all).
func (s *Service) List(ctx context.Context, actor *hall.User, status string, limit int) ([]View, error) {
	if err := canRead(actor); err != nil {
		return nil, err
	}
	if status != "" && status != "open" && status != "replied" {
		return nil, hall.FieldError("status", `want "open" or "replied"`)
	}
	list, err := s.Store.ListFeedback(ctx, status, limit)
	if err != nil {
		return nil, err
	}
	out := make([]View, len(list))
	for i, f := range list {
		out[i] = s.view(ctx, f, actor)
	}
	return out, nil
}

// Finding is one personal number found in a reply meant to be public.
type Finding struct {
	Field  string `json:"field"`
	Kind   string `json:"kind"`
	Offset int    `json:"offset"`
	Masked string `json:"masked"`
}

// Reply answers feedback; a public reply must not carry personal numbers.
func (s *Service) Reply(ctx context.Context, actor *hall.User, id, text string, public bool) (*View, error) {
	if err := canAnswer(actor); err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	if text == "" || len([]rune(text)) > 2000 {
		return nil, hall.FieldError("text", "required, at most 2000 characters")
	}
	if public {
		if found := privacy.Scan(text); len(found) > 0 {
			details := make([]Finding, len(found))
			for i, f := range found {
				details[i] = Finding{Field: "text", Kind: f.Kind, Offset: f.Start, Masked: f.Masked}
			}
			return nil, &hall.Error{Code: hall.EValidation, Field: "text", Details: details,
				Message: fmt.Sprintf("a public reply must not contain personal numbers: write %s instead", found[0].Masked)}
		}
	}
	r := &hall.Reply{Text: text, Public: public, By: actor.Username, At: s.Now().UTC()}
	if err := s.Store.ReplyFeedback(s.audited(ctx, actor, "feedback.reply", id), id, r); err != nil {
		return nil, err
	}
	f, err := s.Store.Feedback(ctx, id)
	if err != nil {
		return nil, err
	}
	v := s.view(ctx, f, actor)
	return &v, nil
}

// CaseView is a case with its deadline in working days.
type CaseView struct {
	*hall.Case
	DueAt   *time.Time `json:"due_at,omitempty"`
	Overdue bool       `json:"overdue"`
}

func (s *Service) caseView(ctx context.Context, cs *hall.Case) CaseView {
	v := CaseView{Case: cs}
	if cal, err := s.Calendar.Get(ctx); err == nil {
		due := cal.AddWorkdays(cs.At.In(s.zone()), s.Workdays())
		v.DueAt = &due
		end := s.Now()
		if cs.ResolvedAt != nil {
			end = *cs.ResolvedAt
		}
		v.Overdue = end.After(due)
	}
	return v
}

// Cases lists cases, oldest first; status "open", "resolved" or "".
func (s *Service) Cases(ctx context.Context, actor *hall.User, status string, limit int) ([]CaseView, error) {
	if err := canRead(actor); err != nil {
		return nil, err
	}
	if status != "" && status != "open" && status != "resolved" {
		return nil, hall.FieldError("status", `want "open" or "resolved"`)
	}
	list, err := s.Store.ListCases(ctx, status, limit)
	if err != nil {
		return nil, err
	}
	out := make([]CaseView, len(list))
	for i, cs := range list {
		out[i] = s.caseView(ctx, cs)
	}
	return out, nil
}

// Resolve closes a case with a note of what was verified and done.
func (s *Service) Resolve(ctx context.Context, actor *hall.User, id, note string) (*CaseView, error) {
	if err := canAnswer(actor); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if note == "" || len([]rune(note)) > 2000 {
		return nil, hall.FieldError("note", "say what was verified and done (at most 2000 characters)")
	}
	if err := s.Store.ResolveCase(s.audited(ctx, actor, "case.resolve", id), id, actor.Username, note, s.Now().UTC()); err != nil {
		return nil, err
	}
	cs, err := s.Store.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	v := s.caseView(ctx, cs)
	return &v, nil
}

// PublicReply is an answered question as the public sees it: the question
// with personal numbers masked, no contact, no screen.
type PublicReply struct {
	Receipt   string    `json:"receipt"`
	Topic     string    `json:"topic"`
	Question  string    `json:"question"`
	Reply     string    `json:"reply"`
	RepliedAt time.Time `json:"replied_at"`
	ItemID    string    `json:"item_id,omitempty"`
}

// PublicReplies lists the public answers, newest first.
func (s *Service) PublicReplies(ctx context.Context, limit int) ([]PublicReply, error) {
	list, err := s.Store.PublicReplies(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]PublicReply, 0, len(list))
	for _, f := range list {
		if f.Reply == nil || !f.Reply.Public {
			continue
		}
		out = append(out, PublicReply{Receipt: f.Receipt, Topic: f.Topic, Question: privacy.MaskAll(f.Text),
			Reply: f.Reply.Text, RepliedAt: f.Reply.At, ItemID: f.ItemID})
	}
	return out, nil
}

// ReceiptStatus tells a resident holding a receipt whether their feedback
// was answered.
type ReceiptStatus struct {
	Receipt string        `json:"receipt"`
	Status  string        `json:"status"`
	At      time.Time     `json:"at"`
	Reply   *ReceiptReply `json:"reply,omitempty"`
}

// ReceiptReply is the reply a receipt shows: its text only when public.
type ReceiptReply struct {
	Text string    `json:"text,omitempty"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
}

// receiptForms are the receipts a resident may have meant: as typed (any
// case, spaces dropped), and with the letter O read as the digit 0 after the
// "FK" (receipts are mostly digits; the letter is easy to type for zero).
func receiptForms(r string) []string {
	r = strings.ToUpper(strings.Join(strings.Fields(r), ""))
	forms := []string{r}
	if rest, ok := strings.CutPrefix(r, "FK"); ok && strings.Contains(rest, "O") {
		forms = append(forms, "FK"+strings.ReplaceAll(rest, "O", "0"))
	}
	return forms
}

// Status looks up feedback by its receipt.
func (s *Service) Status(ctx context.Context, receipt string) (*ReceiptStatus, error) {
	forms := receiptForms(receipt)
	if len(forms[0]) < 2 || len(forms[0]) > 24 {
		return nil, hall.FieldError("receipt", "want a receipt number like FK1A2B3C4D")
	}
	var (
		f   *hall.Feedback
		err error
	)
	for _, r := range forms {
		if f, err = s.Store.FeedbackByReceipt(ctx, r); !hall.IsCode(err, hall.ENotFound) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	out := &ReceiptStatus{Receipt: f.Receipt, Status: f.Status, At: f.At}
	if f.Reply != nil {
		if f.Reply.Public {
			out.Reply = &ReceiptReply{Text: f.Reply.Text, At: f.Reply.At}
		} else {
			out.Reply = &ReceiptReply{At: f.Reply.At, Note: "staff replied directly"}
		}
	}
	return out, nil
}
