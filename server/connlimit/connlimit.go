// Package connlimit bounds the connections a server holds: a listener that
// caps the connections open in all and per client address, so that one
// address holding many connections cannot use up the process's file
// descriptors and shut everyone else out, and a minimum rate for reading a
// long request body, so that a body sent one byte at a time does not hold
// its connection for ever.
//
// The per-address cap counts the TCP peer: behind a reverse proxy every
// connection comes from the proxy, so the proxy's networks are exempted
// (Config.Exempt) and limits per client are the proxy's job.
package connlimit

import (
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Reasons a connection is refused: the label of
// hallcast_connections_refused_total.
const (
	ReasonMax     = "max_conns"
	ReasonPerAddr = "max_conns_per_ip"
)

// Config bounds a Listener.
type Config struct {
	// Max bounds the connections open at once; 0: no limit.
	Max int
	// PerAddr bounds the connections open at once from one client address
	// (an IPv4 address, or the /64 of an IPv6 one); 0: no limit.
	PerAddr int
	// Exempt lists networks whose connections are not limited per address
	// (trusted reverse proxies, which carry many clients' connections).
	// They count towards Max.
	Exempt []*net.IPNet
	// Registerer exports the metrics; nil: not exported.
	Registerer prometheus.Registerer
	// Logger says when connections start being refused; nil: discard.
	Logger *slog.Logger
	// Now is the clock for spacing warnings; nil: time.Now.
	Now func() time.Time
}

// Listener is a net.Listener that accepts a connection only while the
// limits allow it; one over a limit is closed at once and counted, and
// Accept goes on to the next. Connections it returns give their place back
// when closed (also after an HTTP server hijacks them for a websocket).
type Listener struct {
	net.Listener
	cfg Config

	mu       sync.Mutex
	open     int
	perAddr  map[netip.Prefix]int
	warnedAt map[string]time.Time // by reason, so a flood logs once a minute

	gauge   prometheus.Gauge
	refused *prometheus.CounterVec
}

// New wraps ln with the limits of cfg.
func New(ln net.Listener, cfg Config) *Listener {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := &Listener{
		Listener: ln,
		cfg:      cfg,
		perAddr:  map[netip.Prefix]int{},
		warnedAt: map[string]time.Time{},
		gauge: prometheus.NewGauge(prometheus.GaugeOpts{Name: "hallcast_connections_open",
			Help: "TCP connections accepted and not yet closed (HTTP and websockets)."}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallcast_connections_refused_total",
			Help: "TCP connections closed as soon as accepted, by the limit they broke (max_conns, max_conns_per_ip)."}, []string{"reason"}),
	}
	limit := prometheus.NewGauge(prometheus.GaugeOpts{Name: "hallcast_connections_limit",
		Help: "The most TCP connections open at once (--max-conns); 0: no limit."})
	limit.Set(float64(cfg.Max))
	// Both reasons are exported from the start, at 0.
	l.refused.WithLabelValues(ReasonMax)
	l.refused.WithLabelValues(ReasonPerAddr)
	if cfg.Registerer != nil {
		cfg.Registerer.MustRegister(l.gauge, l.refused, limit)
	}
	return l
}

// Accept returns the next connection the limits allow.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key, limited := l.keyOf(c.RemoteAddr())
		if reason := l.admit(key, limited); reason != "" {
			c.Close()
			l.refused.WithLabelValues(reason).Inc()
			l.warn(reason, key)
			continue
		}
		return &conn{Conn: c, l: l, key: key, limited: limited}, nil
	}
}

// keyOf returns the address a connection counts under and whether it is
// limited per address.
func (l *Listener) keyOf(a net.Addr) (netip.Prefix, bool) {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Prefix{}, false // not an IP connection: only Max applies
	}
	ip := ap.Addr().Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64 // one holder of a /64 has all its addresses
	}
	key, _ := ip.Prefix(bits)
	for _, n := range l.cfg.Exempt {
		if n.Contains(ip.AsSlice()) {
			return key, false
		}
	}
	return key, true
}

// admit counts a new connection in, or returns the limit it breaks.
func (l *Listener) admit(key netip.Prefix, limited bool) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cfg.Max > 0 && l.open >= l.cfg.Max {
		return ReasonMax
	}
	if limited && l.cfg.PerAddr > 0 && l.perAddr[key] >= l.cfg.PerAddr {
		return ReasonPerAddr
	}
	l.open++
	if limited {
		l.perAddr[key]++
	}
	l.gauge.Inc()
	return ""
}

func (l *Listener) release(key netip.Prefix, limited bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if limited {
		if l.perAddr[key]--; l.perAddr[key] <= 0 {
			delete(l.perAddr, key)
		}
	}
	l.gauge.Dec()
}

// warn logs a refusal, at most once a minute for each reason.
func (l *Listener) warn(reason string, key netip.Prefix) {
	now := l.cfg.Now()
	l.mu.Lock()
	due := now.Sub(l.warnedAt[reason]) >= time.Minute
	if due {
		l.warnedAt[reason] = now
	}
	open, perAddr := l.open, l.perAddr[key]
	l.mu.Unlock()
	if due {
		l.cfg.Logger.Warn("refusing connections (logged once a minute; see hallcast_connections_refused_total)",
			"reason", reason, "addr", key.String(), "open", open, "open_from_addr", perAddr,
			"max_conns", l.cfg.Max, "max_conns_per_ip", l.cfg.PerAddr)
	}
}

// Open returns the connections open now.
func (l *Listener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// conn gives its place back once, when closed.
type conn struct {
	net.Conn
	l       *Listener
	key     netip.Prefix
	limited bool
	once    sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.key, c.limited) })
	return err
}

// ReadFrom lets the HTTP server send files with sendfile as it does on the
// bare TCP connection.
func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}
