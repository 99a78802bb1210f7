package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/accounts"
	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/hall"
)

// SessionCookie is the console session cookie's name.
const SessionCookie = "hallcast_session"

// authenticate resolves the caller from a bearer token or the session
// cookie, and checks the CSRF token on cookie-authenticated writes. Routes
// that need a user say so in the route table; a caller with bad credentials
// is refused here even on public routes, so a typo never silently
// downgrades.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || secret == "" {
				return hall.Errorf(hall.EUnauthenticated, "Authorization must be \"Bearer <token>\"")
			}
			if !accounts.IsAPIToken(secret) {
				// Screen tokens authenticate device routes, whose services check them.
				return next(c)
			}
			u, err := s.Accounts.TokenUser(ctx, secret)
			if err != nil {
				return err
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
		sess, u, err := s.Accounts.Session(ctx, ck.Value)
		if hall.IsCode(err, hall.EUnauthenticated) {
			s.clearSessionCookie(c)
			c.Set(ctxAuthProblem, err)
			return next(c)
		} else if err != nil {
			return err
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

// sessionOf returns the console session the request came with, or nil.
func sessionOf(c echo.Context) *hall.Session {
	s, _ := c.Get(ctxSession).(*hall.Session)
	return s
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
	l, err := s.Accounts.Login(c.Request().Context(), in.Username, in.Password, c.RealIP())
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: l.Secret, Path: "/", HttpOnly: true,
		Secure: s.secure(c), SameSite: http.SameSiteStrictMode, Expires: l.Session.ExpiresAt})
	return c.JSON(http.StatusOK, sessionResponse{User: l.User, CSRFToken: l.Session.CSRFToken})
}

// currentSession tells the console who is logged in, with the CSRF token.
func (s *Server) currentSession(c echo.Context) error {
	sess := sessionOf(c)
	if sess == nil {
		return hall.Errorf(hall.EUnauthenticated, "not logged in")
	}
	return c.JSON(http.StatusOK, sessionResponse{User: userOf(c), CSRFToken: sess.CSRFToken})
}

// logout ends the console session.
func (s *Server) logout(c echo.Context) error {
	if err := s.Accounts.Logout(c.Request().Context(), userOf(c), sessionOf(c)); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1,
		Secure: s.secure(c), SameSite: http.SameSiteStrictMode})
}

type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// changePassword sets the caller's own password. It ends every other
// session and keeps this one.
func (s *Server) changePassword(c echo.Context) error {
	var in passwordRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := s.Accounts.ChangePassword(c.Request().Context(), userOf(c), sessionOf(c), in.Current, in.New); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
