package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// hallAdminPassword is the admin password startHall gives the server.
const hallAdminPassword = "a-long-test-password"

// chromiumPath finds the browser: $CHROMIUM_PATH, else /usr/bin/chromium.
// Without one the test is skipped, except on CI where it fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CHROMIUM_PATH")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium not found at %s: %v", path, err)
		}
		t.Skip("Chromium not found: apt-get install chromium fonts-noto-cjk")
	}
	return path
}

// screenPCFlags are the flags docs/SCREENS.md tells a hall to start its
// screens' browsers with (besides --kiosk, which headless has no use for):
// the tests run the pages the way the screens do. chromedp's defaults add
// the others the page names (disable-features=Translate, no background
// throttling).
var screenPCFlags = []struct {
	name  string
	value any
}{
	{"autoplay-policy", "no-user-gesture-required"},
	{"disable-pinch", true},
	{"overscroll-history-navigation", "0"},
	{"noerrdialogs", true},
	{"disable-session-crashed-bubble", true},
	{"disable-infobars", true},
	{"check-for-update-interval", "31536000"},
}

// browser is one headless Chromium shared by the tabs of a test function.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// newBrowser starts a headless Chromium with a fresh profile that stays off
// the network; it is closed when the test ends. The profile is a temporary
// directory of chromedp's, which removes it once Chromium is gone, trying
// again while helper processes still write to it (a t.TempDir fails the
// test when a late write beats its removal).
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	for _, f := range screenPCFlags {
		opts = append(opts, chromedp.Flag(f.name, f.value))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Do starts the browser, bound to ctx (no deadline here).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return &browser{t: t, ctx: ctx}
}

// tab is one page of the browser, with the page's console kept for the
// test log should the test fail.
type tab struct {
	t       *testing.T
	ctx     context.Context
	console *syncBuffer
}

// tab opens a new tab with a w×h viewport.
func (b *browser) tab(w, h int64) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	p := &tab{t: b.t, ctx: ctx, console: &syncBuffer{}}
	b.t.Cleanup(func() {
		if b.t.Failed() {
			b.t.Logf("browser console:\n%s", p.console.String())
		}
		cancel()
	})
	// The first Do opens the tab and binds it to ctx: no deadline here,
	// or the tab would close when the deadline's context is cancelled.
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open a tab: %v", err)
	}
	p.do(10*time.Second, "set the viewport", chromedp.EmulateViewport(w, h))
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			fmt.Fprintf(p.console, "%s %s\n", m.Type, m)
		}
	}()
	return p
}

// in is the tab reporting to t, for use inside a subtest (FailNow must be
// called on the subtest's own T).
func (p *tab) in(t *testing.T) *tab {
	q := *p
	q.t = t
	return &q
}

// in is the client reporting to t, for use inside a subtest.
func (c *client) in(t *testing.T) *client {
	d := *c
	d.t = t
	return &d
}

// do runs actions with a deadline, failing the test on an error.
func (p *tab) do(d time.Duration, what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, d)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v (page: %s)", what, err, p.state())
	}
}

// open navigates to url.
func (p *tab) open(url string) {
	p.t.Helper()
	p.do(15*time.Second, "open "+url, chromedp.Navigate(url))
}

// click clicks the first element matching the CSS selector once it is visible.
func (p *tab) click(sel string) {
	p.t.Helper()
	p.do(10*time.Second, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// typeInto types text into the input matching the CSS selector.
func (p *tab) typeInto(sel, text string) {
	p.t.Helper()
	p.do(10*time.Second, "type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// text is the visible text of the first element matching the CSS selector.
func (p *tab) text(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("text of %s: %v (page: %s)", sel, err, p.state())
	}
	return strings.TrimSpace(s)
}

// eval evaluates a JavaScript expression, decoding its value into T.
func eval[T any](p *tab, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls the JavaScript expression until it is truthy, failing the
// test after d with what it was waiting for.
func (p *tab) waitFor(d time.Duration, what, expr string) {
	p.t.Helper()
	if err := p.poll(d, expr); err != nil {
		p.t.Fatalf("waiting %s for %s: %v (page: %s)", d, what, err, p.state())
	}
}

// poll waits up to d for expr to be true. A navigation while it polls
// (a click on a link) destroys the page's context: it polls again in the
// new page.
func (p *tab) poll(d time.Duration, expr string) error {
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		ctx, cancel := context.WithTimeout(p.ctx, left+5*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void]("!!("+expr+")",
			chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(left)))
		cancel()
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") || time.Until(deadline) < 200*time.Millisecond {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitState waits until <body data-state> is state.
func (p *tab) waitState(d time.Duration, state string) {
	p.t.Helper()
	p.waitFor(d, "data-state="+state, fmt.Sprintf("document.body.dataset.state === %q", state))
}

// state describes the page for failure messages: its address and the data
// attributes of <body>.
func (p *tab) state() string {
	ctx, cancel := context.WithTimeout(p.ctx, 3*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search + " " + JSON.stringify(Object.assign({}, document.body.dataset))`))
	if err != nil {
		return "unknown: " + err.Error()
	}
	return s
}

// screenshot saves a PNG of the page as dir/name and returns its path; it
// waits for the fonts first, so that text is drawn in them.
func (p *tab) screenshot(dir, name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		p.t.Fatalf("fonts: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	return path
}

// screenshotDir is $HALLCAST_SCREENSHOTS when set (created if needed), else
// a temporary directory of the test.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("HALLCAST_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// engagementRow is a row of GET /api/v1/reports/engagement.
type engagementRow struct {
	Key         string  `json:"key"`
	Impressions int     `json:"impressions"`
	Views       int     `json:"views"`
	DwellMS     int64   `json:"dwell_ms"`
	Ratings     int     `json:"ratings"`
	Levels      [5]int  `json:"levels"`
	Feedback    int     `json:"feedback"`
	Index       float64 `json:"index"`
}

// engagement returns the engagement report grouped by, keyed by row key.
func engagement(c *client, by string) map[string]engagementRow {
	c.t.Helper()
	var rep struct{ Rows []engagementRow }
	c.must("GET", "/api/v1/reports/engagement?by="+by, nil, &rep)
	out := make(map[string]engagementRow, len(rep.Rows))
	for _, r := range rep.Rows {
		out[r.Key] = r
	}
	return out
}

// publicItems lists the published items of a category.
func publicItems(c *client, category string) []struct{ ID, Title string } {
	c.t.Helper()
	var list struct{ Items []struct{ ID, Title string } }
	c.must("GET", "/api/v1/public/items?category="+category, nil, &list)
	return list.Items
}

// newScreen creates a screen in the first hall and returns its id and token.
func newScreen(c *client, name, kind string, groups ...string) (id, token string) {
	c.t.Helper()
	var halls struct{ Halls []struct{ ID string } }
	c.must("GET", "/api/v1/halls", nil, &halls)
	if len(halls.Halls) == 0 {
		c.t.Fatal("no hall")
	}
	var made struct {
		Screen struct{ ID string }
		Token  string
	}
	c.must("POST", "/api/v1/screens", map[string]any{"name": name, "kind": kind, "hall_id": halls.Halls[0].ID, "groups": groups}, &made)
	return made.Screen.ID, made.Token
}

// adminClient makes an API token for admin in the data directory.
// adminClient returns a client with the admin's token, and a reviewer's
// (made on first use) for approving what the admin submits.
func adminClient(t *testing.T, base string, env map[string]string) *client {
	t.Helper()
	token := func(user string) string {
		var out, errOut syncBuffer
		if err := run(context.Background(), []string{"token", "create", "--user", user}, envOf(env), strings.NewReader(""), &out, &errOut); err != nil {
			t.Fatalf("token create: %v %s", err, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	withPassword := map[string]string{"HALLCAST_PASSWORD": "a-long-reviewer-password"}
	for k, v := range env {
		withPassword[k] = v
	}
	var out, errOut syncBuffer
	if err := run(context.Background(), []string{"user", "add", "--username", "reviewer", "--role", "reviewer"}, envOf(withPassword), nil, &out, &errOut); err != nil && !strings.Contains(err.Error(), "taken") {
		t.Fatalf("user add: %v %s", err, errOut.String())
	}
	return &client{t: t, base: base, token: token("admin"), reviewerToken: token("reviewer")}
}

// serveAt runs "hallcast serve" through run on addr, which must be free,
// and returns once /healthz answers; the function it returns stops the
// server (it also stops when the test ends).
func serveAt(t *testing.T, env map[string]string, addr string) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr}, envOf(env), strings.NewReader(""), &stdout, &stderr)
	}()
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	var base string
	for base == "" {
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve on %s exited early: %v\n%s", addr, err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve on %s: no listening line:\n%s\n%s", addr, stdout.String(), stderr.String())
		}
	}
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz on %s never answered: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("serve on %s returned %v", addr, err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("serve on %s did not shut down", addr)
		}
	}
	t.Cleanup(stop)
	return stop
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
