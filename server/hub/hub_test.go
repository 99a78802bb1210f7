package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/manifest"
	"github.com/hallcast/hallcast/server/poll"
)

func TestHelloWelcomeManifest(t *testing.T) {
	h := newHarness(t, nil).start(t)
	h.store.addScreen("s1", "lobby", "east")

	c := dial(t, h.url, nil)
	c.hello(t, "tok-s1", "")
	w := c.expect(t, "welcome")
	if w.Screen == nil || w.Screen.ID != "s1" || w.Screen.HallID != "h1" || w.Screen.Kind != "led" ||
		w.Screen.TZ != "Asia/Shanghai" || !slices.Equal(w.Screen.Groups, []string{"lobby", "east"}) {
		t.Errorf("welcome screen = %+v", w.Screen)
	}
	if !w.ServerTime.Equal(testNow) {
		t.Errorf("server_time = %v, want %v", w.ServerTime, testNow)
	}
	m := c.expect(t, "manifest")
	want, err := h.builder.Build(context.Background(), &hall.Screen{ID: "s1", HallID: "h1", Kind: "led", Groups: []string{"lobby", "east"}})
	if err != nil {
		t.Fatal(err)
	}
	if m.ETag != want.ETag || string(m.Manifest) != string(want.JSON) || m.Unchanged {
		t.Errorf("manifest frame: etag %q unchanged %v manifest %s; want etag %q manifest %s", m.ETag, m.Unchanged, m.Manifest, want.ETag, want.JSON)
	}
	if got := h.hub.Online()["s1"]; !got.Online || got.Connections != 1 || got.Version != "1.2.0" || got.ManifestETag != want.ETag {
		t.Errorf("Online()[s1] = %+v", got)
	}

	t.Run("ReconnectWithCurrentETag", func(t *testing.T) {
		c := dial(t, h.url, nil)
		c.hello(t, "tok-s1", want.ETag)
		c.expect(t, "welcome")
		m := c.expect(t, "manifest")
		if !m.Unchanged || m.ETag != want.ETag || m.Manifest != nil {
			t.Errorf("got etag %q unchanged %v manifest %s; want etag %q unchanged, no manifest", m.ETag, m.Unchanged, m.Manifest, want.ETag)
		}
		poll.True(t, 5*time.Second, "two connections counted", func() bool { return h.hub.Online()["s1"].Connections == 2 })
	})
	t.Run("ReconnectWithOldETag", func(t *testing.T) {
		c := dial(t, h.url, nil)
		c.hello(t, "tok-s1", "0123456789abcdef")
		c.expect(t, "welcome")
		if m := c.expect(t, "manifest"); m.Unchanged || string(m.Manifest) != string(want.JSON) {
			t.Errorf("got unchanged %v manifest %s; want the full manifest", m.Unchanged, m.Manifest)
		}
	})
}

func TestRefusedConnections(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.HelloTimeout = 100 * time.Millisecond }).start(t)
	h.store.addScreen("s1")
	revoked := h.store.addScreen("gone")
	at := testNow.Add(-time.Hour)
	revoked.RevokedAt = &at

	tests := []struct {
		name  string
		first any // nil: say nothing
		want  int
	}{
		{"BadToken", map[string]any{"type": "hello", "token": "tok-nobody"}, CloseBadToken},
		{"MissingToken", map[string]any{"type": "hello"}, CloseBadToken},
		{"NotHello", map[string]any{"type": "status", "token": "tok-s1"}, CloseBadToken},
		{"Malformed", "{not json", CloseBadToken},
		{"Revoked", map[string]any{"type": "hello", "token": "tok-gone"}, CloseRevoked},
		{"NoHelloInTime", nil, CloseHelloTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, h.url, nil)
			if tt.first != nil {
				c.send(t, tt.first)
			}
			if got := c.closeCode(t); got != tt.want {
				t.Errorf("close code = %d, want %d", got, tt.want)
			}
		})
	}
	if got := metricValue(t, h.hub.metrics.closed.WithLabelValues("4401")); got != 4 {
		t.Errorf("hallcast_ws_closed_total{code=4401} = %v, want 4", got)
	}
	if got := metricValue(t, h.hub.metrics.connected); got != 0 {
		t.Errorf("hallcast_screens_connected = %v, want 0", got)
	}
}

func TestRevokeLive(t *testing.T) {
	h := newHarness(t, nil).start(t)
	h.store.addScreen("s1")
	h.store.addScreen("s2")
	c1, _ := h.connect(t, "s1")
	c1b, _ := h.connect(t, "s1")
	c2, _ := h.connect(t, "s2")

	if n := h.hub.Revoke("s1"); n != 2 {
		t.Errorf("Revoke closed %d connections, want 2", n)
	}
	for i, c := range []*client{c1, c1b} {
		if got := c.closeCode(t); got != CloseRevoked {
			t.Errorf("connection %d: close code = %d, want %d", i, got, CloseRevoked)
		}
	}
	poll.True(t, 5*time.Second, "s1 forgotten", func() bool { _, ok := h.hub.Online()["s1"]; return !ok })
	if h.hub.Command("s2", "identify") != 1 {
		t.Fatal("s2 not connected after revoking s1")
	}
	if m := c2.expect(t, "command"); m.Name != "identify" {
		t.Errorf("command name = %q, want identify", m.Name)
	}
}

func TestFrameTooLarge(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxFrameBytes = 1024 }).start(t)
	h.store.addScreen("s1")
	c, _ := h.connect(t, "s1")
	// The server may close while the frame is still being written.
	c.ws.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `{"type":"status","pad":%q}`, strings.Repeat("x", 4096)))
	if got := c.closeCode(t); got != CloseTooLarge {
		t.Errorf("close code = %d, want %d", got, CloseTooLarge)
	}
}

func TestTooManyMessages(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.RateLimit, c.RateBurst = 1, 3 }).start(t)
	h.store.addScreen("s1")
	c, _ := h.connect(t, "s1")
	for range 10 {
		if err := c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"status","uptime_s":1}`)); err != nil {
			break // the server may have closed already
		}
	}
	if got := c.closeCode(t); got != CloseTooMany {
		t.Errorf("close code = %d, want %d", got, CloseTooMany)
	}
}

func TestMalformedMessages(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxErrors = 3 }).start(t)
	h.store.addScreen("s1")
	c, _ := h.connect(t, "s1")

	bad := []struct {
		name, frame string
	}{
		{"NotJSON", "{oops"},
		{"UnknownType", `{"type":"dance"}`},
		{"HelloAgain", `{"type":"hello","token":"tok-s1"}`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			c.send(t, tt.frame)
			if m := c.expect(t, "error"); m.Code != "validation" || m.Message == "" {
				t.Errorf("error frame = %+v, want code validation with a message", m)
			}
		})
	}
	t.Run("StillServed", func(t *testing.T) {
		c.send(t, map[string]any{"type": "events", "events": []any{impression("ok-1")}})
		if m := c.expect(t, "ack"); !slices.Equal(m.IDs, []string{"ok-1"}) {
			t.Errorf("ack ids = %v, want [ok-1]", m.IDs)
		}
	})
	t.Run("TooManyErrors", func(t *testing.T) {
		c.send(t, "{oops")
		if got := c.closeCode(t); got != CloseTooManyErrors {
			t.Errorf("close code = %d, want %d", got, CloseTooManyErrors)
		}
	})
}

func impression(id string) map[string]any {
	return map[string]any{"id": id, "kind": "impression", "at": testNow.Add(-time.Minute).Format(time.RFC3339), "item_id": "it_1", "revision": 2, "duration_ms": 10000, "playlist_id": "p0"}
}

func TestEvents(t *testing.T) {
	h := newHarness(t, nil).start(t)
	h.store.addScreen("s1")
	c, _ := h.connect(t, "s1")

	t.Run("AckAfterIngestReturns", func(t *testing.T) {
		gate := make(chan struct{})
		h.events.gate, h.events.entered = gate, make(chan struct{}, 1)
		defer func() { h.events.gate, h.events.entered = nil, nil }()
		var released atomic.Bool
		c.send(t, map[string]any{"type": "events", "events": []any{impression("e1"), impression("e2")}})
		select {
		case <-h.events.entered:
		case <-time.After(5 * time.Second):
			t.Fatal("Ingest not called")
		}
		// Give an early ack the time to arrive before releasing Ingest.
		time.Sleep(50 * time.Millisecond)
		select {
		case m := <-c.frames:
			t.Fatalf("got a %q frame while Ingest had not returned", m.Type)
		default:
		}
		released.Store(true)
		close(gate)
		m := c.expect(t, "ack")
		if !slices.Equal(m.IDs, []string{"e1", "e2"}) {
			t.Errorf("ack ids = %v, want [e1 e2]", m.IDs)
		}
		if h.events.count() != 2 {
			t.Errorf("stored %d events, want 2", h.events.count())
		}
	})
	t.Run("DuplicateAckedAgain", func(t *testing.T) {
		c.send(t, map[string]any{"type": "events", "events": []any{impression("e1")}})
		if m := c.expect(t, "ack"); !slices.Equal(m.IDs, []string{"e1"}) {
			t.Errorf("ack ids = %v, want [e1]", m.IDs)
		}
		if h.events.count() != 2 {
			t.Errorf("stored %d events, want still 2", h.events.count())
		}
	})
	t.Run("InvalidNotAcked", func(t *testing.T) {
		badKind := impression("bad-kind")
		badKind["kind"] = "applause"
		noID := impression("")
		delete(noID, "id")
		c.send(t, map[string]any{"type": "events", "events": []any{badKind, impression("e3"), noID}})
		e := c.expect(t, "error")
		if e.Code != "validation" || !slices.Equal(e.IDs, []string{"bad-kind"}) {
			t.Errorf("error frame = %+v, want validation naming [bad-kind]", e)
		}
		if m := c.expect(t, "ack"); !slices.Equal(m.IDs, []string{"e3"}) {
			t.Errorf("ack ids = %v, want [e3]", m.IDs)
		}
		h.events.mu.Lock()
		_, stored := h.events.stored["bad-kind"]
		h.events.mu.Unlock()
		if stored {
			t.Error("invalid event was stored")
		}
	})
	t.Run("TooManyInFrame", func(t *testing.T) {
		many := make([]any, 501)
		for i := range many {
			many[i] = map[string]any{"id": fmt.Sprint("m", i)}
		}
		c.send(t, map[string]any{"type": "events", "events": many})
		if m := c.expect(t, "error"); !strings.Contains(m.Message, "500") {
			t.Errorf("error message = %q, want it to name the limit 500", m.Message)
		}
	})
	if got := metricValue(t, h.hub.metrics.acked); got != 4 {
		t.Errorf("hallcast_events_acked_total = %v, want 4", got)
	}
}

func TestStatus(t *testing.T) {
	h := newHarness(t, nil).start(t)
	h.store.addScreen("s1")
	c, _ := h.connect(t, "s1")
	c.send(t, map[string]any{"type": "status", "showing": map[string]any{"item_id": "it_9", "revision": 3}, "uptime_s": 42})
	c.send(t, map[string]any{"type": "status", "showing": map[string]any{"item_id": "it_10", "revision": 1}, "uptime_s": 43})
	poll.True(t, 5*time.Second, "status remembered", func() bool {
		s := h.hub.Online()["s1"]
		return s.Showing != nil && s.Showing.ItemID == "it_10"
	})
	if saves := h.store.savesOf("s1"); len(saves) != 1 || saves[0].showing.ItemID != "it_9" || saves[0].version != "1.2.0" {
		t.Errorf("saves = %+v, want one (the first status within 10 s) showing it_9 from version 1.2.0", saves)
	}
	c.ws.Close()
	poll.True(t, 5*time.Second, "offline", func() bool { return !h.hub.Online()["s1"].Online })
	poll.True(t, 5*time.Second, "saved on disconnect", func() bool { return len(h.store.savesOf("s1")) == 2 })
	if s := h.store.savesOf("s1")[1]; s.showing == nil || s.showing.ItemID != "it_10" {
		t.Errorf("saved on disconnect: %+v, want showing it_10", s)
	}
}

func TestOrigin(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AllowedOrigins = []string{"https://console.example"} }).start(t)
	host := strings.TrimPrefix(h.srv.URL, "http://")
	tests := []struct {
		name, origin string
		ok           bool
	}{
		{"NoOrigin", "", true},
		{"SameHost", "http://" + host, true},
		{"Allowed", "https://console.example", true},
		{"Foreign", "https://evil.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{}
			if tt.origin != "" {
				hdr.Set("Origin", tt.origin)
			}
			ws, resp, err := websocket.DefaultDialer.Dial(h.url, hdr)
			if ws != nil {
				ws.Close()
			}
			if (err == nil) != tt.ok {
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				t.Errorf("dial err = %v (status %d), want ok %v", err, status, tt.ok)
			}
		})
	}
}

// twoGroups connects s1 (group g1) and s2 (group g2); a schedule puts
// playlist p1 on g1 all day.
func twoGroups(t *testing.T, h *harness) (c1, c2 *client, m1, m2 msg) {
	t.Helper()
	h.store.addScreen("s1", "g1")
	h.store.addScreen("s2", "g2")
	h.store.setPlaylist(&hall.Playlist{ID: "p1", Name: "一组", Entries: []hall.PlaylistEntry{{MediaURL: "/media/one", DurationS: 10}}})
	h.store.schedules = []*hall.Schedule{{ID: "sch1", PlaylistID: "p1", Target: hall.Target{Groups: []string{"g1"}}}}
	c1, m1 = h.connect(t, "s1")
	c2, m2 = h.connect(t, "s2")
	return c1, c2, m1, m2
}

// expectNothingThen shows that a screen got no frame before a marker
// command queued now.
func expectNothingThen(t *testing.T, h *harness, c *client, screenID string) {
	t.Helper()
	h.hub.Command(screenID, "identify")
	if m := c.next(t); m.Type != "command" {
		t.Errorf("%s got a %q frame (%+v), want nothing before the marker command", screenID, m.Type, m)
	}
}

func TestRefreshOnlyChanged(t *testing.T) {
	h := newHarness(t, nil).start(t)
	c1, c2, m1, m2 := twoGroups(t, h)
	if m1.ETag == m2.ETag {
		t.Fatal("s1 and s2 should play different timelines")
	}

	h.store.setPlaylist(&hall.Playlist{ID: "p1", Name: "一组", Entries: []hall.PlaylistEntry{{MediaURL: "/media/two", DurationS: 10}}})
	h.hub.MarkStale()
	h.hub.Refresh(context.Background())

	got := c1.expect(t, "manifest")
	if got.ETag == m1.ETag || !strings.Contains(string(got.Manifest), "/media/two") {
		t.Errorf("s1 manifest: etag %s (was %s), %s; want a new one playing /media/two", got.ETag, m1.ETag, got.Manifest)
	}
	expectNothingThen(t, h, c2, "s2")

	t.Run("NothingChanged", func(t *testing.T) {
		h.hub.MarkStale()
		h.hub.Refresh(context.Background())
		expectNothingThen(t, h, c1, "s1")
		expectNothingThen(t, h, c2, "s2")
	})
	if got := metricValue(t, h.hub.metrics.pushLatency); got < 1 {
		t.Errorf("push latency observations = %v, want at least 1", got)
	}
}

func TestRunRefreshesPeriodically(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.RefreshInterval = 10 * time.Millisecond }).start(t)
	h.store.addScreen("s1")
	c, first := h.connect(t, "s1")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		h.hub.Run(ctx)
		close(done)
	}()
	defer func() {
		cancel()
		<-done
	}()

	// A change nobody notified (an item's validity starting, say) shows
	// once the builder's reads are older than its MaxAge.
	h.store.setPlaylist(&hall.Playlist{ID: "p0", Name: "默认", Entries: []hall.PlaylistEntry{{MediaURL: "/media/later", DurationS: 10}}})
	h.elapsed.Store(int64(manifest.DefaultMaxAge + time.Second))
	m := c.expect(t, "manifest")
	if m.ETag == first.ETag || !strings.Contains(string(m.Manifest), "/media/later") {
		t.Errorf("manifest %s, want a new one playing /media/later", m.Manifest)
	}
}

func TestInterruptTargets(t *testing.T) {
	h := newHarness(t, nil).start(t)
	c1, c2, m1, _ := twoGroups(t, h)
	in := &hall.Interrupt{ID: "in1", Level: hall.LevelUrgent, Text: "系统维护，暂停办理", Until: testNow.Add(time.Hour), Target: hall.Target{Groups: []string{"g1"}}}
	h.store.mu.Lock()
	h.store.interrupts = append(h.store.interrupts, in)
	h.store.mu.Unlock()

	h.hub.Interrupt(in)
	got := c1.expect(t, "interrupt")
	if got.ID != "in1" || got.Level != "urgent" || got.Text != in.Text {
		t.Errorf("interrupt frame = %+v", got)
	}
	h.hub.Refresh(context.Background())
	m := c1.expect(t, "manifest")
	if m.ETag == m1.ETag || !strings.Contains(string(m.Manifest), `"id":"in1"`) {
		t.Errorf("s1 manifest after interrupt: %s; want it to list in1", m.Manifest)
	}
	expectNothingThen(t, h, c2, "s2")

	h.store.mu.Lock()
	cleared := testNow
	in.ClearedAt = &cleared
	h.store.mu.Unlock()
	h.hub.ClearInterrupt("in1")
	if got := c1.expect(t, "interrupt_clear"); got.ID != "in1" {
		t.Errorf("interrupt_clear id = %q, want in1", got.ID)
	}
	h.hub.Refresh(context.Background())
	if m := c1.expect(t, "manifest"); m.ETag != m1.ETag {
		t.Errorf("s1 manifest after clear: etag %s, want the original %s", m.ETag, m1.ETag)
	}
	expectNothingThen(t, h, c2, "s2")
}

// smallBuffers makes accepted connections' send buffers small, so that a
// client that does not read fills them quickly.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

func TestSlowConsumerDropped(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.SendQueue = 4 })
	h.srv.Listener = smallBuffers{h.srv.Listener}
	h.start(t)
	h.store.addScreen("slow")
	h.store.addScreen("fast")
	fast, _ := h.connect(t, "fast")

	// The slow screen says hello and then never reads.
	d := &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetReadBuffer(4096)
		}
		return c, err
	}}
	ws, _, err := d.Dial(h.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]any{"type": "hello", "token": "tok-slow"}); err != nil {
		t.Fatal(err)
	}
	poll.True(t, 5*time.Second, "slow screen connected", func() bool { return h.hub.Online()["slow"].Online })

	start := time.Now()
	for i := 0; metricValue(t, h.hub.metrics.dropped) == 0; i++ {
		if i > 1_000_000 {
			t.Fatal("slow screen never dropped")
		}
		h.hub.Command("slow", "identify")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("queueing to the slow screen took %v: it blocked", d)
	}
	poll.True(t, 5*time.Second, "slow screen offline", func() bool { return !h.hub.Online()["slow"].Online })
	if got := metricValue(t, h.hub.metrics.dropped); got != 1 {
		t.Errorf("hallcast_ws_dropped_slow_total = %v, want 1", got)
	}
	if h.hub.Command("fast", "reload") != 1 {
		t.Fatal("fast screen not connected")
	}
	if m := fast.expect(t, "command"); m.Name != "reload" {
		t.Errorf("fast screen got %+v, want the reload command", m)
	}
}

func TestCloseGoingAway(t *testing.T) {
	h := newHarness(t, nil).start(t)
	h.store.addScreen("s1")
	c, _ := h.connect(t, "s1")
	h.hub.Close()
	if got := c.closeCode(t); got != websocket.CloseGoingAway {
		t.Errorf("close code = %d, want %d", got, websocket.CloseGoingAway)
	}
	// After Close, new connections are turned away.
	c2 := dial(t, h.url, nil)
	if got := c2.closeCode(t); got != websocket.CloseGoingAway {
		t.Errorf("close code after Close = %d, want %d", got, websocket.CloseGoingAway)
	}
}

// countingBuilder counts Build calls and can hold them at a gate.
type countingBuilder struct {
	ManifestBuilder
	builds  atomic.Int64
	gate    chan struct{}
	entered chan struct{}
}

func (b *countingBuilder) Build(ctx context.Context, s *hall.Screen) (*manifest.Manifest, error) {
	b.builds.Add(1)
	if b.gate != nil {
		b.entered <- struct{}{}
		<-b.gate
	}
	return b.ManifestBuilder.Build(ctx, s)
}

func TestNotifyCoalesces(t *testing.T) {
	var cb *countingBuilder
	h := newHarness(t, func(c *Config) {
		cb = &countingBuilder{ManifestBuilder: c.Manifests}
		c.Manifests = cb
	}).start(t)
	h.store.addScreen("s1")
	h.connect(t, "s1")
	cb.builds.Store(0)
	cb.entered = make(chan struct{}, 16)
	cb.gate = make(chan struct{})

	h.hub.MarkStale()
	<-cb.entered // the first pass is building
	for range 10 {
		h.hub.MarkStale()
	}
	close(cb.gate)
	h.hub.Refresh(context.Background())
	// One pass was running, the ten Notifies and the Refresh share the
	// next one (or the Refresh gets a pass of its own if it came after).
	if n := cb.builds.Load(); n < 2 || n > 3 {
		t.Errorf("Build called %d times for one screen, want 2 or 3 (passes coalesced)", n)
	}
}

func TestDecodeEvents(t *testing.T) {
	at := testNow.Add(-time.Hour).Format(time.RFC3339)
	tests := []struct {
		name  string
		event string
		err   string // substring of the error; "" for valid
		data  string // the decoded rating/feedback fields and Data
	}{
		{"Impression", `{"id":"a","kind":"impression","at":"` + at + `","item_id":"it_1","revision":2,"duration_ms":10000,"playlist_id":"p1"}`, "", ""},
		{"MediaImpression", `{"id":"a","kind":"impression","at":"` + at + `","media_url":"/media/x","duration_ms":5000}`, "", ""},
		{"View", `{"id":"a","kind":"view","at":"` + at + `","item_id":"it_1","revision":2,"dwell_ms":3000,"session":"k1"}`, "", ""},
		{"RatingItem", `{"id":"a","kind":"rating","at":"` + at + `","subject":{"item_id":"it_1"},"level":5,"session":"k1"}`, "", `subject=item:it_1 level=5 data=`},
		{"RatingHall", `{"id":"a","kind":"rating","at":"` + at + `","subject":{"service":"hall"},"level":2,"aspects":{"efficiency":2,"attitude":3}}`, "", `subject=service:hall level=2 data={"aspects":{"attitude":3,"efficiency":2}}`},
		{"Feedback", `{"id":"a","kind":"feedback","at":"` + at + `","text":" 希望增加周末办理时间 ","contact":"138****0000","topic":"hours"}`, "", `topic=hours text=希望增加周末办理时间 contact=138****0000 data=`},
		{"NoID", `{"kind":"impression","at":"` + at + `","item_id":"it_1"}`, "id: required", ""},
		{"LongID", `{"id":"` + strings.Repeat("x", 65) + `","kind":"impression","at":"` + at + `","item_id":"it_1"}`, "id:", ""},
		{"UnknownKind", `{"id":"a","kind":"cheer","at":"` + at + `"}`, "kind:", ""},
		{"NoAt", `{"id":"a","kind":"impression","item_id":"it_1"}`, "at:", ""},
		{"AtWithoutZone", `{"id":"a","kind":"impression","at":"2026-05-04T10:00:00","item_id":"it_1"}`, "at:", ""},
		{"AbsurdPast", `{"id":"a","kind":"impression","at":"1999-01-01T00:00:00Z","item_id":"it_1"}`, "at:", ""},
		{"AbsurdFuture", `{"id":"a","kind":"impression","at":"2030-01-01T00:00:00Z","item_id":"it_1"}`, "at:", ""},
		{"ImpressionOfNothing", `{"id":"a","kind":"impression","at":"` + at + `"}`, "impression:", ""},
		{"ViewWithoutItem", `{"id":"a","kind":"view","at":"` + at + `"}`, "view:", ""},
		{"RatingLevel", `{"id":"a","kind":"rating","at":"` + at + `","subject":{"service":"hall"},"level":6}`, "level:", ""},
		{"RatingNoSubject", `{"id":"a","kind":"rating","at":"` + at + `","level":4}`, "subject:", ""},
		{"RatingTwoSubjects", `{"id":"a","kind":"rating","at":"` + at + `","subject":{"service":"hall","item_id":"x"},"level":4}`, "subject:", ""},
		{"RatingAspect", `{"id":"a","kind":"rating","at":"` + at + `","subject":{"service":"hall"},"level":4,"aspects":{"speed":9}}`, "aspects.speed", ""},
		{"RatingUnknownAspect", `{"id":"a","kind":"rating","at":"` + at + `","subject":{"service":"hall"},"level":4,"aspects":{"speed":3}}`, "aspects.speed: not a known aspect", ""},
		{"RatingAspectLevel", `{"id":"a","kind":"rating","at":"` + at + `","subject":{"service":"hall"},"level":4,"aspects":{"attitude":0}}`, "aspects.attitude: want 1 to 5", ""},
		{"FeedbackEmpty", `{"id":"a","kind":"feedback","at":"` + at + `","text":"  "}`, "text:", ""},
		{"NegativeDuration", `{"id":"a","kind":"impression","at":"` + at + `","item_id":"it_1","duration_ms":-1}`, "duration_ms", ""},
		{"WrongType", `{"id":"a","kind":"impression","at":"` + at + `","item_id":"it_1","revision":"2"}`, "not a valid event", ""},
		{"NotObject", `[1,2]`, "not a valid event", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, bad := DecodeEvents([]json.RawMessage{json.RawMessage(tt.event)}, kiosk, testNow)
			if tt.err != "" {
				if len(ok) != 0 || len(bad) != 1 || !strings.Contains(bad[0].Message, tt.err) {
					t.Fatalf("got ok %v, bad %+v; want one error containing %q", ok, bad, tt.err)
				}
				return
			}
			if len(bad) != 0 || len(ok) != 1 {
				t.Fatalf("got ok %v, bad %+v; want one valid event", ok, bad)
			}
			e := ok[0]
			if e.ID != "a" || e.ScreenID != "s1" || !e.ReceivedAt.Equal(testNow) || e.At.Format(time.RFC3339) != at {
				t.Errorf("event = %+v", e)
			}
			var got []string
			if e.Subject != "" {
				got = append(got, "subject="+e.Subject, fmt.Sprint("level=", e.Level))
			}
			if e.Topic != "" || e.Text != "" {
				got = append(got, "topic="+e.Topic, "text="+e.Text, "contact="+e.Contact)
			}
			if e.Kind == hall.EventRating || e.Kind == hall.EventFeedback || len(e.Data) > 0 {
				got = append(got, "data="+string(e.Data))
			}
			if g := strings.Join(got, " "); g != tt.data {
				t.Errorf("decoded %q, want %q", g, tt.data)
			}
		})
	}
	t.Run("BadIDReported", func(t *testing.T) {
		_, bad := DecodeEvents([]json.RawMessage{json.RawMessage(`{"id":"x1","kind":"nope"}`), json.RawMessage(`{"id":7}`)}, kiosk, testNow)
		if len(bad) != 2 || bad[0].ID != "x1" || bad[0].Index != 0 || bad[1].ID != "" || bad[1].Index != 1 || bad[0].Code != hall.EValidation {
			t.Errorf("bad = %+v, want x1 at 0 and no id at 1, code validation", bad)
		}
	})
	t.Run("ClockWindow", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			at   time.Time
			ok   bool
		}{
			{"SixDaysOld", testNow.Add(-6 * 24 * time.Hour), true},
			{"SevenDaysOld", testNow.Add(-MaxEventAge), true},
			{"EightDaysOld", testNow.Add(-MaxEventAge - time.Second), false},
			{"FourMinutesAhead", testNow.Add(4 * time.Minute), true},
			{"SixMinutesAhead", testNow.Add(MaxEventLead + time.Second), false},
		} {
			raw := json.RawMessage(`{"id":"a","kind":"rating","at":"` + tc.at.Format(time.RFC3339Nano) + `","subject":{"service":"hall"},"level":4}`)
			ok, bad := DecodeEvents([]json.RawMessage{raw}, kiosk, testNow)
			if got := len(ok) == 1; got != tc.ok {
				t.Errorf("%s: accepted %v (%+v), want %v", tc.name, got, bad, tc.ok)
			}
			if len(ok) == 1 && (!ok[0].At.Equal(tc.at) || !ok[0].ReceivedAt.Equal(testNow)) {
				t.Errorf("%s: at %v received %v, want the device's time kept and the server's as received", tc.name, ok[0].At, ok[0].ReceivedAt)
			}
		}
	})
	t.Run("OnlyKiosksRateAndGiveFeedback", func(t *testing.T) {
		raw := []json.RawMessage{
			json.RawMessage(`{"id":"r","kind":"rating","at":"` + at + `","subject":{"service":"hall"},"level":1}`),
			json.RawMessage(`{"id":"f","kind":"feedback","at":"` + at + `","text":"x"}`),
			json.RawMessage(`{"id":"i","kind":"impression","at":"` + at + `","item_id":"it_1"}`),
			json.RawMessage(`{"id":"v","kind":"view","at":"` + at + `","item_id":"it_1"}`),
		}
		for _, kind := range []string{hall.KindLED, "", "tablet"} {
			ok, bad := DecodeEvents(raw, &hall.Screen{ID: "w1", Kind: kind}, testNow)
			if len(ok) != 2 || ok[0].ID != "i" || ok[1].ID != "v" {
				t.Errorf("kind %q: accepted %d events, want the impression and the view", kind, len(ok))
			}
			if len(bad) != 2 || bad[0].ID != "r" || bad[1].ID != "f" || bad[0].Code != hall.EForbidden || bad[1].Code != hall.EForbidden ||
				!strings.Contains(bad[0].Message, "kiosk") {
				t.Errorf("kind %q: refused %+v, want the rating and the feedback, forbidden", kind, bad)
			}
		}
		if ok, bad := DecodeEvents(raw, kiosk, testNow); len(ok) != 4 || len(bad) != 0 {
			t.Errorf("kiosk: accepted %d, refused %+v; want all 4", len(ok), bad)
		}
	})
}

// kiosk is the screen TestDecodeEvents decodes for.
var kiosk = &hall.Screen{ID: "s1", Kind: hall.KindKiosk}

func TestEventsRefused(t *testing.T) {
	h := newHarness(t, nil).start(t)
	h.store.addScreen("wall")
	h.store.addKiosk("k1")
	at := testNow.Add(-time.Minute).Format(time.RFC3339)
	feedback := func(id, text string) map[string]any {
		return map[string]any{"id": id, "kind": "feedback", "at": at, "text": text}
	}

	t.Run("LEDFeedbackForbidden", func(t *testing.T) {
		c, _ := h.connect(t, "wall")
		c.send(t, map[string]any{"type": "events", "events": []any{feedback("led-f1", "hello"), impression("led-i1")}})
		e := c.expect(t, "error")
		if e.Code != hall.EForbidden || !slices.Equal(e.IDs, []string{"led-f1"}) || !strings.Contains(e.Message, "1 events refused") {
			t.Errorf("error frame = %+v, want forbidden naming [led-f1]", e)
		}
		if m := c.expect(t, "ack"); !slices.Equal(m.IDs, []string{"led-i1"}) {
			t.Errorf("ack ids = %v, want [led-i1]", m.IDs)
		}
	})
	t.Run("RefusedByIngest", func(t *testing.T) {
		c, _ := h.connect(t, "k1")
		bad := feedback("k-bad", "x")
		bad["at"] = "not a time"
		c.send(t, map[string]any{"type": "events", "events": []any{feedback("k-f1", "ok"), feedback("k-f2", "refuse"), bad}})
		e := c.expect(t, "error")
		if e.Code != hall.EValidation || !slices.Equal(e.IDs, []string{"k-bad"}) {
			t.Errorf("first error frame = %+v, want validation naming [k-bad]", e)
		}
		e = c.expect(t, "error")
		if e.Code != hall.ERateLimited || !slices.Equal(e.IDs, []string{"k-f2"}) {
			t.Errorf("second error frame = %+v, want rate_limited naming [k-f2]", e)
		}
		if m := c.expect(t, "ack"); !slices.Equal(m.IDs, []string{"k-f1"}) {
			t.Errorf("ack ids = %v, want [k-f1]", m.IDs)
		}
	})
}

func TestReceivePositions(t *testing.T) {
	in := &ingester{stored: map[string]*hall.Event{}}
	at := testNow.Add(-time.Minute).Format(time.RFC3339)
	raw := []json.RawMessage{
		json.RawMessage(`{"id":"a","kind":"feedback","at":"` + at + `","text":"refuse"}`),
		json.RawMessage(`{"id":"b","kind":"nope","at":"` + at + `"}`),
		json.RawMessage(`{"id":"c","kind":"feedback","at":"` + at + `","text":"fine"}`),
		json.RawMessage(`{"id":"d","kind":"feedback","at":"` + at + `","text":"refuse"}`),
	}
	acked, refused, err := Receive(context.Background(), in, raw, kiosk, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(acked, []string{"c"}) {
		t.Errorf("acked %v, want [c]", acked)
	}
	var got []string
	for _, r := range refused {
		got = append(got, fmt.Sprint(r.Index, r.ID, r.Code))
	}
	if want := []string{"0arate_limited", "1bvalidation", "3drate_limited"}; !slices.Equal(got, want) {
		t.Errorf("refused %v, want %v (by position)", got, want)
	}
}

func TestConnectionsPerAddress(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.MaxConnsPerAddr, c.MaxPendingPerAddr = 3, 2
		c.ClientAddr = func(r *http.Request) string { return r.Header.Get("X-Test-Client") }
	}).start(t)
	h.store.addScreen("s1")
	dialFrom := func(addr string) (*websocket.Conn, int, error) {
		ws, resp, err := websocket.DefaultDialer.Dial(h.url, http.Header{"X-Test-Client": {addr}})
		code := 0
		if resp != nil {
			code = resp.StatusCode
		}
		if ws != nil {
			t.Cleanup(func() { ws.Close() })
		}
		return ws, code, err
	}
	refused := func(reason string) float64 { return metricValue(t, h.hub.metrics.refused.WithLabelValues(reason)) }

	// Two connections without hello fill addr A's pending allowance.
	a1, _, err := dialFrom("A")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := dialFrom("A"); err != nil {
		t.Fatal(err)
	}
	if _, code, err := dialFrom("A"); err == nil || code != http.StatusTooManyRequests {
		t.Fatalf("third connection without hello from A: %v (status %d), want 429", err, code)
	}
	if got := refused(refusedPendingPer); got != 1 {
		t.Errorf("refused %s = %v, want 1", refusedPendingPer, got)
	}
	// Another address is not affected.
	if _, _, err := dialFrom("B"); err != nil {
		t.Errorf("connection from B: %v", err)
	}
	// A hello frees a pending place, not an open one: A then has 3 open.
	a1.WriteJSON(map[string]any{"type": "hello", "token": "tok-s1"})
	poll.True(t, 5*time.Second, "a1 registered", func() bool { return h.hub.Online()["s1"].Connections == 1 })
	a3, _, err := dialFrom("A")
	if err != nil {
		t.Fatalf("third connection from A after a hello: %v", err)
	}
	if _, code, err := dialFrom("A"); err == nil || code != http.StatusTooManyRequests {
		t.Fatalf("fourth connection from A: %v (status %d), want 429", err, code)
	}
	if got := refused(refusedPerAddr); got != 1 {
		t.Errorf("refused %s = %v, want 1", refusedPerAddr, got)
	}
	// An ended connection frees its place.
	a3.Close()
	poll.True(t, 5*time.Second, "a place for A again", func() bool {
		ws, _, err := dialFrom("A")
		if err == nil {
			ws.Close()
		}
		return err == nil
	})
}

// TestRevalidate: a screen revoked without the hub being told (on another
// replica, while this one's subscription was down) is closed with 4403 at
// the next revalidation; others stay.
func TestRevalidate(t *testing.T) {
	h := newHarness(t, nil).start(t)
	h.store.addScreen("s1")
	gone := h.store.addScreen("s2")
	_, _ = h.connect(t, "s1")
	b, _ := h.connect(t, "s2")
	poll.True(t, 5*time.Second, "both connected", func() bool {
		on := h.hub.Online()
		return on["s1"].Online && on["s2"].Online
	})
	h.store.mu.Lock()
	now := testNow
	gone.RevokedAt = &now
	h.store.mu.Unlock()
	if err := h.hub.Revalidate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if code := b.closeCode(t); code != CloseRevoked {
		t.Errorf("revoked screen closed with %d, want %d", code, CloseRevoked)
	}
	if !h.hub.Online()["s1"].Online {
		t.Error("a live screen was closed")
	}
}
