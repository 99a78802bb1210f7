package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hallcast/hallcast/server/poll"
)

// screenListed returns one screen as GET /api/v1/screens lists it.
func screenListed(c *client, id string) map[string]any {
	c.t.Helper()
	var list struct{ Screens []map[string]any }
	c.must("GET", "/api/v1/screens", nil, &list)
	for _, s := range list.Screens {
		if s["id"] == id {
			return s
		}
	}
	c.t.Fatalf("screen %s not listed", id)
	return nil
}

// dialWithHello connects a screen with the given hello and reads welcome.
func dialWithHello(t *testing.T, base string, hello map[string]any) *screenConn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(base, "http", "ws", 1)+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	s := &screenConn{t: t, ws: ws}
	s.send(hello)
	if w := s.next(5 * time.Second); w["type"] != "welcome" {
		t.Fatalf("first frame %v, want welcome", w)
	}
	return s
}

// TestSecureContextReported: what a screen says of its secure context in
// hello and status reaches the screen list, so the console can show which
// screens cannot start offline.
func TestSecureContextReported(t *testing.T) {
	c, _ := startHall(t)

	t.Run("NotSaid", func(t *testing.T) {
		id, token := newScreen(c, "旧播放器", "led", "lobby")
		dialScreen(t, c.base, token, "")
		s := screenListed(c, id)
		if _, said := s["secure_context"]; said || s["online"] != true {
			t.Fatalf("a screen that said nothing is listed as %v", s)
		}
	})

	t.Run("Size", func(t *testing.T) {
		// The page size in hello is listed for the console's previews;
		// an implausible one is not.
		id, token := newScreen(c, "东门条屏", "led", "lobby")
		dialWithHello(t, c.base, map[string]any{"type": "hello", "token": token, "version": "player/test", "screen": map[string]int{"w": 768, "h": 96}})
		if got := screenListed(c, id); toJSON(got["screen"]) != `{"h":96,"w":768}` {
			t.Fatalf("a strip that said 768×96 is listed as %v", got)
		}
		id2, token2 := newScreen(c, "怪屏", "led", "lobby")
		dialWithHello(t, c.base, map[string]any{"type": "hello", "token": token2, "version": "player/test", "screen": map[string]int{"w": 0, "h": 99999}})
		if got := screenListed(c, id2); got["screen"] != nil {
			t.Fatalf("an implausible size is listed: %v", got)
		}
	})

	t.Run("HelloThenStatus", func(t *testing.T) {
		id, token := newScreen(c, "走廊屏", "led", "lobby")
		s := dialWithHello(t, c.base, map[string]any{"type": "hello", "token": token, "version": "player/test", "secure_context": false})
		if got := screenListed(c, id); got["secure_context"] != false {
			t.Fatalf("after hello with secure_context false: %v", got)
		}
		// A status without the field keeps it; one with it replaces it.
		s.send(map[string]any{"type": "status", "showing": map[string]any{"item_id": "", "revision": 0}, "uptime_s": 1})
		s.send(map[string]any{"type": "status", "showing": map[string]any{"item_id": "", "revision": 0}, "uptime_s": 2, "secure_context": true})
		poll.Until(t, 10*time.Second, "secure_context true in the list", func() (bool, string) {
			got := screenListed(c, id)
			return got["secure_context"] == true, "listed as " + toJSON(got)
		})
		s.ws.Close()
		poll.Until(t, 10*time.Second, "the screen offline without secure_context", func() (bool, string) {
			got := screenListed(c, id)
			_, said := got["secure_context"]
			return got["online"] == false && !said, "listed as " + toJSON(got)
		})
	})

	t.Run("Player", func(t *testing.T) {
		// The real player on 127.0.0.1 is in a secure context and says so.
		b := newBrowser(t)
		id, token := newScreen(c, "大厅屏", "led", "lobby")
		p := b.tab(1280, 720)
		p.open(c.base + "/player?token=" + url.QueryEscape(token))
		p.waitFor(20*time.Second, "the websocket", `document.body.dataset.connection === 'open'`)
		poll.Until(t, 10*time.Second, "the player's secure_context in the list", func() (bool, string) {
			got := screenListed(c, id)
			return got["secure_context"] == true, "listed as " + toJSON(got)
		})

		// The console marks the screen that cannot start offline, and only it.
		insecureID, insecureToken := newScreen(c, "二楼屏", "led", "lobby")
		dialWithHello(t, c.base, map[string]any{"type": "hello", "token": insecureToken, "version": "player/test", "secure_context": false})
		con := b.tab(1440, 1000)
		loginConsole(con, c.base, "admin", hallAdminPassword)
		con.open(c.base + "/admin#screens")
		badge := func(id string) string {
			return fmt.Sprintf(`document.querySelector('#screens-table tr[data-id=%s] .no-offline')`, jsString(id))
		}
		con.waitFor(15*time.Second, "the badge on the insecure screen", badge(insecureID))
		if got := eval[string](con, badge(insecureID)+`.textContent`); got != "不能离线启动" {
			t.Errorf("badge %q, want 不能离线启动", got)
		}
		if eval[bool](con, "!!"+badge(id)) {
			t.Error("the player in a secure context is marked too")
		}
	})
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestScreensDocFlags: docs/SCREENS.md names every flag the browser tests
// start Chromium with for the screens, and the defaults they rely on.
func TestScreensDocFlags(t *testing.T) {
	doc, err := os.ReadFile("../../docs/SCREENS.md")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"--kiosk", "--disable-features=Translate", "--disable-background-timer-throttling", "--disable-renderer-backgrounding"}
	for _, f := range screenPCFlags {
		flag := "--" + f.name
		if v, ok := f.value.(string); ok {
			flag += "=" + v
		}
		want = append(want, flag)
	}
	for _, flag := range want {
		if !strings.Contains(string(doc), flag) {
			t.Errorf("docs/SCREENS.md does not name %s", flag)
		}
	}
}
