package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hallcast/hallcast/server/poll"
)

// TestConsoleRedact: an admin redacts a published revision from the item's
// history in the console; the revision then answers 410 with the reason, the
// public page says the content was removed, and the archive still verifies
// (over HTTP while serving, and with `hallcast archive verify` offline).
func TestConsoleRedact(t *testing.T) {
	b := newBrowser(t)
	c, dir := startHall(t)
	budgets := publicItems(c, "budget")
	if len(budgets) == 0 {
		t.Fatal("the demo content has no published budget")
	}
	id := budgets[0].ID

	p := b.tab(1440, 1000)
	loginConsole(p, c.base, "admin", hallAdminPassword)
	p.open(c.base + "/admin#items/" + id)
	p.waitFor(15*time.Second, "the redact button", `document.querySelector('#item-revisions [data-redact="1"]')`)
	p.click(`#item-revisions [data-redact="1"]`)
	p.waitFor(5*time.Second, "the redact dialog", `document.querySelector('#redact-dialog textarea')`)
	reason := "含未脱敏的个人信息"
	p.do(5*time.Second, "give the reason", chromedp.SendKeys(chromedp.CSS("#redact-dialog textarea"), reason))
	p.click("#redact-dialog-ok")

	path := "/api/v1/public/items/" + id + "/revisions/1"
	var gone json.RawMessage
	poll.Until(t, 15*time.Second, "the revision answers 410", func() (bool, string) {
		code := c.call("GET", path, nil, &gone)
		return code == 410, string(gone)
	})
	if !strings.Contains(string(gone), reason) {
		t.Errorf("410 body %s does not give the reason", gone)
	}
	p.waitFor(15*time.Second, "the history shows the redaction", `(document.getElementById('item-revisions')?.textContent || '').includes(`+jsString(reason)+`) && !document.querySelector('#item-revisions [data-redact="1"]')`)

	pub := b.tab(390, 844)
	pub.open(c.base + "/p/" + url.PathEscape(id))
	pub.waitState(15*time.Second, "error")
	if got := pub.text("main"); !strings.Contains(got, reason) {
		t.Errorf("public page after redaction: %q, want the reason", got)
	}
	if items := publicItems(c, "budget"); len(items) > 0 && items[0].ID == id {
		t.Errorf("the redacted item is still listed")
	}

	var v struct{ OK bool }
	c.must("GET", "/api/v1/archive/verify", nil, &v)
	if !v.OK {
		t.Error("archive verify over HTTP fails after the redaction")
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"archive", "verify"}, envOf(map[string]string{"HALLCAST_DATA": dir}), nil, &out, &errOut); err != nil {
		t.Errorf("hallcast archive verify: %v\n%s%s", err, out.String(), errOut.String())
	}
}
