package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hallcast/hallcast/server/poll"
)

// These tests drive the device runtime the player and the kiosk share
// (kiosk-ui/shared/runtime.js) and their service worker in Chromium.

// awaitEval evaluates a JavaScript expression that yields a promise and
// decodes what it resolves to into T.
func awaitEval[T any](p *tab, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// outboxIDs lists the ids of the events in a device's IndexedDB outbox.
func outboxIDs(p *tab, db string) []string {
	p.t.Helper()
	return awaitEval[[]string](p, fmt.Sprintf(`new Promise((resolve, reject) => {
  const r = indexedDB.open(%s);
  r.onerror = () => reject(r.error);
  r.onsuccess = () => {
    const all = r.result.transaction('events').objectStore('events').getAll();
    all.onerror = () => reject(all.error);
    all.onsuccess = () => { r.result.close(); resolve(all.result.map((row) => row.id)); };
  };
})`, jsString(db)))
}

// workerControls waits until the device's service worker controls the page:
// it has precached the page and its modules.
func (p *tab) workerControls(d time.Duration) {
	p.t.Helper()
	p.waitFor(d, "the service worker in control", `navigator.serviceWorker && navigator.serviceWorker.controller !== null`)
}

// waitAcrossReload is waitFor for a condition that a reload of the page
// brings about: an evaluation that the navigation interrupts is tried again.
func (p *tab) waitAcrossReload(d time.Duration, what, expr string) {
	p.t.Helper()
	deadline := time.Now().Add(d)
	last := ""
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting %s for %s (last error: %s; page: %s)", d, what, last, p.state())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// metric reads one counter from /metrics, summed over its label sets, and
// the lines that mention match.
func metric(t *testing.T, base, name, match string) (float64, []string) {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sum float64
	var matched []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if match != "" && strings.Contains(line, match) {
			matched = append(matched, line)
		}
		if line == name || strings.HasPrefix(line, name+" ") || strings.HasPrefix(line, name+"{") {
			fields := strings.Fields(line)
			v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
			if err != nil {
				t.Fatalf("metric line %q: %v", line, err)
			}
			sum += v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return sum, matched
}

// TestPlayerOffline plays a lobby playlist, loses the server, starts again
// without it from what the service worker precached (the page and every
// module) and what the runtime kept (manifest, revisions), records
// impressions offline, and sends them over the websocket once the server is
// back.
func TestPlayerOffline(t *testing.T) {
	b := newBrowser(t)
	dir := t.TempDir()
	env := map[string]string{"HALLCAST_DATA": dir, "HALLCAST_ADMIN_PASSWORD": hallAdminPassword}
	base, _, stop := startServer(t, env)
	c := adminClient(t, base, env)
	_, token := newScreen(c, "大厅LED", "led", "lobby")
	c.must("PUT", "/api/v1/playlists/lobby", map[string]any{"name": "大厅轮播", "entries": []map[string]any{{"category": "finance", "duration_s": 2}}}, nil)
	c.must("PUT", "/api/v1/schedules/lobby", map[string]any{"playlist_id": "lobby", "target": map[string]any{"groups": []string{"lobby"}}, "priority": 10}, nil)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}

	p := b.tab(1280, 720)
	p.open(base + "/player?token=" + url.QueryEscape(token))
	p.waitState(20*time.Second, "playing")
	p.workerControls(20 * time.Second)
	// Every revision the manifest names is kept for offline play.
	poll.Until(t, 20*time.Second, "the manifest's revisions in IndexedDB", func() (bool, string) {
		n := awaitEval[[]int](p, `new Promise((resolve) => {
  const m = JSON.parse(localStorage.getItem('hallcast.player.manifest') || 'null');
  const want = m && m.manifest ? Object.keys(m.manifest.items || {}).length : -1;
  const r = indexedDB.open('hallcast-player');
  r.onerror = () => resolve([want, -1]);
  r.onsuccess = () => {
    const c = r.result.transaction('revisions').objectStore('revisions').count();
    c.onsuccess = () => { r.result.close(); resolve([want, c.result]); };
  };
})`)
		return n[0] > 0 && n[1] >= n[0], fmt.Sprintf("manifest items, stored revisions: %v", n)
	})

	stop()
	p.waitFor(10*time.Second, "the player to notice the server is gone", `document.body.dataset.connection === 'closed'`)
	p.open(base + "/player")
	p.waitState(20*time.Second, "offline")
	p.waitFor(10*time.Second, "an item on screen without the server",
		`document.body.dataset.itemId && document.getElementById('title')?.textContent.trim()`)
	p.waitFor(20*time.Second, "impressions recorded offline", `Number(document.body.dataset.outbox) > 0`)
	pending := outboxIDs(p, "hallcast-outbox")
	if len(pending) == 0 {
		t.Fatal("the outbox holds no event")
	}

	serveAt(t, env, u.Host)
	// The network is back: the runtime reconnects at once, without waiting
	// for its backoff.
	eval[bool](p, `dispatchEvent(new Event('online'))`)
	p.waitFor(20*time.Second, "the websocket again", `document.body.dataset.connection === 'open'`)
	poll.Until(t, 20*time.Second, "the offline impressions acknowledged", func() (bool, string) {
		left := map[string]bool{}
		for _, id := range outboxIDs(p, "hallcast-outbox") {
			left[id] = true
		}
		var still []string
		for _, id := range pending {
			if left[id] {
				still = append(still, id)
			}
		}
		return len(still) == 0, fmt.Sprintf("%d of %d still in the outbox", len(still), len(pending))
	})
	// They went over the websocket: the HTTP fallback waits 30 s.
	acked, _ := metric(t, base, "hallcast_events_acked_total", "")
	_, posts := metric(t, base, "hallcast_http_requests_total", `route="/api/v1/device/events"`)
	if acked < float64(len(pending)) || len(posts) > 0 {
		t.Errorf("events acked over the websocket: %v, want at least %d; HTTP fallback requests: %v, want none", acked, len(pending), posts)
	}
	if got := eval[string](p, `document.body.dataset.state`); got != "playing" {
		t.Errorf("data-state %q after reconnecting, want playing", got)
	}
}

// TestPlayerCommandsAndRevoke sends the identify and reload commands to a
// player, then revokes its screen: the server closes the websocket with
// 4403 and the player forgets its token and shows a pairing code.
func TestPlayerCommandsAndRevoke(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	const name = "南门信息屏"
	screenID, token := newScreen(c, name, "led", "lobby")
	p := b.tab(1280, 720)
	p.open(c.base + "/player?token=" + url.QueryEscape(token))
	p.waitFor(20*time.Second, "the websocket", `document.body.dataset.connection === 'open'`)
	command := func(t *testing.T, name string) {
		t.Helper()
		var out struct{ Sent int }
		c.in(t).must("POST", "/api/v1/screens/"+screenID+"/command", map[string]string{"name": name}, &out)
		if out.Sent < 1 {
			t.Fatalf("command %s reached %d connections, want 1", name, out.Sent)
		}
	}

	t.Run("Identify", func(t *testing.T) {
		p := p.in(t)
		command(t, "identify")
		p.waitFor(10*time.Second, "the screen's name on screen", fmt.Sprintf(`(() => { const e = document.querySelector('.identify'); return e && !e.hidden && e.querySelector('.name')?.textContent === %s; })()`, jsString(name)))
	})

	t.Run("Reload", func(t *testing.T) {
		p := p.in(t)
		eval[bool](p, `window.beforeReload = true`)
		command(t, "reload")
		p.waitAcrossReload(15*time.Second, "the page loaded again and connected", `!window.beforeReload && document.body.dataset.connection === 'open'`)
	})

	t.Run("Revoke", func(t *testing.T) {
		p := p.in(t)
		if code := c.call("DELETE", "/api/v1/screens/"+screenID, nil, nil); code != http.StatusNoContent {
			t.Fatalf("DELETE /api/v1/screens/%s: %d", screenID, code)
		}
		p.waitAcrossReload(15*time.Second, "the pairing screen", `document.body.dataset.state === 'pairing'`)
		p.waitFor(10*time.Second, "a pairing code", `/^\d{3} \d{3}$/.test(document.querySelector('.pairing .code')?.textContent || '')`)
		if got := eval[bool](p, `localStorage.getItem('hallcast.player.token') === null && localStorage.getItem('hallcast.player.manifest') === null`); !got {
			t.Error("the player kept its token or manifest after the revocation")
		}
	})
}

// TestKioskDropsInvalidEvents puts a valid and an invalid rating into the
// kiosk's outbox and starts the kiosk: the server stores the valid one and
// refuses the other by id, and the runtime drops it instead of resending
// it for ever.
func TestKioskDropsInvalidEvents(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	_, token := newScreen(c, "服务台触摸屏", "kiosk", "lobby")
	p := b.tab(1080, 1920)
	p.open(c.base + "/kiosk?idle=300&token=" + url.QueryEscape(token))
	p.waitFor(20*time.Second, "the websocket", `document.body.dataset.connection === 'open'`)
	p.waitFor(15*time.Second, "an empty outbox", `document.body.dataset.outbox === '0'`)

	// Written behind the page's back, so that the page finds them when it starts.
	awaitEval[bool](p, `new Promise((resolve, reject) => {
  const at = new Date().toISOString();
  const rating = (id, level) => ({ id, kind: 'rating', event: { id, at, kind: 'rating', subject: { service: 'hall' }, level, session: 'test-session' } });
  const r = indexedDB.open('hallcast-kiosk-outbox');
  r.onerror = () => reject(r.error);
  r.onsuccess = () => {
    const tx = r.result.transaction('events', 'readwrite');
    tx.objectStore('events').add(rating('test-valid-rating', 4));
    tx.objectStore('events').add(rating('test-invalid-rating', 9));
    tx.oncomplete = () => { r.result.close(); resolve(true); };
    tx.onabort = () => reject(tx.error);
  };
})`)
	p.open(c.base + "/kiosk?idle=300")
	p.waitFor(20*time.Second, "the websocket after the start", `document.body.dataset.connection === 'open'`)
	p.waitFor(20*time.Second, "an empty outbox: the valid rating stored, the invalid one dropped", `document.body.dataset.outbox === '0'`)
	row := engagement(c, "item")["service:hall"]
	if row.Ratings != 1 || row.Levels != [5]int{0, 0, 0, 1, 0} {
		t.Errorf("hall ratings %d levels %v, want the valid rating only (one at level 4)", row.Ratings, row.Levels)
	}
}

// TestPlayerTicker plays a lobby playlist on a strip sign (?mode=ticker) and
// sends an urgent interrupt, which replaces the scrolling titles with its
// text and goes when it is withdrawn.
func TestPlayerTicker(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	_, token := newScreen(c, "窗口条屏", "led", "lobby")
	c.must("PUT", "/api/v1/playlists/lobby", map[string]any{"name": "大厅轮播", "entries": []map[string]any{{"category": "finance", "duration_s": 5}}}, nil)
	c.must("PUT", "/api/v1/schedules/lobby", map[string]any{"playlist_id": "lobby", "target": map[string]any{"groups": []string{"lobby"}}, "priority": 10}, nil)
	p := b.tab(1280, 160)
	p.open(c.base + "/player?mode=ticker&token=" + url.QueryEscape(token))
	p.waitState(20*time.Second, "playing")
	p.waitFor(10*time.Second, "a title scrolling", `document.querySelector('.stage.ticker .seg .text')?.textContent.trim()`)

	const text = "今日16:30起系统升级，暂停办理社保业务"
	var made struct{ Interrupt struct{ ID string } }
	c.must("POST", "/api/v1/interrupts", map[string]any{"target": map[string]any{"groups": []string{"lobby"}}, "level": "urgent",
		"text": text, "until": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, &made)
	p.waitFor(10*time.Second, "the urgent text on the strip", fmt.Sprintf(`document.querySelector('.stage.ticker.urgent .seg.urgent .text')?.textContent === %s`, jsString(text)))
	if code := c.call("DELETE", "/api/v1/interrupts/"+made.Interrupt.ID, nil, nil); code != http.StatusNoContent {
		t.Fatalf("DELETE /api/v1/interrupts/%s: %d", made.Interrupt.ID, code)
	}
	p.waitFor(10*time.Second, "the titles back", `!document.querySelector('.stage.ticker.urgent') && document.querySelector('.stage.ticker .seg .text')`)
}
