package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hallcast/hallcast/server/hall"
)

// consoleShots is docs/screenshots when HALLCAST_DOC_SCREENSHOTS is set,
// else $HALLCAST_SCREENSHOTS or a temporary directory.
func consoleShots(t *testing.T) string {
	t.Helper()
	if os.Getenv("HALLCAST_DOC_SCREENSHOTS") != "" {
		return docShots(t)
	}
	return screenshotDir(t)
}

// viewShot saves a PNG of the viewport as dir/name with the element sel
// scrolled near the top, so that a long page makes a small picture.
func viewShot(p *tab, dir, name, sel string) string {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (e) window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 60); return true })()`, jsString(sel)))
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		p.t.Fatalf("fonts: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	return path
}

// mediaType emulates the CSS media type ("print"; "" for the page's own).
func mediaType(m string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
		return err
	})
}

// svgText is the text of the first element matching sel (SVG text has no innerText).
func svgText(p *tab, sel string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`document.querySelector(%s)?.textContent ?? '(none)'`, jsString(sel)))
}

// choose sets the <select> with the id to value and fires its change event.
func choose(p *tab, id, value string) {
	p.t.Helper()
	ok := eval[bool](p, fmt.Sprintf(`(() => { const s = document.getElementById(%s); if (!s) return false; s.value = %s; s.dispatchEvent(new Event('change')); return s.value === %s })()`,
		jsString(id), jsString(value), jsString(value)))
	if !ok {
		p.t.Fatalf("cannot choose %s in #%s (page: %s)", value, id, p.state())
	}
}

// scorecardJSON is the part of GET /api/v1/reports/scorecard the test reads.
type scorecardJSON struct {
	Period      string
	Weights     map[string]int
	Departments []struct {
		Key        string
		Timeliness struct {
			Items []struct {
				ItemID string `json:"item_id"`
				Status string
				Due    time.Time
			}
		}
	}
}

// missingIn says whether the scorecard counts a missing due date of the item
// for the department.
func (s scorecardJSON) missingIn(dept, item string) bool {
	for _, d := range s.Departments {
		if d.Key != dept {
			continue
		}
		for _, o := range d.Timeliness.Items {
			if o.ItemID == item && o.Status == "missing" {
				return true
			}
		}
	}
	return false
}

// TestConsoleReports: an auditor opens 报表与考核. The engagement charts
// have one bar per row of the API's answer for the same query, and picking
// another period fetches again; the scorecard lists the department whose
// monthly item was last published 70 days ago with its missing due date,
// a link to the item; an admin sets the weights from next month on and
// sees the new version, and weights that add up to 110 are refused next
// to the fields, in Chinese.
func TestConsoleReports(t *testing.T) {
	b := newBrowser(t)
	dir := t.TempDir()
	it := pastDisclosure(t, dir, 70, &hall.Item{Category: "finance", Department: "finance", Title: "村级财务收支月报", Summary: "本月收支", Body: "收支明细。"})

	env := map[string]string{"HALLCAST_DATA": dir, "HALLCAST_ADMIN_PASSWORD": hallAdminPassword}
	base, _, _ := startServer(t, env)
	c := adminClient(t, base, env)
	c.must("POST", "/api/v1/users", map[string]any{"username": "shenji", "password": "a-long-auditor-password", "role": "auditor"}, nil)

	// Residents' doings today: plays on a wall, openings and a rating on a kiosk.
	_, wall := newScreen(c, "东门条屏", "led")
	_, kiosk := newScreen(c, "服务台触摸屏", "kiosk")
	now := time.Now()
	at := func(min int) string { return now.Add(-time.Duration(min) * time.Minute).Format(time.RFC3339) }
	var plays []map[string]any
	for i := range 6 {
		plays = append(plays, map[string]any{"id": fmt.Sprintf("imp-%d", i), "kind": "impression", "at": at(10 + i), "item_id": it.ID, "revision": 1, "duration_ms": 15000})
	}
	plays = append(plays, map[string]any{"id": "imp-other", "kind": "impression", "at": at(5), "item_id": "it_elsewhere", "revision": 1, "duration_ms": 15000})
	if r := postDeviceEvents(t, base, wall, plays); len(r.Rejected) > 0 {
		t.Fatalf("plays rejected: %+v", r.Rejected)
	}
	if r := postDeviceEvents(t, base, kiosk, []map[string]any{
		{"id": "view-1", "kind": "view", "at": at(3), "item_id": it.ID, "revision": 1, "dwell_ms": 42000, "session": "s1"},
		{"id": "view-2", "kind": "view", "at": at(2), "item_id": it.ID, "revision": 1, "dwell_ms": 18000, "session": "s2"},
		{"id": "rate-1", "kind": "rating", "at": at(1), "subject": map[string]string{"item_id": it.ID}, "level": 4, "session": "s1"},
	}); len(r.Rejected) > 0 {
		t.Fatalf("kiosk events rejected: %+v", r.Rejected)
	}

	p := b.tab(1280, 860)
	loginConsole(p, base, "shenji", "a-long-auditor-password")
	if !eval[bool](p, `!!document.querySelector('#nav a[data-section="reports"]')`) {
		t.Fatalf("the auditor has no reports section: %s", p.text("#nav"))
	}
	p.click(`#nav a[data-section="reports"]`)
	p.waitFor(15*time.Second, "the engagement report", `document.querySelector('#reports[data-loaded]') && document.getElementById('eng-table')`)

	// bars compares the charts and the table with the API's answer to the
	// query the page shows, and returns that query.
	bars := func(t *testing.T, by string) string {
		p := p.in(t)
		q := eval[string](p, `document.getElementById('reports').dataset.loaded`)
		if !strings.Contains(q, "by="+by) {
			t.Fatalf("the page shows %q, want by=%s", q, by)
		}
		var rep struct{ Rows []struct{ Key string } }
		c.in(t).must("GET", "/api/v1/reports/engagement"+q, nil, &rep)
		countChart := "#eng-chart-counts"
		if by == "day" {
			countChart = "#eng-chart-days"
		}
		for _, sel := range []string{countChart + " g.bar-row", "#eng-chart-index g.bar-row", "#eng-table tbody tr[data-key]"} {
			if got := eval[int](p, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel))); got != len(rep.Rows) {
				t.Errorf("%d of %s for %s, want %d (the API's rows)", got, sel, q, len(rep.Rows))
			}
		}
		for _, r := range rep.Rows {
			if !eval[bool](p, fmt.Sprintf(`!!document.querySelector(%s)`, jsString(fmt.Sprintf(`%s g.bar-row[data-key=%s]`, countChart, jsString(r.Key))))) {
				t.Errorf("no bar for row %q", r.Key)
			}
		}
		return q
	}

	t.Run("Engagement", func(t *testing.T) {
		p := p.in(t)
		first := bars(t, "item")
		if got := svgText(p, fmt.Sprintf(`#eng-chart-counts g.bar-row[data-key=%s] text.label`, jsString(it.ID))); got != "村级财务收支月报" {
			t.Errorf("the item's bar is labelled %q, want its title", got)
		}
		csv := eval[string](p, `document.getElementById('eng-csv').getAttribute('href')`)
		if want := "/api/v1/reports/engagement" + first + "&format=csv"; csv != want {
			t.Errorf("CSV link %q, want %q", csv, want)
		}
		viewShot(p, consoleShots(t), "console-reports.png", "#reports")

		choose(p, "eng-period", "last")
		p.waitFor(15*time.Second, "last month's report", fmt.Sprintf(`document.getElementById('reports')?.dataset.loaded && document.getElementById('reports').dataset.loaded !== %s`, jsString(first)))
		last := bars(t, "item")
		if eval[string](p, `document.getElementById('eng-period').value`) != "last" {
			t.Error("the period picker forgot last month")
		}

		choose(p, "eng-period", "this")
		p.waitFor(15*time.Second, "this month again", fmt.Sprintf(`document.getElementById('reports')?.dataset.loaded === %s`, jsString(first)))
		choose(p, "eng-by", "day")
		p.waitFor(15*time.Second, "the report by day", `/by=day/.test(document.getElementById('reports')?.dataset.loaded || '')`)
		bars(t, "day")
		choose(p, "eng-by", "category")
		p.waitFor(15*time.Second, "the report by category", `/by=category/.test(document.getElementById('reports')?.dataset.loaded || '')`)
		bars(t, "category")
		if got := svgText(p, `#eng-chart-counts g.bar-row[data-key="finance"] text.label`); got != "财务公开" {
			t.Errorf("the category's bar is labelled %q, want 财务公开", got)
		}
		// A quarter, then chosen dates (the last one included).
		choose(p, "eng-by", "item")
		p.waitFor(15*time.Second, "the report by item", `/by=item/.test(document.getElementById('reports')?.dataset.loaded || '')`)
		choose(p, "eng-period", "quarter")
		p.waitFor(15*time.Second, "this quarter", fmt.Sprintf(`document.getElementById('reports')?.dataset.loaded !== %s && document.getElementById('eng-quarter')`, jsString(first)))
		q := eval[string](p, `document.getElementById('eng-quarter').options[1].value`)
		choose(p, "eng-quarter", q)
		var year, quarter int
		fmt.Sscanf(q, "%d-Q%d", &year, &quarter)
		qFrom := time.Date(year, time.Month(3*quarter-2), 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		p.waitFor(15*time.Second, "the quarter "+q, fmt.Sprintf(`(document.getElementById('reports')?.dataset.loaded || '').includes(%s)`, jsString("from="+qFrom)))
		bars(t, "item")
		choose(p, "eng-period", "custom")
		eval[bool](p, `(document.getElementById('eng-from').value = '2026-11-02', document.getElementById('eng-to').value = '2026-11-28', true)`)
		p.click("#eng-show")
		p.waitFor(15*time.Second, "the chosen dates", `document.getElementById('reports')?.dataset.loaded === '?from=2026-11-02&to=2026-11-29&by=item'`)
		bars(t, "item")
		t.Logf("queries: %s, %s", first, last)

		// English is a click away.
		p.click("#lang-toggle")
		p.waitFor(10*time.Second, "the English tabs", `document.querySelector('a[data-tab="engagement"]')?.textContent === 'Engagement'`)
		p.click("#lang-toggle")
		p.waitFor(10*time.Second, "the Chinese tabs", `document.querySelector('a[data-tab="engagement"]')?.textContent === '互动统计' && document.getElementById('eng-period')`)
		choose(p, "eng-period", "this")
		p.waitFor(15*time.Second, "this month again", fmt.Sprintf(`document.getElementById('reports')?.dataset.loaded === %s`, jsString(first)))
	})

	t.Run("Scorecard", func(t *testing.T) {
		p := p.in(t)
		// The item's missing due date is in this month, or in the last one
		// early in a month (before this month's due date has passed).
		var period string
		for _, m := range []time.Time{now, time.Date(now.Year(), now.Month()-1, 1, 12, 0, 0, 0, time.UTC)} {
			var sc scorecardJSON
			per := m.Format("2006-01")
			c.in(t).must("GET", "/api/v1/reports/scorecard?period="+per, nil, &sc)
			if sc.missingIn("finance", it.ID) {
				period = per
				break
			}
		}
		if period == "" {
			t.Fatal("the API's scorecards of this and last month have no missing due date of the item")
		}
		p.click(`a[data-tab="scorecard"]`)
		p.waitFor(15*time.Second, "the scorecard", `location.hash === '#reports/scorecard' && document.querySelector('#sc-table')`)
		choose(p, "sc-period", period)
		p.waitFor(15*time.Second, "the scorecard of "+period, fmt.Sprintf(`document.getElementById('reports')?.dataset.loaded === %s && document.querySelector('#sc-table tr.sc-dept[data-dept="finance"]')`, jsString(period)))
		if got := p.text("#sc-weights"); !strings.Contains(got, "及时性 40 分") {
			t.Errorf("weights shown %q, want the defaults (及时性 40 分)", got)
		}
		p.click(`#sc-table tr.sc-dept[data-dept="finance"] .sc-expand`)
		link := fmt.Sprintf(`tr.sc-detail[data-dept="finance"] li[data-status="missing"][data-item=%s] a[href=%s]`, jsString(it.ID), jsString("#items/"+it.ID))
		p.waitFor(5*time.Second, "the missing obligation", fmt.Sprintf(`(() => { const a = document.querySelector(%s); return a && a.offsetParent !== null })()`, jsString(link)))
		if got := p.text(link); got != "村级财务收支月报" {
			t.Errorf("the obligation links %q, want the item's title", got)
		}
		if got := p.text(`tr.sc-detail[data-dept="finance"] li[data-status="missing"]`); !strings.Contains(got, "未公开") || !strings.Contains(got, "应于") {
			t.Errorf("the obligation reads %q, want 未公开 and its due date", got)
		}
		viewShot(p, consoleShots(t), "console-scorecard.png", "#reports")
		csv := eval[string](p, `document.getElementById('sc-csv').getAttribute('href')`)
		if csv != "/api/v1/reports/scorecard?period="+period+"&format=csv" {
			t.Errorf("CSV link %q", csv)
		}
		// The scorecard prints on A4, the navigation and the buttons hidden.
		fit, pdf := p.printLayout("scorecard.pdf")
		checkFits(t, "the scorecard", fit, pdf)
		if !strings.Contains(fit.Text, "村级财务收支月报") || strings.Contains(fit.Text, "扣分明细") {
			t.Errorf("printed text lacks the expanded obligation or shows buttons: %q", fit.Text)
		}
		p.do(5*time.Second, "the viewport again", chromedp.EmulateViewport(1280, 860))
		p.do(5*time.Second, "print media", mediaType("print"))
		if got := eval[[]string](p, `['#nav', '#sc-print', '.sc-expand', '.top'].map((s) => getComputedStyle(document.querySelector(s)).display)`); strings.Join(got, ",") != "none,none,none,none" {
			t.Errorf("printed, nav/print/expand/top display %v, want none", got)
		}
		p.do(5*time.Second, "screen media", mediaType(""))

		p.click(link)
		p.waitFor(10*time.Second, "the item", fmt.Sprintf(`location.hash === %s && document.getElementById('item-form')`, jsString("#items/"+it.ID)))
	})

	t.Run("Rules", func(t *testing.T) {
		p := p.in(t)
		eval[bool](p, `(location.hash = '#reports/rules', true)`)
		p.waitFor(15*time.Second, "the rules", `document.getElementById('rules-versions')`)
		if eval[bool](p, `!!document.getElementById('rules-form')`) {
			t.Error("an auditor gets the form that sets the weights")
		}
		p.click("#logout")
		// The session ends once the logout request is answered: only then
		// may the page be opened again, or it would still be logged in.
		p.waitState(10*time.Second, "login")
		loginConsole(p, base, "admin", hallAdminPassword)
		p.waitFor(10*time.Second, "the dashboard", `document.getElementById('dashboard')`)
		eval[bool](p, `(location.hash = '#reports/rules', true)`)
		p.waitFor(15*time.Second, "the rules form", `document.getElementById('rules-form')`)
		from := eval[string](p, `document.getElementById('rules-from').value`)
		set := func(tl, co, re, sa int) {
			p.t.Helper()
			eval[bool](p, fmt.Sprintf(`(() => { const v = {timeliness: %d, completeness: %d, responsiveness: %d, satisfaction: %d}; for (const [k, n] of Object.entries(v)) { const i = document.getElementById('rules-' + k); i.value = String(n); i.dispatchEvent(new Event('input')); } return true })()`, tl, co, re, sa))
		}
		set(50, 20, 20, 10)
		p.click("#rules-save")
		p.waitFor(15*time.Second, "the new version", fmt.Sprintf(`document.querySelector(%s)`, jsString(fmt.Sprintf(`#rules-versions tr[data-from=%s]`, jsString(from)))))
		var rules struct {
			Versions []struct {
				From    string
				Weights map[string]int
			}
		}
		c.in(t).must("GET", "/api/v1/scorecard/rules", nil, &rules)
		if len(rules.Versions) != 1 || rules.Versions[0].From != from || rules.Versions[0].Weights["timeliness"] != 50 {
			t.Fatalf("versions %+v, want one from %s with timeliness 50", rules.Versions, from)
		}
		if got := p.text(fmt.Sprintf(`#rules-versions tr[data-from=%s]`, jsString(from))); !strings.Contains(got, "及时性 50") {
			t.Errorf("the version reads %q, want 及时性 50", got)
		}

		set(60, 20, 20, 10)
		p.click("#rules-save")
		p.waitFor(10*time.Second, "the field error", `document.querySelector('#rules-sum + .field-error')`)
		if got := p.text("#rules-sum + .field-error"); got != "四项权重合计为 110 分，应为 100 分" {
			t.Errorf("the error reads %q, want 四项权重合计为 110 分，应为 100 分", got)
		}
		if eval[string](p, `document.getElementById('rules-sum').getAttribute('aria-invalid')`) != "true" {
			t.Error("the sum is not marked invalid")
		}
		c.in(t).must("GET", "/api/v1/scorecard/rules", nil, &rules)
		if len(rules.Versions) != 1 || rules.Versions[0].Weights["timeliness"] != 50 {
			t.Errorf("a refused change changed the rules: %+v", rules.Versions)
		}
	})
}
