package accounts

import (
	"context"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/hall"
)

// TokenInput is a new API token: what it is for and how long it lasts
// (zero: the service's default).
type TokenInput struct {
	Name string
	TTL  time.Duration
}

// CreateToken makes an API token acting as the account userID (the
// actor's own when empty; another's only for admins and the command line)
// and returns its secret, shown only here.
func (s *Service) CreateToken(ctx context.Context, actor *hall.User, userID string, in TokenInput) (string, *hall.APIToken, error) {
	if actor == nil {
		return "", nil, hall.Errorf(hall.EUnauthenticated, "log in first")
	}
	user := actor
	if userID != "" && userID != actor.ID {
		if !actor.Has() {
			return "", nil, hall.Errorf(hall.EForbidden, "only admins make tokens for others")
		}
		u, err := s.Store.UserByID(ctx, userID)
		if hall.IsCode(err, hall.ENotFound) {
			return "", nil, hall.FieldError("user_id", "no user %q", userID)
		} else if err != nil {
			return "", nil, err
		}
		user = u
	}
	if user.ID == "" {
		return "", nil, hall.FieldError("user_id", "name the account the token acts for")
	}
	if user.Disabled {
		return "", nil, hall.Errorf(hall.EConflict, "user %s is disabled", user.Username)
	}
	name := strings.TrimSpace(in.Name)
	if len([]rune(name)) > 80 {
		return "", nil, hall.FieldError("name", "at most 80 characters")
	}
	ttl := in.TTL
	if ttl == 0 {
		ttl = s.TokenTTL
	}
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	if ttl < time.Hour || ttl > MaxTokenTTL {
		return "", nil, hall.FieldError("expires_in_days", "want 1 to %d days", int(MaxTokenTTL.Hours()/24))
	}
	now := s.Now().UTC()
	exp := now.Add(ttl)
	secret := auth.NewSecret(APITokenPrefix)
	tok := &hall.APIToken{ID: hall.NewID("tk"), UserID: user.ID, Name: name, Hash: auth.HashSecret(secret), CreatedAt: now, ExpiresAt: &exp}
	if err := s.Store.CreateToken(s.audited(ctx, actor, "token.create", tok.ID, user.Username+" "+name), tok); err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// CreateTokenFor makes a token for the account named username (the command
// line's "token create").
func (s *Service) CreateTokenFor(ctx context.Context, actor *hall.User, username string, in TokenInput) (string, *hall.APIToken, error) {
	u, err := s.Store.UserByName(ctx, strings.ToLower(strings.TrimSpace(username)))
	if err != nil {
		return "", nil, err
	}
	return s.CreateToken(ctx, actor, u.ID, in)
}

// ListTokens lists the actor's own tokens, or every user's for an admin
// asking for all.
func (s *Service) ListTokens(ctx context.Context, actor *hall.User, all bool) ([]*hall.APIToken, error) {
	if actor == nil {
		return nil, hall.Errorf(hall.EUnauthenticated, "log in first")
	}
	if all {
		if !actor.Has() {
			return nil, hall.Errorf(hall.EForbidden, "only admins list every user's tokens")
		}
		return s.Store.ListTokens(ctx, "")
	}
	return s.Store.ListTokens(ctx, actor.ID)
}

// DeleteToken revokes a token: the actor's own, or anyone's for an admin.
func (s *Service) DeleteToken(ctx context.Context, actor *hall.User, id string) error {
	if actor == nil {
		return hall.Errorf(hall.EUnauthenticated, "log in first")
	}
	if !actor.Has() {
		toks, err := s.Store.ListTokens(ctx, actor.ID)
		if err != nil {
			return err
		}
		mine := false
		for _, t := range toks {
			mine = mine || t.ID == id
		}
		if !mine {
			return hall.NotFound("token", id)
		}
	}
	return s.Store.DeleteToken(s.audited(ctx, actor, "token.delete", id, ""), id)
}
