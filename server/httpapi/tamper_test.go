package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/archive"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// These tests edit the SQLite database behind the server's back, as someone
// with access to the data directory could, and check that nothing residents
// see changes and that the archive verification names the edit.

// exec runs SQL directly on the harness's database.
func (h *harness) exec(query string, args ...any) {
	h.t.Helper()
	if _, err := h.store.DB().ExecContext(context.Background(), query, args...); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
}

// publicIDs lists the ids the public listing answers for the query.
func (h *harness) publicIDs(query string) []string {
	h.t.Helper()
	r := h.must(h.do("GET", "/api/v1/public/items"+query, "", nil), http.StatusOK)
	var ids []string
	for _, it := range r.JSON["items"].([]any) {
		ids = append(ids, str(it, "id"))
	}
	slices.Sort(ids)
	return ids
}

// categoryCounts is the count of live items per category key.
func (h *harness) categoryCounts() map[string]string {
	h.t.Helper()
	r := h.must(h.do("GET", "/api/v1/public/categories", "", nil), http.StatusOK)
	out := map[string]string{}
	for _, c := range r.JSON["categories"].([]any) {
		out[str(c, "key")] = str(c, "count")
	}
	return out
}

// residentView is what residents see of the hall: listings, search, counts,
// and the public item of each id.
type residentView struct {
	live, archived, search, construction []string
	counts                               map[string]string
	items                                map[string]string // id → title, state, revision
}

func (h *harness) residentView(ids ...string) residentView {
	h.t.Helper()
	v := residentView{
		live: h.publicIDs(""), archived: h.publicIDs("?include=archived"),
		search: h.publicIDs("?q=" + "步道"), construction: h.publicIDs("?category=construction&include=archived"),
		counts: h.categoryCounts(), items: map[string]string{},
	}
	for _, id := range ids {
		r := h.do("GET", "/api/v1/public/items/"+id, "", nil)
		v.items[id] = fmt.Sprintf("%d %s %s r%s", r.Status, str(r.JSON, "title"), str(r.JSON, "state"), str(r.JSON, "revision"))
	}
	return v
}

func (v residentView) String() string {
	return fmt.Sprintf("live %v, archived %v, search %v, construction %v, counts %v, items %v", v.live, v.archived, v.search, v.construction, v.counts, v.items)
}

// TestRowEditsChangeNothingPublic edits the listing columns of items (and
// inserts a row) with SQL: public listings, search, category counts and the
// public item must stay what the archive says, and the verification must
// name the item and the field.
func TestRowEditsChangeNothingPublic(t *testing.T) {
	const fake = "it_forged0000000"
	tests := []struct {
		name   string
		edit   func(h *harness, a, b string)
		item   string // the item at fault
		field  string // the field the verification names
		setupB func(h *harness, b string)
	}{
		{name: "Title", item: "a", field: "title", edit: func(h *harness, a, b string) {
			h.exec("UPDATE items SET pub_title = '伪造的标题', title = '伪造的标题', pub_search_text = '伪造的标题 步道' WHERE id = ?", a)
		}},
		{name: "Withdrawn", item: "a", field: "withdrawn_at", edit: func(h *harness, a, b string) {
			h.exec("UPDATE items SET pub_withdrawn_at = '2026-01-01T00:00:00.000000000Z', pub_withdraw_reason = '伪造', status = 'withdrawn' WHERE id = ?", a)
		}},
		{name: "Unwithdrawn", item: "b", field: "withdrawn_at",
			setupB: func(h *harness, b string) {
				h.must(h.do("POST", "/api/v1/items/"+b+"/withdraw", "reviewer", map[string]any{"reason": "数据有误"}), http.StatusOK)
			},
			edit: func(h *harness, a, b string) {
				h.exec("UPDATE items SET pub_withdrawn_at = NULL, pub_withdraw_reason = NULL, status = 'published' WHERE id = ?", b)
			}},
		{name: "ValidUntil", item: "a", field: "valid_until", edit: func(h *harness, a, b string) {
			h.exec("UPDATE items SET pub_valid_until = '2020-01-01T00:00:00.000000000Z', valid_until = '2020-01-01T00:00:00.000000000Z' WHERE id = ?", a)
		}},
		{name: "Category", item: "a", field: "category", edit: func(h *harness, a, b string) {
			h.exec("UPDATE items SET pub_category = 'construction', category = 'construction' WHERE id = ?", a)
		}},
		{name: "Revision", item: "a", field: "revision", edit: func(h *harness, a, b string) {
			h.exec("UPDATE items SET pub_revision = 2 WHERE id = ?", a)
		}},
		{name: "Unpublished", item: "a", field: "revision", edit: func(h *harness, a, b string) {
			h.exec("UPDATE items SET pub_revision = NULL WHERE id = ?", a)
		}},
		{name: "RowDeleted", item: "a", field: "row", edit: func(h *harness, a, b string) {
			h.exec("DELETE FROM items WHERE id = ?", a)
		}},
		{name: "ForgedRow", item: fake, field: "revision", edit: func(h *harness, a, b string) {
			h.exec(`INSERT INTO items (id, category, department, title, status, version, created_at, updated_at,
				pub_revision, pub_archive_index, pub_category, pub_department, pub_title, pub_summary, pub_search_text,
				pub_has_finance, pub_published_at, pub_first_published)
				SELECT ?, category, department, '伪造的公告', 'published', 1, created_at, updated_at,
				1, 0, pub_category, pub_department, '伪造的公告 步道', '', '伪造的公告 步道', 0, pub_published_at, pub_first_published
				FROM items WHERE id = ?`, fake, a)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			a := budgetItem()
			a["title"], a["body"] = "滨河步道改造工程预算", "工程预算共计三十万元，用于步道铺装。"
			until := time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)
			a["valid_until"] = until
			idA := h.publish(a)
			idB := h.publish(budgetItem())
			if tt.setupB != nil {
				tt.setupB(h, idB)
			}
			ids := []string{idA, idB, fake}
			before := h.residentView(ids...)
			if v := h.must(h.do("GET", "/api/v1/archive/verify", "auditor", nil), http.StatusOK); v.JSON["ok"] != true {
				t.Fatalf("verify before the edit: %s", v.Body)
			}

			tt.edit(h, idA, idB)

			if after := h.residentView(ids...); after.String() != before.String() {
				t.Errorf("what residents see changed:\nbefore %s\nafter  %s", before, after)
			}
			v := h.must(h.do("GET", "/api/v1/archive/verify", "auditor", nil), http.StatusOK)
			want := map[string]string{"a": idA, "b": idB}[tt.item]
			if want == "" {
				want = tt.item
			}
			if v.JSON["ok"] != false || str(v.JSON, "mismatch", "item_id") != want || str(v.JSON, "mismatch", "field") != tt.field {
				t.Errorf("verify after the edit = %s, want a mismatch of item %s field %s", v.Body, want, tt.field)
			}
			if p := str(v.JSON, "problem"); !strings.Contains(p, want) {
				t.Errorf("problem %q does not name item %s", p, want)
			}
		})
	}
}

// TestLeafEditRefused edits a published leaf in the database while the
// server runs: what the server already hashed is the archive, and the
// altered leaf is refused wherever it would be served.
func TestLeafEditRefused(t *testing.T) {
	h := newHarness(t)
	a := budgetItem()
	a["title"] = "滨河步道改造工程预算"
	id := h.publish(a)
	h.publish(budgetItem())
	h.must(h.do("GET", "/api/v1/public/items/"+id, "", nil), http.StatusOK)

	// Format 2: the revision is stored beside the leaf, which commits to it
	// by its hash.
	h.exec("UPDATE archive SET content = CAST(replace(CAST(content AS TEXT), '滨河步道', '伪造步道') AS BLOB) WHERE idx = 0")

	for _, path := range []string{
		"/api/v1/public/items/" + id,
		"/api/v1/public/items/" + id + "/revisions/1",
		"/api/v1/public/items/" + id + "/revisions",
		"/api/v1/archive?from=0",
		"/api/v1/archive/proof/0?size=2",
	} {
		r := h.do("GET", path, "", nil)
		if r.Status != http.StatusInternalServerError || strings.Contains(string(r.Body), "伪造") {
			t.Errorf("GET %s after the leaf edit: %d %s, want 500 without the altered text", path, r.Status, r.Body)
		}
	}
	// The other entry is still served.
	h.must(h.do("GET", "/api/v1/archive?from=1", "", nil), http.StatusOK)
	v := h.must(h.do("GET", "/api/v1/archive/verify", "auditor", nil), http.StatusOK)
	if v.JSON["ok"] != false || str(v.JSON, "bad_index") != "0" {
		t.Errorf("verify after the leaf edit: %s, want entry 0 at fault", v.Body)
	}
}

// TestArchiveAlarm sends witnesses' reports: bad ones are refused, each
// accepted one is in the audit log, too many are rate limited, and a report
// holding a signed head the archive no longer fits stops the signing and
// shows in /readyz.
func TestArchiveAlarm(t *testing.T) {
	h := newHarness(t)
	h.publish(budgetItem())
	h.publish(budgetItem())
	good := string(h.must(h.do("GET", "/api/v1/archive/checkpoint", "", nil), http.StatusOK).Body)
	r := h.must(h.do("GET", "/readyz", "", nil), http.StatusOK)
	if a, _ := r.JSON["archive"].(map[string]any); a["consistent"] != true {
		t.Fatalf("/readyz before: %s", r.Body)
	}

	// A report whose head fits the archive is recorded, not confirmed.
	r = h.must(h.do("POST", "/api/v1/archive/alarm", "", map[string]any{"problem": "consistency", "seen": good, "device": "kiosk", "page": "/kiosk"}), http.StatusAccepted)
	if r.JSON["confirmed"] != false {
		t.Errorf("report of a fitting head: %s, want not confirmed", r.Body)
	}
	audit := h.must(h.do("GET", "/api/v1/audit", "auditor", nil), http.StatusOK)
	if !strings.Contains(string(audit.Body), "witness:kiosk") || !strings.Contains(string(audit.Body), "archive alarm: consistency, confirmed false") {
		t.Errorf("the report is not in the audit log: %s", audit.Body)
	}
	h.must(h.do("GET", "/api/v1/archive/checkpoint", "", nil), http.StatusOK)

	// A head of the same size over another tree, signed by the archive key:
	// what the server signed before its history was rewritten.
	size, _, err := archive.OpenCheckpoint(good, h.verifier, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := note.Sign(&note.Note{Text: fmt.Sprintf("%s\n%d\n%s\n", testOrigin, size, tlog.Hash{1, 2, 3})}, h.signer)
	if err != nil {
		t.Fatal(err)
	}
	r = h.must(h.do("POST", "/api/v1/archive/alarm", "", map[string]any{"problem": "fork", "seen": string(forged), "got": good, "device": "public"}), http.StatusAccepted)
	if r.JSON["confirmed"] != true {
		t.Fatalf("report of a head the archive does not fit: %s, want confirmed", r.Body)
	}
	r = h.must(h.do("GET", "/readyz", "", nil), http.StatusOK)
	if a, _ := r.JSON["archive"].(map[string]any); a["consistent"] != false || !strings.Contains(str(a, "problem"), "reported") {
		t.Errorf("/readyz after a confirmed report: %s", r.Body)
	}
	h.must(h.do("GET", "/api/v1/archive/checkpoint", "", nil), http.StatusInternalServerError)
	// Proofs and public reads go on from the history the server holds.
	h.must(h.do("GET", "/api/v1/archive/proof/0", "", nil), http.StatusOK)
	h.must(h.do("GET", "/api/v1/public/items", "", nil), http.StatusOK)

	// Bad reports are refused, and count towards the limit of five per
	// address per window: the sixth is refused whatever it holds.
	for _, bad := range []struct {
		body  any
		field string
	}{
		{map[string]any{"problem": "nonsense"}, "problem"},
		{map[string]any{"problem": "fork", "device": "toaster"}, "device"},
	} {
		if r := h.do("POST", "/api/v1/archive/alarm", "", bad.body); r.Status != http.StatusUnprocessableEntity || r.errField() != bad.field {
			t.Errorf("alarm %v: %d %s, want 422 on %s", bad.body, r.Status, r.Body, bad.field)
		}
	}
	big := map[string]any{"problem": "fork", "seen": strings.Repeat("x", 20<<10)}
	if r := h.do("POST", "/api/v1/archive/alarm", "", big); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 20 KiB alarm: %d, want 413", r.Status)
	}
	if r := h.do("POST", "/api/v1/archive/alarm", "", map[string]any{"problem": "signature"}); r.Status != http.StatusTooManyRequests {
		t.Errorf("the sixth alarm from one address: %d %s, want 429", r.Status, r.Body)
	}
}
