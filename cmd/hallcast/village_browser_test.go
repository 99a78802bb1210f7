package main

import (
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestVillageBoardOnPhone: a village's board on a phone at /v/{hall} lists
// what is on that village's own board under its 三务公开 heading — not the
// township's items — finds it by search, and opens the item's page.
func TestVillageBoardOnPhone(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	var halls struct {
		Halls []struct{ ID string } `json:"halls"`
	}
	c.must("GET", "/api/v1/halls", nil, &halls)
	var village struct{ Hall struct{ ID string } }
	c.must("POST", "/api/v1/halls", map[string]any{"name": "红旗村村务公开栏", "kind": "village", "parent": halls.Halls[0].ID}, &village)
	var draft struct{ Item struct{ ID string } }
	c.must("POST", "/api/v1/items", map[string]any{
		"category": "finance", "department": "finance", "hall": village.Hall.ID,
		"title": "红旗村2026年10月村级财务收支", "summary": "本月村集体收入 3,280 元",
		"body": "村集体经济收入与支出明细。",
	}, &draft)
	c.publish(draft.Item.ID)

	p := b.tab(390, 844)
	p.open(c.base + "/v/" + url.PathEscape(village.Hall.ID))
	p.waitState(15*time.Second, "ready")
	if got := p.text("#board-title"); got != "红旗村村务公开栏" {
		t.Errorf("#board-title = %q", got)
	}
	ids := eval[[]string](p, `[...document.querySelectorAll('a.board-item')].map(a => a.dataset.id)`)
	if len(ids) != 1 || ids[0] != draft.Item.ID {
		t.Fatalf("the village board lists %q, want only %s (the township's items are on their own board)", ids, draft.Item.ID)
	}
	if got := eval[string](p, `document.querySelector('a.board-item').closest('[data-group]').dataset.group`); got != "finance" {
		t.Errorf("the item is under heading %q, want finance (财务公开)", got)
	}
	if w := eval[float64](p, `document.querySelector('a.board-item').getBoundingClientRect().height`); w < 44 {
		t.Errorf("an entry is %.0f px tall, want at least 44 for a finger", w)
	}

	p.typeInto("#board-search input[name=q]", "3280")
	p.click("#board-search button")
	p.waitFor(10*time.Second, "search results", `document.querySelector('#board-results a.board-item')`)

	p.click("#board-results a.board-item")
	p.waitFor(15*time.Second, "the item page", `location.pathname.startsWith('/p/') && document.body.dataset.state === 'ready'`)
	if got := p.text("#title"); got != "红旗村2026年10月村级财务收支" {
		t.Errorf("#title = %q", got)
	}

	p.open(c.base + "/v/hl_nope")
	p.waitState(15*time.Second, "error")
}

// TestConsoleVillageBoards: an admin adds a village under the town hall in
// the console; it is listed with its kind, town and phone board, and the
// item editor offers its board.
func TestConsoleVillageBoards(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	p := b.tab(1440, 1000)
	loginConsole(p, c.base, "admin", "a-long-test-password")
	p.open(c.base + "/admin#screens")
	p.waitFor(10*time.Second, "the hall form", `document.querySelector('#hall-form')`)
	p.typeInto("#hall-name", "红旗村村务公开栏")
	p.do(5*time.Second, "choose village", chromedp.SetValue(chromedp.CSS("#hall-kind"), "village"))
	p.do(5*time.Second, "choose the town", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#hall-parent'); s.value = s.options[1].value; })()`))
	p.click("#hall-form button[type=submit]")
	p.waitFor(10*time.Second, "the village in the list", `[...document.querySelectorAll('#halls-table tr')].some((tr) => tr.textContent.includes('红旗村村务公开栏') && tr.textContent.includes('村务公开栏') && tr.querySelector('a[href^="/v/"]'))`)

	var halls struct {
		Halls []struct{ ID, Name, Kind, Parent string } `json:"halls"`
	}
	c.must("GET", "/api/v1/halls", nil, &halls)
	var village string
	for _, h := range halls.Halls {
		if h.Name == "红旗村村务公开栏" {
			village = h.ID
			if h.Kind != "village" || h.Parent != halls.Halls[0].ID {
				t.Errorf("the village saved as %+v, want kind village under %s", h, halls.Halls[0].ID)
			}
		}
	}
	p.open(c.base + "/admin#items/new")
	p.waitFor(10*time.Second, "the board choice", `!!document.querySelector('#item-hall option[value=`+jsString(village)+`]')`)
}
