// Package app assembles the services of one hallcast deployment over its
// store: the command line's serve, its other commands and the tests all
// build them here, the same way.
package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hallcast/hallcast/playlists"
	"github.com/hallcast/hallcast/server/accounts"
	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/bulletin"
	"github.com/hallcast/hallcast/server/catalog"
	"github.com/hallcast/hallcast/server/dashboard"
	"github.com/hallcast/hallcast/server/disclosure"
	"github.com/hallcast/hallcast/server/feedback"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/manifest"
	"github.com/hallcast/hallcast/server/markdown"
	"github.com/hallcast/hallcast/server/media"
	"github.com/hallcast/hallcast/server/reports"
	"github.com/hallcast/hallcast/server/scorecard"
	"github.com/hallcast/hallcast/server/signage"
)

// Config is what the services are built from. Store, Archive and Hasher
// are required.
type Config struct {
	Store   hall.Store
	Archive *archive.Log
	Hasher  auth.Hasher
	// MediaDir holds uploaded files, content-addressed.
	MediaDir string
	// Now is the clock (nil: time.Now); Logger nil discards.
	Now    func() time.Time
	Logger *slog.Logger
	// CaseWorkdays is the working days to close a case from a poor rating
	// (zero: feedback.CaseWorkdays), FeedbackWorkdays to reply to feedback
	// (zero: feedback.FeedbackWorkdays).
	CaseWorkdays     int
	FeedbackWorkdays int
	// OfflineAfter is how long a screen is unseen before the dashboard
	// lists it (zero: dashboard.DefaultOfflineAfter).
	OfflineAfter time.Duration
}

// Services is every service of a deployment.
type Services struct {
	Calendar  *catalog.Calendar
	Manifests *manifest.Builder
	Accounts  *accounts.Service
	Catalog   *catalog.Service
	Desk      *disclosure.Service
	Signage   *signage.Service
	Feedback  *feedback.Service
	Reports   *reports.Service
	Media     *media.Library
	Dashboard *dashboard.Service
	Public    *bulletin.Service
}

// New builds the services. Nothing is announced to screens until
// SetNotifier names who hears the changes.
func New(cfg Config) *Services {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	zone, err := hall.LoadZone(hall.DefaultTZ)
	if err != nil {
		zone = time.UTC
	}
	rules := scorecard.Rules{CaseWorkdays: cfg.CaseWorkdays, FeedbackWorkdays: cfg.FeedbackWorkdays}
	if rules.CaseWorkdays <= 0 {
		rules.CaseWorkdays = feedback.CaseWorkdays
	}
	if rules.FeedbackWorkdays <= 0 {
		rules.FeedbackWorkdays = feedback.FeedbackWorkdays
	}
	st := cfg.Store
	cal := catalog.NewCalendar(st, now)
	manifests := manifest.New(archivedItems{Store: st, log: cfg.Archive}, now)
	manifests.Calendar = func(ctx context.Context) (playlists.Calendar, error) { return cal.Get(ctx) }
	s := &Services{
		Calendar:  cal,
		Manifests: manifests,
		Accounts:  &accounts.Service{Store: st, Hasher: cfg.Hasher, Now: now, Logger: logger},
		Catalog:   &catalog.Service{Store: st, Calendar: cal, Now: now},
		Desk: &disclosure.Service{Store: st, Renderer: markdown.New(), Archive: cfg.Archive, Now: now,
			Calendar: cal, Logger: logger, Zone: zone},
		Signage: &signage.Service{Store: st, Timelines: manifests, Now: now, Logger: logger, Zone: zone},
		Feedback: &feedback.Service{Store: st, Calendar: cal, Now: now, Zone: zone,
			CaseWorkdays: rules.CaseWorkdays, FeedbackWorkdays: rules.FeedbackWorkdays},
		Reports: &reports.Service{Store: st, Calendar: cal, Now: now, Zone: zone, Rules: rules, Settings: st},
		Media:   &media.Library{Dir: cfg.MediaDir, Store: st, Now: now},
	}
	s.Public = &bulletin.Service{Catalog: st, Items: cfg.Archive}
	s.Dashboard = &dashboard.Service{Items: s.Desk, Screens: s.Signage, Feedback: s.Feedback, Calendar: cal, Now: now,
		Zone: zone, OfflineAfter: cfg.OfflineAfter}
	s.Desk.Attachments, s.Desk.Files, s.Desk.Playlists = s.Media, s.Media, st
	return s
}

// SetNotifier names who hears the changes the services make (the hub of
// this process, or a broker that also tells the other replicas), and who
// knows which screens are connected.
func (s *Services) SetNotifier(n hall.Notifier, p signage.Presence) {
	s.Catalog.Notifier = n
	s.Desk.Notifier = n
	s.Signage.Notifier = n
	s.Signage.Presence = p
}

// archivedItems is the store as the manifest builder reads it: which
// revision of an item is live comes from the archive's entries, not from
// the editable item rows.
type archivedItems struct {
	hall.Store
	log *archive.Log
}

// Item returns the item as its archive entries define it; an item withheld
// from the public for an archive problem is not found.
func (s archivedItems) Item(ctx context.Context, id string) (*hall.Item, error) {
	it, err := s.log.PublicItem(ctx, id)
	if errors.Is(err, archive.ErrWithheld) {
		return nil, hall.NotFound("published item", id)
	}
	return it, err
}

// ListItems lists public items from the archive, others from the store.
func (s archivedItems) ListItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error) {
	if f.Public {
		return s.log.PublicItems(ctx, f)
	}
	return s.Store.ListItems(ctx, f)
}
