package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// frameText is the text of the preview frames of a kind (wall, strip, kiosk), joined.
func frameText(kind string) string {
	return `[...document.querySelectorAll('#item-preview [data-preview="` + kind + `"] iframe')].map((f) => f.contentDocument?.body?.textContent || '').join('\n')`
}

// TestConsoleLivePreview: a clerk types a title and a finance line into a
// new draft and sees them, unsaved, in the LED wall, strip sign and kiosk
// previews; a long finance table is paged on the wall preview with its
// header row on every page, as the wall pages it. Nothing is saved.
func TestConsoleLivePreview(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	c.must("POST", "/api/v1/users", map[string]any{"username": "yulan", "password": "a-long-editor-password",
		"role": "editor", "departments": []string{"finance"}}, nil)

	before := countItems(c)

	p := b.tab(1440, 1000)
	loginConsole(p, c.base, "yulan", "a-long-editor-password")
	p.open(c.base + "/admin#items/new")
	p.waitFor(15*time.Second, "the item form and its preview", `document.getElementById('item-form') && document.querySelector('#item-preview [data-preview="wall"] iframe')`)
	if n := eval[int](p, `document.querySelectorAll('#item-preview [data-preview="strip"]').length`); n != 2 {
		t.Errorf("%d strip previews, want 2 (768×96 and 1920×160)", n)
	}

	p.typeInto("#item-title", "青石村道路维修公示")
	p.click("#item-finance-on")
	p.typeInto(`#finance-rows tr:first-child [name="fin_code"]`, "1")
	p.typeInto(`#finance-rows tr:first-child [name="fin_name"]`, "路面修补材料费")
	p.typeInto(`#finance-rows tr:first-child [name="fin_amount"]`, "12800")

	p.waitFor(15*time.Second, "the title and the line on the wall", frameText("wall")+`.includes('青石村道路维修公示') && `+frameText("wall")+`.includes('路面修补材料费') && `+frameText("wall")+`.includes('12,800')`)
	p.waitFor(10*time.Second, "the title on both strips", `[...document.querySelectorAll('#item-preview [data-preview="strip"] iframe')].every((f) => (f.contentDocument?.body?.textContent || '').includes('青石村道路维修公示'))`)
	p.waitFor(10*time.Second, "the title and the line on the kiosk", frameText("kiosk")+`.includes('青石村道路维修公示') && `+frameText("kiosk")+`.includes('路面修补材料费')`)

	if modes := eval[string](p, `[...document.querySelectorAll('#item-preview iframe')].map((f) => f.contentDocument.compatMode).join(' ')`); strings.Contains(modes, "BackCompat") {
		t.Errorf("preview frames in quirks mode (%s): the screens' pages are standards mode", modes)
	}
	shots := screenshotDir(t)
	p.do(5*time.Second, "scroll to the preview", chromedp.Evaluate[chromedp.Void](`document.getElementById('item-preview').scrollIntoView()`))
	t.Logf("screenshot: %s", p.screenshot(shots, "preview-1-typed.png"))

	// A long table: 40 more lines, filled as a clerk would (input events).
	eval[bool](p, `(() => {
		const add = document.getElementById('finance-add');
		for (let i = 2; i <= 41; i++) {
			add.click();
			const tr = document.querySelector('#finance-rows tr:last-child');
			const set = (n, v) => { const e = tr.querySelector('[name="fin_' + n + '"]'); e.value = v; e.dispatchEvent(new Event('input', {bubbles: true})); };
			set('code', String(i)); set('name', '支出项目' + i); set('amount', '100');
		}
		return true;
	})()`)
	wall := `document.querySelector('#item-preview [data-preview="wall"] iframe').contentDocument`
	p.waitFor(20*time.Second, "the wall preview paged", wall+`.querySelector('.item')?.dataset.pages >= 2 && `+wall+`.body.textContent.includes('支出项目41')`)
	pages := eval[int](p, wall+`.querySelectorAll('.item .page').length`)
	withHeader := eval[int](p, `[...`+wall+`.querySelectorAll('.item .page')].filter((pg) => pg.querySelector('.finance thead th')?.textContent === '项目').length`)
	if pages < 2 || withHeader != pages {
		t.Errorf("wall preview: %d pages, %d with the table's header row; want every page to repeat it", pages, withHeader)
	}
	if cont := eval[string](p, `[...`+wall+`.querySelectorAll('.item .page')].at(-1).querySelector('.page-no')?.textContent || ''`); cont == "" || cont[:3] != "续" {
		t.Errorf("last page's number %q, want 续 n/m", cont)
	}

	t.Logf("screenshot: %s", p.screenshot(shots, "preview-2-paged.png"))

	if got := countItems(c); got != before {
		t.Errorf("%d items after previewing, want %d: nothing saved", got, before)
	}
}

func countItems(c *client) int {
	var list struct {
		Items []any `json:"items"`
	}
	c.must("GET", "/api/v1/items", nil, &list)
	return len(list.Items)
}
