package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// loginConsole opens the console and logs in.
func loginConsole(p *tab, base, username, password string) {
	p.t.Helper()
	p.open(base + "/admin")
	p.waitState(15*time.Second, "login")
	p.typeInto("#login-username", username)
	p.typeInto("#login-password", password)
	p.click("#login-submit")
	p.waitState(15*time.Second, "ready")
}

// TestConsoleFinanceImport: a clerk imports the budget workbook into a new
// draft in the console (the rows show before anything is saved), saves and
// submits it; once approved and published, a resident drills into its lines
// on the kiosk.
func TestConsoleFinanceImport(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	c.must("POST", "/api/v1/users", map[string]any{"username": "kuaiji", "password": "a-long-editor-password",
		"role": "editor", "departments": []string{"finance"}}, nil)
	workbook, err := filepath.Abs("../../docs/examples/budget-2026.xlsx")
	if err != nil {
		t.Fatal(err)
	}

	p := b.tab(1440, 1000)
	loginConsole(p, c.base, "kuaiji", "a-long-editor-password")
	p.open(c.base + "/admin#items/new")
	p.waitFor(15*time.Second, "the item form", `document.getElementById('item-form') && document.getElementById('finance-file')`)
	title := fmt.Sprintf("2026年部门预算（导入） %d", time.Now().UnixNano()%1e6)
	p.do(5*time.Second, "choose category and department",
		chromedp.SetValue(chromedp.CSS("#item-category"), "budget"),
		chromedp.SetValue(chromedp.CSS("#item-department"), "finance"))
	p.typeInto("#item-title", title)
	p.typeInto("#item-summary", "全年预算支出明细")
	p.typeInto("#item-body", "本表为青石街道办事处2026年部门预算支出明细，单位万元。")
	p.do(10*time.Second, "choose the workbook", chromedp.SetUploadFiles(chromedp.CSS("#finance-file"), []string{workbook}))
	p.waitFor(15*time.Second, "the imported rows", `document.querySelector('#finance-import-report .ok')`)
	if n := eval[int](p, `document.querySelectorAll('#finance-rows tr').length`); n != 21 {
		t.Fatalf("%d rows in the editor after the import, want 21 (%s)", n, p.text("#finance-import-report"))
	}
	if unit := eval[string](p, `document.getElementById('finance-unit').value`); unit != "wan" {
		t.Errorf("display unit %q, want wan", unit)
	}
	viewShot(p, consoleShots(t), "console-import-preview.png", "#finance-import-report")
	if items := publicItems(c, "budget"); len(items) == 0 {
		t.Fatal("the demo has no budget")
	}
	p.click("#item-save")
	p.waitFor(15*time.Second, "the saved draft", `/^#items\/it_/.test(location.hash) && document.getElementById('item-submit')`)
	id := strings.TrimPrefix(eval[string](p, `location.hash`), "#items/")
	p.click("#item-submit")
	p.waitFor(15*time.Second, "the draft submitted", `document.getElementById('item-status')?.dataset.status === 'submitted'`)

	reviewer := *c
	reviewer.token = c.reviewerToken
	reviewer.must("POST", "/api/v1/items/"+id+"/approve", nil, nil)
	c.must("POST", "/api/v1/items/"+id+"/publish", nil, nil)

	_, token := newScreen(c, "服务台触摸屏", "kiosk", "lobby")
	k := b.tab(1080, 1920)
	k.open(c.base + "/kiosk?idle=300&token=" + url.QueryEscape(token))
	k.waitState(20*time.Second, "attract")
	k.click("#attract")
	k.waitState(10*time.Second, "home")
	k.waitFor(10*time.Second, "the budget category", `document.querySelector('[data-category="budget"]')`)
	k.click(`[data-category="budget"]`)
	sel := fmt.Sprintf(`[data-item=%s]`, jsString(id))
	k.waitFor(10*time.Second, "the imported budget", fmt.Sprintf(`document.querySelector(%s)`, jsString(sel)))
	k.click(sel)
	k.waitFor(10*time.Second, "its finance table", `document.querySelector('.finance-drill [data-line="301"]')`)
	k.click(`.finance-drill [data-line="301"]`)
	k.waitFor(5*time.Second, "the lines of 301", `document.querySelector('.finance-drill [data-line="30101"]')`)
	if got := k.text(`.finance-drill [data-line="30101"]`); !strings.Contains(got, "基本工资") {
		t.Errorf("line 30101 shows %q, want 基本工资", got)
	}
}
