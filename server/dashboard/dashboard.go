// Package dashboard answers what a member of staff should see first: what
// is wrong or due now, each a link to the thing itself. It reads through the
// other services, so each list is scoped as that service scopes it (an
// editor sees their departments' items, only reviewers and auditors see
// feedback and cases, only admins and auditors see screens), and it warns
// when the working-day calendar lacks the coming year. A watcher posts a
// screen that has been offline too long to a webhook.
package dashboard

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/disclosure"
	"github.com/hallcast/hallcast/server/feedback"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/signage"
	"github.com/hallcast/hallcast/server/workdays"
)

// Defaults.
const (
	DefaultOfflineAfter = 5 * time.Minute // a screen unseen this long is listed
	DueWithin           = 7 * 24 * time.Hour
	NearWorkdays        = 1  // a case or reply due within this many working days is near
	MaxRows             = 50 // per list
	calendarWarnFrom    = time.October
)

// Items lists items as the disclosure desk does.
type Items interface {
	List(ctx context.Context, actor *hall.User, f hall.ItemFilter) ([]disclosure.ItemView, error)
}

// Screens lists screens with their presence.
type Screens interface {
	ListScreens(ctx context.Context, actor *hall.User) ([]signage.ScreenView, error)
}

// Feedback lists feedback and cases with their deadlines.
type Feedback interface {
	List(ctx context.Context, actor *hall.User, status string, limit int) ([]feedback.View, error)
	Cases(ctx context.Context, actor *hall.User, status string, limit int) ([]feedback.CaseView, error)
}

// Calendar is the working-day calendar.
type Calendar interface {
	Get(ctx context.Context) (*workdays.Calendar, error)
}

// Service builds dashboards. Items, Screens, Feedback, Calendar and Now are
// required.
type Service struct {
	Items    Items
	Screens  Screens
	Feedback Feedback
	Calendar Calendar
	Now      func() time.Time
	Zone     *time.Location
	// OfflineAfter is how long a screen is unseen before it is listed
	// (zero: DefaultOfflineAfter).
	OfflineAfter time.Duration
}

// Dashboard is what is wrong or due, newest trouble first in each list.
type Dashboard struct {
	GeneratedAt    time.Time         `json:"generated_at"`
	ScreensOffline []OfflineScreen   `json:"screens_offline"`
	Due            []DueItem         `json:"due"`
	Review         []ReviewItem      `json:"review"`
	Cases          []Case            `json:"cases"`
	Feedback       []PendingFeedback `json:"feedback"`
	Warnings       []Warning         `json:"warnings"`
	// Sections the caller's role does not see are named here rather than
	// shown empty.
	Hidden []string `json:"hidden,omitempty"`
}

// OfflineScreen is a screen nobody has heard from for a while.
type OfflineScreen struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Kind     string     `json:"kind"`
	HallID   string     `json:"hall_id"`
	LastSeen *time.Time `json:"last_seen,omitempty"` // absent: never connected
	// OfflineS is how long it has been offline, in seconds (since its last
	// report, or since it was created when it never connected).
	OfflineS int64  `json:"offline_s"`
	Href     string `json:"href"`
}

// DueItem is a published item whose next disclosure is due soon or late.
type DueItem struct {
	ID         string       `json:"id"`
	Title      string       `json:"title"`
	Department string       `json:"department"`
	Category   string       `json:"category"`
	Cadence    hall.Cadence `json:"cadence,omitempty"`
	Due        time.Time    `json:"due"`
	Overdue    bool         `json:"overdue"`
	Href       string       `json:"href"`
}

// ReviewItem is an item waiting for a reviewer (submitted) or for its
// publication (approved).
type ReviewItem struct {
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	Department  string      `json:"department"`
	Status      hall.Status `json:"status"`
	SubmittedBy string      `json:"submitted_by,omitempty"`
	UpdatedAt   time.Time   `json:"updated_at"`
	Href        string      `json:"href"`
}

// Case is an open poor-rating case due soon or late.
type Case struct {
	ID      string     `json:"id"`
	Subject string     `json:"subject"`
	Level   int        `json:"level"`
	At      time.Time  `json:"at"`
	DueAt   *time.Time `json:"due_at,omitempty"`
	Overdue bool       `json:"overdue"`
	Href    string     `json:"href"`
}

// PendingFeedback is feedback awaiting a reply.
type PendingFeedback struct {
	ID      string     `json:"id"`
	Receipt string     `json:"receipt"`
	Topic   string     `json:"topic"`
	Text    string     `json:"text"` // the first 80 characters
	At      time.Time  `json:"at"`
	DueAt   *time.Time `json:"due_at,omitempty"`
	Overdue bool       `json:"overdue"`
	Href    string     `json:"href"`
}

// Warning is a condition of the deployment staff must act on.
type Warning struct {
	Code    string `json:"code"` // calendar_missing
	Year    int    `json:"year,omitempty"`
	Message string `json:"message"`
	Href    string `json:"href,omitempty"`
}

// Get returns the actor's dashboard.
func (s *Service) Get(ctx context.Context, actor *hall.User) (*Dashboard, error) {
	if !actor.Has(hall.RoleEditor, hall.RoleReviewer, hall.RoleAuditor) {
		return nil, hall.Errorf(hall.EForbidden, "log in as staff")
	}
	now := s.Now()
	d := &Dashboard{GeneratedAt: now.UTC(), ScreensOffline: []OfflineScreen{}, Due: []DueItem{}, Review: []ReviewItem{},
		Cases: []Case{}, Feedback: []PendingFeedback{}, Warnings: []Warning{}}
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return nil, err
	}

	if actor.Has(hall.RoleAuditor) {
		off, err := s.offline(ctx, actor, now)
		if err != nil {
			return nil, err
		}
		d.ScreensOffline = off
	} else {
		d.Hidden = append(d.Hidden, "screens_offline")
	}

	// Every published item, page by page: a due date can hide anywhere.
	const page = 500
	for offset := 0; ; offset += page {
		published, err := s.Items.List(ctx, actor, hall.ItemFilter{Status: hall.StatusPublished, Limit: page, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, v := range published {
			if v.NextDue == nil || v.NextDue.Sub(now) > DueWithin {
				continue
			}
			d.Due = append(d.Due, DueItem{ID: v.ID, Title: v.Title, Department: v.Department, Category: v.Category,
				Cadence: v.Cadence, Due: *v.NextDue, Overdue: now.After(*v.NextDue), Href: "#items/" + v.ID})
		}
		if len(published) < page {
			break
		}
	}
	slices.SortFunc(d.Due, func(a, b DueItem) int { return a.Due.Compare(b.Due) })
	d.Due = d.Due[:min(len(d.Due), MaxRows)]

	for _, st := range []hall.Status{hall.StatusSubmitted, hall.StatusApproved} {
		list, err := s.Items.List(ctx, actor, hall.ItemFilter{Status: st, Limit: MaxRows})
		if err != nil {
			return nil, err
		}
		for _, v := range list {
			d.Review = append(d.Review, ReviewItem{ID: v.ID, Title: v.Title, Department: v.Department, Status: v.Status,
				SubmittedBy: v.SubmittedBy, UpdatedAt: v.UpdatedAt, Href: "#items/" + v.ID})
		}
	}
	slices.SortFunc(d.Review, func(a, b ReviewItem) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	d.Review = d.Review[:min(len(d.Review), MaxRows)]

	if actor.Has(hall.RoleReviewer, hall.RoleAuditor) {
		soon := cal.AddWorkdays(now.In(s.zone()), NearWorkdays)
		near := func(due *time.Time) bool { return due != nil && !due.After(soon) }
		cases, err := s.Feedback.Cases(ctx, actor, "open", 500)
		if err != nil {
			return nil, err
		}
		for _, c := range cases {
			if !c.Overdue && !near(c.DueAt) {
				continue
			}
			d.Cases = append(d.Cases, Case{ID: c.ID, Subject: c.Subject, Level: c.Level, At: c.At, DueAt: c.DueAt,
				Overdue: c.Overdue, Href: "#feedback/cases"})
		}
		d.Cases = d.Cases[:min(len(d.Cases), MaxRows)]
		open, err := s.Feedback.List(ctx, actor, "open", 500)
		if err != nil {
			return nil, err
		}
		for _, f := range open {
			d.Feedback = append(d.Feedback, PendingFeedback{ID: f.ID, Receipt: f.Receipt, Topic: f.Topic, Text: clip(f.Text, 80),
				At: f.At, DueAt: f.DueAt, Overdue: f.Overdue, Href: "#feedback"})
		}
		// Oldest first: the one that has waited longest.
		slices.SortFunc(d.Feedback, func(a, b PendingFeedback) int { return a.At.Compare(b.At) })
		d.Feedback = d.Feedback[:min(len(d.Feedback), MaxRows)]
	} else {
		d.Hidden = append(d.Hidden, "cases", "feedback")
	}

	d.Warnings = calendarWarnings(cal, now.In(s.zone()))
	return d, nil
}

// calendarWarnings warns when the working-day calendar lacks this year, or
// (from October) the coming one: deadlines would then count weekends only.
func calendarWarnings(cal *workdays.Calendar, now time.Time) []Warning {
	out := []Warning{}
	for _, y := range []int{now.Year(), now.Year() + 1} {
		if cal.Known(y) || (y > now.Year() && now.Month() < calendarWarnFrom) {
			continue
		}
		out = append(out, Warning{Code: "calendar_missing", Year: y, Href: "#calendar",
			Message: "the working-day calendar has no holidays or make-up working days for this year: deadlines count weekends only until it is entered (PUT /api/v1/calendar/{year})"})
	}
	return out
}

// offline lists the screens unseen for longer than OfflineAfter, longest
// first.
func (s *Service) offline(ctx context.Context, actor *hall.User, now time.Time) ([]OfflineScreen, error) {
	screens, err := s.Screens.ListScreens(ctx, actor)
	if err != nil {
		return nil, err
	}
	return Offline(screens, now, s.offlineAfter()), nil
}

// Offline returns the screens unseen for longer than after at now, longest
// offline first.
func Offline(screens []signage.ScreenView, now time.Time, after time.Duration) []OfflineScreen {
	out := []OfflineScreen{}
	for _, sc := range screens {
		if sc.Online {
			continue
		}
		since := sc.CreatedAt
		if sc.LastSeen != nil {
			since = *sc.LastSeen
		}
		if now.Sub(since) < after {
			continue
		}
		out = append(out, OfflineScreen{ID: sc.ID, Name: sc.Name, Kind: sc.Kind, HallID: sc.HallID, LastSeen: sc.LastSeen,
			OfflineS: int64(now.Sub(since) / time.Second), Href: "#screens"})
	}
	slices.SortFunc(out, func(a, b OfflineScreen) int { return int(b.OfflineS - a.OfflineS) })
	return out
}

func (s *Service) offlineAfter() time.Duration {
	if s.OfflineAfter > 0 {
		return s.OfflineAfter
	}
	return DefaultOfflineAfter
}

func (s *Service) zone() *time.Location {
	if s.Zone != nil {
		return s.Zone
	}
	return time.UTC
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
