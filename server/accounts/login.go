package accounts

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/hall"
)

// Login throttling. Attempts are counted per account-and-address, so a
// stranger guessing passwords cannot lock the owner out from the owner's
// own desk; and per address across accounts, against password spraying.
// An attempt is counted before its password is checked, in the same atomic
// step as the check, so a burst of parallel attempts cannot slip past the
// limit. The counters live in the store, shared by every replica.
const (
	// AttemptsPerWindow is how many attempts one address may make at one
	// account in a window; past it, that pair waits for the window to end.
	AttemptsPerWindow = 5
	// AttemptWindow is the first window; each time an address exhausts a
	// window for an account, its next window doubles, up to MaxWindow.
	AttemptWindow = 5 * time.Minute
	MaxWindow     = 24 * time.Hour
	// AddressAttempts bounds attempts from one address at any accounts in
	// AddressWindow.
	AddressAttempts = 50
	AddressWindow   = 15 * time.Minute
)

// Login is a started console session.
type Login struct {
	User    *hall.User
	Session *hall.Session
	// Secret is the session cookie's value, shown only here.
	Secret string
}

func pairKey(username, addr string) string { return "login:" + username + "|" + addr }

// window is how long an account-and-address pair waits after exhausting
// strikes windows in a row.
func window(strikes int64) time.Duration {
	w := float64(AttemptWindow) * math.Pow(2, float64(strikes))
	return time.Duration(min(w, float64(MaxWindow)))
}

// Login checks a password and starts a console session for a request from
// addr.
func (s *Service) Login(ctx context.Context, username, password, addr string) (*Login, error) {
	name := strings.ToLower(strings.TrimSpace(username))
	if len(name) > 64 {
		name = name[:64]
	}
	now := s.Now()
	n, err := s.Store.Hit(ctx, "login-addr:"+addr, 1, now, AddressWindow)
	if err != nil {
		return nil, err
	}
	if n > AddressAttempts {
		e := hall.Errorf(hall.ERateLimited, "too many logins from this address: try again in %d minutes", int(AddressWindow.Minutes()))
		e.RetryAfter = AddressWindow
		return nil, e
	}
	strikes, err := s.Store.Count(ctx, "login-strikes:"+name+"|"+addr, now)
	if err != nil {
		return nil, err
	}
	w := window(strikes)
	n, err = s.Store.Hit(ctx, pairKey(name, addr), 1, now, w)
	if err != nil {
		return nil, err
	}
	if n > AttemptsPerWindow {
		if n == AttemptsPerWindow+1 {
			// The first refusal in this window: the next window is longer.
			if _, err := s.Store.Hit(ctx, "login-strikes:"+name+"|"+addr, 1, now, 2*MaxWindow); err != nil {
				return nil, err
			}
		}
		e := hall.Errorf(hall.ERateLimited, "too many failed logins for %s from this address: try again in %d minutes", name, int(w.Minutes()))
		e.RetryAfter = w
		return nil, e
	}

	u, err := s.Store.UserByName(ctx, name)
	if err != nil && !hall.IsCode(err, hall.ENotFound) {
		return nil, err
	}
	hash := s.dummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := s.verify(ctx, hash, password)
	if err != nil {
		return nil, err
	}
	if u == nil || u.Disabled || !ok {
		e := &hall.AuditEntry{At: now.UTC(), Actor: name, Action: "session.failed", RemoteIP: addr}
		if err := s.Store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
			s.Logger.Error("audit a failed login", "err", err)
		}
		return nil, hall.Errorf(hall.EUnauthenticated, "wrong username or password")
	}
	if err := s.Store.ResetCount(ctx, pairKey(name, addr)); err != nil {
		return nil, err
	}
	if err := s.Store.ResetCount(ctx, "login-strikes:"+name+"|"+addr); err != nil {
		return nil, err
	}
	secret := auth.NewSecret(SessionPrefix)
	sess := &hall.Session{TokenHash: auth.HashSecret(secret), UserID: u.ID, CSRFToken: auth.NewSecret(""),
		CreatedAt: now.UTC(), ExpiresAt: now.UTC().Add(s.sessionTTL()), RemoteIP: addr}
	if err := s.Store.CreateSession(s.audited(ctx, u, "session.login", u.Username, ""), sess); err != nil {
		return nil, err
	}
	return &Login{User: u, Session: sess, Secret: secret}, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, actor *hall.User, sess *hall.Session) error {
	if sess == nil {
		return nil
	}
	return s.Store.DeleteSession(s.audited(ctx, actor, "session.logout", hall.ActorName(actor), ""), sess.TokenHash)
}

// Session returns the live session a cookie value stands for and its user:
// EUnauthenticated when it is unknown, expired, or its user is disabled.
func (s *Service) Session(ctx context.Context, secret string) (*hall.Session, *hall.User, error) {
	if secret == "" || len(secret) > 200 {
		return nil, nil, hall.Errorf(hall.EUnauthenticated, "session expired: log in again")
	}
	sess, err := s.Store.SessionByHash(ctx, auth.HashSecret(secret))
	if hall.IsCode(err, hall.ENotFound) || (err == nil && !s.Now().Before(sess.ExpiresAt)) {
		return nil, nil, hall.Errorf(hall.EUnauthenticated, "session expired: log in again")
	} else if err != nil {
		return nil, nil, err
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if hall.IsCode(err, hall.ENotFound) || (err == nil && u.Disabled) {
		return nil, nil, hall.Errorf(hall.EUnauthenticated, "the session's user is disabled or gone")
	} else if err != nil {
		return nil, nil, err
	}
	return sess, u, nil
}

// IsAPIToken reports whether a bearer secret is a staff API token (and not,
// say, a screen's token).
func IsAPIToken(secret string) bool { return strings.HasPrefix(secret, APITokenPrefix) }

// TokenUser returns the user an API token acts for: EUnauthenticated when
// the token is unknown, revoked or expired, or its user is disabled.
func (s *Service) TokenUser(ctx context.Context, secret string) (*hall.User, error) {
	if !IsAPIToken(secret) || len(secret) > 200 {
		return nil, hall.Errorf(hall.EUnauthenticated, "not an API token")
	}
	tok, err := s.Store.TokenByHash(ctx, auth.HashSecret(secret))
	if hall.IsCode(err, hall.ENotFound) {
		return nil, hall.Errorf(hall.EUnauthenticated, "unknown or revoked API token")
	} else if err != nil {
		return nil, err
	}
	now := s.Now()
	if tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt) {
		return nil, hall.Errorf(hall.EUnauthenticated, "the API token expired on %s: make a new one", tok.ExpiresAt.Format("2006-01-02"))
	}
	u, err := s.Store.UserByID(ctx, tok.UserID)
	if hall.IsCode(err, hall.ENotFound) || (err == nil && u.Disabled) {
		return nil, hall.Errorf(hall.EUnauthenticated, "the token's user is disabled or gone")
	} else if err != nil {
		return nil, err
	}
	if tok.LastUsed == nil || now.Sub(*tok.LastUsed) > time.Minute {
		if err := s.Store.TouchToken(ctx, tok.ID, now.UTC()); err != nil {
			s.Logger.Warn("record token use", "token", tok.ID, "err", err)
		}
	}
	return u, nil
}
