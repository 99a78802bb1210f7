package main

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/poll"
)

// selectValue sets a <select>'s value and fires its change event.
func selectValue(p *tab, sel, value string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => { const s = document.querySelector(%s); s.value = %s; s.dispatchEvent(new Event('change')); return true })()`, jsString(sel), jsString(value)))
}

// TestConsoleScreensThousand: with 1,000 screens the list shows 50 a page,
// and search, filters and paging work on the list the console fetched once.
func TestConsoleScreensThousand(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	const n = 1000
	var halls struct{ Halls []struct{ ID string } }
	c.must("GET", "/api/v1/halls", nil, &halls)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range jobs {
				kind := "led"
				if i%4 == 0 {
					kind = "kiosk"
				}
				body := map[string]any{"name": fmt.Sprintf("屏幕-%04d", i), "kind": kind, "hall_id": halls.Halls[0].ID, "groups": []string{fmt.Sprintf("floor%d", i%10)}}
				if st := c.call("POST", "/api/v1/screens", body, nil); st != 201 {
					t.Errorf("create screen %d: status %d", i, st)
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	p := b.tab(1440, 1000)
	loginConsole(p, c.base, "admin", hallAdminPassword)
	p.open(c.base + "/admin#screens")
	p.waitFor(30*time.Second, "the first page", `document.querySelector('#screens-list[data-rows="50"]')`)
	attr := func(name string) string {
		return eval[string](p, fmt.Sprintf(`document.getElementById('screens-list').dataset.%s`, name))
	}
	if got := attr("matches"); got != strconv.Itoa(n) {
		t.Errorf("matches %s, want %d", got, n)
	}
	t.Logf("1000 screens: first render %s ms (fetch included), table draw %s ms", attr("firstRenderMs"), attr("drawMs"))

	p.typeInto("#screens-search", "0777")
	p.waitFor(5*time.Second, "one match", `document.querySelector('#screens-list[data-matches="1"]')`)
	if got := p.text("#screens-table tbody tr strong"); got != "屏幕-0777" {
		t.Errorf("search 0777 shows %q", got)
	}
	t.Logf("search: draw %s ms", attr("drawMs"))
	eval[bool](p, `(() => { const s = document.getElementById('screens-search'); s.value = ''; s.dispatchEvent(new Event('input')); return true })()`)
	selectValue(p, "#screens-kind", "kiosk")
	p.waitFor(5*time.Second, "the kiosks", `document.querySelector('#screens-list[data-matches="250"]')`)
	selectValue(p, "#screens-group", "floor4")
	// i%4 == 0 and i%10 == 4: i ≡ 4 (mod 20), 50 screens.
	p.waitFor(5*time.Second, "the floor4 kiosks", `document.querySelector('#screens-list[data-matches="50"]')`)
	selectValue(p, "#screens-online", "on")
	p.waitFor(5*time.Second, "no online screen", `document.querySelector('#screens-list[data-matches="0"]')`)
	selectValue(p, "#screens-online", "")
	selectValue(p, "#screens-group", "")
	selectValue(p, "#screens-kind", "")
	p.waitFor(5*time.Second, "every screen again", `document.querySelector('#screens-list[data-matches="1000"]')`)
	p.click("#screens-next")
	p.waitFor(5*time.Second, "page 2", `document.getElementById('screens-table').querySelector('tbody tr strong')?.textContent === '屏幕-0050'`)
	t.Logf("next page: draw %s ms", attr("drawMs"))
	if got := attr("fetches"); got != "1" {
		t.Errorf("the list was fetched %s times while filtering, want once", got)
	}
}

// TestConsoleWallMirrorsPlayer: a player plays a rotation; the console's
// wall tile of that screen shows the same item at the same time, twice over
// (the rotation moves on and the tile follows on the cue boundary). The
// identify button then reaches the online screen.
func TestConsoleWallMirrorsPlayer(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	screenID, token := newScreen(c, "大厅LED", "led", "lobby")
	for len(publicItems(c, "finance")) < 2 {
		publishTitled(c, fmt.Sprintf("屏幕墙测试 %d", time.Now().UnixNano()))
	}
	c.must("PUT", "/api/v1/playlists/lobby", map[string]any{"name": "大厅轮播", "entries": []map[string]any{{"category": "finance", "duration_s": 3}}}, nil)
	c.must("PUT", "/api/v1/schedules/lobby", map[string]any{"playlist_id": "lobby", "target": map[string]any{"groups": []string{"lobby"}}, "priority": 10}, nil)

	player := b.tab(1280, 720)
	player.open(c.base + "/player?token=" + url.QueryEscape(token))
	player.waitState(20*time.Second, "playing")

	con := b.tab(1440, 1000)
	loginConsole(con, c.base, "admin", hallAdminPassword)
	con.open(c.base + "/admin#screens/wall")
	tile := fmt.Sprintf(`document.querySelector('.wall-tile[data-screen-id=%s]')`, jsString(screenID))
	con.waitFor(20*time.Second, "the tile showing an item", tile+`?.dataset.itemId`)

	var seen []string
	poll.Until(t, 30*time.Second, "the tile and the player on the same item, for two items", func() (bool, string) {
		onPlayer := eval[string](player, `document.body.dataset.itemId || ''`)
		onTile := eval[string](con, tile+`.dataset.itemId`)
		onPlayer2 := eval[string](player, `document.body.dataset.itemId || ''`)
		if onPlayer != "" && onPlayer == onTile && onTile == onPlayer2 && !slices.Contains(seen, onTile) {
			seen = append(seen, onTile)
		}
		return len(seen) >= 2, fmt.Sprintf("player %q, tile %q, agreed on %v", onPlayer, onTile, seen)
	})
	// The tile shows the item itself, rendered by the players' code.
	con.waitFor(10*time.Second, "the item rendered in the tile", tile+`.querySelector('.wall-stage article.item #title')?.textContent.trim()`)
	t.Logf("screenshot: %s", con.screenshot(screenshotDir(t), "console-wall.png"))

	con.open(c.base + "/admin#screens")
	sel := fmt.Sprintf(`[data-identify=%s]`, jsString(screenID))
	con.waitFor(15*time.Second, "the identify button enabled", fmt.Sprintf(`document.querySelector(%s) && !document.querySelector(%s).disabled`, jsString(sel), jsString(sel)))
	con.click(sel)
	poll.Until(t, 10*time.Second, "screen.command audited", func() (bool, string) {
		var audit struct {
			Entries []struct{ Action, Target, Detail string }
		}
		c.must("GET", "/api/v1/audit?action=screen.command", nil, &audit)
		for _, e := range audit.Entries {
			if e.Target == screenID {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%+v", audit.Entries)
	})
}

// TestConsolePlaylistReorder: an entry dragged to the end and another moved
// with its keyboard button are saved in the new order; the move buttons are
// at least 44 px; the week grid of the playlist's screen shows 168 hours.
func TestConsolePlaylistReorder(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	newScreen(c, "一楼大屏", "led", "lobby")
	entries := []map[string]any{}
	for _, n := range []string{"a", "b", "c", "d"} {
		entries = append(entries, map[string]any{"media_url": "/media/" + n + ".png", "type": "image", "duration_s": 10})
	}
	c.must("PUT", "/api/v1/playlists/lobby", map[string]any{"name": "大厅轮播", "entries": entries}, nil)
	c.must("PUT", "/api/v1/schedules/lobby", map[string]any{"playlist_id": "lobby", "days": []int{1, 2, 3, 4, 5}, "start": "08:30", "end": "17:30", "priority": 1000}, nil)

	p := b.tab(1280, 1000)
	loginConsole(p, c.base, "admin", hallAdminPassword)
	p.open(c.base + "/admin#playlists/playlist/lobby")
	p.waitFor(15*time.Second, "the entries", `document.querySelectorAll('#playlist-entries tr').length === 4`)
	if w := eval[float64](p, `Math.min(...[...document.querySelectorAll('#playlist-entries .button.move')].map((b) => Math.min(b.getBoundingClientRect().width, b.getBoundingClientRect().height)))`); w < 44 {
		t.Errorf("a move button is %.0f px, want at least 44", w)
	}
	// Drag the first row ("a") below the last ("d") with HTML5 drag events.
	dragged := eval[bool](p, `(() => {
		const rows = [...document.querySelectorAll('#playlist-entries tr')];
		const dt = new DataTransfer();
		const from = rows[0], to = rows[3];
		// Rows drag from their handle only.
		from.querySelector('td.drag').dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
		if (!from.draggable || rows[1].draggable) return false;
		from.dispatchEvent(new DragEvent('dragstart', { bubbles: true, dataTransfer: dt }));
		const r = to.getBoundingClientRect();
		to.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt, clientY: r.bottom - 2 }));
		to.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt, clientY: r.bottom - 2 }));
		from.dispatchEvent(new DragEvent('dragend', { bubbles: true, dataTransfer: dt }));
		return !from.draggable;
	})()`)
	if !dragged {
		t.Error("the row was not draggable from its handle only, or stayed draggable after the drag")
	}
	order := `[...document.querySelectorAll('#playlist-entries input[name="media_url"]')].map((i) => i.value.slice(7, 8)).join('')`
	if got := eval[string](p, order); got != "bcda" {
		t.Fatalf("after the drag: %s, want bcda", got)
	}
	// Keyboard: "c" (now second) moves up with its ↑ button, which keeps focus.
	eval[bool](p, `(() => { document.querySelectorAll('#playlist-entries tr')[1].querySelector('[data-move="up"]').focus(); return true })()`)
	eval[bool](p, `(() => { document.activeElement.click(); return true })()`)
	if got := eval[string](p, order); got != "cbda" {
		t.Fatalf("after moving up: %s, want cbda", got)
	}
	if got := eval[string](p, `document.activeElement?.dataset.move || ''`); got != "up" {
		t.Errorf("focus after moving: %q, want the up button", got)
	}
	p.click("#playlist-save")
	p.waitFor(15*time.Second, "the playlists list", `location.hash === '#playlists' && document.getElementById('playlists-table')`)
	var got struct {
		Playlist struct {
			Entries []struct {
				MediaURL string `json:"media_url"`
			}
		}
	}
	c.must("GET", "/api/v1/playlists/lobby", nil, &got)
	var saved string
	for _, e := range got.Playlist.Entries {
		saved += e.MediaURL[len("/media/"):][:1]
	}
	if saved != "cbda" {
		t.Errorf("saved order %s, want cbda", saved)
	}

	// The week of the screen: 168 cells, office hours in the playlist.
	p.waitFor(10*time.Second, "the week form", `document.getElementById('week-form')`)
	p.click("#week-show")
	p.waitFor(15*time.Second, "the week grid", `document.querySelectorAll('#week-grid td').length === 168`)
	t.Logf("screenshot: %s", p.screenshot(screenshotDir(t), "console-week.png"))
	if n := eval[float64](p, `document.querySelectorAll('#week-grid td[data-schedule="lobby"]').length`); n != 5*9 {
		t.Errorf("%v hours from schedule lobby, want 45 (09:00–17:00 on five weekdays)", n)
	}

	// A date the server refuses: its reason next to the date field.
	eval[bool](p, `(() => { document.getElementById('week-from').value = '2300-01-01'; return true })()`)
	p.click("#week-show")
	p.waitFor(10*time.Second, "the error next to the date", `document.querySelector('#week-from + .field-error')?.textContent.includes('日期')`)
}
