// Package reports is what auditors read: engagement (impressions, views,
// ratings and feedback by item, category, department, screen or day), the
// departments' scorecard, and the audit log. It only reads.
package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/hallcast/hallcast/server/catalog"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/scorecard"
)

// Store is what reports read.
type Store interface {
	scorecard.Source
	ListAudit(ctx context.Context, f hall.AuditFilter) ([]*hall.AuditEntry, error)
	ListEvents(ctx context.Context, kind string, from, to time.Time, limit int) ([]*hall.Event, error)
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
	// Aspects count the aspects sent with the counted ratings (misuse left
	// out), by subject and aspect, whatever the grouping of Rows.
	Aspects []AspectRow `json:"aspects"`
	// Warnings say when more ratings were received than could be read.
	Warnings []string `json:"warnings,omitempty"`
}

// AspectRow counts one aspect of the ratings of one subject ("service:hall",
// "item:<id>"): how many ratings carried it, its levels 1…5 and its index.
type AspectRow struct {
	Subject string   `json:"subject"`
	Aspect  string   `json:"aspect"`
	Ratings int      `json:"ratings"`
	Levels  [5]int   `json:"levels"`
	Index   *float64 `json:"index,omitempty"`
}

// maxAspectEvents bounds the ratings read to count aspects in one report.
const maxAspectEvents = 100_000

// aspects counts the aspects of the ratings received in [from, to), reading
// the events a page at a time (each page starts at the last one's time and
// skips the ids already read there).
func (s *Service) aspects(ctx context.Context, from, to time.Time) ([]AspectRow, []string, error) {
	type key struct{ subject, aspect string }
	counts := map[key]*AspectRow{}
	var warnings []string
	seen := map[string]bool{}
	read := 0
	for {
		page, err := s.Store.ListEvents(ctx, hall.EventRating, from, to, 1000)
		if err != nil {
			return nil, nil, err
		}
		fresh := 0
		for _, e := range page {
			if seen[e.ID] {
				continue
			}
			fresh++
			if !e.ReceivedAt.Equal(from) {
				seen = map[string]bool{}
				from = e.ReceivedAt
			}
			seen[e.ID] = true
			if e.Misuse || len(e.Data) == 0 {
				continue
			}
			var d struct {
				Aspects map[string]int `json:"aspects"`
			}
			if json.Unmarshal(e.Data, &d) != nil {
				continue
			}
			for a, lv := range d.Aspects {
				if lv < 1 || lv > 5 {
					continue
				}
				k := key{e.Subject, a}
				r := counts[k]
				if r == nil {
					r = &AspectRow{Subject: e.Subject, Aspect: a}
					counts[k] = r
				}
				r.Ratings++
				r.Levels[lv-1]++
			}
		}
		read += fresh
		if len(page) < 1000 || fresh == 0 {
			break
		}
		if read >= maxAspectEvents {
			warnings = append(warnings, fmt.Sprintf("aspects: only the first %d ratings counted", read))
			break
		}
	}
	out := make([]AspectRow, 0, len(counts))
	for _, r := range counts {
		sum := 0
		for i, n := range r.Levels {
			sum += (i + 1) * n
		}
		idx := satisfaction(int64(sum), int64(r.Ratings))
		r.Index = &idx
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Subject != out[j].Subject {
			return out[i].Subject < out[j].Subject
		}
		return out[i].Aspect < out[j].Aspect
	})
	return out, warnings, nil
}

// satisfaction is the index 0–100, one decimal, of n ratings summing to sum.
func satisfaction(sum, n int64) float64 {
	idx := float64(sum-n) / 4 / float64(n) * 100
	return float64(int(idx*10+0.5)) / 10
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
			idx := satisfaction(r.RatingSum, r.Ratings)
			out[i].Index = &idx
		}
	}
	aspects, warnings, err := s.aspects(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return &Engagement{From: from, To: to, By: by, Rows: out, Aspects: aspects, Warnings: warnings}, nil
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
