package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/poll"
)

// These tests drive what residents trip over on the kiosk, the wall and the
// strip sign in Chromium: the finance drill-down, the hall's sub-ratings,
// the feedback receipt, the notice banner, paged finance tables and the
// strip's pairing line.

// startKiosk opens a paired kiosk in a w×h tab and starts a touch session.
func startKiosk(t *testing.T, b *browser, c *client, w, h int64) *tab {
	t.Helper()
	_, token := newScreen(c, "服务台触摸屏", "kiosk", "lobby")
	p := b.tab(w, h)
	p.open(c.base + "/kiosk?idle=300&token=" + url.QueryEscape(token))
	p.waitState(20*time.Second, "attract")
	p.waitFor(10*time.Second, "the websocket", `document.body.dataset.connection === 'open'`)
	p.click("#attract")
	p.waitState(10*time.Second, "home")
	return p
}

// docShots is docs/screenshots when HALLCAST_DOC_SCREENSHOTS is set (the
// command in docs/screenshots/README.md), else a temporary directory.
func docShots(t *testing.T) string {
	t.Helper()
	if os.Getenv("HALLCAST_DOC_SCREENSHOTS") == "" {
		return t.TempDir()
	}
	return filepath.Join("..", "..", "docs", "screenshots")
}

// TestKioskFinanceDrillBack opens the demo budget: its finance table comes
// right after the summary, with a hint that matches it and lines with
// children as buttons at least 44 px tall. 返回 goes up the drill-down one
// level at a time; the level and the scroll position survive leaving the
// item and opening it again, and switching the language.
func TestKioskFinanceDrillBack(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	budgets := publicItems(c, "budget")
	if len(budgets) == 0 {
		t.Fatal("the demo content has no published budget")
	}
	budget := budgets[0]
	p := startKiosk(t, b, c, 1080, 1920)
	p.click(`[data-category="budget"]`)
	p.waitState(10*time.Second, "category")
	sel := jsString(fmt.Sprintf(`[data-item=%s]`, jsString(budget.ID)))
	p.waitFor(10*time.Second, "the budget in the list", `document.querySelector(`+sel+`)`)
	p.click(fmt.Sprintf(`[data-item=%s]`, jsString(budget.ID)))
	p.waitState(10*time.Second, "item")
	p.waitFor(10*time.Second, "the finance table", `document.querySelector('.finance-drill [data-has-children="true"]')`)

	t.Run("TableAfterSummary", func(t *testing.T) {
		p := p.in(t)
		order := eval[[]string](p, `[...document.querySelector('.item-main').children].map((e) => e.className.split(' ')[0])`)
		fin, body := -1, -1
		for i, cls := range order {
			switch cls {
			case "finance-drill":
				fin = i
			case "body":
				body = i
			}
		}
		if fin < 0 || (body >= 0 && fin > body) || (len(order) > 0 && order[0] == "body") {
			t.Errorf("item sections %v: want the finance table before the body text, after the summary", order)
		}
		top := eval[float64](p, `document.querySelector('.finance-drill').getBoundingClientRect().top - document.getElementById('view').getBoundingClientRect().top`)
		if top > 900 {
			t.Errorf("the finance table starts %.0f px down the view, want it on the first screen", top)
		}
		hint := p.text(".finance-drill .fin-hint")
		if !strings.Contains(hint, "›") {
			t.Errorf("finance hint %q, want it to name the › lines it says to tap", hint)
		}
		heights := eval[[]float64](p, `[...document.querySelectorAll('.finance-drill [data-has-children="true"]')].map((e) => e.tagName === 'BUTTON' ? e.getBoundingClientRect().height : 0)`)
		for i, h := range heights {
			if h < 44 {
				t.Errorf("line %d with children: %.0f px tall (0: not a button), want a button of at least 44 px", i, h)
			}
		}
	})

	// Two levels down when the budget has them, one otherwise.
	var path []string
	drill := func() {
		line := eval[string](p, `document.querySelector('.finance-drill [data-has-children="true"]')?.dataset.line || ''`)
		if line == "" {
			return
		}
		p.click(fmt.Sprintf(`.finance-drill [data-line=%s]`, jsString(line)))
		p.waitFor(5*time.Second, "the sub-lines of "+line, fmt.Sprintf(`document.querySelector('.finance-drill').dataset.at === %s`, jsString(line)))
		path = append(path, line)
	}
	drill()
	drill()
	if len(path) == 0 {
		t.Fatal("no line to drill into")
	}
	at := func() string {
		return eval[string](p, `document.querySelector('.finance-drill')?.dataset.at ?? 'none'`)
	}

	t.Run("BackGoesUpOneLevel", func(t *testing.T) {
		p := p.in(t)
		p.click("#back")
		want := ""
		if len(path) > 1 {
			want = path[len(path)-2]
		}
		p.waitFor(5*time.Second, "one level up", fmt.Sprintf(`document.querySelector('.finance-drill')?.dataset.at === %s`, jsString(want)))
		if s := eval[string](p, `document.body.dataset.state`); s != "item" {
			t.Fatalf("after 返回 the kiosk shows %q, want the item still", s)
		}
		// Down again for the next cases.
		if len(path) > 1 {
			p.click(fmt.Sprintf(`.finance-drill [data-line=%s]`, jsString(path[len(path)-1])))
		} else {
			p.click(fmt.Sprintf(`.finance-drill [data-line=%s]`, jsString(path[0])))
		}
		p.waitFor(5*time.Second, "down again", fmt.Sprintf(`document.querySelector('.finance-drill').dataset.at === %s`, jsString(path[len(path)-1])))
	})

	deepest := path[len(path)-1]
	eval[bool](p, `(() => { const v = document.getElementById('view'); v.scrollTop = 600; return true; })()`)
	scrolled := eval[float64](p, `document.getElementById('view').scrollTop`)
	if scrolled < 100 {
		t.Fatalf("the item view scrolls only to %.0f px", scrolled)
	}

	t.Run("KeptWhenReopened", func(t *testing.T) {
		p := p.in(t)
		// 返回 climbs the drill-down first, then leaves the item.
		for range path {
			p.click("#back")
		}
		p.waitFor(5*time.Second, "the top of the table", `document.querySelector('.finance-drill')?.dataset.at === ''`)
		p.click(fmt.Sprintf(`.finance-drill [data-line=%s]`, jsString(path[0])))
		if len(path) > 1 {
			p.click(fmt.Sprintf(`.finance-drill [data-line=%s]`, jsString(deepest)))
		}
		p.waitFor(5*time.Second, "down again", fmt.Sprintf(`document.querySelector('.finance-drill').dataset.at === %s`, jsString(deepest)))
		eval[bool](p, `(() => { document.getElementById('view').scrollTop = 600; return true; })()`)
		scrolled = eval[float64](p, `document.getElementById('view').scrollTop`)
		for range path {
			p.click("#back")
		}
		p.click("#back")
		p.waitState(5*time.Second, "category")
		p.click(fmt.Sprintf(`[data-item=%s]`, jsString(budget.ID)))
		p.waitState(10*time.Second, "item")
		p.waitFor(10*time.Second, "the table at the top level, where it was left", `document.querySelector('.finance-drill')?.dataset.at === ''`)

		// Left while drilled in: opened again at the same level and place.
		p.click(fmt.Sprintf(`.finance-drill [data-line=%s]`, jsString(path[0])))
		if len(path) > 1 {
			p.click(fmt.Sprintf(`.finance-drill [data-line=%s]`, jsString(deepest)))
		}
		eval[bool](p, `(() => { document.getElementById('view').scrollTop = 600; return true; })()`)
		scrolled = eval[float64](p, `document.getElementById('view').scrollTop`)
		p.click(`[data-nav="home"]`)
		p.waitState(5*time.Second, "home")
		p.click(`[data-category="budget"]`)
		p.waitState(10*time.Second, "category")
		p.waitFor(10*time.Second, "the budget in the list", `document.querySelector(`+sel+`)`)
		p.click(fmt.Sprintf(`[data-item=%s]`, jsString(budget.ID)))
		p.waitState(10*time.Second, "item")
		p.waitFor(10*time.Second, "the same drill level", fmt.Sprintf(`document.querySelector('.finance-drill')?.dataset.at === %s`, jsString(deepest)))
		p.waitFor(5*time.Second, "the same scroll position", fmt.Sprintf(`Math.abs(document.getElementById('view').scrollTop - %f) < 2`, scrolled))
		if d := eval[bool](p, `document.getElementById('back').disabled`); d {
			t.Error("返回 is disabled inside the drill-down")
		}
	})

	t.Run("KeptAcrossLanguage", func(t *testing.T) {
		p := p.in(t)
		p.click("#lang")
		p.waitFor(5*time.Second, "English", `document.body.dataset.lang === 'en'`)
		p.waitFor(10*time.Second, "the same drill level in English", fmt.Sprintf(`document.querySelector('.finance-drill')?.dataset.at === %s && /Overview/.test(document.querySelector('.finance-drill .crumbs').textContent)`, jsString(deepest)))
		p.waitFor(5*time.Second, "the same scroll position", fmt.Sprintf(`Math.abs(document.getElementById('view').scrollTop - %f) < 2`, scrolled))
		if got := at(); got != deepest {
			t.Errorf("drill level %q after switching language, want %q", got, deepest)
		}
		p.click("#lang")
		p.waitFor(5*time.Second, "Chinese again", `document.body.dataset.lang === 'zh'`)
	})

	t.Run("Screenshot", func(t *testing.T) {
		p := p.in(t)
		for range path {
			p.click("#back")
		}
		p.waitFor(5*time.Second, "the top of the table", `document.querySelector('.finance-drill')?.dataset.at === ''`)
		eval[bool](p, `(() => { document.getElementById('view').scrollTop = 0; return true; })()`)
		t.Logf("screenshot: %s", p.screenshot(docShots(t), "kiosk-item-finance.png"))
	})
}

// TestKioskHallSubRatings rates the hall: the overall level first, then
// 办事效率 and 服务态度, sent together as one rating event, thanked on
// screen and counted in the engagement report's aspects.
func TestKioskHallSubRatings(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	p := startKiosk(t, b, c, 1080, 1920)
	p.click(`[data-nav="rate"]`)
	p.waitState(5*time.Second, "rate-hall")
	// The overall question comes first; the aspects follow it.
	if before := eval[bool](p, `(() => { const lv = document.querySelector('#rate-hall .levels'); const a = document.querySelector('#rate-hall [data-aspect]'); return !!lv && !!a && !!(lv.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING); })()`); !before {
		t.Error("the aspects do not follow the overall rating")
	}
	p.click(`#rate-hall [data-level="4"]`)
	p.click(`#rate-hall [data-aspect="efficiency"][data-aspect-level="5"]`)
	p.click(`#rate-hall [data-aspect="attitude"][data-aspect-level="3"]`)
	heights := eval[[]float64](p, `[...document.querySelectorAll('#rate-hall [data-aspect], #rate-hall-submit')].map((e) => e.getBoundingClientRect().height)`)
	for _, h := range heights {
		if h < 44 {
			t.Errorf("a rating button %.0f px tall, want at least 44", h)
		}
	}
	p.click(`#rate-hall-submit`)
	p.waitFor(5*time.Second, "thanks", `document.querySelector('#rate-hall.rated .thanks')`)
	p.waitFor(15*time.Second, "an empty outbox", `document.body.dataset.outbox === '0'`)

	var rep struct {
		Rows    []engagementRow
		Aspects []struct {
			Subject, Aspect string
			Ratings         int
			Levels          [5]int
			Index           *float64
		}
	}
	poll.Until(t, 10*time.Second, "the hall rating with its aspects", func() (bool, string) {
		c.must("GET", "/api/v1/reports/engagement?by=item", nil, &rep)
		return len(rep.Aspects) >= 2, fmt.Sprintf("%+v", rep.Aspects)
	})
	row := engagement(c, "item")["service:hall"]
	if row.Ratings != 1 || row.Levels != [5]int{0, 0, 0, 1, 0} {
		t.Errorf("hall ratings %d levels %v, want one at level 4", row.Ratings, row.Levels)
	}
	want := map[string][5]int{"efficiency": {0, 0, 0, 0, 1}, "attitude": {0, 0, 1, 0, 0}}
	for _, a := range rep.Aspects {
		if a.Subject != "service:hall" {
			t.Errorf("aspect of %q, want service:hall", a.Subject)
			continue
		}
		if a.Ratings != 1 || a.Levels != want[a.Aspect] || a.Index == nil {
			t.Errorf("aspect %s: ratings %d levels %v index %v, want 1 and %v", a.Aspect, a.Ratings, a.Levels, a.Index, want[a.Aspect])
		}
		delete(want, a.Aspect)
	}
	if len(want) > 0 {
		t.Errorf("aspects missing from the report: %v", want)
	}
}

// TestKioskReceipt sends feedback: the receipt comes with a QR code of the
// phone page that looks it up, the lookup under 问答公开 is filled in, and
// a receipt typed with O for 0, in lower case and with spaces is found.
func TestKioskReceipt(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	p := startKiosk(t, b, c, 1080, 1920)
	p.click(`[data-nav="feedback"]`)
	p.waitState(10*time.Second, "feedback")
	for _, k := range []string{"希望", "及时", "更新"} {
		p.click(fmt.Sprintf(`[data-key=%s]`, jsString(k)))
	}
	p.click("#feedback-submit")
	p.waitFor(5*time.Second, "the receipt", `document.getElementById('receipt')`)
	receipt := p.text("#receipt")
	p.waitFor(10*time.Second, "the receipt's QR code loaded", `(() => { const q = document.getElementById('receipt-qr'); return q && q.complete && q.naturalWidth > 0 && !q.hidden; })()`)
	if src := eval[string](p, `document.getElementById('receipt-qr').getAttribute('src')`); src != "/api/v1/public/feedback/"+receipt+"/qr.png" {
		t.Errorf("QR code %q, want the receipt's", src)
	}
	p.waitFor(15*time.Second, "the feedback sent", `document.body.dataset.outbox === '0'`)

	t.Run("QRRoute", func(t *testing.T) {
		resp, err := http.Get(c.base + "/api/v1/public/feedback/" + receipt + "/qr.png")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
			t.Errorf("receipt QR: %d %s, want 200 image/png", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		resp, err = http.Get(c.base + "/api/v1/public/feedback/" + url.PathEscape("<script>") + "/qr.png")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("QR of a malformed receipt: %d, want 422", resp.StatusCode)
		}
	})

	t.Run("LookupPrefilled", func(t *testing.T) {
		p := p.in(t)
		p.click(`[data-nav="replies"]`)
		p.waitState(5*time.Second, "replies")
		if got := eval[string](p, `document.getElementById('receipt-query').dataset.value`); got != receipt {
			t.Errorf("the lookup holds %q, want the receipt just given %q", got, receipt)
		}
		p.click("#receipt-check")
		p.waitFor(10*time.Second, "the status", `document.getElementById('receipt-result').dataset.status === 'open'`)
	})

	// Typed by hand: without FK, with O for every 0.
	typed := strings.ReplaceAll(strings.TrimPrefix(receipt, "FK"), "0", "O")
	t.Run("LookupWithOForZero", func(t *testing.T) {
		p := p.in(t)
		p.click(`#receipt-query ~ * [data-key="Clear"], .receipt-box [data-key="Clear"]`)
		for _, r := range typed {
			p.click(fmt.Sprintf(`.receipt-box [data-key=%s]`, jsString(string(r))))
		}
		if got := eval[string](p, `document.getElementById('receipt-query').dataset.value`); got != typed {
			t.Fatalf("typed %q, want %q", got, typed)
		}
		eval[bool](p, `(() => { document.getElementById('receipt-result').dataset.status = ''; return true; })()`)
		p.click("#receipt-check")
		p.waitFor(10*time.Second, "the receipt found", `document.getElementById('receipt-result').dataset.status === 'open'`)
		if got := awaitEval[string](p, `import('/ui/kiosk/api.js').then((m) => m.normalReceipt(' fk 1o2o ab'))`); got != "FK1020AB" {
			t.Errorf("normalReceipt(' fk 1o2o ab') = %q, want FK1020AB", got)
		}
	})

	t.Run("PhonePage", func(t *testing.T) {
		q := b.tab(390, 844).in(t)
		lower := strings.ToLower(receipt[:4]) + " " + strings.ReplaceAll(receipt[4:], "0", "O")
		q.open(c.base + "/r/" + url.PathEscape(lower))
		q.waitState(10*time.Second, "ready")
		if got := eval[string](q, `document.getElementById('receipt-status').dataset.status`); got != "open" {
			t.Errorf("phone page for %q: status %q, want open", lower, got)
		}
	})
}

// TestKioskNoticeAndHome: an urgent notice whose text already starts with
// 紧急通知 shows the label once, and in landscape the banner does not cover
// the attract loop's category tags; categories with nothing published get
// no card; archive numbers count from 1.
func TestKioskNoticeAndHome(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	_, token := newScreen(c, "服务台触摸屏", "kiosk", "lobby")
	c.must("PUT", "/api/v1/playlists/lobby", map[string]any{"name": "大厅轮播", "entries": []map[string]any{{"category": "budget", "duration_s": 60}}}, nil)
	c.must("PUT", "/api/v1/schedules/lobby", map[string]any{"playlist_id": "lobby", "target": map[string]any{"groups": []string{"lobby"}}, "priority": 10}, nil)
	c.must("POST", "/api/v1/interrupts", map[string]any{"target": map[string]any{"groups": []string{"lobby"}}, "level": "urgent",
		"text": "紧急通知：今日16:30起系统升级，暂停办理社保业务", "until": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, nil)
	p := b.tab(1920, 1080)
	p.open(c.base + "/kiosk?idle=300&token=" + url.QueryEscape(token))
	p.waitState(20*time.Second, "attract")
	p.waitFor(20*time.Second, "the banner and an item's tags", `!document.getElementById('notice').hidden && document.querySelector('#attract .item .tag')`)

	t.Run("Banner", func(t *testing.T) {
		p := p.in(t)
		text := p.text("#notice")
		if strings.Count(text, "紧急通知") != 1 || !strings.HasPrefix(text, "紧急通知：今日") {
			t.Errorf("banner %q, want 紧急通知 once, then the text", text)
		}
		gap := eval[float64](p, `document.querySelector('#attract .item .tag').getBoundingClientRect().top - document.getElementById('notice').getBoundingClientRect().bottom`)
		if gap < 0 {
			t.Errorf("the banner covers the category tag by %.0f px", -gap)
		}
	})

	p.click("#attract")
	p.waitState(10*time.Second, "home")
	p.waitFor(10*time.Second, "the category tiles", `document.querySelector('.tiles [data-category]')`)

	t.Run("NoEmptyCategories", func(t *testing.T) {
		p := p.in(t)
		var cats struct {
			Categories []struct {
				Key   string
				Count int
			}
		}
		c.must("GET", "/api/v1/public/categories", nil, &cats)
		for _, cat := range cats.Categories {
			shown := eval[bool](p, fmt.Sprintf(`!!document.querySelector('.tiles [data-category=%s]')`, jsString(cat.Key)))
			if shown != (cat.Count > 0) {
				t.Errorf("category %s with %d items: card shown %v", cat.Key, cat.Count, shown)
			}
		}
		if got := eval[string](p, `document.querySelector('.tiles').textContent`); strings.Contains(got, " 0 条") || strings.HasPrefix(got, "0 条") {
			t.Errorf("a tile says 0 条: %q", got)
		}
	})

	t.Run("ArchiveNumbersFromOne", func(t *testing.T) {
		p := p.in(t)
		budget := publicItems(c, "budget")[0]
		var it struct {
			ArchiveIndex int `json:"archive_index"`
		}
		c.must("GET", "/api/v1/public/items/"+budget.ID, nil, &it)
		p.click(`[data-category="budget"]`)
		p.waitState(10*time.Second, "category")
		p.click(fmt.Sprintf(`[data-item=%s]`, jsString(budget.ID)))
		p.waitState(10*time.Second, "item")
		p.waitFor(10*time.Second, "the archive number", `document.querySelector('.facts .archive-no')`)
		if got, want := p.text(".facts .archive-no"), fmt.Sprintf("#%d", it.ArchiveIndex+1); !strings.HasSuffix(got, want) {
			t.Errorf("archive number %q, want it to end %q (index %d counted from 1)", got, want, it.ArchiveIndex)
		}
	})
}

// TestWallFinancePaged plays the demo budget on a 1920×1080 wall: its
// table is paged, every page shows the header row and fits the screen, the
// pages after the first say 续 n/N, the pages change, and no sentence tells
// the reader to tap.
func TestWallFinancePaged(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	_, token := newScreen(c, "大厅LED", "led", "lobby")
	c.must("PUT", "/api/v1/playlists/lobby", map[string]any{"name": "大厅轮播", "entries": []map[string]any{{"category": "budget", "duration_s": 120}}}, nil)
	c.must("PUT", "/api/v1/schedules/lobby", map[string]any{"playlist_id": "lobby", "target": map[string]any{"groups": []string{"lobby"}}, "priority": 10}, nil)
	p := b.tab(1920, 1080)
	p.open(c.base + "/player?token=" + url.QueryEscape(token))
	p.waitState(20*time.Second, "playing")
	p.waitFor(10*time.Second, "a paged table", `Number(document.querySelector('.stage .item')?.dataset.pages) >= 2`)

	pages := eval[[]struct {
		Header  bool    `json:"header"`
		Rows    int     `json:"rows"`
		Label   string  `json:"label"`
		Overrun float64 `json:"overrun"`
	}](p, `(() => {
  const art = document.querySelector('.stage .item');
  const main = art.querySelector('.main');
  const pages = [...art.querySelectorAll('.flow > .page')];
  const shown = pages.find((x) => !x.hidden);
  const out = pages.map((pg) => {
    pages.forEach((x) => (x.hidden = x !== pg));
    return {
      header: !!pg.querySelector('.finance thead th') || !pg.querySelector('.finance'),
      rows: pg.querySelectorAll('.finance tbody tr').length,
      label: pg.querySelector('.page-no')?.textContent || '',
      overrun: main.scrollHeight - main.clientHeight,
    };
  });
  pages.forEach((x) => (x.hidden = x !== shown));
  return out;
})()`)
	total := 0
	for i, pg := range pages {
		total += pg.Rows
		if !pg.Header {
			t.Errorf("page %d has no header row", i+1)
		}
		if pg.Overrun > 1 {
			t.Errorf("page %d overruns the screen by %.0f px", i+1, pg.Overrun)
		}
		if i > 0 && pg.Rows > 0 && pg.Label != fmt.Sprintf("续 %d/%d", i+1, len(pages)) {
			t.Errorf("page %d label %q, want 续 %d/%d", i+1, pg.Label, i+1, len(pages))
		}
	}
	if total < 10 {
		t.Errorf("%d table rows over %d pages, want the whole demo budget", total, len(pages))
	}
	if got := eval[bool](p, `!!document.querySelector('.stage .item .flow').getAnimations().length`); got {
		t.Error("the paged table still scrolls")
	}
	if text := eval[string](p, `document.querySelector('.stage').textContent`); strings.Contains(text, "点击") || strings.Contains(text, "查看明细") {
		t.Errorf("the wall tells residents to tap: %q", text)
	}
	t.Logf("screenshot: %s", p.screenshot(docShots(t), "wall-finance-paged.png"))
	p.waitFor(30*time.Second, "the second page", `document.querySelector('.stage .item')?.dataset.page?.startsWith('2/')`)
}

// TestStripPairingText opens an unpaired player on a 768×96 strip sign:
// the pairing line is sized to the sign, readable and inside it.
func TestStripPairingText(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	p := b.tab(768, 96)
	p.open(c.base + "/player")
	p.waitState(20*time.Second, "pairing")
	p.waitFor(10*time.Second, "a pairing code", `/^\d{3} \d{3}$/.test(document.querySelector('.pairing .code')?.textContent || '')`)
	got := eval[struct {
		Code, Hint, Label float64
		Overflow          float64
		Outside           int
	}](p, `(() => {
  const box = document.querySelector('.pairing');
  const h = (sel) => { const e = box.querySelector(sel); return e && getComputedStyle(e).display !== 'none' ? e.getBoundingClientRect().height : 0; };
  const outside = [...box.children].filter((e) => getComputedStyle(e).display !== 'none').filter((e) => {
    const r = e.getBoundingClientRect();
    return r.left < 0 || r.top < 0 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1;
  }).length;
  return { Code: h('.code'), Hint: h('.hint.short'), Label: h('.label'), Overflow: box.scrollWidth - box.clientWidth, Outside: outside };
})()`)
	if got.Hint < 18 || got.Label < 18 {
		t.Errorf("pairing text %.1f px (hint), %.1f px (label) tall on a 96 px strip, want at least 18", got.Hint, got.Label)
	}
	if got.Code < 40 {
		t.Errorf("pairing code %.1f px tall, want at least 40", got.Code)
	}
	if got.Overflow > 1 || got.Outside > 0 {
		t.Errorf("the pairing line overflows the strip by %.0f px, %d parts outside it", got.Overflow, got.Outside)
	}
	if text := p.text(".pairing"); strings.Contains(text, "点击") {
		t.Errorf("the strip tells residents to tap: %q", text)
	}
}
