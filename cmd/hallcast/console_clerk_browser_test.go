package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hallcast/hallcast/server/poll"
)

// clerkItem drafts a finance item as the admin and submits it; it returns
// the item's id.
func clerkItem(c *client, title string) string {
	c.t.Helper()
	var made struct{ Item struct{ ID string } }
	c.must("POST", "/api/v1/items", map[string]any{"category": "budget", "department": "finance", "title": title,
		"summary": "全年预算", "body": "本表为部门预算。"}, &made)
	c.must("POST", "/api/v1/items/"+made.Item.ID+"/submit", nil, nil)
	return made.Item.ID
}

// itemStatus reads an item's status through the API.
func itemStatus(c *client, id string) string {
	c.t.Helper()
	var got struct{ Item struct{ Status string } }
	c.must("GET", "/api/v1/items/"+id, nil, &got)
	return got.Item.Status
}

// TestConsoleServerErrorsInChinese: what the server refuses reads in the
// clerk's language, in the form, next to the field: saving a disclosure
// without a title, claiming a pairing code no screen shows, a total that
// differs from its lines (in yuan, not fen); and in English with the
// language switched. HALLCAST_SCREENSHOTS keeps a picture of the error.
func TestConsoleServerErrorsInChinese(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	p := b.tab(1280, 900)
	loginConsole(p, c.base, "admin", hallAdminPassword)

	t.Run("EmptyTitle", func(t *testing.T) {
		p := p.in(t)
		p.open(c.base + "/admin#items/new")
		p.waitFor(15*time.Second, "the item form", `document.getElementById('item-form')`)
		p.do(5*time.Second, "choose category and department",
			chromedp.SetValue(chromedp.CSS("#item-category"), "budget"),
			chromedp.SetValue(chromedp.CSS("#item-department"), "finance"))
		p.click("#item-save")
		p.waitFor(10*time.Second, "the error at the title", `document.querySelector('#item-title ~ .field-error')`)
		if got := p.text("#item-title ~ .field-error"); got != "标题不能为空" {
			t.Errorf("the title's error reads %q, want 标题不能为空", got)
		}
		p.screenshot(screenshotDir(t), "console-error.png")
	})

	t.Run("FinanceTotalInYuan", func(t *testing.T) {
		p := p.in(t)
		p.open(c.base + "/admin#items")
		p.waitFor(15*time.Second, "the list", `document.getElementById('items-table')`)
		p.do(5*time.Second, "new item", chromedp.Evaluate[chromedp.Void](`location.hash = 'items/new'`))
		p.waitFor(15*time.Second, "the item form", `document.getElementById('item-form') && !document.querySelector('.field-error')`)
		p.do(5*time.Second, "choose category and department",
			chromedp.SetValue(chromedp.CSS("#item-category"), "budget"),
			chromedp.SetValue(chromedp.CSS("#item-department"), "finance"))
		p.typeInto("#item-title", "预算合计不符")
		p.click("#item-finance-on")
		p.typeInto(`#finance-rows tr:nth-child(1) [name="fin_code"]`, "103")
		p.typeInto(`#finance-rows tr:nth-child(1) [name="fin_name"]`, "合计")
		p.typeInto(`#finance-rows tr:nth-child(1) [name="fin_amount"]`, "5000000")
		p.click("#finance-add")
		p.typeInto(`#finance-rows tr:nth-child(2) [name="fin_code"]`, "10301")
		p.typeInto(`#finance-rows tr:nth-child(2) [name="fin_name"]`, "明细")
		p.typeInto(`#finance-rows tr:nth-child(2) [name="fin_parent"]`, "103")
		p.typeInto(`#finance-rows tr:nth-child(2) [name="fin_amount"]`, "900")
		p.click("#item-save")
		p.waitFor(10*time.Second, "the error at the total", `document.querySelector('#item-form .field-error')`)
		got := p.text("#item-form .field-error")
		if want := "科目“103”金额为 5,000,000.00 元，但其明细合计为 900.00 元"; got != want {
			t.Errorf("the total's error reads %q, want %q", got, want)
		}
	})

	t.Run("UnknownPairingCode", func(t *testing.T) {
		p := p.in(t)
		p.open(c.base + "/admin#screens")
		p.waitFor(15*time.Second, "the claim form", `document.getElementById('claim-form')`)
		p.typeInto("#claim-code", "000 000")
		p.typeInto("#claim-name", "门厅屏")
		p.click("#claim-submit")
		p.waitFor(10*time.Second, "the error at the code", `document.querySelector('#claim-form .field-error, #claim-form .form-error:not([hidden])')`)
		got := p.text("#claim-form .field-error, #claim-form .form-error")
		if !strings.Contains(got, "没有屏幕显示配对码 000000") || strings.Contains(got, "not found") {
			t.Errorf("an unknown pairing code reads %q, want the Chinese 没有屏幕显示配对码 000000…", got)
		}
	})

	t.Run("English", func(t *testing.T) {
		p := p.in(t)
		p.open(c.base + "/admin?lang=en#items/new")
		p.waitFor(15*time.Second, "the item form", `document.getElementById('item-form') && document.documentElement.lang === 'en'`)
		p.do(5*time.Second, "choose category and department",
			chromedp.SetValue(chromedp.CSS("#item-category"), "budget"),
			chromedp.SetValue(chromedp.CSS("#item-department"), "finance"))
		p.click("#item-save")
		p.waitFor(10*time.Second, "the error at the title", `document.querySelector('#item-title ~ .field-error')`)
		if got := p.text("#item-title ~ .field-error"); got != "Title is required" {
			t.Errorf("the title's error reads %q, want Title is required", got)
		}
	})
}

// TestConsolePairingCodeWithSpace: the code is typed as the screen shows
// it, "347 852", and the claim succeeds.
func TestConsolePairingCodeWithSpace(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	var pr struct{ Code string }
	c.must("POST", "/api/v1/pairings", map[string]any{}, &pr)
	if len(pr.Code) != 6 {
		t.Fatalf("pairing code %q", pr.Code)
	}
	p := b.tab(1280, 900)
	loginConsole(p, c.base, "admin", hallAdminPassword)
	p.open(c.base + "/admin#screens")
	p.waitFor(15*time.Second, "the claim form", `document.getElementById('claim-form')`)
	p.typeInto("#claim-code", pr.Code[:3]+" "+pr.Code[3:])
	p.typeInto("#claim-name", "二楼走廊屏")
	p.click("#claim-submit")
	p.waitFor(10*time.Second, "the claimed screen in the list", `[...document.querySelectorAll('#screens-table td')].some((td) => td.textContent.includes('二楼走廊屏'))`)
	if n := eval[int](p, `document.querySelectorAll('#claim-form .field-error').length`); n != 0 {
		t.Errorf("%d errors shown for a code with a space", n)
	}
}

// TestConsolePublishAsksFirst: a double click on 审核通过 approves and does
// not publish; publishing asks first, says it cannot be undone, and
// cancelling publishes nothing.
func TestConsolePublishAsksFirst(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	id := clerkItem(c, fmt.Sprintf("2026年部门预算 %d", time.Now().UnixNano()%1e6))
	p := b.tab(1280, 900)
	loginConsole(p, c.base, "reviewer", "a-long-reviewer-password")
	p.open(c.base + "/admin#items/" + id)
	p.waitFor(15*time.Second, "the approve button", `document.getElementById('item-approve')`)
	// Two clicks where 审核通过 is, the second once the page shows the next step.
	x := eval[float64](p, `(() => { const r = document.getElementById('item-approve').getBoundingClientRect(); return r.x + r.width / 2; })()`)
	y := eval[float64](p, `(() => { const r = document.getElementById('item-approve').getBoundingClientRect(); return r.y + r.height / 2; })()`)
	p.do(5*time.Second, "double click approve", chromedp.MouseClickXY(x, y), chromedp.MouseClickXY(x, y))
	p.waitFor(15*time.Second, "the approved item", `document.getElementById('item-status')?.dataset.status === 'approved'`)
	// A third click where 审核通过 was opens a dialog and sends nothing.
	p.do(5*time.Second, "click where approve was", chromedp.MouseClickXY(x, y))
	p.waitFor(5*time.Second, "a dialog asking first", `document.querySelector('dialog[open]')`)
	if got := itemStatus(c, id); got != "approved" {
		t.Fatalf("after a double click on approve the item is %s, want approved", got)
	}
	p.do(5*time.Second, "close any dialog", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('dialog').forEach((d) => d.close())`))

	p.click("#item-publish")
	p.waitFor(5*time.Second, "the publish dialog", `document.getElementById('publish-dialog')?.open`)
	if got := p.text("#publish-dialog"); !strings.Contains(got, "无法撤销") {
		t.Errorf("the publish dialog says %q, want it to say it cannot be undone (无法撤销)", got)
	}
	p.click("#publish-dialog .actions button:not(.danger)")
	p.waitFor(5*time.Second, "the dialog closed", `!document.getElementById('publish-dialog')`)
	if got := itemStatus(c, id); got != "approved" {
		t.Fatalf("after cancelling the item is %s, want approved", got)
	}
	p.click("#item-publish")
	p.waitFor(5*time.Second, "the publish dialog", `document.getElementById('publish-dialog')?.open`)
	p.click("#publish-dialog-ok")
	p.waitFor(15*time.Second, "the published item", `document.getElementById('item-status')?.dataset.status === 'published'`)
	if got := itemStatus(c, id); got != "published" {
		t.Errorf("after confirming the item is %s, want published", got)
	}
}

// TestConsoleSendBack: a reviewer sends a submitted item back with a
// comment; the editor, who has the item open, sees it turn back into a
// draft with the comment without reloading.
func TestConsoleSendBack(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	c.must("POST", "/api/v1/users", map[string]any{"username": "kuaiji", "password": "a-long-editor-password",
		"role": "editor", "departments": []string{"finance"}}, nil)
	id := clerkItem(c, "2026年部门预算（待退回）")

	editor := newBrowser(t).tab(1280, 900)
	loginConsole(editor, c.base, "kuaiji", "a-long-editor-password")
	editor.open(c.base + "/admin#items/" + id)
	editor.waitFor(15*time.Second, "the submitted item", `document.getElementById('item-status')?.dataset.status === 'submitted'`)

	p := b.tab(1280, 900)
	loginConsole(p, c.base, "reviewer", "a-long-reviewer-password")
	p.open(c.base + "/admin#items/" + id)
	p.waitFor(15*time.Second, "the send-back button", `document.getElementById('item-return')`)
	p.click("#item-return")
	p.waitFor(5*time.Second, "the send-back dialog", `document.getElementById('return-dialog')?.open`)
	comment := "第3行金额与附件不一致，请核对后重新提交"
	p.typeInto("#return-dialog textarea", comment)
	p.click("#return-dialog-ok")
	p.waitFor(15*time.Second, "the draft", `document.getElementById('item-status')?.dataset.status === 'draft'`)
	if got := itemStatus(c, id); got != "draft" {
		t.Fatalf("the item sent back is %s, want draft", got)
	}

	editor.waitFor(20*time.Second, "the comment on the editor's open item", `document.getElementById('item-returned')`)
	if got := editor.text("#item-returned"); !strings.Contains(got, comment) || !strings.Contains(got, "reviewer") {
		t.Errorf("the editor reads %q, want the reviewer's comment %q", got, comment)
	}
	if got := eval[string](editor, `document.getElementById('item-status').dataset.status`); got != "draft" {
		t.Errorf("the editor's page shows %s, want draft", got)
	}
}

// TestConsoleScheduleDefaultTimes: a schedule made without touching its
// times plays the office hours the form shows, 08:30–17:30.
func TestConsoleScheduleDefaultTimes(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	c.must("PUT", "/api/v1/playlists/lobby", map[string]any{"name": "大厅轮播", "entries": []map[string]any{{"category": "finance", "duration_s": 5}}}, nil)
	p := b.tab(1280, 1000)
	loginConsole(p, c.base, "admin", hallAdminPassword)
	p.open(c.base + "/admin#playlists/schedule/new")
	p.waitFor(15*time.Second, "the schedule form", `document.getElementById('schedule-form')`)
	shown := eval[string](p, `document.getElementById('schedule-start').value + '-' + document.getElementById('schedule-end').value`)
	if shown != "08:30-17:30" {
		t.Errorf("the form shows %q, want 08:30-17:30 as values", shown)
	}
	p.typeInto("#schedule-id", "office")
	p.do(5*time.Second, "choose the playlist", chromedp.SetValue(chromedp.CSS("#schedule-playlist"), "lobby"))
	p.click("#schedule-save")
	p.waitFor(15*time.Second, "the schedules list", `location.hash === '#playlists' && document.getElementById('schedules-table')`)
	var got struct {
		Schedules []struct{ ID, Start, End string }
	}
	c.must("GET", "/api/v1/schedules", nil, &got)
	for _, s := range got.Schedules {
		if s.ID == "office" {
			if s.Start != "08:30" || s.End != "17:30" {
				t.Errorf("saved %s–%s, want 08:30–17:30 as shown", s.Start, s.End)
			}
			return
		}
	}
	t.Fatalf("no schedule office saved: %+v", got.Schedules)
}

// TestConsoleScreenKindChange: a screen set up as an LED screen becomes a
// touch kiosk from the console, and the change is audited.
func TestConsoleScreenKindChange(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	id, _ := newScreen(c, "一楼大屏", "led", "lobby")
	p := b.tab(1440, 900)
	loginConsole(p, c.base, "admin", hallAdminPassword)
	p.open(c.base + "/admin#screens")
	sel := fmt.Sprintf(`[data-edit=%s]`, jsString(id))
	p.waitFor(15*time.Second, "the edit button", fmt.Sprintf(`document.querySelector(%s)`, jsString(sel)))
	p.click(sel)
	p.waitFor(5*time.Second, "the edit dialog", `document.getElementById('screen-edit-dialog')?.open`)
	p.do(5*time.Second, "choose kiosk", chromedp.SetValue(chromedp.CSS(`#screen-edit-dialog select[name="kind"]`), "kiosk"))
	p.click("#screen-edit-dialog-ok")
	p.waitFor(10*time.Second, "the dialog closed", `!document.getElementById('screen-edit-dialog')`)
	var got struct {
		Screens []struct{ ID, Kind, Name string }
	}
	kindOf := func() string {
		c.must("GET", "/api/v1/screens", nil, &got)
		for _, s := range got.Screens {
			if s.ID == id {
				return s.Kind + " " + s.Name
			}
		}
		return ""
	}
	poll.Until(t, 10*time.Second, "the screen a kiosk", func() (bool, string) {
		k := kindOf()
		return k == "kiosk 一楼大屏", k
	})
	var audit struct {
		Entries []struct{ Action, Target string }
	}
	c.must("GET", "/api/v1/audit?action=screen.update", nil, &audit)
	found := false
	for _, e := range audit.Entries {
		found = found || (e.Action == "screen.update" && e.Target == id)
	}
	if !found {
		t.Errorf("no screen.update audited for %s: %+v", id, audit.Entries)
	}
}
