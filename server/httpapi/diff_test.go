package httpapi

import (
	"net/http"
	"testing"
)

// TestRevisionDiff: staff see what a draft changes against the published
// revision before they approve it; residents see what a new revision
// changed; a revision that does not exist is a field error; an editor of
// another department does not see the item.
func TestRevisionDiff(t *testing.T) {
	h := newHarness(t)
	id := h.publish(budgetItem())

	r := h.must(h.do("GET", "/api/v1/items/"+id+"/diff", "reviewer", nil), http.StatusOK)
	if str(r.JSON, "from") != "1" || str(r.JSON, "to") != "draft" || r.JSON["diff"].(map[string]any)["unchanged"] != true {
		t.Fatalf("a published item's draft against its revision: %s", r.Body)
	}

	item := h.must(h.do("GET", "/api/v1/items/"+id, "editor", nil), http.StatusOK)
	edit := budgetItem()
	edit["title"] = "2026年10月财务收支公开（更正）"
	edit["body"] = "## 说明\n\n本月收支更正如下。"
	edit["version"] = item.JSON["item"].(map[string]any)["version"]
	edit["finance"] = map[string]any{"currency": "CNY", "unit": "yuan", "lines": []map[string]any{
		{"code": "1", "name": "支出合计", "amount": 350000, "budget": 320000},
		{"code": "1.1", "name": "办公费", "parent": "1", "amount": 150000, "budget": 120000},
		{"code": "1.2", "name": "道路维修", "parent": "1", "amount": 200000, "budget": 200000},
	}}
	h.must(h.do("PUT", "/api/v1/items/"+id, "editor", edit), http.StatusOK)

	r = h.must(h.do("GET", "/api/v1/items/"+id+"/diff", "reviewer", nil), http.StatusOK)
	d := r.JSON["diff"].(map[string]any)
	fields := d["fields"].([]any)
	if len(fields) != 1 || str(fields[0], "field") != "title" || str(fields[0], "to") != "2026年10月财务收支公开（更正）" {
		t.Errorf("fields: %v", fields)
	}
	var removed, added bool
	for _, l := range d["body"].([]any) {
		removed = removed || (str(l, "op") == "-" && str(l, "text") == "本月收支如下。")
		added = added || (str(l, "op") == "+" && str(l, "text") == "本月收支更正如下。")
	}
	if !removed || !added {
		t.Errorf("body: %v", d["body"])
	}
	fin := d["finance"].([]any)
	if len(fin) != 2 || str(fin[0], "code") != "1" || str(fin[1], "code") != "1.1" || str(fin[1], "op") != "changed" ||
		str(fin[1], "from", "amount") != "100000" || str(fin[1], "to", "amount") != "150000" {
		t.Errorf("finance: %v", fin)
	}

	for _, q := range []string{"?from=2", "?to=x", "?from=-1"} {
		r := h.must(h.do("GET", "/api/v1/items/"+id+"/diff"+q, "reviewer", nil), http.StatusUnprocessableEntity)
		if r.errCode() != "validation" {
			t.Errorf("diff%s: %s", q, r.Body)
		}
	}
	h.must(h.do("GET", "/api/v1/items/"+id+"/diff", "editor2", nil), http.StatusNotFound)

	// Published again: residents see what revision 2 changed.
	h.must(h.do("POST", "/api/v1/items/"+id+"/submit", "editor", nil), http.StatusOK)
	h.must(h.do("POST", "/api/v1/items/"+id+"/approve", "reviewer", nil), http.StatusOK)
	h.must(h.do("POST", "/api/v1/items/"+id+"/publish", "reviewer", nil), http.StatusOK)
	r = h.must(h.do("GET", "/api/v1/public/items/"+id+"/diff", "", nil), http.StatusOK)
	if str(r.JSON, "from") != "1" || str(r.JSON, "to") != "2" || len(r.JSON["diff"].(map[string]any)["finance"].([]any)) != 2 {
		t.Errorf("public diff: %s", r.Body)
	}
	r = h.must(h.do("GET", "/api/v1/public/items/"+id+"/diff?from=0&to=1", "", nil), http.StatusOK)
	if fin := r.JSON["diff"].(map[string]any)["finance"].([]any); len(fin) != 3 || str(fin[0], "op") != "added" {
		t.Errorf("public diff from nothing: %v", fin)
	}
	h.must(h.do("GET", "/api/v1/public/items/"+id+"/diff?to=3", "", nil), http.StatusUnprocessableEntity)
	h.must(h.do("GET", "/api/v1/public/items/it_nope/diff", "", nil), http.StatusNotFound)
}
