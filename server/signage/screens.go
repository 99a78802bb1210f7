package signage

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/manifest"
)

// ScreenInput is what staff say about a screen.
type ScreenInput struct {
	Name   string   `json:"name"`
	Kind   string   `json:"kind"`
	HallID string   `json:"hall_id"`
	Groups []string `json:"groups"`
}

// newScreen validates in and makes the screen (with a fresh id) and its
// token; only the token's hash is kept.
func (s *Service) newScreen(ctx context.Context, in ScreenInput) (*hall.Screen, string, error) {
	sc := &hall.Screen{ID: hall.NewID("sc"), Name: strings.TrimSpace(in.Name), Kind: in.Kind, HallID: in.HallID,
		Groups: in.Groups, CreatedAt: s.Now().UTC()}
	if err := sc.Validate(); err != nil {
		return nil, "", err
	}
	if err := s.hallExists(ctx, sc.HallID); err != nil {
		return nil, "", err
	}
	token := auth.NewSecret(ScreenTokenPrefix)
	sc.TokenHash = auth.HashSecret(token)
	return sc, token, nil
}

func (s *Service) hallExists(ctx context.Context, id string) error {
	if _, err := s.Store.Hall(ctx, id); hall.IsCode(err, hall.ENotFound) {
		return hall.FieldError("hall_id", "no hall %q", id)
	} else if err != nil {
		return err
	}
	return nil
}

// CreateScreen adds a screen and returns it with its token, which is shown
// only here.
func (s *Service) CreateScreen(ctx context.Context, actor *hall.User, in ScreenInput) (*hall.Screen, string, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, "", err
	}
	sc, token, err := s.newScreen(ctx, in)
	if err != nil {
		return nil, "", err
	}
	if err := s.Store.CreateScreen(s.audited(ctx, actor, "screen.create", sc.ID, sc.Name), sc); err != nil {
		return nil, "", err
	}
	return sc, token, nil
}

// UpdateScreen changes a screen's name, kind, hall and groups; what it
// plays is re-resolved.
func (s *Service) UpdateScreen(ctx context.Context, actor *hall.User, id string, in ScreenInput) (*hall.Screen, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	sc, err := s.Store.Screen(ctx, id)
	if err != nil {
		return nil, err
	}
	if sc.RevokedAt != nil {
		return nil, hall.NotFound("screen", id)
	}
	sc.Name, sc.Kind, sc.HallID, sc.Groups = strings.TrimSpace(in.Name), in.Kind, in.HallID, in.Groups
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	if err := s.hallExists(ctx, sc.HallID); err != nil {
		return nil, err
	}
	if err := s.Store.UpdateScreen(s.audited(ctx, actor, "screen.update", sc.ID, sc.Kind+" "+sc.Name), sc); err != nil {
		return nil, err
	}
	// A connection keeps the placement it said hello with: have the screen
	// reconnect, so its kind and groups take effect.
	s.notify(ctx, hall.Change{Kind: hall.ChangeCommand, ScreenID: sc.ID, Command: "reload"})
	s.notify(ctx, hall.Change{Kind: hall.ChangeSignage})
	return sc, nil
}

// ScreenView is a screen with its live state.
type ScreenView struct {
	*hall.Screen
	Online      bool       `json:"online"`
	Connections int        `json:"connections"`
	ConnectedAt *time.Time `json:"connected_at,omitempty"`
	// SecureContext is false for a screen online in a browser that cannot
	// start without the server (no secure context, no service worker);
	// absent when the screen is offline or did not say.
	SecureContext *bool `json:"secure_context,omitempty"`
	// Display is the page size an online screen said it has.
	Display *hall.Display `json:"screen,omitempty"`
}

// ListScreens lists the screens that are not revoked, with what the
// processes holding them know: online, showing, last seen, version.
func (s *Service) ListScreens(ctx context.Context, actor *hall.User) ([]ScreenView, error) {
	if !actor.Has(hall.RoleAuditor) {
		return nil, hall.Errorf(hall.EForbidden, "only admins and auditors list the screens")
	}
	screens, err := s.Store.ListScreens(ctx)
	if err != nil {
		return nil, err
	}
	live := map[string]hall.Presence{}
	if s.Presence != nil {
		if live, err = s.Presence.Presence(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]ScreenView, len(screens))
	for i, sc := range screens {
		v := ScreenView{Screen: sc}
		if p, ok := live[sc.ID]; ok && p.Online {
			v.Online, v.Connections, v.ConnectedAt, v.SecureContext, v.Display = true, p.Connections, p.ConnectedAt, p.SecureContext, p.Display
			if !p.LastSeen.IsZero() {
				seen := p.LastSeen
				v.LastSeen = &seen
			}
			if p.Showing != nil {
				v.Showing = p.Showing
			}
			if p.Version != "" {
				v.Version = p.Version
			}
		}
		out[i] = v
	}
	return out, nil
}

// RevokeScreen revokes a screen: its token stops working and its live
// connections are closed with 4403, on whichever replica holds them.
func (s *Service) RevokeScreen(ctx context.Context, actor *hall.User, id string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if err := s.Store.RevokeScreen(s.audited(ctx, actor, "screen.revoke", id, ""), id, s.Now().UTC()); err != nil {
		return err
	}
	s.notify(ctx, hall.Change{Kind: hall.ChangeRevoke, ScreenID: id})
	return nil
}

// Commands a screen understands.
const (
	CommandReload   = "reload"
	CommandIdentify = "identify"
)

// Command sends "reload" or "identify" to a screen and returns how many of
// its connections are online to receive it.
func (s *Service) Command(ctx context.Context, actor *hall.User, id, name string) (int, error) {
	if err := requireAdmin(actor); err != nil {
		return 0, err
	}
	if name != CommandReload && name != CommandIdentify {
		return 0, hall.FieldError("name", `want "reload" or "identify"`)
	}
	if _, err := s.Store.Screen(ctx, id); err != nil {
		return 0, err
	}
	// A command changes nothing stored: its audit entry stands alone.
	if err := s.Store.AppendAudit(ctx, hall.AuditFrom(s.audited(ctx, actor, "screen.command", id, name))); err != nil {
		return 0, err
	}
	s.notify(ctx, hall.Change{Kind: hall.ChangeCommand, ScreenID: id, Command: name})
	if s.Presence == nil {
		return 0, nil
	}
	live, err := s.Presence.Presence(ctx)
	if err != nil {
		return 0, err
	}
	return live[id].Connections, nil
}

// Timeline tells what a screen plays at an instant.
func (s *Service) Timeline(ctx context.Context, actor *hall.User, id string, at time.Time) (*manifest.Playing, error) {
	if err := requireStaff(actor); err != nil {
		return nil, err
	}
	sc, err := s.Store.Screen(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.Timelines.Timeline(ctx, sc, at)
}

// Week tells which playlist the screen plays at each hour of the seven days
// from the date from ("YYYY-MM-DD" in the screen's zone; "" for today there).
func (s *Service) Week(ctx context.Context, actor *hall.User, id, from string) (*manifest.Week, error) {
	if err := requireStaff(actor); err != nil {
		return nil, err
	}
	sc, err := s.Store.Screen(ctx, id)
	if err != nil {
		return nil, err
	}
	var y, d int
	var m time.Month
	if from != "" {
		t, err := time.Parse(time.DateOnly, from)
		if err != nil || t.Year() < 1949 || t.Year() > 2199 {
			return nil, hall.FieldError("from", "want a date YYYY-MM-DD (1949 to 2199), got %q", from)
		}
		y, m, d = t.Date()
	}
	return s.Timelines.Week(ctx, sc, y, m, d)
}

// Pairing: a screen set up on site shows a code; an admin claims it.
const (
	PairingTTL = 10 * time.Minute
	// PairingsPerMinute bounds new pairings per address, across replicas.
	PairingsPerMinute = 10
)

// PairingTicket is what a screen that asked to be paired holds.
type PairingTicket struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	Secret    string    `json:"secret"`
	ExpiresAt time.Time `json:"expires_at"`
}

// CreatePairing starts a pairing for a screen at addr: a 6-digit code to
// show and a secret to collect the token with.
func (s *Service) CreatePairing(ctx context.Context, addr string) (*PairingTicket, error) {
	n, err := s.Store.Hit(ctx, "pairing:"+addr, 1, s.Now(), time.Minute)
	if err != nil {
		return nil, err
	}
	if n > PairingsPerMinute {
		return nil, hall.Errorf(hall.ERateLimited, "too many pairing requests from this address: wait a minute")
	}
	secret := auth.NewSecret("")
	for attempt := 0; ; attempt++ {
		n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
		if err != nil {
			return nil, err
		}
		p := &hall.Pairing{ID: hall.NewID("pr"), Code: fmt.Sprintf("%06d", n.Int64()), SecretHash: auth.HashSecret(secret),
			ExpiresAt: s.Now().UTC().Add(PairingTTL)}
		err = s.Store.CreatePairing(hall.Audited(ctx, s.Now(), "anonymous", "pairing.create", p.ID, ""), p)
		if hall.IsCode(err, hall.EConflict) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &PairingTicket{ID: p.ID, Code: p.Code, Secret: secret, ExpiresAt: p.ExpiresAt}, nil
	}
}

// PairingStatus answers a screen polling its pairing.
type PairingStatus struct {
	Status    string     `json:"status"` // pending, claimed
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Token     string     `json:"token,omitempty"`
	ScreenID  string     `json:"screen_id,omitempty"`
}

// PollPairing tells a screen whether its pairing was claimed; once it was,
// the token is handed over once and then forgotten.
func (s *Service) PollPairing(ctx context.Context, id, secret string) (*PairingStatus, error) {
	p, err := s.Store.Pairing(ctx, id)
	if err != nil {
		return nil, err
	}
	if !auth.Equal(auth.HashSecret(secret), p.SecretHash) {
		return nil, hall.NotFound("pairing", id)
	}
	if p.Token == "" {
		if !s.Now().Before(p.ExpiresAt) {
			return nil, hall.Errorf(hall.ENotFound, "pairing expired: start again")
		}
		exp := p.ExpiresAt
		return &PairingStatus{Status: "pending", ExpiresAt: &exp}, nil
	}
	// Only the poll that deletes the pairing gets the token.
	if err := s.Store.DeletePairing(ctx, p.ID); err != nil {
		return nil, err
	}
	return &PairingStatus{Status: "claimed", Token: p.Token, ScreenID: p.ScreenID}, nil
}

// NormalizePairingCode accepts a code as people type it: "347 852",
// "347-852" or with full-width digits.
func NormalizePairingCode(code string) string {
	var b strings.Builder
	for _, r := range code {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		}
	}
	return b.String()
}

// ClaimPairing makes the screen a pairing code stands for, in one step
// with the claim; the screen then collects its token by polling.
func (s *Service) ClaimPairing(ctx context.Context, actor *hall.User, code string, in ScreenInput) (*hall.Screen, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	code = NormalizePairingCode(code)
	if len(code) != 6 {
		return nil, hall.FieldError("code", "want the 6 digits the screen shows").WithReason("pairing_code_invalid")
	}
	p, err := s.Store.PairingByCode(ctx, code, s.Now().UTC())
	if hall.IsCode(err, hall.ENotFound) {
		return nil, hall.Errorf(hall.ENotFound, "no screen shows the pairing code %s: check the code, or have the screen start again", code).WithReason("pairing_code_not_found")
	} else if err != nil {
		return nil, err
	}
	if p.ScreenID != "" {
		return nil, hall.Errorf(hall.EConflict, "code %s is already claimed", p.Code)
	}
	sc, token, err := s.newScreen(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := s.Store.ClaimPairing(s.audited(ctx, actor, "pairing.claim", sc.ID, sc.Name), p.ID, sc, token, s.Now().UTC()); err != nil {
		return nil, err
	}
	return sc, nil
}
