package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hallcast/hallcast/server/archivexport"
)

// a4Width is the printable width of A4 paper in CSS pixels: 210 mm less
// print.css's @page margins of 14 mm on each side.
const a4Width = (210.0 - 2*14) / 25.4 * 96

// printFit is what fitsPaper measures of a page laid out for print.
type printFit struct {
	ScrollWidth float64   `json:"scroll"`
	Tables      []float64 `json:"tables"` // right edge of each table
	Text        string    `json:"text"`
}

// printLayout lays the page out for print at the A4 printable width
// (viewport of that width, print media), measures it, prints it to an A4
// PDF and returns both.
func (p *tab) printLayout(name string) (printFit, []byte) {
	p.t.Helper()
	media := func(m string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		})
	}
	p.do(10*time.Second, "emulate print", chromedp.EmulateViewport(688, 1000), media("print"))
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		p.t.Fatalf("fonts: %v", err)
	}
	raw := eval[string](p, `JSON.stringify({
		scroll: document.documentElement.scrollWidth,
		tables: [...document.querySelectorAll('table')].map((t) => t.getBoundingClientRect().right),
		text: document.body.innerText,
	})`)
	var fit printFit
	if err := json.Unmarshal([]byte(raw), &fit); err != nil {
		p.t.Fatal(err)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		p.t.Fatalf("print %s to PDF: %v", name, err)
	}
	path := filepath.Join(screenshotDir(p.t), name)
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("printed %s: %d bytes, content %.0f px wide of %.0f", path, len(pdf), fit.ScrollWidth, a4Width)
	p.do(10*time.Second, "screen media again", media(""))
	return fit, pdf
}

// checkFits fails the test when a page laid out for print is wider than A4
// or a table sticks out of it.
func checkFits(t *testing.T, what string, fit printFit, pdf []byte) {
	t.Helper()
	if len(pdf) < 1000 || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("%s: not a PDF (%d bytes)", what, len(pdf))
	}
	if fit.ScrollWidth > a4Width+0.5 {
		t.Errorf("%s is %.0f px wide in print, wider than A4's printable %.0f px", what, fit.ScrollWidth, a4Width)
	}
	if len(fit.Tables) == 0 {
		t.Errorf("%s: no table to check", what)
	}
	for i, right := range fit.Tables {
		if right > a4Width+0.5 {
			t.Errorf("%s: table %d ends at %.0f px, past A4's printable %.0f px", what, i, right, a4Width)
		}
	}
}

// TestPrintNotice: /p/{id}?print=1 lays out a paper notice (QR code to the
// page, archive index, publication date, no navigation) and prints on A4
// with its wide Chinese finance table inside the page; so does a page of
// the archival export.
func TestPrintNotice(t *testing.T) {
	b := newBrowser(t)
	fx := newExportFixture(t, "sqlite")
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "archive-2025")
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"archive", "export", "--data", fx.dir, "--year", "2025", "--to", out}, envOf(nil), nil, &stdout, &stderr); err != nil {
		t.Fatalf("archive export: %v\n%s", err, stderr.String())
	}
	var m archivexport.Manifest
	data, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var budget archivexport.PageInfo
	for _, p := range m.Pages {
		if p.Title == "2025年2月财务收支明细公开" {
			budget = p
		}
	}
	if budget.ItemID == "" {
		t.Fatalf("no page of the budget among %+v", m.Pages)
	}

	env := map[string]string{"HALLCAST_DATA": fx.dir, "HALLCAST_ADMIN_PASSWORD": hallAdminPassword, "HALLCAST_DEMO": "false"}
	base, _, _ := startServer(t, env)

	t.Run("PublicPage", func(t *testing.T) {
		p := b.tab(1000, 1000).in(t)
		p.open(base + "/p/" + url.PathEscape(budget.ItemID) + "?print=1")
		p.waitState(15*time.Second, "ready")
		if !eval[bool](p, `document.body.classList.contains('print-layout')`) {
			t.Error("?print=1 did not turn the print layout on")
		}
		p.waitFor(10*time.Second, "the QR code", `document.querySelector('#print-qr img')?.naturalWidth > 0`)
		if got := p.text("#print-index"); got != "#"+strconv.FormatInt(budget.Index, 10) {
			t.Errorf("printed archive index %q, want #%d", got, budget.Index)
		}
		if got := p.text("#print-published"); !strings.Contains(got, "2025") {
			t.Errorf("printed publication date %q", got)
		}
		for _, sel := range []string{".bar", "#lang-toggle", "#proof"} {
			if eval[bool](p, `(() => { const e = document.querySelector('`+sel+`'); return !!e && e.getClientRects().length > 0; })()`) {
				t.Errorf("%s is shown in the print layout", sel)
			}
		}
		p.screenshot(screenshotDir(t), "print-notice-screen.png")
		fit, pdf := p.printLayout("print-notice.pdf")
		checkFits(t, "/p/{id}?print=1", fit, pdf)
		if !strings.Contains(fit.Text, "农村人居环境整治提升") {
			t.Errorf("the printed page lacks the finance table's Chinese text")
		}
	})

	t.Run("PublicPagePrintedAsIs", func(t *testing.T) {
		// Printing the normal page (no ?print=1) applies the same rules.
		p := b.tab(390, 800).in(t)
		p.open(base + "/p/" + url.PathEscape(budget.ItemID))
		p.waitState(15*time.Second, "ready")
		fit, pdf := p.printLayout("print-page.pdf")
		checkFits(t, "/p/{id} printed", fit, pdf)
		if !strings.Contains(fit.Text, "#"+strconv.FormatInt(budget.Index, 10)) {
			t.Errorf("the printed page does not show archive index #%d", budget.Index)
		}
	})

	t.Run("ExportPage", func(t *testing.T) {
		p := b.tab(1000, 1000).in(t)
		p.open("file://" + filepath.Join(out, filepath.FromSlash(budget.Path)))
		p.waitFor(10*time.Second, "the page", `document.querySelector('#title')`)
		if got := p.text("#title"); got != budget.Title {
			t.Errorf("export page title %q, want %q", got, budget.Title)
		}
		fit, pdf := p.printLayout("export-page.pdf")
		checkFits(t, budget.Path, fit, pdf)
	})
}
