package httpapi

import (
	"net/http"
	"slices"
	"testing"
)

// TestVillageBoards: villages are halls under the town hall; an item is on
// one village's board or the whole township's; the public API narrows
// listings and counts to a hall's own board, to what a hall's board shows,
// or to a 三务公开 heading, and the published revision carries its board.
func TestVillageBoards(t *testing.T) {
	h := newHarness(t)
	town := str(h.must(h.do("POST", "/api/v1/halls", "admin", map[string]any{"name": "城关镇便民服务中心"}), http.StatusCreated).JSON, "hall", "id")
	village := str(h.must(h.do("POST", "/api/v1/halls", "admin",
		map[string]any{"name": "红旗村村务公开栏", "kind": "village", "parent": town}), http.StatusCreated).JSON, "hall", "id")
	other := str(h.must(h.do("POST", "/api/v1/halls", "admin",
		map[string]any{"name": "东关社区", "kind": "community", "parent": town}), http.StatusCreated).JSON, "hall", "id")

	// A hall's place is checked.
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "x", "kind": "hamlet"}, "kind"},
		{map[string]any{"name": "x", "kind": "village", "parent": "hl_nope"}, "parent"},
		{map[string]any{"name": "x", "kind": "village", "parent": village}, "parent"}, // a village under a village
		{map[string]any{"name": "x", "kind": "town", "parent": town}, "parent"},
	} {
		r := h.must(h.do("POST", "/api/v1/halls", "admin", tc.body), http.StatusUnprocessableEntity)
		if got := str(r.JSON, "error", "field"); got != tc.field {
			t.Errorf("POST /halls %v: field %q, want %q", tc.body, got, tc.field)
		}
	}
	r := h.must(h.do("PUT", "/api/v1/halls/"+town, "admin", map[string]any{"name": "城关镇", "kind": "village"}), http.StatusUnprocessableEntity)
	if str(r.JSON, "error", "field") != "kind" {
		t.Errorf("a town with villages made a village: %s", r.Body)
	}

	// An item names an existing hall.
	bad := budgetItem()
	bad["hall"] = "hl_nope"
	r = h.must(h.do("POST", "/api/v1/items", "editor", bad), http.StatusUnprocessableEntity)
	if str(r.JSON, "error", "field") != "hall" {
		t.Errorf("item on a missing hall: %s", r.Body)
	}

	township := h.publish(budgetItem())
	villageFin := budgetItem()
	villageFin["hall"] = village
	villageFin["title"] = "红旗村2026年10月村级财务收支"
	onVillage := h.publish(villageFin)
	road := budgetItem()
	road["category"], road["finance"], road["title"], road["hall"] = "construction", nil, "东关社区道路硬化工程", other
	onOther := h.publish(road)

	pub := h.must(h.do("GET", "/api/v1/public/items/"+onVillage, "", nil), http.StatusOK)
	if str(pub.JSON, "hall") != village {
		t.Errorf("published revision's hall %q, want %q", str(pub.JSON, "hall"), village)
	}

	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", sorted(township, onVillage, onOther)},
		{"?hall=" + village, sorted(onVillage)},
		{"?board=" + village, sorted(township, onVillage)},
		{"?board=" + town, sorted(township, onVillage, onOther)},
		{"?group=finance", sorted(township, onVillage)},
		{"?group=government&board=" + other, sorted(onOther)},
		{"?group=party", nil},
	} {
		if got := h.publicIDs(tc.query); !slices.Equal(got, tc.want) {
			t.Errorf("public items%s: %q, want %q", tc.query, got, tc.want)
		}
	}
	for _, q := range []string{"?hall=hl_nope", "?board=hl_nope", "?group=party-ish", "?hall=" + village + "&board=" + town} {
		h.must(h.do("GET", "/api/v1/public/items"+q, "", nil), http.StatusUnprocessableEntity)
	}

	cats := h.must(h.do("GET", "/api/v1/public/categories?hall="+village, "", nil), http.StatusOK)
	counts := map[string]string{}
	for _, c := range cats.JSON["categories"].([]any) {
		counts[str(c, "key")] = str(c, "count")
	}
	if counts["finance"] != "1" || counts["construction"] != "0" {
		t.Errorf("village board counts: %v, want finance 1, construction 0", counts)
	}
	cats = h.must(h.do("GET", "/api/v1/public/categories?group=government", "", nil), http.StatusOK)
	if n := len(cats.JSON["categories"].([]any)); n != 1 {
		t.Errorf("government heading: %d categories, want 1", n)
	}

	halls := h.must(h.do("GET", "/api/v1/public/halls", "", nil), http.StatusOK)
	var found bool
	for _, x := range halls.JSON["halls"].([]any) {
		if str(x, "id") == village {
			found = str(x, "kind") == "village" && str(x, "parent") == town && str(x, "name") == "红旗村村务公开栏"
		}
	}
	if !found {
		t.Errorf("public halls do not name the village: %s", halls.Body)
	}
	h.must(h.do("GET", "/v/"+village, "", nil), http.StatusOK)
}
