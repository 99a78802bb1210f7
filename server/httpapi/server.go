// Package httpapi is hallcast's HTTP API (docs/PROTOCOL.md) on Echo: routes,
// handlers, authentication (console sessions with CSRF, bearer tokens), role
// checks, the error mapping, security headers, and the embedded pages.
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"

	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/hall"
)

// Deps is everything the API needs. All fields are required unless noted.
type Deps struct {
	Accounts Accounts
	Catalog  Catalog
	Desk     Desk
	Signage  Signage
	Feedback Feedback
	Reports  Reports
	// Public is what residents read: catalogue, boards, halls, matters.
	Public Public
	// Dashboard is what is due or wrong for the caller.
	Dashboard Dashboard
	Media     Media
	Events    Events
	// Store is what the archive check reads.
	Store   ArchiveSource
	Archive *archive.Log
	// Alarms takes witnesses' reports of a broken history.
	Alarms   *archive.AlarmDesk
	Verifier note.Verifier
	// ArchiveKey is the verifier key text, served for witnesses.
	ArchiveKey string
	Origin     string // the archive checkpoint origin line
	// Ready reports whether the store is reachable, with details of it
	// for /readyz (which store, how durable).
	Ready    func(ctx context.Context) (map[string]any, error)
	Logger   *slog.Logger
	Registry *prometheus.Registry
	Gatherer prometheus.Gatherer
	UI       fs.FS
	Now      func() time.Time
	// Devices serves the screens' websocket (optional: without it /ws is
	// not routed).
	Devices http.Handler
	// PublicURL is the address residents' phones reach the server at
	// ("https://hall.example.gov.cn"), used in QR codes; empty means the
	// address the screen used.
	PublicURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; without them the client address is the TCP peer.
	TrustedProxies []*net.IPNet
}

// Server is the HTTP side of hallcast.
type Server struct {
	Deps
	logger  *slog.Logger
	echo    *echo.Echo
	metrics *httpMetrics
	pages   *pageCache
	loc     *time.Location // the zone dates without one are read in
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	s := &Server{Deps: d, logger: d.Logger}
	s.metrics = newHTTPMetrics(d.Registry)
	loc, err := time.LoadLocation(hall.DefaultTZ)
	if err != nil {
		return nil, err
	}
	s.loc = loc
	pc, err := newPageCache(d.UI)
	if err != nil {
		return nil, err
	}
	s.pages = pc
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = echo.ExtractIPDirect()
	if len(d.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range d.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	s.echo = e
	s.routes()
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// secure reports whether the client reached the server over https: on a
// TLS connection, or through a trusted reverse proxy that says so.
func (s *Server) secure(c echo.Context) bool {
	if c.IsTLS() {
		return true
	}
	if c.Request().Header.Get(echo.HeaderXForwardedProto) != "https" {
		return false
	}
	host, _, err := net.SplitHostPort(c.Request().RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && slices.ContainsFunc(s.TrustedProxies, func(n *net.IPNet) bool { return n.Contains(ip) })
}

// securityHeaders sets strict headers on every response.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if s.secure(c) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		return next(c)
	}
}

// bodyLimit refuses request bodies over n bytes before a handler reads them,
// except on the paths named, which set their own limits.
func bodyLimit(n int64, except ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if slices.Contains(except, r.URL.Path) {
				return next(c)
			}
			if r.ContentLength > n {
				return hall.Errorf(hall.ETooLarge, "body exceeds %d bytes", n)
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, n)
			return next(c)
		}
	}
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hallcast_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hallcast_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.duration)
	}
	return m
}

// observe logs and measures each request.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		status := c.Response().Status
		s.metrics.requests.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Inc()
		s.metrics.duration.WithLabelValues(c.Request().Method, route).Observe(time.Since(start).Seconds())
		if status >= 500 {
			s.logger.Warn("http", "method", c.Request().Method, "path", c.Request().URL.Path, "status", status, "dur", time.Since(start))
		} else {
			s.logger.Debug("http", "method", c.Request().Method, "path", c.Request().URL.Path, "status", status, "dur", time.Since(start))
		}
		return nil
	}
}

// remoteAddr puts the client's address into the request's context, where
// services find it for the audit entries of the changes they make.
func remoteAddr(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		c.SetRequest(r.WithContext(hall.WithRemoteAddr(r.Context(), c.RealIP())))
		return next(c)
	}
}

// Context keys for what authentication tells handlers.
const (
	ctxUser        = "hallcast.user"
	ctxSession     = "hallcast.session"
	ctxAuthProblem = "hallcast.auth.problem" // why credentials sent were not accepted
)
