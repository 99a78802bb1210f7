package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// Statuses of feedback and cases.
const (
	statusOpen     = "open"
	statusReplied  = "replied"
	statusResolved = "resolved"
)

// maxReceiptTries bounds the search for a free receipt suffix; reaching it
// means something is badly wrong, not that receipts ran out.
const maxReceiptTries = 1000

// recordEvent makes what a newly stored event implies, in the transaction
// that stored it: feedback for a feedback event, a case for a poor rating
// not flagged as misuse, opened at the rating's ReceivedAt.
func recordEvent(ctx context.Context, tx *sql.Tx, e *hall.Event) error {
	switch {
	case e.Kind == hall.EventFeedback:
		return insertFeedback(ctx, tx, e)
	case e.Kind == hall.EventRating && e.Level <= hall.PoorLevel && !e.Misuse:
		return openCase(ctx, tx, e)
	}
	return nil
}

// freeReceipt returns hall.Receipt(id), or, when another feedback holds
// it, the receipt with the smallest numeric suffix (1, 2, …) that is free.
func freeReceipt(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	base := hall.Receipt(id)
	r := base
	for n := 1; n <= maxReceiptTries; n++ {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM feedback WHERE receipt = ?", r).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return r, nil
		}
		if err != nil {
			return "", fmt.Errorf("receipt %s: %w", r, err)
		}
		r = base + strconv.Itoa(n)
	}
	return "", fmt.Errorf("receipt %s: no free suffix in %d tries", base, maxReceiptTries)
}

func insertFeedback(ctx context.Context, tx *sql.Tx, e *hall.Event) error {
	receipt, err := freeReceipt(ctx, tx, e.ID)
	if err != nil {
		return fmt.Errorf("feedback %q: %w", e.ID, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO feedback (id, receipt, screen_id, item_id, topic, text, contact, at, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, receipt, e.ScreenID, e.ItemID, e.Topic, e.Text, e.Contact, encTime(e.ReceivedAt), statusOpen)
	if err != nil {
		return fmt.Errorf("feedback %q: %w", e.ID, err)
	}
	return nil
}

// ratingAspects returns the "aspects" member of a rating's data, or nil
// when there is none (or the data is not a JSON object).
func ratingAspects(data json.RawMessage) json.RawMessage {
	if len(data) == 0 {
		return nil
	}
	var d struct {
		Aspects json.RawMessage `json:"aspects"`
	}
	if json.Unmarshal(data, &d) != nil || len(d.Aspects) == 0 || string(d.Aspects) == "null" {
		return nil
	}
	return d.Aspects
}

func openCase(ctx context.Context, tx *sql.Tx, e *hall.Event) error {
	var aspects any
	if a := ratingAspects(e.Data); a != nil {
		aspects = string(a)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO cases (id, screen_id, subject, level, aspects, at, status)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.ScreenID, e.Subject, e.Level, aspects, encTime(e.ReceivedAt), statusOpen)
	if err != nil {
		return fmt.Errorf("case %q: %w", e.ID, err)
	}
	return nil
}

const feedbackCols = "id, receipt, screen_id, item_id, topic, text, contact, at, status, reply_text, reply_public, reply_by, reply_at"

func scanFeedback(row scanner) (*hall.Feedback, error) {
	f := &hall.Feedback{}
	var (
		text, by sql.NullString
		public   sql.NullBool
		at       *time.Time
	)
	err := row.Scan(&f.ID, &f.Receipt, &f.ScreenID, &f.ItemID, &f.Topic, &f.Text, &f.Contact, timeCol{&f.At},
		&f.Status, &text, &public, &by, timePtrCol{&at})
	if err != nil {
		return nil, err
	}
	if text.Valid {
		f.Reply = &hall.Reply{Text: text.String, Public: public.Bool, By: by.String}
		if at != nil {
			f.Reply.At = *at
		}
	}
	return f, nil
}

// ListFeedback returns feedback with the status ("" for any: open,
// replied), newest first by At, then id; limit is clamped (default 100, at
// most 1000).
func (s *Store) ListFeedback(ctx context.Context, status string, limit int) ([]*hall.Feedback, error) {
	query, args := "SELECT "+feedbackCols+" FROM feedback", []any{}
	switch status {
	case "":
	case statusOpen, statusReplied:
		query, args = query+" WHERE status = ?", append(args, status)
	default:
		return nil, hall.FieldError("status", `want "", "open" or "replied"`)
	}
	query += " ORDER BY at DESC, id DESC LIMIT ?"
	list, err := queryAll(ctx, s.rdb, scanFeedback, query, append(args, clampLimit(limit))...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list feedback: %w", err)
	}
	return list, nil
}

// Feedback returns the feedback made from the event with the id.
func (s *Store) Feedback(ctx context.Context, id string) (*hall.Feedback, error) {
	f, err := scanFeedback(s.rdb.QueryRowContext(ctx, "SELECT "+feedbackCols+" FROM feedback WHERE id = ?", id))
	if err != nil {
		return nil, noRows(err, "feedback", id)
	}
	return f, nil
}

// FeedbackByReceipt returns the feedback with the receipt, matched exactly
// (receipts are upper case).
func (s *Store) FeedbackByReceipt(ctx context.Context, receipt string) (*hall.Feedback, error) {
	f, err := scanFeedback(s.rdb.QueryRowContext(ctx, "SELECT "+feedbackCols+" FROM feedback WHERE receipt = ?", receipt))
	if err != nil {
		return nil, noRows(err, "feedback with receipt", receipt)
	}
	return f, nil
}

// ReplyFeedback stores staff's reply, replacing any earlier one, and marks
// the feedback replied.
func (s *Store) ReplyFeedback(ctx context.Context, id string, r *hall.Reply) error {
	if r == nil {
		return hall.FieldError("reply", "required")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE feedback SET status = ?, reply_text = ?, reply_public = ?, reply_by = ?, reply_at = ?
			WHERE id = ?`, statusReplied, r.Text, r.Public, r.By, encTime(r.At), id)
		if err != nil {
			return fmt.Errorf("sqlite: reply to feedback %q: %w", id, err)
		}
		return rowsAffected(res, "feedback", id)
	})
}

// PublicReplies returns the feedback whose reply is public, newest reply
// first (then id, descending); limit is clamped as in ListFeedback.
func (s *Store) PublicReplies(ctx context.Context, limit int) ([]*hall.Feedback, error) {
	list, err := queryAll(ctx, s.rdb, scanFeedback, "SELECT "+feedbackCols+
		" FROM feedback WHERE reply_public = 1 ORDER BY reply_at DESC, id DESC LIMIT ?", clampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: public replies: %w", err)
	}
	return list, nil
}

const caseCols = "id, screen_id, subject, level, aspects, at, status, resolved_by, resolved_at, note"

func scanCase(row scanner) (*hall.Case, error) {
	c := &hall.Case{}
	var aspects sql.NullString
	err := row.Scan(&c.ID, &c.ScreenID, &c.Subject, &c.Level, &aspects, timeCol{&c.At}, &c.Status,
		&c.ResolvedBy, timePtrCol{&c.ResolvedAt}, &c.Note)
	if aspects.Valid {
		c.Aspects = json.RawMessage(aspects.String)
	}
	return c, err
}

// ListCases returns cases with the status ("" for any: open, resolved),
// oldest first by At, then id; limit is clamped as in ListFeedback.
func (s *Store) ListCases(ctx context.Context, status string, limit int) ([]*hall.Case, error) {
	query, args := "SELECT "+caseCols+" FROM cases", []any{}
	switch status {
	case "":
	case statusOpen, statusResolved:
		query, args = query+" WHERE status = ?", append(args, status)
	default:
		return nil, hall.FieldError("status", `want "", "open" or "resolved"`)
	}
	query += " ORDER BY at, id LIMIT ?"
	list, err := queryAll(ctx, s.rdb, scanCase, query, append(args, clampLimit(limit))...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list cases: %w", err)
	}
	return list, nil
}

// Case returns the case opened by the rating event with the id.
func (s *Store) Case(ctx context.Context, id string) (*hall.Case, error) {
	c, err := scanCase(s.rdb.QueryRowContext(ctx, "SELECT "+caseCols+" FROM cases WHERE id = ?", id))
	if err != nil {
		return nil, noRows(err, "case", id)
	}
	return c, nil
}

// ResolveCase closes an open case; EConflict when it is resolved already.
func (s *Store) ResolveCase(ctx context.Context, id, by, note string, at time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, "SELECT status FROM cases WHERE id = ?", id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return hall.NotFound("case", id)
		}
		if err != nil {
			return err
		}
		if status == statusResolved {
			return hall.Errorf(hall.EConflict, "case %q is resolved already", id)
		}
		_, err = tx.ExecContext(ctx, "UPDATE cases SET status = ?, resolved_by = ?, resolved_at = ?, note = ? WHERE id = ?",
			statusResolved, by, encTime(at), note, id)
		return err
	})
	if err != nil && hall.ErrorCode(err) == hall.EInternal {
		return fmt.Errorf("sqlite: resolve case %q: %w", id, err)
	}
	return err
}
