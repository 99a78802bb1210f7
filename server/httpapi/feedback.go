package httpapi

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/disclosure"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/privacy"
)

// CaseWorkdays is how many working days staff have to close a case opened
// by a poor rating, unless Deps says otherwise.
const CaseWorkdays = 3

// feedbackView is feedback as staff see it: the phone number is masked for
// everyone but admins.
func feedbackView(f *hall.Feedback, u *hall.User) *hall.Feedback {
	v := *f
	if u.Role != hall.RoleAdmin && v.Contact != "" {
		v.Contact = maskContact(v.Contact)
	}
	return &v
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

func (s *Server) listFeedback(c echo.Context) error {
	status := c.QueryParam("status")
	if status != "" && status != "open" && status != "replied" {
		return hall.FieldError("status", `want "open" or "replied"`)
	}
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	list, err := s.Store.ListFeedback(c.Request().Context(), status, limit)
	if err != nil {
		return err
	}
	out := make([]*hall.Feedback, len(list))
	for i, f := range list {
		out[i] = feedbackView(f, userOf(c))
	}
	return c.JSON(http.StatusOK, map[string]any{"feedback": out})
}

type replyRequest struct {
	Text   string `json:"text"`
	Public bool   `json:"public"`
}

func (s *Server) replyFeedback(c echo.Context) error {
	var in replyRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	in.Text = strings.TrimSpace(in.Text)
	if in.Text == "" || len([]rune(in.Text)) > 2000 {
		return hall.FieldError("text", "required, at most 2000 characters")
	}
	if in.Public {
		if found := privacy.Scan(in.Text); len(found) > 0 {
			details := make([]disclosure.PrivacyFinding, len(found))
			for i, f := range found {
				details[i] = disclosure.PrivacyFinding{Field: "text", Kind: f.Kind, Offset: f.Start, Masked: f.Masked}
			}
			return &hall.Error{Code: hall.EValidation, Field: "text", Details: details,
				Message: fmt.Sprintf("a public reply must not contain personal numbers: write %s instead", found[0].Masked)}
		}
	}
	r := &hall.Reply{Text: in.Text, Public: in.Public, By: userOf(c).Username, At: s.Now().UTC()}
	ctx := c.Request().Context()
	if err := s.Store.ReplyFeedback(ctx, c.Param("id"), r); err != nil {
		return err
	}
	f, err := s.Store.Feedback(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"feedback": feedbackView(f, userOf(c))})
}

// caseView is a case with its deadline in working days.
type caseView struct {
	*hall.Case
	DueAt   *time.Time `json:"due_at,omitempty"`
	Overdue bool       `json:"overdue"`
}

func (s *Server) caseView(ctx context.Context, cs *hall.Case) caseView {
	v := caseView{Case: cs}
	if cal, err := s.Calendar.Get(ctx); err == nil {
		due := cal.AddWorkdays(cs.At.In(s.loc), s.caseWorkdays())
		v.DueAt = &due
		end := s.Now()
		if cs.ResolvedAt != nil {
			end = *cs.ResolvedAt
		}
		v.Overdue = end.After(due)
	}
	return v
}

func (s *Server) caseWorkdays() int {
	if s.CaseWorkdays > 0 {
		return s.CaseWorkdays
	}
	return CaseWorkdays
}

func (s *Server) listCases(c echo.Context) error {
	status := c.QueryParam("status")
	if status != "" && status != "open" && status != "resolved" {
		return hall.FieldError("status", `want "open" or "resolved"`)
	}
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, err := s.Store.ListCases(ctx, status, limit)
	if err != nil {
		return err
	}
	out := make([]caseView, len(list))
	for i, cs := range list {
		out[i] = s.caseView(ctx, cs)
	}
	return c.JSON(http.StatusOK, map[string]any{"cases": out})
}

type resolveRequest struct {
	Note string `json:"note"`
}

func (s *Server) resolveCase(c echo.Context) error {
	var in resolveRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	in.Note = strings.TrimSpace(in.Note)
	if in.Note == "" || len([]rune(in.Note)) > 2000 {
		return hall.FieldError("note", "say what was verified and done (at most 2000 characters)")
	}
	ctx := c.Request().Context()
	if err := s.Store.ResolveCase(ctx, c.Param("id"), userOf(c).Username, in.Note, s.Now().UTC()); err != nil {
		return err
	}
	cs, err := s.Store.Case(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"case": s.caseView(ctx, cs)})
}

// publicReply is an answered question as the public sees it: the question
// with personal numbers masked, no contact, no screen.
type publicReply struct {
	Receipt   string    `json:"receipt"`
	Topic     string    `json:"topic"`
	Question  string    `json:"question"`
	Reply     string    `json:"reply"`
	RepliedAt time.Time `json:"replied_at"`
	ItemID    string    `json:"item_id,omitempty"`
}

func (s *Server) publicReplies(c echo.Context) error {
	limit, err := queryInt(c, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	list, err := s.Store.PublicReplies(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	out := make([]publicReply, 0, len(list))
	for _, f := range list {
		if f.Reply == nil || !f.Reply.Public {
			continue
		}
		out = append(out, publicReply{Receipt: f.Receipt, Topic: f.Topic, Question: privacy.MaskAll(f.Text),
			Reply: f.Reply.Text, RepliedAt: f.Reply.At, ItemID: f.ItemID})
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=30")
	return c.JSON(http.StatusOK, map[string]any{"replies": out})
}

// publicFeedbackStatus tells a resident holding a receipt whether their
// feedback was answered (the text only when the reply is public).
func (s *Server) publicFeedbackStatus(c echo.Context) error {
	receipt := strings.ToUpper(strings.TrimSpace(c.Param("receipt")))
	if len(receipt) < 2 || len(receipt) > 24 {
		return hall.FieldError("receipt", "want a receipt number like FK1A2B3C4D")
	}
	f, err := s.Store.FeedbackByReceipt(c.Request().Context(), receipt)
	if err != nil {
		return err
	}
	out := map[string]any{"receipt": f.Receipt, "status": f.Status, "at": f.At}
	if f.Reply != nil {
		if f.Reply.Public {
			out["reply"] = map[string]any{"text": f.Reply.Text, "at": f.Reply.At}
		} else {
			out["reply"] = map[string]any{"at": f.Reply.At, "note": "staff replied directly"}
		}
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, out)
}

// engagementView adds the satisfaction index to a row: the mean of
// (level−1)/4 over counted ratings, as 0–100.
type engagementView struct {
	*hall.EngagementRow
	Index *float64 `json:"index,omitempty"`
}

func (s *Server) engagementReport(c echo.Context) error {
	by := c.QueryParam("by")
	if by == "" {
		by = hall.ByItem
	}
	switch by {
	case hall.ByItem, hall.ByCategory, hall.ByDepartment, hall.ByScreen, hall.ByDay:
	default:
		return hall.FieldError("by", "want item, category, department, screen or day")
	}
	now := s.Now().In(s.loc)
	from, err := queryTime(c, "from", s.loc)
	if err != nil {
		return err
	}
	to, err := queryTime(c, "to", s.loc)
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = now
	}
	if from.IsZero() {
		from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, s.loc)
	}
	if !to.After(from) || to.Sub(from) > 400*24*time.Hour {
		return hall.FieldError("to", "want from < to, at most 400 days apart")
	}
	_, offset := from.In(s.loc).Zone()
	rows, err := s.Store.Engagement(c.Request().Context(), from, to, by, offset)
	if err != nil {
		return err
	}
	out := make([]engagementView, len(rows))
	for i, r := range rows {
		out[i] = engagementView{EngagementRow: r}
		if r.Ratings > 0 {
			idx := float64(r.RatingSum-r.Ratings) / 4 / float64(r.Ratings) * 100
			idx = float64(int(idx*10+0.5)) / 10
			out[i].Index = &idx
		}
	}
	if c.QueryParam("format") == "csv" {
		return writeEngagementCSV(c, by, out)
	}
	return c.JSON(http.StatusOK, map[string]any{"from": from, "to": to, "by": by, "rows": out})
}

func writeEngagementCSV(c echo.Context, by string, rows []engagementView) error {
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="engagement-by-`+by+`.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	// A UTF-8 byte order mark, so spreadsheet programs read Chinese right.
	c.Response().Write([]byte("\ufeff"))
	w := csv.NewWriter(c.Response())
	w.Write([]string{by, "impressions", "impression_seconds", "views", "dwell_seconds", "ratings", "level_1", "level_2", "level_3", "level_4", "level_5", "index", "poor", "misuse", "feedback"})
	for _, r := range rows {
		idx := ""
		if r.Index != nil {
			idx = strconv.FormatFloat(*r.Index, 'f', 1, 64)
		}
		rec := []string{r.Key, itoa64(r.Impressions), itoa64(r.ImpressionMS / 1000), itoa64(r.Views), itoa64(r.DwellMS / 1000), itoa64(r.Ratings)}
		for _, n := range r.Levels {
			rec = append(rec, itoa64(n))
		}
		rec = append(rec, idx, itoa64(r.Poor), itoa64(r.Misuse), itoa64(r.Feedback))
		w.Write(rec)
	}
	w.Flush()
	return w.Error()
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
