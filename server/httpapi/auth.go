package httpapi

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/hall"
)

// SessionCookie is the console session cookie's name.
const SessionCookie = "hallcast_session"

// authenticate resolves the caller from a bearer token or the session
// cookie, and checks the CSRF token on cookie-authenticated writes. Routes
// that need a user say so with require; a caller with bad credentials is
// refused here even on public routes, so a typo never silently downgrades.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || secret == "" {
				return hall.Errorf(hall.EUnauthenticated, "Authorization must be \"Bearer <token>\"")
			}
			if !strings.HasPrefix(secret, apiTokenPrefix) {
				// Screen tokens authenticate device routes, which check them themselves.
				return next(c)
			}
			tok, err := s.Store.TokenByHash(ctx, auth.HashSecret(secret))
			if hall.IsCode(err, hall.ENotFound) {
				return hall.Errorf(hall.EUnauthenticated, "unknown or revoked API token")
			} else if err != nil {
				return err
			}
			u, err := s.Store.UserByID(ctx, tok.UserID)
			if err != nil || u.Disabled {
				return hall.Errorf(hall.EUnauthenticated, "the token's user is disabled or gone")
			}
			if tok.LastUsed == nil || s.Now().Sub(*tok.LastUsed) > time.Minute {
				_ = s.Store.TouchToken(ctx, tok.ID, s.Now().UTC())
			}
			c.Set(ctxUser, u)
			return next(c)
		}
		ck, err := r.Cookie(SessionCookie)
		if err != nil || ck.Value == "" {
			return next(c)
		}
		// A stale session, or a write without the CSRF token, leaves the
		// caller anonymous: public routes (logging in again, pairing) still
		// work, and routes that need a user refuse with the reason.
		sess, err := s.Store.SessionByHash(ctx, auth.HashSecret(ck.Value))
		if hall.IsCode(err, hall.ENotFound) || (err == nil && !s.Now().Before(sess.ExpiresAt)) {
			clearSessionCookie(c)
			c.Set(ctxAuthProblem, hall.Errorf(hall.EUnauthenticated, "session expired: log in again"))
			return next(c)
		} else if err != nil {
			return err
		}
		u, err := s.Store.UserByID(ctx, sess.UserID)
		if err != nil || u.Disabled {
			c.Set(ctxAuthProblem, hall.Errorf(hall.EUnauthenticated, "the session's user is disabled or gone"))
			return next(c)
		}
		if !isSafe(r.Method) && !auth.Equal(r.Header.Get("X-CSRF-Token"), sess.CSRFToken) {
			c.Set(ctxAuthProblem, hall.Errorf(hall.EForbidden, "missing or wrong X-CSRF-Token header"))
			return next(c)
		}
		c.Set(ctxUser, u)
		c.Set(ctxSession, sess)
		return next(c)
	}
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// userOf returns the authenticated user, or nil.
func userOf(c echo.Context) *hall.User {
	u, _ := c.Get(ctxUser).(*hall.User)
	return u
}

// require admits only authenticated users holding one of the roles (admins
// hold every role). With no roles, any authenticated user is admitted.
func require(roles ...hall.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := userOf(c)
			if u == nil {
				if err, ok := c.Get(ctxAuthProblem).(error); ok {
					return err
				}
				return hall.Errorf(hall.EUnauthenticated, "log in or send a bearer token")
			}
			if len(roles) > 0 && !u.Has(roles...) {
				return hall.Errorf(hall.EForbidden, "your role (%s) may not do this", u.Role)
			}
			return next(c)
		}
	}
}

const apiTokenPrefix = "hct_"

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type sessionResponse struct {
	User      *hall.User `json:"user"`
	CSRFToken string     `json:"csrf_token"`
}

// login checks a password and starts a console session.
func (s *Server) login(c echo.Context) error {
	var in loginRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	ip := c.RealIP()
	name := strings.ToLower(strings.TrimSpace(in.Username))
	if wait := s.throttle.blocked(name, ip); wait > 0 {
		c.Response().Header().Set("Retry-After", itoa(int(wait.Seconds())+1))
		return hall.Errorf(hall.ERateLimited, "too many failed logins: try again in %d minutes", int(wait.Minutes())+1)
	}
	ctx := c.Request().Context()
	u, err := s.Store.UserByName(ctx, name)
	if err != nil && !hall.IsCode(err, hall.ENotFound) {
		return err
	}
	if u == nil || u.Disabled || len(in.Password) > auth.MaxPasswordBytes || auth.Verify(u.PasswordHash, in.Password) != nil {
		if u == nil {
			// Spend the same time as a real check, so timing does not tell which usernames exist.
			_ = auth.Verify(s.dummyHash(), in.Password)
		}
		s.throttle.fail(name, ip)
		_ = s.Store.AppendAudit(ctx, &hall.AuditEntry{At: s.Now().UTC(), Actor: name, Action: "login failed", RemoteIP: ip})
		return hall.Errorf(hall.EUnauthenticated, "wrong username or password")
	}
	s.throttle.succeed(name)
	secret := auth.NewSecret("hcs_")
	now := s.Now().UTC()
	sess := &hall.Session{TokenHash: auth.HashSecret(secret), UserID: u.ID, CSRFToken: auth.NewSecret(""),
		CreatedAt: now, ExpiresAt: now.Add(s.SessionTTL), RemoteIP: ip}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: c.IsTLS(), SameSite: http.SameSiteStrictMode, Expires: sess.ExpiresAt})
	c.Set(ctxAuditActor, u.Username)
	c.Set(ctxAuditTarget, u.ID)
	return c.JSON(http.StatusOK, sessionResponse{User: u, CSRFToken: sess.CSRFToken})
}

// dummyHash is a valid hash of nothing in particular, at the real cost.
func (s *Server) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = s.Hasher.Hash("not a password of anyone") })
	return s.dummy
}

// currentSession tells the console who is logged in, with the CSRF token.
func (s *Server) currentSession(c echo.Context) error {
	sess, _ := c.Get(ctxSession).(*hall.Session)
	if sess == nil {
		return hall.Errorf(hall.EUnauthenticated, "not logged in")
	}
	return c.JSON(http.StatusOK, sessionResponse{User: userOf(c), CSRFToken: sess.CSRFToken})
}

// logout ends the console session.
func (s *Server) logout(c echo.Context) error {
	if sess, _ := c.Get(ctxSession).(*hall.Session); sess != nil {
		if err := s.Store.DeleteSession(c.Request().Context(), sess.TokenHash); err != nil {
			return err
		}
	}
	clearSessionCookie(c)
	return c.NoContent(http.StatusNoContent)
}

func clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1,
		Secure: c.IsTLS(), SameSite: http.SameSiteStrictMode})
}

// loginThrottle counts failed logins per username and per address in a
// sliding window; past the limit, logins are refused until the window ends.
type loginThrottle struct {
	now    func() time.Time
	mu     sync.Mutex
	fails  map[string][]time.Time
	window time.Duration
}

// Throttle limits: per username and per address, within the window.
const (
	maxFailsPerUser = 5
	maxFailsPerIP   = 20
	throttleWindow  = 15 * time.Minute
)

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{now: now, fails: make(map[string][]time.Time), window: throttleWindow}
}

// recent returns key's failures inside the window, pruning older ones.
func (t *loginThrottle) recent(key string) []time.Time {
	cut := t.now().Add(-t.window)
	f := t.fails[key]
	i := 0
	for i < len(f) && !f[i].After(cut) {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(t.fails, key)
	} else {
		t.fails[key] = f
	}
	return f
}

func (t *loginThrottle) blocked(user, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	for key, limit := range map[string]int{"u:" + user: maxFailsPerUser, "ip:" + ip: maxFailsPerIP} {
		if f := t.recent(key); len(f) >= limit {
			if w := f[len(f)-limit].Add(t.window).Sub(t.now()); w > wait {
				wait = w
			}
		}
	}
	return wait
}

func (t *loginThrottle) fail(user, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.fails) > 100_000 {
		clear(t.fails) // a flood of distinct keys: forget rather than grow without bound
	}
	for _, key := range []string{"u:" + user, "ip:" + ip} {
		t.fails[key] = append(t.recent(key), now)
	}
}

func (t *loginThrottle) succeed(user string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, "u:"+user)
}

type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// changePassword sets the caller's own password. It ends every other
// session and keeps this one; API tokens stay valid.
func (s *Server) changePassword(c echo.Context) error {
	var in passwordRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	u := userOf(c)
	if len(in.Current) > auth.MaxPasswordBytes || auth.Verify(u.PasswordHash, in.Current) != nil {
		return hall.FieldError("current", "wrong password")
	}
	if err := auth.CheckPasswordRules(in.New); err != nil {
		return hall.FieldError("new", "%v", err)
	}
	if in.New == in.Current {
		return hall.FieldError("new", "choose a password different from the current one")
	}
	hash, err := s.Hasher.Hash(in.New)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u.PasswordHash = hash
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	if err := s.Store.DeleteUserSessions(ctx, u.ID); err != nil {
		return err
	}
	if sess, _ := c.Get(ctxSession).(*hall.Session); sess != nil {
		if err := s.Store.CreateSession(ctx, sess); err != nil { // this one stays
			return err
		}
	}
	c.Set(ctxAuditTarget, u.Username)
	return c.NoContent(http.StatusNoContent)
}
