package archivexport

import (
	"strings"
	"testing"

	"github.com/hallcast/hallcast/server/hall"
)

func TestFormatFen(t *testing.T) {
	for _, c := range []struct {
		fen  int64
		unit string
		want string
	}{
		{0, "yuan", "0.00"},
		{5, "yuan", "0.05"},
		{123456789, "yuan", "1,234,567.89"},
		{-100000, "yuan", "-1,000.00"},
		{5_000_000_00, "wan", "500.00"}, // 5,000,000 yuan
		{12_345_678, "wan", "12.35"},    // 123,456.78 yuan
		{-4999, "wan", "0.00"},
	} {
		if got := formatFen(c.fen, c.unit); got != c.want {
			t.Errorf("formatFen(%d, %s) = %q, want %q", c.fen, c.unit, got, c.want)
		}
	}
}

func TestFinanceRowsTree(t *testing.T) {
	lines := []hall.FinanceLine{
		{Code: "b1", Parent: "b", Name: "B1"},
		{Code: "a", Name: "A"},
		{Code: "b", Name: "B"},
		{Code: "a1", Parent: "a", Name: "A1"},
		{Code: "b11", Parent: "b1", Name: "B11"},
	}
	var got []string
	for _, r := range financeRows(lines) {
		got = append(got, strings.Repeat(">", r.depth)+r.line.Code)
	}
	if want := ">a >>a1 >b >>b1 >>>b11"; ">"+strings.Join(got, " >") != want {
		t.Errorf("rows %q, want %s", got, want)
	}
}

// TestOfflineBody: media images are embedded, images from elsewhere are
// not loaded, so a page makes no request.
func TestOfflineBody(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	sum := strings.Repeat("ab", 32)
	missing := strings.Repeat("cd", 32)
	body := `<p><img src="/media/` + sum + `" alt="a"><img src="/media/` + missing + `" alt="b"><img src="https://example.org/x.png" alt="c"></p>`
	got := offlineBody(body, map[string][]byte{sum: png})
	for _, want := range []string{`src="data:image/png;base64,`, `data-sha256="` + sum + `"`, `<img data-sha256="` + missing + `" alt="b">`, `data-src="https://example.org/x.png"`} {
		if !strings.Contains(got, want) {
			t.Errorf("offline body %s lacks %s", got, want)
		}
	}
	if strings.Contains(got, ` src="/`) || strings.Contains(got, ` src="https:`) {
		t.Errorf("offline body still loads something: %s", got)
	}
}

func TestPrintCSSEmbedded(t *testing.T) {
	css := PrintCSS()
	for _, want := range []string{"@page", "size: A4", "thead { display: table-header-group; }", "counter(page)"} {
		if !strings.Contains(css, want) {
			t.Errorf("print.css lacks %q", want)
		}
	}
}
