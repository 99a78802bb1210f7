package hub

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/manifest"
)

// store is an in-memory ScreenStore and manifest.Source: the websocket
// protocol is what these tests are about.
type store struct {
	mu         sync.Mutex
	screens    map[string]*hall.Screen // by token hash
	halls      map[string]*hall.Hall
	schedules  []*hall.Schedule
	playlists  map[string]*hall.Playlist
	interrupts []*hall.Interrupt
	saves      map[string][]savedStatus // by screen id
}

type savedStatus struct {
	seen    time.Time
	version string
	showing *hall.Showing
}

func newStore() *store {
	return &store{
		screens: map[string]*hall.Screen{},
		halls:   map[string]*hall.Hall{"h1": {ID: "h1", Name: "大厅", TZ: "Asia/Shanghai", DefaultPlaylistID: "p0"}},
		playlists: map[string]*hall.Playlist{
			"p0": {ID: "p0", Name: "默认", Entries: []hall.PlaylistEntry{{MediaURL: "/media/default", MediaType: "image", DurationS: 10}}},
		},
		saves: map[string][]savedStatus{},
	}
}

// addScreen adds an LED screen of hall h1 whose token is "tok-" + id.
func (s *store) addScreen(id string, groups ...string) *hall.Screen {
	return s.add(&hall.Screen{ID: id, Name: "屏幕 " + id, Kind: hall.KindLED, HallID: "h1", Groups: groups})
}

// addKiosk adds a kiosk of hall h1 whose token is "tok-" + id.
func (s *store) addKiosk(id string) *hall.Screen {
	return s.add(&hall.Screen{ID: id, Name: "触摸屏 " + id, Kind: hall.KindKiosk, HallID: "h1"})
}

func (s *store) add(sc *hall.Screen) *hall.Screen {
	sc.TokenHash = auth.HashSecret("tok-" + sc.ID)
	s.mu.Lock()
	s.screens[sc.TokenHash] = sc
	s.mu.Unlock()
	return sc
}

func (s *store) AuthenticateScreen(ctx context.Context, token string) (*hall.Screen, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.screens[auth.HashSecret(token)]
	switch {
	case !ok:
		return nil, hall.Errorf(hall.EUnauthenticated, "unknown screen token")
	case sc.RevokedAt != nil:
		return nil, hall.Errorf(hall.EForbidden, "screen revoked")
	}
	c := *sc
	return &c, nil
}

func (s *store) Revoked(ctx context.Context, ids []string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range ids {
		live := false
		for _, sc := range s.screens {
			live = live || (sc.ID == id && sc.RevokedAt == nil)
		}
		if !live {
			out = append(out, id)
		}
	}
	return out, nil
}

func (s *store) Hall(ctx context.Context, id string) (*hall.Hall, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.halls[id]; ok {
		c := *h
		return &c, nil
	}
	return nil, hall.NotFound("hall", id)
}

func (s *store) SaveScreenStatus(ctx context.Context, id string, seen time.Time, version string, showing *hall.Showing) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saves[id] = append(s.saves[id], savedStatus{seen, version, showing})
	return nil
}

func (s *store) savesOf(id string) []savedStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.saves[id])
}

func (s *store) ListSchedules(ctx context.Context) ([]*hall.Schedule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.schedules), nil
}

func (s *store) Playlist(ctx context.Context, id string) (*hall.Playlist, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.playlists[id]; ok {
		c := *p
		return &c, nil
	}
	return nil, hall.NotFound("playlist", id)
}

func (s *store) setPlaylist(p *hall.Playlist) {
	s.mu.Lock()
	s.playlists[p.ID] = p
	s.mu.Unlock()
}

func (s *store) Item(ctx context.Context, id string) (*hall.Item, error) {
	return nil, hall.NotFound("item", id)
}

func (s *store) ListItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error) {
	return nil, nil
}

func (s *store) ListInterrupts(ctx context.Context, activeAt time.Time) ([]*hall.Interrupt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*hall.Interrupt
	for _, in := range s.interrupts {
		if in.Active(activeAt) {
			out = append(out, in)
		}
	}
	return out, nil
}

// ingester stores events in a map; gate, when set, holds Ingest until it
// is closed, and entered is signalled when Ingest starts. Events whose text
// is "refuse" are refused as rate limited.
type ingester struct {
	mu      sync.Mutex
	stored  map[string]*hall.Event
	gate    chan struct{}
	entered chan struct{}
}

func (in *ingester) Ingest(ctx context.Context, screenID string, events []*hall.Event) ([]string, []hall.EventRefusal, error) {
	if in.entered != nil {
		in.entered <- struct{}{}
	}
	if in.gate != nil {
		select {
		case <-in.gate:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	ids := make([]string, 0, len(events))
	var refused []hall.EventRefusal
	for _, e := range events {
		if e.Text == "refuse" {
			refused = append(refused, hall.EventRefusal{ID: e.ID, Code: hall.ERateLimited, Message: "feedback: too many"})
			continue
		}
		if _, ok := in.stored[e.ID]; !ok {
			in.stored[e.ID] = e
		}
		ids = append(ids, e.ID)
	}
	return ids, refused, nil
}

func (in *ingester) count() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.stored)
}

// Monday 2026-05-04 10:17 in Shanghai: a fixed clock keeps manifests
// stable whatever the hour the tests run at.
var testNow = time.Date(2026, 5, 4, 2, 17, 0, 0, time.UTC)

type harness struct {
	elapsed atomic.Int64 // added to testNow by the clock
	store   *store
	events  *ingester
	builder *manifest.Builder
	hub     *Hub
	srv     *httptest.Server
	url     string
}

func newHarness(t testing.TB, configure func(*Config)) *harness {
	t.Helper()
	h := &harness{store: newStore(), events: &ingester{stored: map[string]*hall.Event{}}}
	now := func() time.Time { return testNow.Add(time.Duration(h.elapsed.Load())) }
	h.builder = manifest.New(h.store, now)
	cfg := Config{
		Screens:    h.store,
		Manifests:  h.builder,
		Events:     h.events,
		Registerer: prometheus.NewRegistry(),
		Now:        now,
		CloseGrace: 200 * time.Millisecond,
	}
	if configure != nil {
		configure(&cfg)
	}
	h.hub = New(cfg)
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(h.hub.ServeWS))
	return h
}

func (h *harness) start(t testing.TB) *harness {
	t.Helper()
	h.srv.Start()
	h.url = "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/ws"
	t.Cleanup(func() {
		h.hub.Close()
		h.srv.Close()
	})
	return h
}

// msg is any server frame.
type msg struct {
	Type       string          `json:"type"`
	ETag       string          `json:"etag"`
	Unchanged  bool            `json:"unchanged"`
	Manifest   json.RawMessage `json:"manifest"`
	IDs        []string        `json:"ids"`
	Code       string          `json:"code"`
	Message    string          `json:"message"`
	Name       string          `json:"name"`
	ID         string          `json:"id"`
	Level      string          `json:"level"`
	Text       string          `json:"text"`
	ServerTime time.Time       `json:"server_time"`
	Screen     *struct {
		ID     string   `json:"id"`
		Name   string   `json:"name"`
		Kind   string   `json:"kind"`
		HallID string   `json:"hall_id"`
		Groups []string `json:"groups"`
		TZ     string   `json:"tz"`
	} `json:"screen"`
}

// client is a test screen: a goroutine reads its frames into a channel.
type client struct {
	ws     *websocket.Conn
	frames chan msg
	done   chan struct{}
	err    error // why reading ended, once done is closed
}

func dial(t testing.TB, url string, d *websocket.Dialer) *client {
	t.Helper()
	if d == nil {
		d = websocket.DefaultDialer
	}
	ws, _, err := d.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	c := &client{ws: ws, frames: make(chan msg, 256), done: make(chan struct{})}
	t.Cleanup(func() { ws.Close() })
	go c.read()
	return c
}

func (c *client) read() {
	defer close(c.done)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			c.err = err
			return
		}
		var m msg
		if err := json.Unmarshal(data, &m); err != nil {
			c.err = err
			return
		}
		c.frames <- m
	}
}

func (c *client) send(t testing.TB, v any) {
	t.Helper()
	var err error
	if s, ok := v.(string); ok {
		err = c.ws.WriteMessage(websocket.TextMessage, []byte(s))
	} else {
		err = c.ws.WriteJSON(v)
	}
	if err != nil {
		t.Fatalf("send: %v", err)
	}
}

func (c *client) hello(t testing.TB, token, etag string) {
	t.Helper()
	c.send(t, map[string]any{"type": "hello", "token": token, "kind": "led", "version": "1.2.0", "screen": map[string]int{"w": 1920, "h": 1080}, "manifest_etag": etag})
}

// next returns the next frame, failing when none comes within 5 s.
func (c *client) next(t testing.TB) msg {
	t.Helper()
	select {
	case m := <-c.frames:
		return m
	case <-c.done:
		select {
		case m := <-c.frames:
			return m
		default:
		}
		t.Fatalf("connection ended while waiting for a frame: %v", c.err)
	case <-time.After(5 * time.Second):
		t.Fatal("no frame within 5s")
	}
	return msg{}
}

// expect returns the next frame, failing unless it has the type.
func (c *client) expect(t testing.TB, typ string) msg {
	t.Helper()
	m := c.next(t)
	if m.Type != typ {
		t.Fatalf("got a %q frame (%+v), want %q", m.Type, m, typ)
	}
	return m
}

// closeCode waits for the connection to end and returns the close code
// the server sent (-1 when the connection ended without one).
func (c *client) closeCode(t testing.TB) int {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		t.Fatal("connection still open after 5s")
	}
	var ce *websocket.CloseError
	if errors.As(c.err, &ce) {
		return ce.Code
	}
	return -1
}

// connect dials, says hello with the screen's token, and returns the
// client after welcome and the manifest.
func (h *harness) connect(t testing.TB, screenID string) (*client, msg) {
	t.Helper()
	c := dial(t, h.url, nil)
	c.hello(t, "tok-"+screenID, "")
	c.expect(t, "welcome")
	return c, c.expect(t, "manifest")
}

func metricValue(t testing.TB, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	switch {
	case d.Counter != nil:
		return d.Counter.GetValue()
	case d.Gauge != nil:
		return d.Gauge.GetValue()
	case d.Histogram != nil:
		return float64(d.Histogram.GetSampleCount())
	}
	return 0
}
