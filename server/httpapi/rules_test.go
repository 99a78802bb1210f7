package httpapi

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// TestScorecardRules: the weights are versioned by month: an admin sets
// them from next month on; this month's scorecard keeps the old weights,
// next month's uses the new; past months cannot be changed; weights must
// add up to 100; only admins change them; the change is audited.
func TestScorecardRules(t *testing.T) {
	h := newHarness(t)
	loc, _ := hall.LoadZone("")
	now := time.Now().In(loc)
	this := now.Format("2006-01")
	next := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, loc).Format("2006-01")
	last := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, loc).Format("2006-01")

	r := h.must(h.do("GET", "/api/v1/scorecard/rules", "auditor", nil), http.StatusOK)
	if str(r.JSON, "current", "timeliness") != "40" || len(r.JSON["versions"].([]any)) != 0 {
		t.Fatalf("rules before any change: %s", r.Body)
	}
	w := map[string]any{"timeliness": 50, "completeness": 20, "responsiveness": 20, "satisfaction": 10}
	h.must(h.do("PUT", "/api/v1/scorecard/rules", "auditor", map[string]any{"from": next, "weights": w}), http.StatusForbidden)
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"from": last, "weights": w}, "from"},
		{map[string]any{"from": "2026-13", "weights": w}, "from"},
		{map[string]any{"from": next, "weights": map[string]any{"timeliness": 60, "completeness": 20, "responsiveness": 20, "satisfaction": 10}}, "weights"},
		{map[string]any{"from": next, "weights": map[string]any{"timeliness": -10, "completeness": 60, "responsiveness": 40, "satisfaction": 10}}, "weights.timeliness"},
	} {
		r := h.must(h.do("PUT", "/api/v1/scorecard/rules", "admin", tc.body), http.StatusUnprocessableEntity)
		if got := str(r.JSON, "error", "field"); got != tc.field {
			t.Errorf("PUT %v: field %q, want %q (%s)", tc.body, got, tc.field, r.Body)
		}
	}
	r = h.must(h.do("PUT", "/api/v1/scorecard/rules", "admin", map[string]any{"from": next, "weights": w}), http.StatusOK)
	vs := r.JSON["versions"].([]any)
	if len(vs) != 1 || str(vs[0], "from") != next || str(vs[0], "by") != "admin" || str(r.JSON, "current", "timeliness") != "40" {
		t.Errorf("after setting next month's rules: %s", r.Body)
	}

	sc := h.must(h.do("GET", "/api/v1/reports/scorecard?period="+this, "auditor", nil), http.StatusOK)
	if str(sc.JSON, "weights", "timeliness") != "40" {
		t.Errorf("this month's scorecard weighs timeliness %s, want 40 (the rules it was scored with)", str(sc.JSON, "weights", "timeliness"))
	}
	sc = h.must(h.do("GET", "/api/v1/reports/scorecard?period="+next, "auditor", nil), http.StatusOK)
	if str(sc.JSON, "weights", "timeliness") != "50" || str(sc.JSON, "weights", "completeness") != "20" {
		t.Errorf("next month's scorecard weights: %v", sc.JSON["weights"])
	}

	audit := h.must(h.do("GET", "/api/v1/audit?action=scorecard.rules", "auditor", nil), http.StatusOK)
	if entries, _ := audit.JSON["entries"].([]any); len(entries) != 1 || str(entries[0], "actor") != "admin" {
		t.Errorf("audit: %s", audit.Body)
	}
}

// TestReportDownloads: the engagement report and the scorecard download as
// CSV and as an .xlsx workbook with the same header; another format is a
// field error.
func TestReportDownloads(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/api/v1/reports/engagement?by=category", "/api/v1/reports/scorecard?period=2026-11"} {
		x := h.must(h.do("GET", path+"&format=xlsx", "auditor", nil), http.StatusOK)
		if x.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || len(x.Body) < 4 || string(x.Body[:2]) != "PK" {
			t.Errorf("%s xlsx: %s, %d bytes", path, x.Header.Get("Content-Type"), len(x.Body))
		}
		c := h.must(h.do("GET", path+"&format=csv", "auditor", nil), http.StatusOK)
		if !strings.HasPrefix(string(c.Body), "\ufeff") {
			t.Errorf("%s csv lacks its byte-order mark", path)
		}
		h.must(h.do("GET", path+"&format=pdf", "auditor", nil), http.StatusUnprocessableEntity)
	}
}
