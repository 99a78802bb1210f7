package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/hallcast/hallcast/server/accounts"
	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/hall"
)

func TestRoutesByRole(t *testing.T) {
	h := newHarness(t)
	id := h.publish(budgetItem())
	roles := []string{"", "admin", "editor", "reviewer", "auditor"}
	type route struct {
		method, path string
		body         any
		allowed      string // space-separated roles; "*" = any logged-in user; "public" = anyone
	}
	routes := []route{
		{"GET", "/api/v1/users", nil, "admin"},
		{"POST", "/api/v1/users", map[string]any{"username": "x", "password": "x", "role": "nope"}, "admin"},
		{"POST", "/api/v1/users/nope/disable", nil, "admin"},
		{"POST", "/api/v1/users/nope/enable", nil, "admin"},
		{"GET", "/api/v1/tokens?all=true", nil, "admin"},
		{"PUT", "/api/v1/screens/nope", map[string]any{"name": ""}, "admin"},
		{"GET", "/api/v1/departments", nil, "editor reviewer auditor"},
		{"POST", "/api/v1/departments", map[string]any{"key": "", "name": map[string]any{"zh": ""}}, "admin"},
		{"GET", "/api/v1/halls", nil, "editor reviewer auditor"},
		{"POST", "/api/v1/halls", map[string]any{"name": ""}, "admin"},
		{"GET", "/api/v1/categories", nil, "editor reviewer auditor"},
		{"POST", "/api/v1/categories", map[string]any{"key": ""}, "admin"},
		{"GET", "/api/v1/matters", nil, "editor reviewer auditor"},
		{"POST", "/api/v1/matters", map[string]any{"title": ""}, "editor"},
		{"GET", "/api/v1/items", nil, "editor reviewer auditor"},
		{"POST", "/api/v1/items", map[string]any{"title": ""}, "editor"},
		{"GET", "/api/v1/items/" + id, nil, "editor reviewer auditor"},
		{"PUT", "/api/v1/items/" + id, map[string]any{"title": ""}, "editor"},
		{"GET", "/api/v1/items/" + id + "/revisions", nil, "editor reviewer auditor"},
		{"POST", "/api/v1/items/nope/submit", nil, "editor"},
		{"POST", "/api/v1/items/nope/approve", nil, "reviewer"},
		{"POST", "/api/v1/items/nope/publish", nil, "reviewer"},
		{"POST", "/api/v1/items/nope/withdraw", map[string]any{"reason": "x"}, "reviewer"},
		{"POST", "/api/v1/items/nope/return", map[string]any{"comment": "x"}, "reviewer"},
		{"GET", "/api/v1/calendar/2026", nil, "editor reviewer auditor"},
		{"PUT", "/api/v1/calendar/2027", map[string]any{"holidays": map[string]any{}, "workdays": []string{"2027-13-01"}}, "admin"},
		{"GET", "/api/v1/audit", nil, "auditor"},
		{"GET", "/api/v1/reports/engagement", nil, "auditor"},
		{"GET", "/api/v1/reports/scorecard?period=2026-11", nil, "auditor"},
		{"GET", "/api/v1/archive/verify", nil, "auditor"},
		{"GET", "/api/v1/screens", nil, "auditor"},
		{"POST", "/api/v1/screens", map[string]any{"name": ""}, "admin"},
		{"DELETE", "/api/v1/screens/nope", nil, "admin"},
		{"POST", "/api/v1/screens/nope/command", map[string]any{"name": "identify"}, "admin"},
		{"POST", "/api/v1/pairings/123456/claim", map[string]any{"name": ""}, "admin"},
		{"PUT", "/api/v1/halls/nope", map[string]any{"name": ""}, "admin"},
		{"GET", "/api/v1/playlists", nil, "editor reviewer auditor"},
		{"PUT", "/api/v1/playlists/lobby", map[string]any{"name": "", "entries": []any{}}, "admin"},
		{"DELETE", "/api/v1/playlists/nope", nil, "admin"},
		{"GET", "/api/v1/schedules", nil, "editor reviewer auditor"},
		{"PUT", "/api/v1/schedules/day", map[string]any{"playlist_id": "nope"}, "admin"},
		{"DELETE", "/api/v1/schedules/nope", nil, "admin"},
		{"GET", "/api/v1/interrupts", nil, "editor reviewer auditor"},
		{"POST", "/api/v1/interrupts", map[string]any{"level": "x"}, "admin"},
		{"DELETE", "/api/v1/interrupts/nope", nil, "admin"},
		{"GET", "/api/v1/feedback", nil, "reviewer auditor"},
		{"POST", "/api/v1/feedback/nope/reply", map[string]any{"text": "x"}, "reviewer"},
		{"GET", "/api/v1/cases", nil, "reviewer auditor"},
		{"POST", "/api/v1/cases/nope/resolve", map[string]any{"note": "x"}, "reviewer"},
		{"GET", "/api/v1/public/replies", nil, "public"},
		{"POST", "/api/v1/pairings", map[string]any{}, "public"},
		{"GET", "/api/v1/tokens", nil, "*"},
		{"GET", "/api/v1/session", nil, "none"}, // bearer callers have no session
		{"GET", "/api/v1/archive", nil, "public"},
		{"GET", "/api/v1/archive/checkpoint", nil, "public"},
		{"GET", "/api/v1/public/items", nil, "public"},
		{"GET", "/api/v1/public/items/" + id, nil, "public"},
		{"GET", "/api/v1/public/categories", nil, "public"},
	}
	for _, rt := range routes {
		for _, role := range roles {
			name := role
			if name == "" {
				name = "anonymous"
			}
			t.Run(rt.method+" "+rt.path+" as "+name, func(t *testing.T) {
				r := h.do(rt.method, rt.path, role, rt.body)
				allowed := rt.allowed == "public" || (role != "" && (rt.allowed == "*" || role == "admin" && rt.allowed != "none" ||
					strings.Contains(" "+rt.allowed+" ", " "+role+" ")))
				switch {
				case allowed && (r.Status == 401 || r.Status == 403):
					t.Errorf("status %d, want access: %s", r.Status, r.Body)
				case !allowed && role == "" && r.Status != 401:
					t.Errorf("status %d, want 401: %s", r.Status, r.Body)
				case !allowed && role != "" && r.Status != 403 && !(rt.allowed == "none" && r.Status == 401):
					t.Errorf("status %d, want 403: %s", r.Status, r.Body)
				}
			})
		}
	}
}

func TestItemWorkflow(t *testing.T) {
	h := newHarness(t)
	r := h.must(h.do("POST", "/api/v1/items", "editor", budgetItem()), http.StatusCreated)
	id := str(r.JSON, "item", "id")
	if got := str(r.JSON, "item", "status"); got != "draft" {
		t.Fatalf("status %q, want draft", got)
	}
	t.Run("EditorOfOtherDepartment", func(t *testing.T) {
		h.must(h.do("PUT", "/api/v1/items/"+id, "editor2", budgetItem()), http.StatusForbidden)
	})
	edit := budgetItem()
	edit["title"] = "2026年10月财务收支公开（更正）"
	edit["version"] = 1
	r = h.must(h.do("PUT", "/api/v1/items/"+id, "editor", edit), http.StatusOK)
	t.Run("StaleVersion", func(t *testing.T) {
		h.must(h.do("PUT", "/api/v1/items/"+id, "editor", edit), http.StatusConflict)
	})
	h.must(h.do("POST", "/api/v1/items/"+id+"/approve", "reviewer", nil), http.StatusConflict) // not submitted yet
	h.must(h.do("POST", "/api/v1/items/"+id+"/submit", "editor", nil), http.StatusOK)
	h.must(h.do("POST", "/api/v1/items/"+id+"/approve", "editor", nil), http.StatusForbidden)
	h.must(h.do("POST", "/api/v1/items/"+id+"/publish", "reviewer", nil), http.StatusConflict) // not approved
	h.must(h.do("POST", "/api/v1/items/"+id+"/approve", "reviewer", nil), http.StatusOK)
	h.must(h.do("GET", "/api/v1/public/items/"+id, "", nil), http.StatusNotFound)
	r = h.must(h.do("POST", "/api/v1/items/"+id+"/publish", "reviewer", nil), http.StatusOK)
	if str(r.JSON, "revision", "revision") != "1" || str(r.JSON, "revision", "archive_index") != "0" {
		t.Fatalf("publish: %s", r.Body)
	}

	pub := h.must(h.do("GET", "/api/v1/public/items/"+id, "", nil), http.StatusOK)
	if got := str(pub.JSON, "title"); got != "2026年10月财务收支公开（更正）" {
		t.Errorf("public title %q", got)
	}
	if str(pub.JSON, "state") != "live" || str(pub.JSON, "page") != "/p/"+id || !strings.Contains(str(pub.JSON, "body_html"), "<h2") {
		t.Errorf("public item: %s", pub.Body)
	}

	// Editing a published item makes a new draft; revision 1 stays on show.
	edit["version"] = 0
	edit["summary"] = "更新后的摘要"
	h.must(h.do("PUT", "/api/v1/items/"+id, "editor", edit), http.StatusOK)
	if got := str(h.do("GET", "/api/v1/public/items/"+id, "", nil).JSON, "summary"); got != "本月收入与支出明细" {
		t.Errorf("public summary changed before republish: %q", got)
	}
	h.must(h.do("POST", "/api/v1/items/"+id+"/submit", "editor", nil), http.StatusOK)
	h.must(h.do("POST", "/api/v1/items/"+id+"/approve", "reviewer", nil), http.StatusOK)
	h.must(h.do("POST", "/api/v1/items/"+id+"/publish", "reviewer", nil), http.StatusOK)
	rev1 := h.must(h.do("GET", "/api/v1/public/items/"+id+"/revisions/1", "", nil), http.StatusOK)
	if strings.Contains(rev1.Header.Get("Cache-Control"), "immutable") || str(rev1.JSON, "summary") != "本月收入与支出明细" {
		t.Errorf("revision 1 changed or cached for good (it may be redacted): %v %s", rev1.Header, rev1.Body)
	}
	revs := h.must(h.do("GET", "/api/v1/items/"+id+"/revisions", "auditor", nil), http.StatusOK)
	if n := len(revs.JSON["revisions"].([]any)); n != 2 {
		t.Errorf("%d revisions, want 2", n)
	}

	h.must(h.do("POST", "/api/v1/items/"+id+"/withdraw", "reviewer", map[string]any{"reason": ""}), http.StatusUnprocessableEntity)
	h.must(h.do("POST", "/api/v1/items/"+id+"/withdraw", "reviewer", map[string]any{"reason": "数据有误，待更正"}), http.StatusOK)
	pub = h.must(h.do("GET", "/api/v1/public/items/"+id, "", nil), http.StatusOK)
	if str(pub.JSON, "state") != "withdrawn" {
		t.Errorf("state after withdraw: %s", pub.Body)
	}
	list := h.must(h.do("GET", "/api/v1/public/items", "", nil), http.StatusOK)
	if n := len(list.JSON["items"].([]any)); n != 0 {
		t.Errorf("withdrawn item still listed: %s", list.Body)
	}
	list = h.must(h.do("GET", "/api/v1/public/items?include=archived", "", nil), http.StatusOK)
	if n := len(list.JSON["items"].([]any)); n != 1 {
		t.Errorf("archived listing has %d items, want 1", n)
	}
	arch := h.must(h.do("GET", "/api/v1/archive", "", nil), http.StatusOK)
	if str(arch.JSON, "size") != "3" {
		t.Errorf("archive size: %s", arch.Body)
	}
}

func TestFinanceValidation(t *testing.T) {
	h := newHarness(t)
	bad := budgetItem()
	lines := bad["finance"].(map[string]any)["lines"].([]map[string]any)
	lines[2]["amount"] = 200001
	r := h.must(h.do("POST", "/api/v1/items", "editor", bad), http.StatusUnprocessableEntity)
	if r.errField() != "finance.lines[0].amount" || r.errCode() != "validation" {
		t.Errorf("mismatch error: %s", r.Body)
	}
	lines[2]["amount"] = 2000.5
	r = h.must(h.do("POST", "/api/v1/items", "editor", bad), http.StatusUnprocessableEntity)
	if r.errField() != "finance.lines[2].amount" {
		t.Errorf("float amount error: %s", r.Body)
	}
	lines[2]["amount"] = 200000
	lines[2]["parent"] = "9"
	r = h.must(h.do("POST", "/api/v1/items", "editor", bad), http.StatusUnprocessableEntity)
	if r.errField() != "finance.lines[2].parent" {
		t.Errorf("unknown parent error: %s", r.Body)
	}
	list := h.must(h.do("GET", "/api/v1/items", "admin", nil), http.StatusOK)
	if n := len(list.JSON["items"].([]any)); n != 0 {
		t.Errorf("%d items stored after rejected drafts", n)
	}
}

func TestBadInput(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name, body, contentType string
		status                  int
		field                   string
	}{
		{"MalformedJSON", `{"title":`, "application/json", 422, ""},
		{"NotAnObject", `[1,2]`, "application/json", 422, ""},
		{"UnknownField", `{"title":"x","colour":"red"}`, "application/json", 422, "colour"},
		{"WrongContentType", `{"title":"x"}`, "text/plain", 422, ""},
		{"TwoValues", `{"title":"x"}{"title":"y"}`, "application/json", 422, ""},
		{"AbsurdDate", `{"category":"finance","department":"finance","title":"x","valid_from":"9999-01-01"}`, "application/json", 422, "valid_from"},
		{"BadDate", `{"category":"finance","department":"finance","title":"x","valid_until":"2026-13-45"}`, "application/json", 422, "valid_until"},
		{"UntilBeforeFrom", `{"category":"finance","department":"finance","title":"x","valid_from":"2026-05-01","valid_until":"2026-04-01"}`, "application/json", 422, "valid_until"},
		{"UnknownCategory", `{"category":"nope","department":"finance","title":"x"}`, "application/json", 422, "category"},
		{"TooLarge", `{"title":"` + strings.Repeat("x", 3<<20) + `"}`, "application/json", 413, ""},
		{"TooLongTitle", `{"category":"finance","department":"finance","title":"` + strings.Repeat("长", 200) + `"}`, "application/json", 422, "title"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/items", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			req.Header.Set("Authorization", "Bearer "+h.tokens["editor"])
			r := h.send(req)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if r.errCode() == "" || str(r.JSON, "error", "message") == "" {
				t.Errorf("error shape: %s", r.Body)
			}
			if tc.field != "" && r.errField() != tc.field {
				t.Errorf("field %q, want %q", r.errField(), tc.field)
			}
		})
	}
	if n := len(h.do("GET", "/api/v1/items", "admin", nil).JSON["items"].([]any)); n != 0 {
		t.Errorf("%d items stored from bad input", n)
	}
	t.Run("ForgedToken", func(t *testing.T) {
		req, _ := http.NewRequest("GET", h.srv.URL+"/api/v1/items", nil)
		req.Header.Set("Authorization", "Bearer hct_forged")
		if r := h.send(req); r.Status != 401 || r.errCode() != "unauthenticated" {
			t.Errorf("forged token: %d %s", r.Status, r.Body)
		}
	})
	t.Run("UnknownRoute", func(t *testing.T) {
		if r := h.do("GET", "/api/v1/nope", "admin", nil); r.Status != 404 || r.errCode() != "not_found" {
			t.Errorf("unknown route: %d %s", r.Status, r.Body)
		}
	})
}

func TestHostileMarkdownIsSanitised(t *testing.T) {
	h := newHarness(t)
	item := budgetItem()
	item["body"] = "正文<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[点我](javascript:alert(3))\n\n<iframe src=\"https://evil.example\"></iframe>"
	id := h.publish(item)
	html := str(h.must(h.do("GET", "/api/v1/public/items/"+id, "", nil), 200).JSON, "body_html")
	for _, bad := range []string{"<script", "onerror", "javascript:", "<iframe"} {
		if strings.Contains(strings.ToLower(html), bad) {
			t.Errorf("body_html contains %q: %s", bad, html)
		}
	}
	if !strings.Contains(html, "正文") {
		t.Errorf("text lost: %s", html)
	}
}

// idNumber returns a valid 18-character ID number (GB 11643 check digit).
func idNumber(first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

func TestPrivacyGuard(t *testing.T) {
	h := newHarness(t)
	id := idNumber("11010519900307123")
	item := budgetItem()
	item["body"] = "救助对象：张三，身份证号" + id + "，电话13812345678。"
	r := h.must(h.do("POST", "/api/v1/items", "editor", item), http.StatusCreated)
	itemID := str(r.JSON, "item", "id")
	h.must(h.do("POST", "/api/v1/items/"+itemID+"/submit", "editor", nil), 200)
	h.must(h.do("POST", "/api/v1/items/"+itemID+"/approve", "reviewer", nil), 200)

	r = h.must(h.do("POST", "/api/v1/items/"+itemID+"/publish", "reviewer", nil), http.StatusUnprocessableEntity)
	details, _ := r.JSON["error"].(map[string]any)["details"].([]any)
	if len(details) != 2 || r.errField() != "body" {
		t.Fatalf("findings: %s", r.Body)
	}
	if got := str(details[0], "masked"); got != "110105********"+id[14:] {
		t.Errorf("masked id %q", got)
	}
	if got := str(details[1], "masked"); got != "138****5678" {
		t.Errorf("masked mobile %q", got)
	}
	h.must(h.do("POST", "/api/v1/items/"+itemID+"/publish", "reviewer", map[string]any{"privacy_override": "依法公示"}), http.StatusForbidden)
	if h.do("GET", "/api/v1/public/items/"+itemID, "", nil).Status != 404 {
		t.Fatal("blocked item was published")
	}
	r = h.must(h.do("POST", "/api/v1/items/"+itemID+"/publish", "admin", map[string]any{"privacy_override": "法院判决要求公示"}), http.StatusOK)
	if str(r.JSON, "revision", "privacy_override") != "法院判决要求公示" {
		t.Errorf("override not recorded: %s", r.Body)
	}
}

func TestSessionLoginCSRF(t *testing.T) {
	h := newHarness(t)
	login := func(pw string) result {
		return h.do("POST", "/api/v1/session", "", map[string]any{"username": "editor", "password": pw})
	}
	h.must(login("wrong-password"), http.StatusUnauthorized)
	r := h.must(login("password-editor"), http.StatusOK)
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == SessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v", cookie)
	}
	csrf := str(r.JSON, "csrf_token")
	if csrf == "" || str(r.JSON, "user", "username") != "editor" || strings.Contains(string(r.Body), "password") {
		t.Fatalf("login response: %s", r.Body)
	}
	post := func(csrfHeader string) result {
		req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/matters", strings.NewReader(`{"title":"滨河步道改造"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(cookie)
		if csrfHeader != "" {
			req.Header.Set("X-CSRF-Token", csrfHeader)
		}
		return h.send(req)
	}
	if r := post(""); r.Status != 403 {
		t.Errorf("write without CSRF token: %d", r.Status)
	}
	if r := post("forged"); r.Status != 403 {
		t.Errorf("write with wrong CSRF token: %d", r.Status)
	}
	h.must(post(csrf), http.StatusCreated)

	req, _ := http.NewRequest("DELETE", h.srv.URL+"/api/v1/session", nil)
	req.AddCookie(cookie)
	req.Header.Set("X-CSRF-Token", csrf)
	h.must(h.send(req), http.StatusNoContent)
	if r := post(csrf); r.Status != 401 {
		t.Errorf("write after logout: %d", r.Status)
	}
	// Logging in again from a browser that still sends the old cookie works.
	req, _ = http.NewRequest("POST", h.srv.URL+"/api/v1/session", strings.NewReader(`{"username":"editor","password":"password-editor"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(cookie)
	h.must(h.send(req), http.StatusOK)
}

func TestLoginThrottle(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < accounts.AttemptsPerWindow; i++ {
		h.must(h.do("POST", "/api/v1/session", "", map[string]any{"username": "auditor", "password": fmt.Sprint("guess-", i)}), 401)
	}
	r := h.do("POST", "/api/v1/session", "", map[string]any{"username": "auditor", "password": "password-auditor"})
	if r.Status != 429 || r.errCode() != "rate_limited" || r.Header.Get("Retry-After") == "" {
		t.Errorf("after %d failures: %d %s", accounts.AttemptsPerWindow, r.Status, r.Body)
	}
	// Another user from the same address is not locked out yet.
	h.must(h.do("POST", "/api/v1/session", "", map[string]any{"username": "editor", "password": "password-editor"}), 200)
}

func TestArchiveProofs(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 5; i++ {
		item := budgetItem()
		item["title"] = fmt.Sprintf("第%d期财务公开", i+1)
		h.publish(item)
	}
	note := string(h.must(h.do("GET", "/api/v1/archive/checkpoint", "", nil), 200).Body)
	size, root, err := archive.OpenCheckpoint(note, h.verifier, testOrigin)
	if err != nil || size != 5 {
		t.Fatalf("checkpoint %q: size %d, %v", note, size, err)
	}
	for i := 0; i < 5; i++ {
		r := h.must(h.do("GET", fmt.Sprintf("/api/v1/archive/proof/%d?size=5", i), "", nil), 200)
		var proof tlog.RecordProof
		for _, p := range r.JSON["proof"].([]any) {
			proof = append(proof, mustHash(t, p.(string)))
		}
		if err := archive.VerifyInclusion([]byte(str(r.JSON, "leaf")), int64(i), 5, root, proof); err != nil {
			t.Errorf("inclusion proof %d: %v", i, err)
		}
	}
	r := h.must(h.do("GET", "/api/v1/archive/consistency?from=2&to=5", "", nil), 200)
	var tp tlog.TreeProof
	for _, p := range r.JSON["proof"].([]any) {
		tp = append(tp, mustHash(t, p.(string)))
	}
	if err := archive.VerifyConsistency(2, 5, mustHash(t, str(r.JSON, "from_root")), root, tp); err != nil {
		t.Errorf("consistency proof: %v", err)
	}
	h.must(h.do("GET", "/api/v1/archive/proof/7?size=5", "", nil), 422)
	h.must(h.do("GET", "/api/v1/archive/consistency?from=5&to=2", "", nil), 422)
	v := h.must(h.do("GET", "/api/v1/archive/verify", "auditor", nil), 200)
	if v.JSON["ok"] != true || str(v.JSON, "entries") != "5" || str(v.JSON, "root") != root.String() {
		t.Errorf("verify: %s", v.Body)
	}
}

func mustHash(t *testing.T, s string) tlog.Hash {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		t.Fatalf("hash %q: %v", s, err)
	}
	return tlog.Hash(b)
}

func TestPublicSearchChinese(t *testing.T) {
	h := newHarness(t)
	a := budgetItem()
	a["title"], a["body"] = "滨河步道改造工程预算", "工程预算共计三十万元，用于步道铺装。"
	h.publish(a)
	b := budgetItem()
	b["title"], b["body"] = "办公经费月报", "本月办公经费支出。"
	h.publish(b)
	for q, want := range map[string]int{"步道": 1, "铺装": 1, "经费": 1, "公": 2, "不存在": 0} {
		r := h.must(h.do("GET", "/api/v1/public/items?q="+q, "", nil), 200)
		if n := len(r.JSON["items"].([]any)); n != want {
			t.Errorf("q=%s: %d items, want %d", q, n, want)
		}
	}
	cats := h.must(h.do("GET", "/api/v1/public/categories", "", nil), 200)
	counts := map[string]string{}
	for _, c := range cats.JSON["categories"].([]any) {
		counts[str(c, "key")] = str(c, "count")
	}
	if counts["finance"] != "2" || counts["construction"] != "0" {
		t.Errorf("category counts %v: %s", counts, cats.Body)
	}
}

// TestPublicSearchMeaning searches the way residents type: several words,
// numbers without their separators, pinyin of the title and traditional
// characters, best matches first.
func TestPublicSearchMeaning(t *testing.T) {
	h := newHarness(t)
	item := func(title, body string) map[string]any {
		it := budgetItem()
		delete(it, "finance")
		it["title"], it["summary"], it["body"] = title, "", body
		return it
	}
	trail := h.publish(item("滨河步道改造工程", "工程预算共计3,280元，用于步道铺装。"))
	funds := h.publish(item("村級財務公開", "本年度收支情況。"))
	brief := h.publish(item("三月工作简报", "步道已清扫；改造计划另行公示。"))

	ids := func(r result) []string {
		var out []string
		for _, it := range r.JSON["items"].([]any) {
			out = append(out, str(it, "id"))
		}
		return out
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"步道 改造", []string{trail, brief}}, // the title match first, though older
		{"步道改造", []string{trail}},
		{"改造", []string{trail, brief}},
		{"3280", []string{trail}},
		{"3,280", []string{trail}},
		{"budao", []string{trail}},
		{"BD", []string{trail}},
		{"預算", []string{trail}},
		{"财务公开", []string{funds}},
		{"桥梁", nil},
	} {
		r := h.must(h.do("GET", "/api/v1/public/items?limit=20&q="+url.QueryEscape(tc.q), "", nil), http.StatusOK)
		if got := ids(r); !slices.Equal(got, tc.want) {
			t.Errorf("q=%s: got %q, want %q", tc.q, got, tc.want)
		}
	}

	// Staff find the published revision the same way.
	r := h.must(h.do("GET", "/api/v1/items?q="+url.QueryEscape("預算"), "reviewer", nil), http.StatusOK)
	if got := ids(r); !slices.Equal(got, []string{trail}) {
		t.Errorf("staff q=預算: got %q, want %q", got, []string{trail})
	}

	tooMany := url.QueryEscape("一 二 三 四 五 六 七 八 九 十 十一")
	for _, path := range []string{"/api/v1/public/items?q=", "/api/v1/items?q="} {
		r := h.must(h.do("GET", path+tooMany, "reviewer", nil), http.StatusUnprocessableEntity)
		if str(r.JSON, "error", "field") != "q" {
			t.Errorf("%s with 11 words: %s", path, r.Body)
		}
	}
}

func TestAuditLog(t *testing.T) {
	h := newHarness(t)
	id := h.publish(budgetItem())
	r := h.must(h.do("GET", "/api/v1/audit?limit=50", "auditor", nil), 200)
	var actions []string
	for _, e := range r.JSON["entries"].([]any) {
		if str(e, "target") == id {
			actions = append(actions, str(e, "actor")+" "+str(e, "action"))
		}
		if str(e, "remote_ip") == "" && str(e, "actor") != "test" { // the harness's own setup has no address
			t.Errorf("audit entry without address: %v", e)
		}
	}
	want := []string{"reviewer item.publish", "reviewer item.approve", "editor item.submit", "editor item.create"}
	if strings.Join(actions, "|") != strings.Join(want, "|") {
		t.Errorf("audit trail:\n got %q\nwant %q", actions, want)
	}
}

func TestCalendarAPI(t *testing.T) {
	h := newHarness(t)
	r := h.must(h.do("GET", "/api/v1/calendar/2026", "editor", nil), 200)
	if r.JSON["known"] != true || !strings.Contains(string(r.Body), "2026-02-14") {
		t.Errorf("2026 calendar: %s", r.Body)
	}
	if r := h.must(h.do("GET", "/api/v1/calendar/2027", "editor", nil), 200); r.JSON["known"] != false {
		t.Errorf("2027 known before it was entered: %s", r.Body)
	}
	for name, body := range map[string]map[string]any{
		"WorkdayNotWeekend": {"holidays": map[string]any{}, "workdays": []string{"2027-01-06"}},
		"OtherYear":         {"holidays": map[string]any{"元旦": []string{"2026-01-01"}}, "workdays": []string{}},
		"NotADate":          {"holidays": map[string]any{"元旦": []string{"2027-02-30"}}, "workdays": []string{}},
	} {
		if r := h.do("PUT", "/api/v1/calendar/2027", "admin", body); r.Status != 422 {
			t.Errorf("%s: status %d, want 422: %s", name, r.Status, r.Body)
		}
	}
	// 2027-01-03 is a Sunday: a valid make-up working day.
	h.must(h.do("PUT", "/api/v1/calendar/2027", "admin", map[string]any{"holidays": map[string]any{"元旦": []string{"2027-01-01"}}, "workdays": []string{"2027-01-03"}}), 200)
	r = h.must(h.do("GET", "/api/v1/calendar/2027", "editor", nil), 200)
	if r.JSON["known"] != true || !strings.Contains(string(r.Body), "2027-01-03") {
		t.Errorf("2027 after PUT: %s", r.Body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/admin", "/player", "/api/v1/public/items", "/healthz", "/api/v1/nope"} {
		r := h.do("GET", path, "", nil)
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
			r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", path, r.Header)
		}
	}
	r := h.must(h.do("GET", "/admin", "", nil), 200)
	etag := r.Header.Get("ETag")
	req, _ := http.NewRequest("GET", h.srv.URL+"/admin", nil)
	req.Header.Set("If-None-Match", etag)
	h.must(h.send(req), http.StatusNotModified)
	h.must(h.do("GET", "/ui/../../etc/passwd", "", nil), 404)
	h.must(h.do("GET", "/ui/shared/app.js", "", nil), 200)
}

func TestScorecardAPI(t *testing.T) {
	h := newHarness(t)
	h.publish(budgetItem())
	r := h.must(h.do("GET", "/api/v1/reports/scorecard?period=2026-Q4", "auditor", nil), 200)
	deps, _ := r.JSON["departments"].([]any)
	if len(deps) != 2 || str(r.JSON, "period") != "2026-Q4" {
		t.Fatalf("scorecard: %s", r.Body)
	}
	for _, d := range deps {
		if g := str(d, "grade"); g == "" {
			t.Errorf("department without a grade: %v", d)
		}
	}
	h.must(h.do("GET", "/api/v1/reports/scorecard?period=2026-13", "auditor", nil), 422)
	csv := h.must(h.do("GET", "/api/v1/reports/scorecard?period=2026-11&format=csv", "auditor", nil), 200)
	if !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(csv.Body), "财政所") {
		t.Errorf("scorecard CSV: %s %s", csv.Header.Get("Content-Type"), csv.Body)
	}
}

func TestChangePassword(t *testing.T) {
	h := newHarness(t)
	login := func(pw string) result {
		return h.do("POST", "/api/v1/session", "", map[string]any{"username": "reviewer", "password": pw})
	}
	h.must(h.do("POST", "/api/v1/session/password", "reviewer", map[string]any{"current": "wrong", "new": "a-brand-new-password"}), 422)
	h.must(h.do("POST", "/api/v1/session/password", "reviewer", map[string]any{"current": "password-reviewer", "new": "short"}), 422)
	h.must(h.do("POST", "/api/v1/session/password", "", map[string]any{"current": "x", "new": "y"}), 401)
	h.must(h.do("POST", "/api/v1/session/password", "reviewer", map[string]any{"current": "password-reviewer", "new": "a-brand-new-password"}), 204)
	h.must(login("password-reviewer"), 401)
	r := h.must(login("a-brand-new-password"), 200)

	// From the console: this session stays, other sessions end.
	other := h.must(login("a-brand-new-password"), 200)
	cookieOf := func(r result) *http.Cookie {
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == SessionCookie {
				return c
			}
		}
		t.Fatal("no session cookie")
		return nil
	}
	req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/session/password", strings.NewReader(`{"current":"a-brand-new-password","new":"yet-another-password"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", str(r.JSON, "csrf_token"))
	req.AddCookie(cookieOf(r))
	h.must(h.send(req), 204)
	for name, tc := range map[string]struct {
		r    result
		want int
	}{"ThisSession": {r, 200}, "OtherSession": {other, 401}} {
		req, _ := http.NewRequest("GET", h.srv.URL+"/api/v1/session", nil)
		req.AddCookie(cookieOf(tc.r))
		if got := h.send(req).Status; got != tc.want {
			t.Errorf("%s after the change: %d, want %d", name, got, tc.want)
		}
	}
}

// TestApproveWhatWasRead: an approval names the version the reviewer read;
// an edit and resubmission since is a conflict, and the submitter, even an
// admin, never approves their own item.
func TestApproveWhatWasRead(t *testing.T) {
	h := newHarness(t)
	r := h.must(h.do("POST", "/api/v1/items", "editor", budgetItem()), http.StatusCreated)
	id := str(r.JSON, "item", "id")
	read := h.must(h.do("POST", "/api/v1/items/"+id+"/submit", "editor", nil), http.StatusOK)
	version := read.JSON["item"].(map[string]any)["version"]
	changed := budgetItem()
	changed["summary"] = "金额已改"
	h.must(h.do("PUT", "/api/v1/items/"+id, "editor", changed), http.StatusOK)
	h.must(h.do("POST", "/api/v1/items/"+id+"/submit", "editor", nil), http.StatusOK)
	r = h.do("POST", "/api/v1/items/"+id+"/approve", "reviewer", map[string]any{"version": version})
	if r.Status != http.StatusConflict {
		t.Errorf("approving the version read before an edit: %d %s, want 409", r.Status, r.Body)
	}

	r = h.must(h.do("POST", "/api/v1/items", "admin", budgetItem()), http.StatusCreated)
	own := str(r.JSON, "item", "id")
	h.must(h.do("POST", "/api/v1/items/"+own+"/submit", "admin", nil), http.StatusOK)
	if r := h.do("POST", "/api/v1/items/"+own+"/approve", "admin", nil); r.Status != http.StatusForbidden {
		t.Errorf("admin approving their own submission: %d %s, want 403", r.Status, r.Body)
	}
	h.must(h.do("POST", "/api/v1/items/"+own+"/approve", "reviewer", nil), http.StatusOK)
}

// TestReturnWithComment: a reviewer sends a submitted item back with a
// comment; the item is a draft again, the editor reads the comment on it,
// the step is audited, and submitting again clears the comment. Bad input
// and the wrong role change nothing.
func TestReturnWithComment(t *testing.T) {
	h := newHarness(t)
	r := h.must(h.do("POST", "/api/v1/items", "editor", budgetItem()), http.StatusCreated)
	id := str(r.JSON, "item", "id")
	r = h.must(h.do("POST", "/api/v1/items/"+id+"/return", "reviewer", map[string]any{"comment": "x"}), http.StatusConflict)
	if got := str(r.JSON, "error", "reason"); got != "wrong_status" {
		t.Errorf("returning a draft: reason %q, want wrong_status", got)
	}
	read := h.must(h.do("POST", "/api/v1/items/"+id+"/submit", "editor", nil), http.StatusOK)
	version := read.JSON["item"].(map[string]any)["version"]

	r = h.must(h.do("POST", "/api/v1/items/"+id+"/return", "reviewer", map[string]any{"version": version, "comment": "  "}), http.StatusUnprocessableEntity)
	if got, field := str(r.JSON, "error", "reason"), str(r.JSON, "error", "field"); got != "return_comment_required" || field != "comment" {
		t.Errorf("an empty comment: reason %q field %q, want return_comment_required on comment", got, field)
	}
	h.must(h.do("POST", "/api/v1/items/"+id+"/return", "editor", map[string]any{"comment": "x"}), http.StatusForbidden)
	r = h.must(h.do("GET", "/api/v1/items/"+id, "editor", nil), http.StatusOK)
	if got := str(r.JSON, "item", "status"); got != "submitted" {
		t.Fatalf("after refused returns the item is %s, want submitted", got)
	}

	comment := "第3行金额与附件不一致，请核对"
	r = h.must(h.do("POST", "/api/v1/items/"+id+"/return", "reviewer", map[string]any{"version": version, "comment": comment}), http.StatusOK)
	r = h.must(h.do("GET", "/api/v1/items/"+id, "editor", nil), http.StatusOK)
	if got := str(r.JSON, "item", "status"); got != "draft" {
		t.Errorf("a returned item is %s, want draft", got)
	}
	if got := str(r.JSON, "item", "returned", "comment"); got != comment {
		t.Errorf("the editor reads the comment %q, want %q", got, comment)
	}
	if got := str(r.JSON, "item", "returned", "by"); got != "reviewer" {
		t.Errorf("returned by %q, want reviewer", got)
	}
	a := h.must(h.do("GET", "/api/v1/audit", "admin", nil), http.StatusOK)
	if !strings.Contains(string(a.Body), `"item.return"`) || !strings.Contains(string(a.Body), comment) {
		t.Errorf("the audit log has no item.return with the comment: %s", a.Body)
	}
	h.must(h.do("POST", "/api/v1/items/"+id+"/submit", "editor", nil), http.StatusOK)
	r = h.must(h.do("GET", "/api/v1/items/"+id, "editor", nil), http.StatusOK)
	if _, ok := r.JSON["item"].(map[string]any)["returned"]; ok {
		t.Errorf("the comment is still on the item after it was submitted again: %s", r.Body)
	}
}

// TestHTTPSBehindProxy: behind a trusted reverse proxy that terminates
// https, session cookies are Secure and HSTS is sent; an untrusted peer's
// X-Forwarded-Proto changes nothing.
func TestHTTPSBehindProxy(t *testing.T) {
	login := func(h *harness) *http.Response {
		req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/session", strings.NewReader(`{"username":"editor","password":"password-editor"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("login: %s", resp.Status)
		}
		return resp
	}
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	trusted := newHarnessWith(t, func(d *Deps) { d.TrustedProxies = []*net.IPNet{loopback} })
	resp := login(trusted)
	if resp.Header.Get("Strict-Transport-Security") == "" || !strings.Contains(resp.Header.Get("Set-Cookie"), "Secure") {
		t.Errorf("behind a trusted https proxy: HSTS %q, cookie %q", resp.Header.Get("Strict-Transport-Security"), resp.Header.Get("Set-Cookie"))
	}
	resp = login(newHarness(t))
	if resp.Header.Get("Strict-Transport-Security") != "" || strings.Contains(resp.Header.Get("Set-Cookie"), "Secure") {
		t.Errorf("an untrusted peer claiming https: HSTS %q, cookie %q", resp.Header.Get("Strict-Transport-Security"), resp.Header.Get("Set-Cookie"))
	}
}

// TestFinanceImportExport: a clerk's workbook is read into a table (nothing
// saved), a broken file is refused naming its rows, and an item's table
// exported and imported again gives the same lines.
func TestFinanceImportExport(t *testing.T) {
	h := newHarness(t)
	upload := func(as, path, name string, data []byte) result {
		h.t.Helper()
		if data == nil {
			var err error
			if data, err = os.ReadFile(path); err != nil {
				t.Fatal(err)
			}
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/finance/parse", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+h.tokens[as])
		return h.send(req)
	}
	r := h.must(upload("editor", "../../docs/examples/budget-2026.xlsx", "budget-2026.xlsx", nil), 200)
	fin := r.JSON["finance"].(map[string]any)
	if fin["unit"] != "wan" || len(fin["lines"].([]any)) != 21 {
		t.Fatalf("parsed sample: %s", r.Body)
	}
	items, _ := h.store.ListItems(context.Background(), hall.ItemFilter{})
	if len(items) != 0 {
		t.Errorf("parsing saved %d items", len(items))
	}
	h.must(upload("auditor", "", "x.csv", []byte("名称,金额\n办公费,10\n")), 403)
	bad := h.must(upload("editor", "", "x.csv", []byte("名称,金额\n办公费,约100万\n差旅费,5\n")), 422)
	if !strings.Contains(string(bad.Body), `"row":2`) || bad.errField() != "file" {
		t.Errorf("broken file: %s", bad.Body)
	}

	// Save a draft with the parsed table, export it, import the export.
	item := budgetItem()
	item["finance"] = fin
	created := h.must(h.do("POST", "/api/v1/items", "editor", item), http.StatusCreated)
	id := str(created.JSON, "item", "id")
	req, _ := http.NewRequest("GET", h.srv.URL+"/api/v1/items/"+id+"/finance.xlsx", nil)
	req.Header.Set("Authorization", "Bearer "+h.tokens["editor"])
	xlsx := h.must(h.send(req), 200)
	if !strings.Contains(xlsx.Header.Get("Content-Disposition"), "finance-"+id+".xlsx") {
		t.Errorf("export headers: %v", xlsx.Header)
	}
	again := h.must(upload("editor", "", "again.xlsx", xlsx.Body), 200)
	if got, want := mustJSON(again.JSON["finance"]), mustJSON(fin); got != want {
		t.Errorf("round trip:\n got %s\nwant %s", got, want)
	}
	req, _ = http.NewRequest("GET", h.srv.URL+"/api/v1/items/"+id+"/finance.xlsx", nil)
	req.Header.Set("Authorization", "Bearer "+h.tokens["editor2"])
	h.must(h.send(req), 404) // another department's item
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
