package httpapi

import (
	"net/http"
	"strings"
	"testing"
)

// TestPreview: staff get the revision an unsaved draft would publish, the
// body rendered and sanitised as on publish and the finance table as sent;
// a draft's limits give field errors; nothing is saved or audited.
func TestPreview(t *testing.T) {
	h := newHarness(t)
	countItems := func() int {
		r := h.must(h.do("GET", "/api/v1/items", "admin", nil), http.StatusOK)
		return len(r.JSON["items"].([]any))
	}
	countAudit := func() int {
		r := h.must(h.do("GET", "/api/v1/audit?limit=1000", "auditor", nil), http.StatusOK)
		l, ok := r.JSON["entries"].([]any)
		if !ok || len(l) == 0 || len(l) == 1000 {
			t.Fatalf("audit listing: %s", r.Body)
		}
		return len(l)
	}
	items, audit := countItems(), countAudit()

	t.Run("OK", func(t *testing.T) {
		in := budgetItem()
		in["body"] = "## 说明\n\n本月**收支**如下。\n\n<script>alert(1)</script>\n\n[链接](javascript:alert(2))"
		for _, as := range []string{"editor", "reviewer", "auditor", "admin"} {
			r := h.must(h.do("POST", "/api/v1/preview", as, in), http.StatusOK)
			html := str(r.JSON, "body_html")
			if !strings.Contains(html, "<h2") || !strings.Contains(html, "<strong>收支</strong>") {
				t.Errorf("%s: body_html not rendered: %q", as, html)
			}
			if strings.Contains(html, "<script") || strings.Contains(html, "alert(1)") || strings.Contains(html, "javascript:") {
				t.Errorf("%s: body_html not sanitised: %q", as, html)
			}
			if str(r.JSON, "title") != "2026年10月财务收支公开" || str(r.JSON, "summary") != "本月收入与支出明细" {
				t.Errorf("%s: fields: %s", as, r.Body)
			}
			lines, _ := r.JSON["finance"].(map[string]any)["lines"].([]any)
			if len(lines) != 3 || str(lines[1], "name") != "办公费" || str(lines[1], "amount") != "100000" || str(lines[1], "parent") != "1" {
				t.Errorf("%s: finance: %v", as, r.JSON["finance"])
			}
			if str(r.JSON, "id") != "" || str(r.JSON, "published_at") == "" {
				t.Errorf("%s: a preview has no id and the time it would be published: %s", as, r.Body)
			}
		}
	})

	t.Run("Unfinished", func(t *testing.T) {
		// What a clerk has typed so far: no title, category or department yet.
		r := h.must(h.do("POST", "/api/v1/preview", "editor", map[string]any{"summary": "草稿"}), http.StatusOK)
		if str(r.JSON, "summary") != "草稿" || str(r.JSON, "title") != "" {
			t.Errorf("unfinished draft: %s", r.Body)
		}
	})

	t.Run("ErrFields", func(t *testing.T) {
		for name, tc := range map[string]struct {
			edit  func(map[string]any)
			field string
		}{
			"TitleTooLong":   {func(m map[string]any) { m["title"] = strings.Repeat("长", 121) }, "title"},
			"SummaryTooLong": {func(m map[string]any) { m["summary"] = strings.Repeat("长", 501) }, "summary"},
			"BadCategory":    {func(m map[string]any) { m["category"] = "不是键" }, "category"},
			"FinanceTotal": {func(m map[string]any) {
				m["finance"].(map[string]any)["lines"].([]map[string]any)[0]["amount"] = 1
			}, "finance.lines[0].amount"},
			"UnknownField": {func(m map[string]any) { m["tilte"] = "x" }, ""},
		} {
			t.Run(name, func(t *testing.T) {
				in := budgetItem()
				tc.edit(in)
				r := h.must(h.do("POST", "/api/v1/preview", "editor", in), http.StatusUnprocessableEntity)
				if r.errCode() != "validation" || (tc.field != "" && r.errField() != tc.field) {
					t.Errorf("got %s, want a validation error on %q", r.Body, tc.field)
				}
			})
		}
	})

	t.Run("Access", func(t *testing.T) {
		h.must(h.do("POST", "/api/v1/preview", "", budgetItem()), http.StatusUnauthorized)
		h.must(h.do("POST", "/api/v1/preview", "editor", `{"body":"`+strings.Repeat("x", 3<<20)+`"}`), http.StatusRequestEntityTooLarge)
	})

	if got := countItems(); got != items {
		t.Errorf("items after previews: %d, want %d", got, items)
	}
	if got := countAudit(); got != audit {
		t.Errorf("audit entries after previews: %d, want %d", got, audit)
	}
}
