// Package httpapi is hallcast's HTTP API (PROTOCOL.md) on Echo: routes,
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
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/time/rate"

	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/disclosure"
	"github.com/hallcast/hallcast/server/hall"
)

// Deps is everything the API needs. All fields are required unless noted.
type Deps struct {
	Store    hall.Store
	Desk     *disclosure.Service
	Archive  *archive.Log
	Verifier note.Verifier
	// ArchiveKey is the verifier key text, served for witnesses.
	ArchiveKey string
	Origin     string // the archive checkpoint origin line
	Calendar   *Calendar
	Hasher     auth.Hasher
	Logger     *slog.Logger
	Registry   *prometheus.Registry
	Gatherer   prometheus.Gatherer
	UI         fs.FS
	Now        func() time.Time
	// The screens side (optional: without it the screen routes answer but
	// nothing is pushed).
	Hub       Hub
	Timelines Timelines
	Events    Events
	// CaseWorkdays is the working days to close a case from a poor
	// rating; zero means CaseWorkdays (3).
	CaseWorkdays int
	// MediaDir holds uploaded media, content-addressed.
	MediaDir string
	// PublicURL is the address residents' phones reach the server at
	// ("https://hall.example.gov.cn"), used in QR codes; empty means the
	// address the screen used.
	PublicURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; without them the client address is the TCP peer.
	TrustedProxies []*net.IPNet
	// SessionTTL bounds console sessions; zero means 12 hours.
	SessionTTL time.Duration
}

// Server is the HTTP side of hallcast.
type Server struct {
	Deps
	logger    *slog.Logger
	echo      *echo.Echo
	throttle  *loginThrottle
	metrics   *httpMetrics
	pages     *pageCache
	pairLimit *addrLimiter
	loc       *time.Location // the zone dates without one are read in

	dummyOnce sync.Once
	dummy     string
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	if d.SessionTTL == 0 {
		d.SessionTTL = 12 * time.Hour
	}
	s := &Server{Deps: d, logger: d.Logger, throttle: newLoginThrottle(d.Now), pairLimit: newAddrLimiter(pairingRate, pairingBurst)}
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

// Echo returns the router, so other parts (the websocket hub) can add routes.
func (s *Server) Echo() *echo.Echo { return s.echo }

// securityHeaders sets strict headers on every response.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if c.IsTLS() {
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

// audit records every successful write: who, what, when, from where.
func (s *Server) audit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		m := c.Request().Method
		if err != nil || m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || c.Response().Status >= 400 {
			return err
		}
		actor := "anonymous"
		if u := userOf(c); u != nil {
			actor = u.Username
		} else if a, ok := c.Get(ctxAuditActor).(string); ok {
			actor = a
		}
		target := ""
		for _, v := range c.ParamValues() {
			if target != "" {
				target += "/"
			}
			target += v
		}
		if t, ok := c.Get(ctxAuditTarget).(string); ok {
			target = t
		}
		detail, _ := c.Get(ctxAuditDetail).(string)
		e := &hall.AuditEntry{At: s.Now().UTC(), Actor: actor, Action: m + " " + c.Path(), Target: target, Detail: detail, RemoteIP: c.RealIP()}
		if aerr := s.Store.AppendAudit(context.WithoutCancel(c.Request().Context()), e); aerr != nil {
			s.logger.Error("append audit entry", "action", e.Action, "err", aerr)
		}
		return nil
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Context keys for what handlers tell the audit middleware.
const (
	ctxUser        = "hallcast.user"
	ctxSession     = "hallcast.session"
	ctxAuthProblem = "hallcast.auth.problem" // why credentials sent were not accepted
	ctxAuditActor  = "hallcast.audit.actor"
	ctxAuditTarget = "hallcast.audit.target"
	ctxAuditDetail = "hallcast.audit.detail"
)

// addrLimiter is a token bucket per client address, for unauthenticated
// endpoints that create things.
type addrLimiter struct {
	mu      sync.Mutex
	perMin  float64
	burst   int
	buckets map[string]*rate.Limiter
}

func newAddrLimiter(perMinute float64, burst int) *addrLimiter {
	return &addrLimiter{perMin: perMinute, burst: burst, buckets: map[string]*rate.Limiter{}}
}

func (l *addrLimiter) allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[addr]
	if !ok {
		if len(l.buckets) > 10_000 {
			clear(l.buckets)
		}
		b = rate.NewLimiter(rate.Limit(l.perMin/60), l.burst)
		l.buckets[addr] = b
	}
	return b.Allow()
}
