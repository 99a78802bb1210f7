package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/media/mediatest"
)

func TestRedaction(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	mobile := "13987654321"

	// A full-width ID number is caught like an ASCII one.
	item := budgetItem()
	item["body"] = "救助对象：张三，身份证号１１０１０５１９４９１２３１００２Ｘ。"
	r := h.must(h.do("POST", "/api/v1/items", "editor", item), http.StatusCreated)
	blocked := str(r.JSON, "item", "id")
	h.must(h.do("POST", "/api/v1/items/"+blocked+"/submit", "editor", nil), 200)
	h.must(h.do("POST", "/api/v1/items/"+blocked+"/approve", "reviewer", nil), 200)
	r = h.must(h.do("POST", "/api/v1/items/"+blocked+"/publish", "reviewer", nil), http.StatusUnprocessableEntity)
	if r.errField() != "body" || !strings.Contains(string(r.Body), "id_card") {
		t.Fatalf("full-width ID: %s", r.Body)
	}

	// Two attachments: one only the redacted revision uses, one shared.
	own := h.must(h.upload("editor", "own.pdf", mediatest.PDF("Budget notes")), http.StatusCreated)
	shared := h.must(h.upload("editor", "shared.pdf", mediatest.PDF("Common rules")), http.StatusCreated)
	ownURL, sharedURL := "/media/"+str(own.JSON, "sha256"), "/media/"+str(shared.JSON, "sha256")
	if len(ownURL) != len("/media/")+64 || len(sharedURL) != len(ownURL) {
		t.Fatalf("upload answers: %s %s", own.Body, shared.Body)
	}

	// A mistake published anyway (an admin's override), then redacted.
	item = budgetItem()
	item["assets"] = []map[string]any{{"url": sharedURL, "type": "pdf", "name": "shared.pdf"}}
	other := h.publish(item)
	item = budgetItem()
	item["assets"] = []map[string]any{{"url": ownURL, "type": "pdf", "name": "own.pdf"}, {"url": sharedURL, "type": "pdf", "name": "shared.pdf"}}
	item["title"] = "困难群众救助名单"
	item["body"] = "联系人电话 " + mobile + "。"
	r = h.must(h.do("POST", "/api/v1/items", "editor", item), http.StatusCreated)
	id := str(r.JSON, "item", "id")
	h.must(h.do("POST", "/api/v1/items/"+id+"/submit", "editor", nil), 200)
	h.must(h.do("POST", "/api/v1/items/"+id+"/approve", "reviewer", nil), 200)
	h.must(h.do("POST", "/api/v1/items/"+id+"/publish", "admin", map[string]any{"privacy_override": "误操作"}), 200)
	if r := h.must(h.do("GET", "/api/v1/public/items?q="+mobile, "", nil), 200); !strings.Contains(string(r.Body), id) {
		t.Fatalf("search before redaction does not find the item: %s", r.Body)
	}
	proof := h.must(h.do("GET", "/api/v1/archive/proof/1", "", nil), 200)
	if !strings.Contains(str(proof.JSON, "content"), mobile) || strings.Contains(str(proof.JSON, "leaf"), mobile) {
		t.Fatalf("format-2 leaf should carry a hash, the content beside it: %s", proof.Body)
	}

	redact := "/api/v1/items/" + id + "/revisions/1/redact"
	h.must(h.do("POST", redact, "reviewer", map[string]any{"reason": "x"}), http.StatusForbidden)
	h.must(h.do("POST", redact, "admin", map[string]any{"reason": " "}), http.StatusUnprocessableEntity)
	if r := h.must(h.do("POST", redact, "admin", map[string]any{"reason": "公开了手机号" + mobile}), http.StatusUnprocessableEntity); r.errField() != "reason" {
		t.Errorf("a reason repeating the number: %s", r.Body)
	}
	h.must(h.do("POST", "/api/v1/items/"+id+"/revisions/9/redact", "admin", map[string]any{"reason": "x"}), http.StatusNotFound)
	reason := "公开了个人手机号码"
	h.must(h.do("POST", redact, "admin", map[string]any{"reason": reason}), 200)
	h.must(h.do("POST", redact, "admin", map[string]any{"reason": reason}), http.StatusConflict)

	// Readers get 410 with the reason; listings and search forget it.
	r = h.must(h.do("GET", "/api/v1/public/items/"+id+"/revisions/1", "", nil), http.StatusGone)
	if r.errCode() != "gone" || !strings.Contains(string(r.Body), reason) || strings.Contains(string(r.Body), mobile) {
		t.Errorf("redacted revision: %s", r.Body)
	}
	r = h.must(h.do("GET", "/api/v1/public/items/"+id+"/revisions", "", nil), 200)
	if strings.Contains(string(r.Body), mobile) || !strings.Contains(string(r.Body), reason) {
		t.Errorf("history after redaction: %s", r.Body)
	}
	for _, q := range []string{"", "?q=" + url.QueryEscape(mobile), "?q=" + url.QueryEscape("救助名单")} {
		r = h.must(h.do("GET", "/api/v1/public/items"+q, "", nil), 200)
		if strings.Contains(string(r.Body), id) || strings.Contains(string(r.Body), mobile) {
			t.Errorf("public listing %q still shows the redacted item: %s", q, r.Body)
		}
	}
	if r = h.must(h.do("GET", "/api/v1/public/items", "", nil), 200); !strings.Contains(string(r.Body), other) {
		t.Errorf("the other item is gone from the listing: %s", r.Body)
	}
	r = h.do("GET", "/api/v1/public/items/"+id, "", nil)
	if strings.Contains(string(r.Body), mobile) || strings.Contains(string(r.Body), "救助名单") {
		t.Errorf("public item after redaction: %d %s", r.Status, r.Body)
	}

	// The archive listing still lists the entry, without its title.
	r = h.must(h.do("GET", "/api/v1/archive?from=0", "", nil), 200)
	if strings.Contains(string(r.Body), "救助名单") || !strings.Contains(string(r.Body), `"kind":"redact"`) {
		t.Errorf("archive listing after redaction: %s", r.Body)
	}
	h.must(h.do("GET", "/api/v1/reports/scorecard", "auditor", nil), 200)

	// The file only it used is deleted; the shared one is kept.
	h.must(h.do("GET", ownURL, "", nil), http.StatusNotFound)
	h.must(h.do("GET", sharedURL, "", nil), http.StatusOK)

	// The log still holds: verify, proofs, and the redact leaf names no content.
	v := h.must(h.do("GET", "/api/v1/archive/verify", "auditor", nil), 200)
	if v.JSON["ok"] != true {
		t.Errorf("verify after redaction: %s", v.Body)
	}
	rep, err := archive.Verify(ctx, h.store, h.verifier, testOrigin)
	if err != nil || !rep.OK {
		t.Errorf("archive.Verify after redaction: %+v, %v", rep, err)
	}
	proof = h.must(h.do("GET", "/api/v1/archive/proof/1", "", nil), 200)
	if str(proof.JSON, "content") != "" {
		t.Errorf("proof still serves the content: %s", proof.Body)
	}
	last := h.must(h.do("GET", "/api/v1/archive/proof/2", "", nil), 200)
	if !strings.Contains(str(last.JSON, "leaf"), `"kind":"redact"`) || strings.Contains(string(last.Body), mobile) {
		t.Errorf("redact leaf: %s", last.Body)
	}

	// Nothing of it is left in the database file (nor its write-ahead log).
	h.store.Close()
	files, _ := filepath.Glob(filepath.Join(h.dir, "hallcast.db*"))
	if len(files) == 0 {
		t.Fatal("no database file found")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.Index(data, []byte(mobile)); i >= 0 {
			t.Logf("%q", data[max(0, i-200):min(len(data), i+100)])
			t.Errorf("%s still contains the redacted number", filepath.Base(f))
		}
	}
}
