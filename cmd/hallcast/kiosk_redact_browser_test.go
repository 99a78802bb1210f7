package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestKioskDropsRedactedRevision: a kiosk's service worker keeps the
// revisions it has shown, but asks the server first; once an admin redacts a
// revision the kiosk gets 410 and no copy of it stays in its caches.
func TestKioskDropsRedactedRevision(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	var made struct{ Item struct{ ID string } }
	c.must("POST", "/api/v1/items", map[string]any{"category": "policy", "department": "party-office",
		"title": "错误发布的通知", "body": "本通知发布有误。"}, &made)
	id := made.Item.ID
	c.publish(id)

	p := startKiosk(t, b, c, 1080, 1920)
	p.open(c.base + "/kiosk?idle=300") // the token is stored; now under its worker
	p.waitState(20*time.Second, "attract")
	p.waitFor(20*time.Second, "the service worker in control", `!!navigator.serviceWorker.controller`)

	url := fmt.Sprintf("/api/v1/public/items/%s/revisions/1", id)
	fetchRev := func() (int, bool) {
		ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(async () => {
			const r = await fetch(`+jsString(url)+`);
			await new Promise((ok) => setTimeout(ok, 300));
			const hits = await Promise.all((await caches.keys()).map((k) => caches.open(k).then((c) => c.match(`+jsString(url)+`))));
			return [r.status, hits.some(Boolean) ? 1 : 0];
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("fetch through the worker: %v", err)
		}
		return int(v[0]), v[1] == 1
	}
	if status, cached := fetchRev(); status != 200 || !cached {
		t.Fatalf("before redaction: status %d, cached %v; want 200, cached", status, cached)
	}
	c.must("POST", "/api/v1/items/"+id+"/revisions/1/redact", map[string]any{"reason": "误发，依申请删除"}, nil)
	if status, cached := fetchRev(); status != 410 || cached {
		t.Errorf("after redaction: status %d, cached %v; want 410 and no copy kept", status, cached)
	}
}
