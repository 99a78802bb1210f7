// Package signage is what plays where: screens and their pairing, halls,
// playlists, schedules and interrupts. Each change is validated and checked
// here, written with its audit entry in one store transaction, and then
// announced to the push path through a hall.Notifier. The HTTP API, the
// websocket hub and the command line all go through it.
package signage

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/manifest"
)

// Store is what the service reads and writes.
type Store interface {
	hall.ScreenStore
	hall.LimitStore
	CreateHall(ctx context.Context, h *hall.Hall) error
	UpdateHall(ctx context.Context, h *hall.Hall) error
	Hall(ctx context.Context, id string) (*hall.Hall, error)
	ListHalls(ctx context.Context) ([]*hall.Hall, error)
	Item(ctx context.Context, id string) (*hall.Item, error)
	Category(ctx context.Context, key string) (*hall.Category, error)
	AppendAudit(ctx context.Context, e *hall.AuditEntry) error
}

// Timelines tells what a screen plays at an instant, and hour by hour
// over a week.
type Timelines interface {
	Timeline(ctx context.Context, screen *hall.Screen, at time.Time) (*manifest.Playing, error)
	Week(ctx context.Context, screen *hall.Screen, year int, month time.Month, day int) (*manifest.Week, error)
}

// Presence reports the screens connected now, by screen id, whichever
// process holds them.
type Presence interface {
	Presence(ctx context.Context) (map[string]hall.Presence, error)
}

// Service runs the signage side. Store, Timelines, Now and Logger are required;
// without Notifier nothing is announced, without Presence every screen
// lists as offline.
type Service struct {
	Store     Store
	Timelines Timelines
	Notifier  hall.Notifier
	Presence  Presence
	Now       func() time.Time
	Logger    *slog.Logger
	// Zone reads dates that name none; nil means hall.DefaultTZ.
	Zone *time.Location
}

// ScreenTokenPrefix marks screen tokens, so they are never mistaken for
// staff API tokens.
const ScreenTokenPrefix = "hsc_"

func (s *Service) notify(ctx context.Context, c hall.Change) {
	if s.Notifier != nil {
		s.Notifier.Notify(context.WithoutCancel(ctx), c)
	}
}

func (s *Service) audited(ctx context.Context, actor *hall.User, action, target, detail string) context.Context {
	return hall.Audited(ctx, s.Now(), hall.ActorName(actor), action, target, detail)
}

// requireAdmin refuses everyone but admins: what plays on the hall's
// screens is the hall's to decide.
func requireAdmin(actor *hall.User) error {
	if !actor.Has() {
		return hall.Errorf(hall.EForbidden, "only admins manage screens and what they play")
	}
	return nil
}

// requireStaff admits any logged-in role that may read the signage setup.
func requireStaff(actor *hall.User) error {
	if !actor.Has(hall.RoleEditor, hall.RoleReviewer, hall.RoleAuditor) {
		return hall.Errorf(hall.EForbidden, "log in as staff")
	}
	return nil
}

// AuthenticateScreen returns the screen a token belongs to: EUnauthenticated
// for a malformed or unknown token, EForbidden for a revoked screen. The
// websocket hub and the devices' HTTP fallback both use it.
func (s *Service) AuthenticateScreen(ctx context.Context, token string) (*hall.Screen, error) {
	if !strings.HasPrefix(token, ScreenTokenPrefix) || len(token) > 200 {
		return nil, hall.Errorf(hall.EUnauthenticated, "send the screen's token")
	}
	sc, err := s.Store.ScreenByTokenHash(ctx, auth.HashSecret(token))
	if hall.IsCode(err, hall.ENotFound) {
		return nil, hall.Errorf(hall.EUnauthenticated, "unknown screen token")
	} else if err != nil {
		return nil, err
	}
	if sc.RevokedAt != nil {
		return nil, hall.Errorf(hall.EForbidden, "screen revoked")
	}
	return sc, nil
}

// Revoked returns those of the screens ids that are revoked or gone, for
// the hub to close connections it was not told about.
func (s *Service) Revoked(ctx context.Context, ids []string) ([]string, error) {
	live, err := s.Store.ListScreens(ctx)
	if err != nil {
		return nil, err
	}
	alive := make(map[string]bool, len(live))
	for _, sc := range live {
		alive[sc.ID] = true
	}
	var out []string
	for _, id := range ids {
		if !alive[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// Hall returns a hall, for the hub's welcome (zone, default playlist).
func (s *Service) Hall(ctx context.Context, id string) (*hall.Hall, error) {
	return s.Store.Hall(ctx, id)
}

// SaveScreenStatus stores what a screen last reported.
func (s *Service) SaveScreenStatus(ctx context.Context, id string, seen time.Time, version string, showing *hall.Showing) error {
	return s.Store.SaveScreenStatus(ctx, id, seen, version, showing)
}

func (s *Service) zone() *time.Location {
	if s.Zone != nil {
		return s.Zone
	}
	loc, err := hall.LoadZone(hall.DefaultTZ)
	if err != nil {
		return time.UTC
	}
	return loc
}
