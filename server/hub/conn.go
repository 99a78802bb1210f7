package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/hallcast/hallcast/server/hall"
)

// frame is one queued server frame: prepared (shared by many connections)
// or plain bytes.
type frame struct {
	pm    *websocket.PreparedMessage
	data  []byte
	since time.Time // when the change it carries was notified; zero: not measured
}

// conn is one websocket connection. Fields above lastSeen are set before
// the connection is registered and not changed after.
//
// An idle connection holds little: its send queue is a slice that exists
// only while frames wait, and no writer goroutine runs while nothing is to
// be written. enqueue, the hub's ping tick and the end of the connection
// start one (poke); it writes what waits, then ends. So an idle screen
// costs one goroutine (its reader), not two.
type conn struct {
	hub      *Hub
	ws       *websocket.Conn
	ctx      context.Context
	cancel   context.CancelFunc
	readDone chan struct{}
	limiter  *rate.Limiter

	addr          string // the client address, for the limits per address
	screen        *hall.Screen
	ps            hall.Placement
	version       string
	secureContext *bool         // from hello; nil: not said
	display       *hall.Display // from hello; nil: not said
	connectedAt   time.Time

	lastSeen atomic.Int64 // unix nanoseconds, on the hub's clock
	pingDue  atomic.Bool

	mu          sync.Mutex
	live        bool // registered: pokes may start a writer
	writing     bool // a writer goroutine runs
	queue       []*frame
	etag        string // of the last manifest queued
	closeCode   int
	closeReason string
	closeSend   bool
}

func newConn(h *Hub, ws *websocket.Conn) *conn {
	ctx, cancel := context.WithCancel(h.ctx)
	return &conn{
		hub:      h,
		ws:       ws,
		ctx:      ctx,
		cancel:   cancel,
		readDone: make(chan struct{}),
		limiter:  rate.NewLimiter(rate.Limit(h.cfg.RateLimit), h.cfg.RateBurst),
	}
}

// poke starts a writer unless one runs (or the connection is not live yet).
func (c *conn) poke() {
	c.mu.Lock()
	start := c.live && !c.writing
	if start {
		c.writing = true
		c.hub.wg.Add(1) // the reader still runs, so the count is not zero
	}
	c.mu.Unlock()
	if start {
		go c.writeRun()
	}
}

// startWriting makes a registered connection live and writes what was
// queued before (the welcome).
func (c *conn) startWriting() {
	c.mu.Lock()
	c.live = true
	c.mu.Unlock()
	c.poke()
}

// stop ends the connection's context and wakes the writer to close it.
func (c *conn) stop() {
	c.cancel()
	c.poke()
}

// closeWith ends the connection with a code: the first call wins. With
// send, the writer sends the close frame; it reports whether this call set
// the code.
func (c *conn) closeWith(code int, reason string, send bool) bool {
	c.mu.Lock()
	first := c.closeCode == 0
	if first {
		c.closeCode, c.closeReason, c.closeSend = code, reason, send
	}
	c.mu.Unlock()
	c.stop()
	return first
}

func (c *conn) closeState() (int, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeCode, c.closeReason, c.closeSend
}

func (c *conn) touch() { c.lastSeen.Store(c.hub.cfg.Now().UnixNano()) }

func (c *conn) seen() time.Time { return time.Unix(0, c.lastSeen.Load()) }

func (c *conn) currentETag() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.etag
}

// enqueue queues a frame without blocking; a connection with SendQueue
// frames already waiting is dropped instead.
func (c *conn) enqueue(f *frame) bool {
	c.mu.Lock()
	if c.closeCode != 0 || c.ctx.Err() != nil {
		c.mu.Unlock()
		return false
	}
	if len(c.queue) >= c.hub.cfg.SendQueue {
		c.mu.Unlock()
		if c.closeWith(CloseSlow, "send queue full", true) {
			c.hub.metrics.dropped.Inc()
			c.hub.log.Info("hub: dropped slow screen", "screen", c.screen.ID)
		}
		return false
	}
	c.queue = append(c.queue, f)
	c.mu.Unlock()
	c.poke()
	return true
}

// offer queues a manifest frame unless the connection already has that
// etag.
func (c *conn) offer(etag string, f *frame) {
	c.mu.Lock()
	if c.etag == etag {
		c.mu.Unlock()
		return
	}
	c.etag = etag
	c.mu.Unlock()
	c.enqueue(f)
}

// ping asks the writer to send a ping (the hub's ping tick calls it).
func (c *conn) ping() {
	c.pingDue.Store(true)
	c.poke()
}

// writeRun writes queued frames and a due ping until nothing waits, then
// ends; when the connection has ended it closes it instead (and no writer
// starts again). Any write error ends the connection.
func (c *conn) writeRun() {
	defer c.hub.wg.Done()
	for {
		if c.ctx.Err() != nil {
			c.finish()
			return
		}
		if err := c.flush(); err != nil {
			c.closeWith(websocket.CloseAbnormalClosure, "", false)
			continue
		}
		c.mu.Lock()
		idle := len(c.queue) == 0 && !c.pingDue.Load() && c.ctx.Err() == nil
		if idle {
			c.writing = false
		}
		c.mu.Unlock()
		if idle {
			return
		}
	}
}

// flush writes the frames waiting and a ping when one is due.
func (c *conn) flush() error {
	c.mu.Lock()
	batch := c.queue
	c.queue = nil
	c.mu.Unlock()
	for i, f := range batch {
		if err := c.write(f); err != nil {
			return err
		}
		batch[i] = nil
	}
	if c.pingDue.Swap(false) {
		return c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.hub.cfg.WriteTimeout))
	}
	return nil
}

func (c *conn) write(f *frame) error {
	c.ws.SetWriteDeadline(time.Now().Add(c.hub.cfg.WriteTimeout))
	var err error
	// Only broadcasts are compressed: they are compressed once for every
	// connection; small per-connection frames are not worth it.
	c.ws.EnableWriteCompression(f.pm != nil)
	if f.pm != nil {
		err = c.ws.WritePreparedMessage(f.pm)
	} else {
		err = c.ws.WriteMessage(websocket.TextMessage, f.data)
	}
	if err == nil && !f.since.IsZero() {
		c.hub.metrics.pushLatency.Observe(time.Since(f.since).Seconds())
	}
	return err
}

// finish sends the close frame when one is due, gives the peer a moment to
// answer it, and closes the network connection.
func (c *conn) finish() {
	code, reason, send := c.closeState()
	if code == 0 { // the hub is closing
		code, reason, send = websocket.CloseGoingAway, "server shutting down", true
	}
	if send {
		grace := c.hub.cfg.CloseGrace
		c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(grace))
		t := time.NewTimer(grace)
		select {
		case <-c.readDone:
		case <-t.C:
		}
		t.Stop()
	}
	c.ws.Close()
	c.hub.metrics.closed.WithLabelValues(codeLabel(code)).Inc()
}

// readLoop reads the screen's messages until the connection ends. It
// starts after hello on a fresh goroutine, so that an idle connection's
// reader has a small stack.
func (c *conn) readLoop() {
	defer c.hub.wg.Done()
	defer close(c.readDone)
	defer c.hub.leave(c.addr)
	c.readMessages()
	c.stop()
	c.hub.unregister(c)
	c.drain()
}

// refuse ends a connection that has no reader or writer goroutine (its
// hello failed): close frame, the peer's answer, close.
func (c *conn) refuse() {
	defer c.hub.leave(c.addr)
	c.stop()
	code, reason, send := c.closeState()
	if send {
		c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(c.hub.cfg.CloseGrace))
		c.drain()
	}
	c.ws.Close()
	c.hub.metrics.closed.WithLabelValues(codeLabel(code)).Inc()
}

// readFailed records why reading ended.
func (c *conn) readFailed(err error) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		c.closeWith(ce.Code, "", false) // gorilla has answered the close
		return
	}
	c.closeWith(websocket.CloseAbnormalClosure, "", false)
}

// drain reads and discards until the peer answers our close frame or the
// grace period ends, so that closing does not reset the connection under
// the close frame.
func (c *conn) drain() {
	code, _, send := c.closeState()
	if !send && code != 0 {
		return
	}
	c.ws.SetReadDeadline(time.Now().Add(c.hub.cfg.CloseGrace))
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return
		}
	}
}

// next reads the next message into a pooled buffer. It returns nil when
// the connection is to end (the close code is set).
func (c *conn) next() *bytes.Buffer {
	typ, r, err := c.ws.NextReader()
	if err != nil {
		c.readFailed(err)
		return nil
	}
	c.touch()
	c.ws.SetReadDeadline(time.Now().Add(c.hub.cfg.PongWait))
	buf := c.hub.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	n, err := buf.ReadFrom(io.LimitReader(r, c.hub.cfg.MaxFrameBytes+1))
	switch {
	case err != nil:
		c.readFailed(err)
	case n > c.hub.cfg.MaxFrameBytes:
		c.closeWith(CloseTooLarge, "frame too large", true)
	case typ != websocket.TextMessage:
		buf.Reset() // handled as malformed
		return buf
	default:
		return buf
	}
	c.release(buf)
	return nil
}

// release returns a message buffer to the pool, unless it grew large.
func (c *conn) release(buf *bytes.Buffer) {
	if buf.Cap() <= 64<<10 {
		c.hub.bufs.Put(buf)
	}
}

// helloMsg is the first client frame.
type helloMsg struct {
	Type         string `json:"type"`
	Token        string `json:"token"`
	Kind         string `json:"kind"`
	Version      string `json:"version"`
	ManifestETag string `json:"manifest_etag"`
	// SecureContext: false when the page cannot keep a service worker.
	SecureContext *bool `json:"secure_context"`
	// Screen is the page's size (kept when plausible, for the console's
	// previews).
	Screen *hall.Display `json:"screen"`
}

// decodeHello parses the first client frame: nil unless it is a hello
// with a token.
func decodeHello(data []byte) *helloMsg {
	var msg helloMsg
	if json.Unmarshal(data, &msg) != nil || msg.Type != "hello" || msg.Token == "" {
		return nil
	}
	msg.Version = truncate(msg.Version, 64)
	msg.ManifestETag = truncate(msg.ManifestETag, 64)
	return &msg
}

// hello waits for the hello frame and authenticates it.
func (c *conn) hello() (etag string, ok bool) {
	h := c.hub
	c.ws.SetReadDeadline(time.Now().Add(h.cfg.HelloTimeout))
	// Closing the hub ends the wait.
	stop := context.AfterFunc(h.ctx, func() { c.ws.SetReadDeadline(time.Now()) })
	defer stop()
	typ, r, err := c.ws.NextReader()
	if err != nil {
		var ne net.Error
		if c.ctx.Err() != nil {
			c.closeWith(websocket.CloseGoingAway, "server shutting down", true)
		} else if errors.As(err, &ne) && ne.Timeout() {
			c.closeWith(CloseHelloTimeout, "no hello in time", true)
		} else {
			c.readFailed(err)
		}
		return "", false
	}
	c.touch()
	data, err := io.ReadAll(io.LimitReader(r, min(h.cfg.MaxFrameBytes, 16<<10)+1))
	var msg *helloMsg
	switch {
	case err != nil:
		c.readFailed(err)
		return "", false
	case int64(len(data)) > min(h.cfg.MaxFrameBytes, 16<<10):
		c.closeWith(CloseTooLarge, "frame too large", true)
		return "", false
	case typ != websocket.TextMessage:
		c.closeWith(CloseBadToken, "hello with a token expected", true)
		return "", false
	}
	if msg = decodeHello(data); msg == nil {
		c.closeWith(CloseBadToken, "hello with a token expected", true)
		return "", false
	}
	// Contexts for store calls derive from the hub's, not the connection's:
	// a child would leave a map behind in the connection's context.
	ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
	defer cancel()
	s, err := h.cfg.Screens.AuthenticateScreen(ctx, msg.Token)
	switch {
	case hall.IsCode(err, hall.EUnauthenticated):
		c.closeWith(CloseBadToken, "unknown token", true)
		return "", false
	case hall.IsCode(err, hall.EForbidden):
		c.closeWith(CloseRevoked, "screen revoked", true)
		return "", false
	case err != nil:
		c.internalError("look up screen token", err)
		return "", false
	}
	hl, err := h.cfg.Screens.Hall(ctx, s.HallID)
	if hall.IsCode(err, hall.ENotFound) {
		hl, err = nil, nil
	}
	if err != nil {
		c.internalError("look up hall", err)
		return "", false
	}
	c.screen, c.ps = s, s.Placement(hl)
	c.version = msg.Version
	c.secureContext = msg.SecureContext
	if msg.Screen.Valid() {
		c.display = msg.Screen
	}
	c.connectedAt = h.cfg.Now()
	c.touch()
	c.ws.SetReadDeadline(time.Now().Add(h.cfg.PongWait))
	c.ws.SetPongHandler(func(string) error {
		c.touch()
		return c.ws.SetReadDeadline(time.Now().Add(h.cfg.PongWait))
	})
	return msg.ManifestETag, true
}

// welcome queues the welcome frame.
func (c *conn) welcome() {
	s := c.screen
	groups := s.Groups
	if groups == nil {
		groups = []string{}
	}
	tz := c.ps.TZ
	if tz == "" {
		tz = hall.DefaultTZ
	}
	c.sendJSON(welcomeFrame{
		Type:       "welcome",
		Screen:     welcomeScreen{ID: s.ID, Name: s.Name, Kind: s.Kind, HallID: s.HallID, Groups: groups, TZ: tz},
		ServerTime: c.hub.cfg.Now().UTC(),
	})
}

// internalError ends a connection the server cannot serve: 1001 when the
// hub is closing, 1011 otherwise.
func (c *conn) internalError(what string, err error) {
	if c.hub.ctx.Err() != nil {
		c.closeWith(websocket.CloseGoingAway, "server shutting down", true)
		return
	}
	c.hub.log.Error("hub: "+what, "err", err)
	c.closeWith(websocket.CloseInternalServerErr, "internal error", true)
}

type welcomeFrame struct {
	Type       string        `json:"type"`
	Screen     welcomeScreen `json:"screen"`
	ServerTime time.Time     `json:"server_time"`
}

type welcomeScreen struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Kind   string   `json:"kind"`
	HallID string   `json:"hall_id"`
	Groups []string `json:"groups"`
	TZ     string   `json:"tz"`
}

type unchangedFrame struct {
	Type      string `json:"type"`
	ETag      string `json:"etag"`
	Unchanged bool   `json:"unchanged"`
}

type ackFrame struct {
	Type string   `json:"type"`
	IDs  []string `json:"ids"`
}

type errorFrame struct {
	Type    string   `json:"type"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
	IDs     []string `json:"ids,omitempty"` // events refused
}

func (c *conn) sendJSON(v any) {
	data, err := json.Marshal(v)
	if err != nil {
		c.hub.log.Error("hub: encode frame", "err", err)
		return
	}
	c.enqueue(&frame{data: data})
}

func (c *conn) sendError(code, message string, ids []string) {
	c.sendJSON(errorFrame{Type: "error", Code: code, Message: message, IDs: ids})
}

// sendManifest queues the screen's first manifest after welcome: unchanged
// when hello named the current etag.
func (c *conn) sendManifest(helloETag string) {
	m, err := c.hub.cfg.Manifests.Build(c.hub.ctx, c.screen)
	if err != nil {
		if c.ctx.Err() == nil {
			c.hub.log.Error("hub: build manifest", "screen", c.screen.ID, "err", err)
			c.sendError(hall.EInternal, "manifest unavailable, it follows when ready", nil)
		}
		return
	}
	if m.ETag == helloETag {
		data, _ := json.Marshal(unchangedFrame{Type: "manifest", ETag: m.ETag, Unchanged: true})
		c.offer(m.ETag, &frame{data: data})
		return
	}
	pm, err := c.hub.preparedManifest(m)
	if err != nil {
		c.hub.log.Error("hub: prepare manifest frame", "err", err)
		return
	}
	c.offer(m.ETag, &frame{pm: pm})
}

// clientMsg is any client frame after hello.
type clientMsg struct {
	Type    string            `json:"type"`
	Events  []json.RawMessage `json:"events"`
	Showing *hall.Showing     `json:"showing"`
	UptimeS int64             `json:"uptime_s"`
	// SecureContext, when present, replaces what hello said.
	SecureContext *bool `json:"secure_context"`
}

// readMessages handles client frames until the connection is to end.
func (c *conn) readMessages() {
	errs := 0
	for c.ctx.Err() == nil {
		buf := c.next()
		if buf == nil {
			return
		}
		if !c.limiter.Allow() {
			c.release(buf)
			c.closeWith(CloseTooMany, "too many messages", true)
			return
		}
		err := c.handle(buf.Bytes())
		c.release(buf)
		if err != nil {
			errs++
			if errs > c.hub.cfg.MaxErrors {
				c.closeWith(CloseTooManyErrors, "too many malformed messages", true)
				return
			}
			c.sendError(hall.EValidation, err.Error(), nil)
		}
	}
}

// decodeFrame parses a client frame after hello: events or status, with
// what status reports cut to size. An error says why the frame is
// malformed or unexpected.
func decodeFrame(data []byte) (*clientMsg, error) {
	var msg clientMsg
	if len(data) == 0 {
		return nil, errors.New("want a JSON object in a text frame")
	}
	if err := json.Unmarshal(data, &msg); err != nil {
		return nil, fmt.Errorf("malformed message: %v", err)
	}
	switch msg.Type {
	case "events":
	case "status":
		if msg.Showing != nil {
			sh := *msg.Showing
			sh.ItemID, sh.MediaURL = truncate(sh.ItemID, maxRefRunes), truncate(sh.MediaURL, maxMediaURLBytes)
			msg.Showing = &sh
		}
	case "hello":
		return nil, errors.New("hello was already received")
	default:
		return nil, fmt.Errorf("unknown message type %q", truncate(msg.Type, 64))
	}
	return &msg, nil
}

// handle handles one client frame; an error is a malformed or unexpected
// frame, answered with an error frame.
func (c *conn) handle(data []byte) error {
	msg, err := decodeFrame(data)
	if err != nil {
		return err
	}
	switch msg.Type {
	case "events":
		c.events(msg.Events)
	case "status":
		c.hub.status(c, msg.Showing, msg.UptimeS, msg.SecureContext)
	}
	return nil
}

// events validates, stores and acknowledges a batch of events. The ack is
// sent only after Ingest has returned, that is after the events are durable.
func (c *conn) events(raw []json.RawMessage) {
	h := c.hub
	if len(raw) == 0 {
		c.sendError(hall.EValidation, "events: want at least one event", nil)
		return
	}
	if len(raw) > h.cfg.MaxEventsPerFrame {
		c.sendError(hall.EValidation, fmt.Sprintf("events: at most %d a frame", h.cfg.MaxEventsPerFrame), nil)
		return
	}
	acked, refused, err := Receive(c.ctx, h.cfg.Events, raw, c.screen, h.cfg.Now())
	c.reportRefused(refused)
	if err != nil {
		if c.ctx.Err() == nil {
			h.log.Error("hub: ingest events", "screen", c.screen.ID, "err", err)
			if hall.ErrorCode(err) == hall.EUnavailable {
				// A store outage (Redis down): the screen keeps the events
				// and sends them again.
				c.sendError(hall.EUnavailable, "events not stored: the store is unreachable, send them again", nil)
				return
			}
			c.sendError(hall.EInternal, "events not stored, send them again", nil)
		}
		return
	}
	if len(acked) > 0 {
		c.sendJSON(ackFrame{Type: "ack", IDs: acked})
		h.metrics.acked.Add(float64(len(acked)))
	}
}

// reportRefused sends one error frame for each code among the refused
// events, naming them: validation ("invalid events not stored"), then
// forbidden and rate_limited ("events refused").
func (c *conn) reportRefused(refused []EventError) {
	for _, code := range []string{hall.EValidation, hall.EForbidden, hall.ERateLimited} {
		var ids, msgs []string
		n := 0
		for _, b := range refused {
			if b.Code != code {
				continue
			}
			n++
			if b.ID != "" {
				ids = append(ids, b.ID)
			}
			if len(msgs) < 5 {
				msgs = append(msgs, b.Error())
			}
		}
		if n == 0 {
			continue
		}
		what := "events refused"
		if code == hall.EValidation {
			what = "invalid events not stored"
		}
		c.sendError(code, fmt.Sprintf("%d %s: %s", n, what, strings.Join(msgs, "; ")), ids)
	}
}

// truncate cuts s to at most n bytes at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
