// Package reports is what auditors read: engagement (impressions, views,
// ratings and feedback by item, category, department, screen or day), the
// departments' scorecard, and the audit log. It only reads.
package reports

import (
	"context"
	"time"

	"github.com/hallcast/hallcast/server/catalog"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/scorecard"
)

// Store is what reports read.
type Store interface {
	scorecard.Source
	ListAudit(ctx context.Context, f hall.AuditFilter) ([]*hall.AuditEntry, error)
}

// Service reads reports. Store, Calendar and Now are required.
type Service struct {
	Store    Store
	Calendar *catalog.Calendar
	Now      func() time.Time
	// Zone is the hall's zone periods and days are read in (nil: default).
	Zone *time.Location
	// Rules are the deadlines for cases and feedback.
	Rules scorecard.Rules
	// Settings keeps the scorecard's weights by month (nil: the defaults
	// always).
	Settings SettingsStore
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

func auditor(actor *hall.User) error {
	if !actor.Has(hall.RoleAuditor) {
		return hall.Errorf(hall.EForbidden, "only auditors and admins read reports")
	}
	return nil
}

// Row is an engagement row with its satisfaction index: the mean of
// (level−1)/4 over counted ratings, as 0–100.
type Row struct {
	*hall.EngagementRow
	Index *float64 `json:"index,omitempty"`
}

// Engagement is an engagement report.
type Engagement struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	By   string    `json:"by"`
	Rows []Row     `json:"rows"`
}

// Engagement groups what residents did in [from, to) — by default this
// month so far — by item, category, department, screen or day.
func (s *Service) Engagement(ctx context.Context, actor *hall.User, from, to time.Time, by string) (*Engagement, error) {
	if err := auditor(actor); err != nil {
		return nil, err
	}
	if by == "" {
		by = hall.ByItem
	}
	switch by {
	case hall.ByItem, hall.ByCategory, hall.ByDepartment, hall.ByScreen, hall.ByDay:
	default:
		return nil, hall.FieldError("by", "want item, category, department, screen or day")
	}
	loc := s.zone()
	now := s.Now().In(loc)
	if to.IsZero() {
		to = now
	}
	if from.IsZero() {
		from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	}
	if !to.After(from) || to.Sub(from) > 400*24*time.Hour {
		return nil, hall.FieldError("to", "want from < to, at most 400 days apart")
	}
	_, offset := from.In(loc).Zone()
	rows, err := s.Store.Engagement(ctx, from, to, by, offset)
	if err != nil {
		return nil, err
	}
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = Row{EngagementRow: r}
		if r.Ratings > 0 {
			idx := float64(r.RatingSum-r.Ratings) / 4 / float64(r.Ratings) * 100
			idx = float64(int(idx*10+0.5)) / 10
			out[i].Index = &idx
		}
	}
	return &Engagement{From: from, To: to, By: by, Rows: out}, nil
}

// Scorecard scores each department for a month ("2026-11") or a quarter
// ("2026-Q4"), this month by default.
func (s *Service) Scorecard(ctx context.Context, actor *hall.User, period string) (*scorecard.Scorecard, error) {
	if err := auditor(actor); err != nil {
		return nil, err
	}
	loc := s.zone()
	if period == "" {
		period = s.Now().In(loc).Format("2006-01")
	}
	p, err := scorecard.Parse(period, loc)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return nil, err
	}
	vs, err := s.rules(ctx)
	if err != nil {
		return nil, err
	}
	rules := s.Rules
	rules.Weights = weightsAt(vs, p.From.In(loc).Format("2006-01"))
	return scorecard.Compute(ctx, s.Store, cal, p, s.Now(), rules)
}

// Audit lists audit entries, newest first.
func (s *Service) Audit(ctx context.Context, actor *hall.User, f hall.AuditFilter) ([]*hall.AuditEntry, error) {
	if err := auditor(actor); err != nil {
		return nil, err
	}
	return s.Store.ListAudit(ctx, f)
}
