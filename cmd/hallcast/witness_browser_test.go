package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/poll"
)

// publishTitled publishes a finance item with the title and returns its id.
func publishTitled(c *client, title string) string {
	c.t.Helper()
	var made struct{ Item struct{ ID string } }
	c.must("POST", "/api/v1/items", map[string]any{"category": "finance", "department": "finance", "title": title, "summary": "收支", "body": "本月收支情况。"}, &made)
	c.publish(made.Item.ID)
	return made.Item.ID
}

// TestArchiveWitnessBrowser makes the public page and the kiosk witnesses of
// a hall's archive, then rewrites the hall's history behind its back (a leaf
// edited, every checkpoint and the server's own head file deleted) and
// restarts it: the server signs the rewritten tree, the public page proves
// in the browser that it does not extend the head it remembered, shows the
// broken-history warning and reports it, and the kiosk shows the warning too.
func TestArchiveWitnessBrowser(t *testing.T) {
	b := newBrowser(t)
	dir := t.TempDir()
	env := map[string]string{"HALLCAST_DATA": dir, "HALLCAST_ADMIN_PASSWORD": hallAdminPassword}
	base, _, stop := startServer(t, env)
	c := adminClient(t, base, env)
	_, token := newScreen(c, "服务台触摸屏", "kiosk", "lobby")
	budgets := publicItems(c, "budget")
	if len(budgets) == 0 {
		t.Fatal("the demo content has no published budget")
	}
	page := base + "/p/" + url.PathEscape(budgets[0].ID)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}

	p := b.tab(390, 844)
	p.open(page)
	p.waitState(15*time.Second, "ready")
	p.waitFor(15*time.Second, "the history checked", `document.body.dataset.archive`)
	if got := eval[string](p, `document.body.dataset.archive + ' ' + document.getElementById('history-status')?.dataset.status`); got != "ok ok" {
		t.Fatalf("first visit: archive %q, want ok", got)
	}
	first := eval[int](p, `JSON.parse(localStorage.getItem('hallcast.archive.head')).size`)

	t.Run("ConsistencyProofsInTheBrowser", func(t *testing.T) {
		// The page's verifier against every proof the server gives for
		// this archive, and against each proof with one hash changed.
		p := p.in(t)
		ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
		defer cancel()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(async () => {
			const m = await import('/ui/shared/merkle.js');
			const size = %d;
			let ok = 0, bad = [];
			for (let to = 1; to <= size; to++) for (let from = 1; from <= to; from++) {
				const r = await (await fetch('/api/v1/archive/consistency?from=' + from + '&to=' + to)).json();
				if (await m.verifyConsistency(from, to, r.from_root, r.to_root, r.proof)) ok++; else bad.push(from + '→' + to);
				if (r.proof.length) {
					const x = m.fromBase64(r.proof[0]); x[0] ^= 1;
					const p = [m.toBase64(x), ...r.proof.slice(1)];
					if (await m.verifyConsistency(from, to, r.from_root, r.to_root, p)) bad.push('altered ' + from + '→' + to);
				}
				if (from < to && await m.verifyConsistency(from, to, r.to_root, r.to_root, r.proof)) bad.push('wrong root ' + from + '→' + to);
			}
			return ok + ' ' + JSON.stringify(bad);
		})()`, first), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%d []", first*(first+1)/2); got != want {
			t.Errorf("consistency proofs checked in the browser: %s, want %s", got, want)
		}
	})

	k := b.tab(1080, 1920)
	k.open(base + "/kiosk?idle=300&token=" + url.QueryEscape(token))
	k.waitState(20*time.Second, "attract")
	k.waitFor(15*time.Second, "the kiosk's witness", `document.body.dataset.archive === 'ok'`)
	k.open("about:blank")

	// A publish, then a visit: the remembered head is extended with a
	// consistency proof checked in the page.
	publishTitled(c, "见证测试：新的财务公开")
	p.open(page)
	p.waitState(15*time.Second, "ready")
	p.waitFor(15*time.Second, "the history checked", `document.body.dataset.archive`)
	if got := eval[string](p, `document.body.dataset.archive + ' ' + JSON.parse(localStorage.getItem('hallcast.archive.head')).size`); got != fmt.Sprintf("ok %d", first+1) {
		t.Fatalf("after a publish: %q, want ok and the head of %d entries remembered", got, first+1)
	}

	stop()
	forgeHistory(t, dir)
	if err := os.Remove(filepath.Join(dir, archive.HeadFileName)); err != nil {
		t.Fatal(err)
	}
	serveAt(t, env, u.Host)
	// The forged history grows on: the server signs it, one entry longer.
	publishTitled(c, "伪造之后的公开")

	p.open(page)
	p.waitState(15*time.Second, "ready")
	p.waitFor(15*time.Second, "the broken-history warning", `document.body.dataset.archive === 'broken' && document.getElementById('archive-warning')`)
	if got := eval[string](p, `document.body.dataset.archiveProblem`); got != "consistency" {
		t.Errorf("problem %q, want consistency (the proof from the remembered head fails)", got)
	}
	if got := eval[int](p, `JSON.parse(localStorage.getItem('hallcast.archive.head')).size`); got != first+1 {
		t.Errorf("the page remembers a head of %d entries, want the last good one (%d)", got, first+1)
	}
	t.Logf("screenshot: %s", p.screenshot(screenshotDir(t), "public-broken-history.png"))

	t.Run("Reported", func(t *testing.T) {
		c := c.in(t)
		poll.Until(t, 15*time.Second, "the page's alarm in the audit log", func() (bool, string) {
			var audit struct {
				Entries []struct{ Action, Detail string }
			}
			c.must("GET", "/api/v1/audit", nil, &audit)
			return hasAudit(audit.Entries, "archive.alarm", "confirmed true"), fmt.Sprintf("%d entries", len(audit.Entries))
		})
	})

	t.Run("Kiosk", func(t *testing.T) {
		k := k.in(t)
		k.open(base + "/kiosk?idle=300")
		k.waitState(20*time.Second, "attract")
		k.waitFor(20*time.Second, "the kiosk's warning", `document.body.dataset.archive === 'broken' && !document.getElementById('archive-warning').hidden`)
		t.Logf("screenshot: %s", k.screenshot(screenshotDir(t), "kiosk-broken-history.png"))
	})
}
