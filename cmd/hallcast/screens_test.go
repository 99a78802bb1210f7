package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// client calls the API of a running server with a bearer token.
type client struct {
	t     *testing.T
	base  string
	token string
	// reviewerToken is a second person's: whoever submits an item never
	// approves it.
	reviewerToken string
}

// publish takes a draft through the workflow: submitted by the client,
// approved by the reviewer, published by the client.
func (c *client) publish(id string) {
	c.t.Helper()
	c.must("POST", "/api/v1/items/"+id+"/submit", nil, nil)
	reviewer := *c
	reviewer.token = c.reviewerToken
	reviewer.must("POST", "/api/v1/items/"+id+"/approve", nil, nil)
	c.must("POST", "/api/v1/items/"+id+"/publish", nil, nil)
}

func (c *client) call(method, path string, body any, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

func (c *client) must(method, path string, body any, out any) {
	c.t.Helper()
	var raw json.RawMessage
	code := c.call(method, path, body, &raw)
	if code >= 300 {
		c.t.Fatalf("%s %s: %d %s", method, path, code, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatal(err)
		}
	}
}

// startHall runs a server with the demo content and returns an admin client.
func startHall(t *testing.T) (*client, string) {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"HALLCAST_DATA": dir, "HALLCAST_ADMIN_PASSWORD": "a-long-test-password"}
	base, _, _ := startServer(t, env)
	return adminClient(t, base, env), dir
}

// screenConn is a websocket client speaking the device protocol.
type screenConn struct {
	t  *testing.T
	ws *websocket.Conn
}

func dialScreen(t *testing.T, base, token, etag string) (*screenConn, map[string]any, map[string]any) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(base, "http", "ws", 1)+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	s := &screenConn{t: t, ws: ws}
	hello := map[string]any{"type": "hello", "token": token, "kind": "led", "version": "test", "screen": map[string]int{"w": 1920, "h": 1080}}
	if etag != "" {
		hello["manifest_etag"] = etag
	}
	s.send(hello)
	welcome := s.next(5 * time.Second)
	if welcome["type"] != "welcome" {
		t.Fatalf("first frame %v, want welcome", welcome)
	}
	return s, welcome, s.next(5 * time.Second)
}

func (s *screenConn) send(v any) {
	s.t.Helper()
	if err := s.ws.WriteJSON(v); err != nil {
		s.t.Fatal(err)
	}
}

// next reads one frame, failing the test after d.
func (s *screenConn) next(d time.Duration) map[string]any {
	s.t.Helper()
	m, err := s.read(d)
	if err != nil {
		s.t.Fatal(err)
	}
	return m
}

func (s *screenConn) read(d time.Duration) (map[string]any, error) {
	s.ws.SetReadDeadline(time.Now().Add(d))
	var m map[string]any
	err := s.ws.ReadJSON(&m)
	return m, err
}

// nextOfType skips frames until one of the type arrives.
func (s *screenConn) nextOfType(typ string, d time.Duration) map[string]any {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		m := s.next(time.Until(deadline))
		if m["type"] == typ {
			return m
		}
	}
}

func TestScreensPushPath(t *testing.T) {
	c, _ := startHall(t)
	var halls struct{ Halls []struct{ ID string } }
	c.must("GET", "/api/v1/halls", nil, &halls)
	hallID := halls.Halls[0].ID

	// The lobby plays policies, which the hall's default rotation (what
	// the other screen plays) leaves out.
	c.must("PUT", "/api/v1/playlists/lobby", map[string]any{"name": "政策法规", "entries": []map[string]any{{"category": "policy", "duration_s": 15}}}, nil)
	c.must("PUT", "/api/v1/schedules/lobby", map[string]any{"playlist_id": "lobby", "target": map[string]any{"groups": []string{"lobby"}}, "priority": 10}, nil)
	var made struct {
		Screen struct{ ID string }
		Token  string
	}
	c.must("POST", "/api/v1/screens", map[string]any{"name": "一楼LED", "kind": "led", "hall_id": hallID, "groups": []string{"lobby"}}, &made)
	var other struct {
		Screen struct{ ID string }
		Token  string
	}
	c.must("POST", "/api/v1/screens", map[string]any{"name": "二楼LED", "kind": "led", "hall_id": hallID, "groups": []string{"upstairs"}}, &other)

	lobby, welcome, first := dialScreen(t, c.base, made.Token, "")
	if welcome["screen"].(map[string]any)["id"] != made.Screen.ID {
		t.Errorf("welcome %v", welcome)
	}
	if first["type"] != "manifest" || first["etag"] == "" {
		t.Fatalf("first manifest %v", first)
	}
	upstairs, _, _ := dialScreen(t, c.base, other.Token, "")

	t.Run("Unchanged", func(t *testing.T) {
		again, _, m := dialScreen(t, c.base, made.Token, first["etag"].(string))
		if m["unchanged"] != true || m["etag"] != first["etag"] {
			t.Errorf("reconnect with current etag: %v", m)
		}
		again.ws.Close()
	})

	t.Run("PublishReachesOnlyAffectedScreens", func(t *testing.T) {
		var created struct{ Item struct{ ID string } }
		c.must("POST", "/api/v1/items", map[string]any{"category": "policy", "department": "service-center", "title": "居住证申领办法（2026年修订）", "summary": "新规要点"}, &created)
		id := created.Item.ID
		c.publish(id)
		m := lobby.nextOfType("manifest", 5*time.Second)
		b, _ := json.Marshal(m["manifest"])
		if !strings.Contains(string(b), id) {
			t.Fatalf("new manifest lacks the published item %s: %s", id, b)
		}
		if f, err := upstairs.read(700 * time.Millisecond); err == nil {
			t.Errorf("unaffected screen got a frame: %v", f)
		}
		var rev map[string]any
		c.must("GET", "/api/v1/public/items/"+id+"/revisions/1", nil, &rev)
		if rev["title"] != "居住证申领办法（2026年修订）" {
			t.Errorf("revision: %v", rev)
		}
	})

	t.Run("InterruptReachesOnlyTargets", func(t *testing.T) {
		// A fresh connection: a read that timed out leaves a gorilla
		// connection unreadable.
		watcher, _, _ := dialScreen(t, c.base, other.Token, "")
		var made struct{ Interrupt struct{ ID string } }
		until := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		c.must("POST", "/api/v1/interrupts", map[string]any{"target": map[string]any{"groups": []string{"lobby"}}, "level": "urgent",
			"text": "因系统升级，今日下午暂停办理不动产登记", "until": until}, &made)
		m := lobby.nextOfType("interrupt", 5*time.Second)
		if m["id"] != made.Interrupt.ID || m["level"] != "urgent" {
			t.Errorf("interrupt frame %v", m)
		}
		if code := c.call("DELETE", "/api/v1/interrupts/"+made.Interrupt.ID, nil, nil); code != http.StatusNoContent {
			t.Fatalf("clear interrupt: %d", code)
		}
		if m := lobby.nextOfType("interrupt_clear", 5*time.Second); m["id"] != made.Interrupt.ID {
			t.Errorf("interrupt_clear frame %v", m)
		}
		if f, err := watcher.read(700 * time.Millisecond); err == nil {
			t.Errorf("untargeted screen got %v", f)
		}
		if code := c.call("POST", "/api/v1/interrupts", map[string]any{"target": map[string]any{}, "level": "urgent", "text": "x", "until": "2020-01-01T00:00:00Z"}, nil); code != 422 {
			t.Errorf("interrupt ending in the past: %d, want 422", code)
		}
	})

	t.Run("EventsAckedAndStoredOnce", func(t *testing.T) {
		now := time.Now().UTC().Format(time.RFC3339)
		rated := publicItems(c, "")[0].ID
		kioskID, kioskToken := newScreen(c, "服务台触摸屏", "kiosk")
		kiosk, _, _ := dialScreen(t, c.base, kioskToken, "")
		frame := map[string]any{"type": "events", "events": []map[string]any{
			{"id": "ev-view-1", "kind": "view", "at": now, "item_id": rated, "revision": 1, "dwell_ms": 15000, "session": "s1"},
			{"id": "ev-rate-1", "kind": "rating", "at": now, "subject": map[string]string{"service": "hall"}, "level": 1, "session": "s1"},
			{"id": "ev-rate-2", "kind": "rating", "at": now, "subject": map[string]string{"item_id": rated}, "level": 5, "session": "s1"},
			{"id": "ev-fb-1", "kind": "feedback", "at": now, "topic": "efficiency", "text": "排队太久", "contact": "13812345678", "session": "s1"},
			{"id": "", "kind": "impression", "at": now},
		}}
		kiosk.send(frame)
		var acked []any
		for len(acked) < 4 {
			m := kiosk.next(5 * time.Second)
			if m["type"] == "ack" {
				acked = append(acked, m["ids"].([]any)...)
			}
		}
		if len(acked) != 4 {
			t.Errorf("acked %v, want the 4 valid events", acked)
		}
		kiosk.send(frame) // resent, as after a lost ack
		kiosk.nextOfType("ack", 5*time.Second)
		lobby.send(map[string]any{"type": "events", "events": []map[string]any{
			{"id": "ev-imp-1", "kind": "impression", "at": now, "item_id": "x", "revision": 1, "duration_ms": 15000, "playlist_id": "lobby"},
		}})
		lobby.nextOfType("ack", 5*time.Second)

		// The HTTP fallback stores and acks too.
		req, _ := http.NewRequest("POST", c.base+"/api/v1/device/events", strings.NewReader(`{"events":[{"id":"ev-imp-2","kind":"impression","at":"`+now+`","item_id":"x","revision":1,"duration_ms":15000}]}`))
		req.Header.Set("Authorization", "Bearer "+made.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var ack struct{ Ack []string }
		json.NewDecoder(resp.Body).Decode(&ack)
		resp.Body.Close()
		if len(ack.Ack) != 1 || ack.Ack[0] != "ev-imp-2" {
			t.Errorf("device events fallback ack: %v", ack)
		}

		var rep struct {
			Rows []struct {
				Key         string
				Impressions int
				Ratings     int
				Poor        int
				Feedback    int
			}
		}
		c.must("GET", "/api/v1/reports/engagement?by=screen", nil, &rep)
		byScreen := map[string]int{}
		for _, r := range rep.Rows {
			byScreen[r.Key] = len(byScreen)
		}
		if len(rep.Rows) != 2 {
			t.Fatalf("engagement by screen: %+v, want the LED's and the kiosk's rows", rep.Rows)
		}
		if r := rep.Rows[byScreen[made.Screen.ID]]; r.Impressions != 2 || r.Ratings != 0 {
			t.Errorf("engagement of the LED screen: %+v", r)
		}
		if r := rep.Rows[byScreen[kioskID]]; r.Ratings != 2 || r.Poor != 1 || r.Feedback != 1 {
			t.Errorf("engagement of the kiosk: %+v", r)
		}
		var byItem struct {
			Rows []struct {
				Key    string
				Levels []int
				Index  float64
			}
		}
		c.must("GET", "/api/v1/reports/engagement?by=item", nil, &byItem)
		for _, r := range byItem.Rows {
			if r.Key == "service:hall" && (r.Levels[0] != 1 || r.Index != 0) || r.Key == rated && (r.Levels[4] != 1 || r.Index != 100) {
				t.Errorf("engagement row %+v", r)
			}
		}
		var cases struct{ Cases []map[string]any }
		c.must("GET", "/api/v1/cases", nil, &cases)
		if len(cases.Cases) != 1 || cases.Cases[0]["due_at"] == nil || cases.Cases[0]["subject"] != "service:hall" {
			t.Errorf("cases: %v", cases.Cases)
		}
		var fb struct{ Feedback []map[string]any }
		c.must("GET", "/api/v1/feedback", nil, &fb)
		if len(fb.Feedback) != 1 || fb.Feedback[0]["receipt"] != "FKEVFB1" || fb.Feedback[0]["text"] != "排队太久" || fb.Feedback[0]["topic"] != "efficiency" {
			t.Errorf("feedback: %v", fb.Feedback)
		}
	})

	t.Run("ListShowsOnline", func(t *testing.T) {
		var list struct {
			Screens []struct {
				ID     string
				Online bool
			}
		}
		c.must("GET", "/api/v1/screens", nil, &list)
		online := map[string]bool{}
		for _, s := range list.Screens {
			online[s.ID] = s.Online
		}
		if !online[made.Screen.ID] || !online[other.Screen.ID] {
			t.Errorf("screens online: %v", online)
		}
	})

	t.Run("RevokeCloses4403", func(t *testing.T) {
		if code := c.call("DELETE", "/api/v1/screens/"+made.Screen.ID, nil, nil); code != http.StatusNoContent {
			t.Fatalf("revoke: %d", code)
		}
		for {
			_, err := lobby.read(5 * time.Second)
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				if ce.Code != 4403 {
					t.Errorf("close code %d, want 4403", ce.Code)
				}
				break
			}
			if err != nil {
				t.Fatalf("read after revoke: %v", err)
			}
		}
		ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(c.base, "http", "ws", 1)+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		ws.WriteJSON(map[string]any{"type": "hello", "token": made.Token, "kind": "led"})
		_, _, err = ws.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4403 {
			t.Errorf("reconnect with a revoked token: %v, want close 4403", err)
		}
	})
}

func TestPairing(t *testing.T) {
	c, _ := startHall(t)
	anon := &client{t: t, base: c.base}
	var p struct{ ID, Code, Secret string }
	anon.must("POST", "/api/v1/pairings", map[string]any{}, &p)
	if !regexp.MustCompile(`^\d{6}$`).MatchString(p.Code) {
		t.Fatalf("pairing code %q", p.Code)
	}
	var poll map[string]any
	anon.must("GET", "/api/v1/pairings/"+p.ID+"?secret="+p.Secret, nil, &poll)
	if poll["status"] != "pending" {
		t.Fatalf("poll before claim: %v", poll)
	}
	if code := anon.call("GET", "/api/v1/pairings/"+p.ID+"?secret=wrong", nil, nil); code != 404 {
		t.Errorf("poll with a wrong secret: %d", code)
	}
	var halls struct{ Halls []struct{ ID string } }
	c.must("GET", "/api/v1/halls", nil, &halls)
	if code := anon.call("POST", "/api/v1/pairings/"+p.Code+"/claim", map[string]any{"name": "x"}, nil); code != 401 {
		t.Errorf("anonymous claim: %d", code)
	}
	c.must("POST", "/api/v1/pairings/"+p.Code+"/claim", map[string]any{"name": "服务台触摸屏", "kind": "kiosk", "hall_id": halls.Halls[0].ID}, nil)
	anon.must("GET", "/api/v1/pairings/"+p.ID+"?secret="+p.Secret, nil, &poll)
	token, _ := poll["token"].(string)
	if poll["status"] != "claimed" || token == "" {
		t.Fatalf("poll after claim: %v", poll)
	}
	if code := anon.call("GET", "/api/v1/pairings/"+p.ID+"?secret="+p.Secret, nil, nil); code != 404 {
		t.Errorf("token handed out twice: %d", code)
	}
	_, welcome, _ := dialScreen(t, c.base, token, "")
	if welcome["screen"].(map[string]any)["kind"] != "kiosk" {
		t.Errorf("paired screen welcome: %v", welcome)
	}
	t.Run("RateLimited", func(t *testing.T) {
		limited := false
		for i := 0; i < 20 && !limited; i++ {
			limited = anon.call("POST", "/api/v1/pairings", map[string]any{}, nil) == 429
		}
		if !limited {
			t.Error(fmt.Sprint("20 pairings from one address were not rate limited"))
		}
	})
}
