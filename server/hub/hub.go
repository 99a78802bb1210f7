// Package hub holds the websocket connections of screens and speaks the
// device protocol (docs/PROTOCOL.md, "The websocket device protocol"): hello
// and welcome, manifests pushed when what a screen plays changes,
// interrupts, commands, and events acknowledged once durably stored.
//
// Each connection has a reader and a writer goroutine sharing one
// cancellable context. The writer sends queued frames, or a ping when idle;
// a frame for many screens is encoded once (websocket.PreparedMessage); a
// connection whose bounded send queue is full is dropped instead of
// stalling the others (it reconnects and resumes from its manifest etag).
package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/manifest"
)

// Close codes of the device protocol, and those the hub adds.
const (
	CloseBadToken     = 4401 // bad or missing token
	CloseRevoked      = 4403 // screen revoked
	CloseHelloTimeout = 4408 // no hello in time
	CloseTooLarge     = 4413 // frame too large
	CloseTooMany      = 4429 // too many messages

	// CloseSlow is sent (best effort) to a connection dropped for not
	// reading its frames: "try again later".
	CloseSlow = websocket.CloseTryAgainLater
	// CloseTooManyErrors ends a connection after more than MaxErrors
	// malformed or unknown messages.
	CloseTooManyErrors = websocket.ClosePolicyViolation
)

// ScreenStore is what the hub reads and writes about screens.
type ScreenStore interface {
	// AuthenticateScreen returns the screen a token belongs to:
	// EUnauthenticated for an unknown token, EForbidden for a revoked screen.
	AuthenticateScreen(ctx context.Context, token string) (*hall.Screen, error)
	Hall(ctx context.Context, id string) (*hall.Hall, error)
	// Revoked returns those of the screens ids that are revoked or gone.
	Revoked(ctx context.Context, ids []string) ([]string, error)
	SaveScreenStatus(ctx context.Context, id string, seen time.Time, version string, showing *hall.Showing) error
}

// ManifestBuilder builds the manifest of a screen (manifest.Builder).
type ManifestBuilder interface {
	Build(ctx context.Context, s *hall.Screen) (*manifest.Manifest, error)
	Invalidate()
}

// EventIngester stores events. Ingest returns only after the events are
// durably stored, with the ids now stored (new or already there), and the
// events it refused to store, with why.
type EventIngester interface {
	Ingest(ctx context.Context, screenID string, events []*hall.Event) (acked []string, refused []hall.EventRefusal, err error)
}

// Config configures a Hub. Zero tunables take the defaults named.
type Config struct {
	Screens    ScreenStore
	Manifests  ManifestBuilder
	Events     EventIngester
	Registerer prometheus.Registerer // nil: metrics are not exported
	Logger     *slog.Logger          // nil: discard
	Now        func() time.Time      // nil: time.Now

	HelloTimeout      time.Duration // 10s: first frame must be hello
	MaxFrameBytes     int64         // 256 KiB
	MaxEventsPerFrame int           // 500
	RateLimit         float64       // 10 messages/s per connection…
	RateBurst         int           // …with bursts of 40
	MaxErrors         int           // 20 malformed messages, then close
	SendQueue         int           // 64 frames (at least 2)
	PingInterval      time.Duration // 25s
	PongWait          time.Duration // 60s without any frame ends a connection
	WriteTimeout      time.Duration // 10s for one frame to be written
	CloseGrace        time.Duration // 1s for the close handshake
	StatusEvery       time.Duration // 10s: screen status saved at most this often
	RefreshInterval   time.Duration // 60s between periodic refreshes in Run
	// AllowedOrigins lists extra origins ("https://console.example") whose
	// browsers may connect; requests without Origin (devices) and those from
	// the server's own host are always allowed.
	AllowedOrigins []string

	// ClientAddr names the client a request comes from, for the limits per
	// address: behind a trusted reverse proxy, the address it forwards.
	// nil: the host of the request's RemoteAddr.
	ClientAddr func(*http.Request) string
	// MaxConnsPerAddr bounds the websocket connections open from one client
	// address, with or without hello (128; negative: no limit). Screens
	// behind one NAT address share it.
	MaxConnsPerAddr int
	// MaxPendingPerAddr bounds the connections from one client address
	// still waiting for their hello (16; negative: no limit).
	MaxPendingPerAddr int
}

func (c *Config) setDefaults() {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.HelloTimeout, 10*time.Second)
	def(&c.PingInterval, 25*time.Second)
	def(&c.PongWait, 60*time.Second)
	def(&c.WriteTimeout, 10*time.Second)
	def(&c.CloseGrace, time.Second)
	def(&c.StatusEvery, 10*time.Second)
	def(&c.RefreshInterval, time.Minute)
	if c.MaxFrameBytes <= 0 {
		c.MaxFrameBytes = 256 << 10
	}
	if c.MaxEventsPerFrame <= 0 {
		c.MaxEventsPerFrame = 500
	}
	if c.RateLimit <= 0 {
		c.RateLimit = 10
	}
	if c.RateBurst <= 0 {
		c.RateBurst = 40
	}
	if c.MaxErrors <= 0 {
		c.MaxErrors = 20
	}
	if c.SendQueue <= 0 {
		c.SendQueue = 64
	}
	if c.MaxConnsPerAddr == 0 {
		c.MaxConnsPerAddr = 128
	}
	if c.MaxPendingPerAddr == 0 {
		c.MaxPendingPerAddr = 16
	}
	if c.ClientAddr == nil {
		c.ClientAddr = remoteHost
	}
	c.SendQueue = max(c.SendQueue, 2) // welcome and the first manifest
}

// screenState is the in-memory state of one screen, guarded by Hub.mu.
type screenState struct {
	conns   []*conn
	showing *hall.Showing
	uptimeS int64
	version string
	// secureContext is what the newest connection (hello or status) said.
	secureContext *bool
	display       *hall.Display // what the newest connection's hello said
	lastSeen      time.Time
	lastSaved     time.Time
}

// sentInterrupt remembers whom an interrupt went to, for its clear.
type sentInterrupt struct {
	target hall.Target
	until  time.Time
}

// Hub holds the connected screens. It is safe for concurrent use.
type Hub struct {
	cfg      Config
	log      *slog.Logger
	metrics  *metrics
	upgrader websocket.Upgrader
	bufs     sync.Pool // *bytes.Buffer for reading messages
	writes   sync.Pool // gorilla's write buffers

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	closed     bool
	addrs      map[string]*addrConns // websocket connections by client address
	conns      map[*conn]struct{}
	screens    map[string]*screenState
	interrupts map[string]sentInterrupt

	pmu      sync.Mutex
	prepared map[string]*websocket.PreparedMessage // manifest frames by etag

	rmu          sync.Mutex // refresh coalescing
	rclosed      bool
	running      bool
	requested    uint64
	completed    uint64
	passDone     chan struct{}
	pendingSince time.Time
}

// New returns a hub. Call Close to end its connections and goroutines.
func New(cfg Config) *Hub {
	cfg.setDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{
		cfg:        cfg,
		log:        cfg.Logger,
		metrics:    newMetrics(cfg.Registerer),
		ctx:        ctx,
		cancel:     cancel,
		addrs:      make(map[string]*addrConns),
		conns:      make(map[*conn]struct{}),
		screens:    make(map[string]*screenState),
		interrupts: make(map[string]sentInterrupt),
		prepared:   make(map[string]*websocket.PreparedMessage),
		passDone:   make(chan struct{}),
	}
	h.bufs.New = func() any { return new(bytes.Buffer) }
	h.wg.Add(1)
	go h.pingLoop()
	h.upgrader = websocket.Upgrader{
		ReadBufferSize:  1024,
		WriteBufferSize: 1024,
		WriteBufferPool: &h.writes,
		CheckOrigin:     h.checkOrigin,
		// permessage-deflate where the client offers it (browsers do):
		// manifests are compressed once per broadcast, as prepared frames.
		EnableCompression: true,
	}
	return h
}

// checkOrigin allows requests without Origin (devices), from the server's
// own host, and from the configured origins.
func (h *Hub) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err == nil && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return slices.ContainsFunc(h.cfg.AllowedOrigins, func(o string) bool { return strings.EqualFold(o, origin) })
}

// ServeWS upgrades GET /ws, waits for the hello and authenticates it, then
// runs the connection on a reader and a writer goroutine and returns. A
// client address with too many connections open, or too many still
// without hello, is refused before the upgrade: 429 rate_limited.
func (h *Hub) ServeWS(w http.ResponseWriter, r *http.Request) {
	addr := h.cfg.ClientAddr(r)
	if reason := h.admit(addr); reason != "" {
		h.metrics.refused.WithLabelValues(reason).Inc()
		h.log.Debug("hub: connection refused", "addr", addr, "reason", reason)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "10")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"error":{"code":"rate_limited","message":"too many websocket connections from this address"}}`))
		return
	}
	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.helloDone(addr)
		h.leave(addr)
		return // Upgrade has answered
	}
	if !h.track(1) {
		h.helloDone(addr)
		h.leave(addr)
		goingAway(ws, h.cfg.CloseGrace)
		return
	}
	defer h.wg.Done()
	c := newConn(h, ws)
	c.addr = addr
	etag, ok := c.hello()
	h.helloDone(addr)
	if !ok {
		c.refuse()
		return
	}
	c.welcome() // queued before any manifest a refresh may offer
	if !h.register(c) {
		c.closeWith(websocket.CloseGoingAway, "server shutting down", true)
		c.refuse()
		return
	}
	go c.readLoop()
	c.startWriting()
	c.sendManifest(etag)
}

// addrConns counts the websocket connections of one client address.
type addrConns struct {
	open    int // upgraded (or being upgraded) and not yet ended
	pending int // of those, still waiting for their hello
}

// Reasons a connection is refused, the label of hallcast_ws_refused_total.
const (
	refusedPerAddr    = "per_address"
	refusedPendingPer = "pending_hello_per_address"
)

// admit counts a new connection from addr in, or returns why it is
// refused.
func (h *Hub) admit(addr string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	a := h.addrs[addr]
	if a == nil {
		a = &addrConns{}
	}
	switch {
	case h.cfg.MaxConnsPerAddr > 0 && a.open >= h.cfg.MaxConnsPerAddr:
		return refusedPerAddr
	case h.cfg.MaxPendingPerAddr > 0 && a.pending >= h.cfg.MaxPendingPerAddr:
		return refusedPendingPer
	}
	a.open++
	a.pending++
	h.addrs[addr] = a
	h.metrics.pending.Inc()
	return ""
}

// helloDone counts a connection of addr out of those waiting for hello.
func (h *Hub) helloDone(addr string) {
	h.mu.Lock()
	if a := h.addrs[addr]; a != nil && a.pending > 0 {
		a.pending--
	}
	h.mu.Unlock()
	h.metrics.pending.Dec()
}

// leave counts an ended connection of addr out.
func (h *Hub) leave(addr string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	a := h.addrs[addr]
	if a == nil {
		return
	}
	if a.open--; a.open <= 0 {
		delete(h.addrs, addr)
	}
}

// remoteHost is the host part of the request's peer address.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// track adds n goroutines to the hub's wait group unless it is closed.
func (h *Hub) track(n int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.wg.Add(n)
	return true
}

func goingAway(ws *websocket.Conn, grace time.Duration) {
	ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(grace))
	ws.Close()
}

// Close closes every connection (1001 going away) and waits for the hub's
// goroutines to end.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	conns := make([]*conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	h.rmu.Lock()
	h.rclosed = true
	h.rmu.Unlock()
	h.cancel()
	for _, c := range conns {
		c.poke()
	}
	h.wg.Wait()
}

// pingLoop asks every connection to ping its screen each PingInterval.
func (h *Hub) pingLoop() {
	defer h.wg.Done()
	t := time.NewTicker(h.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
			for _, c := range h.connsWhere(func(*conn) bool { return true }) {
				c.ping()
			}
		}
	}
}

// register adds a connection that said hello and counts its reader
// goroutine in; it reports false when the hub is closed.
func (h *Hub) register(c *conn) bool {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return false
	}
	h.wg.Add(1) // the reader; writers count themselves in as they start
	h.conns[c] = struct{}{}
	st := h.screens[c.screen.ID]
	if st == nil {
		st = &screenState{}
		h.screens[c.screen.ID] = st
	}
	st.conns = append(st.conns, c)
	st.version = c.version
	st.secureContext = c.secureContext
	if c.display != nil {
		st.display = c.display
	}
	st.lastSeen = c.connectedAt
	h.mu.Unlock()
	h.metrics.connected.Inc()
	return true
}

// unregister removes a connection and saves its screen's status.
func (h *Hub) unregister(c *conn) {
	seen := c.seen()
	h.mu.Lock()
	delete(h.conns, c)
	st := h.screens[c.screen.ID]
	var showing *hall.Showing
	if st != nil {
		st.conns = slices.DeleteFunc(st.conns, func(x *conn) bool { return x == c })
		if seen.After(st.lastSeen) {
			st.lastSeen = seen
		}
		st.lastSaved = seen
		showing = st.showing
	}
	h.mu.Unlock()
	h.metrics.connected.Dec()
	if st == nil {
		return // revoked
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 5*time.Second)
	defer cancel()
	if err := h.cfg.Screens.SaveScreenStatus(ctx, c.screen.ID, seen, c.version, showing); err != nil {
		h.log.Warn("hub: save screen status", "screen", c.screen.ID, "err", err)
	}
}

// status records what a screen reports and saves it when due.
func (h *Hub) status(c *conn, showing *hall.Showing, uptimeS int64, secureContext *bool) {
	now := h.cfg.Now()
	h.mu.Lock()
	st := h.screens[c.screen.ID]
	if st == nil {
		h.mu.Unlock()
		return
	}
	st.showing, st.uptimeS = showing, uptimeS
	if secureContext != nil {
		st.secureContext = secureContext
	}
	due := now.Sub(st.lastSaved) >= h.cfg.StatusEvery
	if due {
		st.lastSaved = now
	}
	h.mu.Unlock()
	if !due {
		return
	}
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	if err := h.cfg.Screens.SaveScreenStatus(ctx, c.screen.ID, now, c.version, showing); err != nil {
		h.log.Warn("hub: save screen status", "screen", c.screen.ID, "err", err)
	}
}

// Online returns the state of every screen seen since the process started,
// by screen id.
func (h *Hub) Online() map[string]hall.Presence {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]hall.Presence, len(h.screens))
	for id, st := range h.screens {
		s := hall.Presence{
			ScreenID: id, Online: len(st.conns) > 0, Connections: len(st.conns),
			Showing: st.showing, UptimeS: st.uptimeS, LastSeen: st.lastSeen, Version: st.version,
			SecureContext: st.secureContext, Display: st.display,
		}
		for _, c := range st.conns {
			if seen := c.seen(); seen.After(s.LastSeen) {
				s.LastSeen = seen
			}
			if s.ConnectedAt == nil || c.connectedAt.Before(*s.ConnectedAt) {
				at := c.connectedAt
				s.ConnectedAt = &at
			}
			if etag := c.currentETag(); etag != "" {
				s.ManifestETag = etag
			}
		}
		out[id] = s
	}
	return out
}

// Presence returns the state of the screens this process holds.
func (h *Hub) Presence(context.Context) (map[string]hall.Presence, error) {
	return h.Online(), nil
}

// Notify acts on a stored change: it sends interrupts, clears, commands
// and revocations to the connections they concern, and marks manifests
// stale for everything else. The hub is the in-process hall.Notifier; a
// broker hands it the changes made on other replicas.
func (h *Hub) Notify(_ context.Context, c hall.Change) {
	switch c.Kind {
	case hall.ChangeInterrupt:
		if c.Interrupt != nil {
			h.Interrupt(c.Interrupt)
		}
	case hall.ChangeInterruptClear:
		h.ClearInterrupt(c.InterruptID)
	case hall.ChangeRevoke:
		h.Revoke(c.ScreenID)
	case hall.ChangeCommand:
		h.Command(c.ScreenID, c.Command)
	default:
		h.MarkStale()
	}
}

// connsWhere returns the registered connections that match.
func (h *Hub) connsWhere(match func(*conn) bool) []*conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*conn
	for c := range h.conns {
		if match(c) {
			out = append(out, c)
		}
	}
	return out
}

func (h *Hub) screenConns(screenID string) []*conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.screens[screenID]
	if st == nil {
		return nil
	}
	return slices.Clone(st.conns)
}

// broadcast queues one encoded frame to each connection.
func (h *Hub) broadcast(conns []*conn, v any) int {
	if len(conns) == 0 {
		return 0
	}
	data, err := json.Marshal(v)
	if err != nil {
		h.log.Error("hub: encode frame", "err", err)
		return 0
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		h.log.Error("hub: prepare frame", "err", err)
		return 0
	}
	f := &frame{pm: pm}
	n := 0
	for _, c := range conns {
		if c.enqueue(f) {
			n++
		}
	}
	return n
}

type interruptFrame struct {
	Type string `json:"type"`
	manifest.Interrupt
}

type interruptClearFrame struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type commandFrame struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// Interrupt sends an interrupt to the connected screens it targets and
// schedules a refresh (manifests list the interrupts in force).
func (h *Hub) Interrupt(i *hall.Interrupt) {
	if i.Active(h.cfg.Now()) {
		h.mu.Lock()
		h.interrupts[i.ID] = sentInterrupt{target: i.Target, until: i.Until}
		h.mu.Unlock()
		conns := h.connsWhere(func(c *conn) bool { return i.Target.Matches(c.ps) })
		h.broadcast(conns, interruptFrame{Type: "interrupt", Interrupt: manifest.InterruptOf(i)})
	}
	h.MarkStale()
}

// ClearInterrupt tells the screens an interrupt went to that it is over
// (every screen, when the hub did not send it) and schedules a refresh.
func (h *Hub) ClearInterrupt(id string) {
	h.mu.Lock()
	sent, known := h.interrupts[id]
	delete(h.interrupts, id)
	h.mu.Unlock()
	conns := h.connsWhere(func(c *conn) bool { return !known || sent.target.Matches(c.ps) })
	h.broadcast(conns, interruptClearFrame{Type: "interrupt_clear", ID: id})
	h.MarkStale()
}

// Command sends a command ("reload", "identify") to every live connection
// of a screen and returns how many it was queued for.
func (h *Hub) Command(screenID, name string) int {
	return h.broadcast(h.screenConns(screenID), commandFrame{Type: "command", Name: name})
}

// Revoke closes the live connections of a screen with 4403 and forgets its
// state; it returns how many were closed.
func (h *Hub) Revoke(screenID string) int {
	conns := h.screenConns(screenID)
	h.mu.Lock()
	delete(h.screens, screenID)
	h.mu.Unlock()
	for _, c := range conns {
		c.closeWith(CloseRevoked, "screen revoked", true)
	}
	return len(conns)
}

// pruneInterrupts forgets interrupts that have run out.
func (h *Hub) pruneInterrupts() {
	now := h.cfg.Now()
	h.mu.Lock()
	for id, s := range h.interrupts {
		if !now.Before(s.until) {
			delete(h.interrupts, id)
		}
	}
	h.mu.Unlock()
}
