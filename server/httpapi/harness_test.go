package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"

	"github.com/hallcast/hallcast/server/accounts"
	"github.com/hallcast/hallcast/server/app"
	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/sqlite"
)

// cheapHasher keeps tests fast; production uses auth.Production().
var cheapHasher = auth.Hasher{Memory: 64, Time: 1, Threads: 1}

const testOrigin = "hallcast test archive"

// harness is a real server on a real SQLite store, with one user and API
// token per role.
type harness struct {
	t        *testing.T
	srv      *httptest.Server
	store    *sqlite.Store
	dir      string // the data directory
	signer   note.Signer
	verifier note.Verifier
	tokens   map[string]string // role name (or "editor2") → bearer token
	users    map[string]*hall.User
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with the server's dependencies adjusted.
func newHarnessWith(t *testing.T, adjust func(*Deps)) *harness {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "hallcast.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	signer, verifier, vkey, err := archive.LoadOrCreateKey(dir, "hallcast.test")
	if err != nil {
		t.Fatal(err)
	}
	alog, err := archive.Open(ctx, archive.Config{Store: store, Signer: signer, Verifier: verifier, Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := app.New(app.Config{Store: store, Archive: alog, Hasher: cheapHasher, MediaDir: filepath.Join(dir, "media"), Logger: logger})
	reg := prometheus.NewRegistry()
	ui := fstest.MapFS{
		"player/index.html": {Data: []byte("<!doctype html><title>player</title>")},
		"admin/index.html":  {Data: []byte("<!doctype html><title>admin</title>")},
		"kiosk/index.html":  {Data: []byte("<!doctype html><title>kiosk</title>")},
		"public/index.html": {Data: []byte("<!doctype html><title>item</title>")},
		"shared/app.js":     {Data: []byte("export {}")},
	}
	deps := Deps{Accounts: svc.Accounts, Catalog: svc.Catalog, Desk: svc.Desk, Signage: svc.Signage, Feedback: svc.Feedback,
		Reports: svc.Reports, Dashboard: svc.Dashboard, Public: svc.Public, Media: svc.Media, Limits: store, Store: store, Archive: alog, Alarms: &archive.AlarmDesk{Log: alog, Store: store, Now: time.Now}, Verifier: verifier, ArchiveKey: vkey, Origin: testOrigin,
		Ready: func(ctx context.Context) (map[string]any, error) { return nil, store.Ping(ctx) }, Logger: logger, Registry: reg, Gatherer: reg, UI: ui, Now: time.Now}
	if adjust != nil {
		adjust(&deps)
	}
	s, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: httptest.NewServer(s), store: store, dir: dir, signer: signer, verifier: verifier, tokens: map[string]string{}, users: map[string]*hall.User{}}
	t.Cleanup(h.srv.Close)

	for _, d := range []hall.Department{{Key: "finance", Name: hall.Text{ZH: "财政所", EN: "Finance"}}, {Key: "construction", Name: hall.Text{ZH: "城建办"}}} {
		if err := store.PutDepartment(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []hall.Category{{Key: "finance", Name: hall.Text{ZH: "财务公开"}, Cadence: hall.CadenceMonthly, Group: hall.GroupFinance}, {Key: "construction", Name: hall.Text{ZH: "城镇建设"}, Cadence: hall.CadenceOnce, Group: hall.GroupGovernment}} {
		if err := store.PutCategory(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	for name, spec := range map[string]struct {
		role  hall.Role
		depts []string
	}{
		"admin": {hall.RoleAdmin, nil}, "editor": {hall.RoleEditor, []string{"finance"}}, "editor2": {hall.RoleEditor, []string{"construction"}},
		"reviewer": {hall.RoleReviewer, nil}, "auditor": {hall.RoleAuditor, nil},
	} {
		u, err := svc.Accounts.CreateUser(ctx, accounts.System("test"), accounts.UserInput{Username: name, Password: "password-" + name, Role: spec.role, Departments: spec.depts})
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := svc.Accounts.CreateToken(ctx, accounts.System("test"), u.ID, accounts.TokenInput{Name: "test"})
		if err != nil {
			t.Fatal(err)
		}
		h.tokens[name], h.users[name] = secret, u
	}
	return h
}

// result is a decoded response.
type result struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

// errCode returns the error code of an error response.
func (r result) errCode() string {
	e, _ := r.JSON["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (r result) errField() string {
	e, _ := r.JSON["error"].(map[string]any)
	s, _ := e["field"].(string)
	return s
}

// do sends a request as the named user ("" for anonymous). body may be a
// string (sent as is) or a value (sent as JSON).
func (h *harness) do(method, path, as string, body any) result {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if as != "" {
		req.Header.Set("Authorization", "Bearer "+h.tokens[as])
	}
	return h.send(req)
}

func (h *harness) send(req *http.Request) result {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := result{Status: resp.StatusCode, Header: resp.Header, Body: b}
	_ = json.Unmarshal(b, &r.JSON)
	return r
}

// must fails the test unless the response has the status.
func (h *harness) must(r result, status int) result {
	h.t.Helper()
	if r.Status != status {
		h.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

// str digs a string out of decoded JSON by a path of keys.
func str(v any, path ...string) string {
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return fmt.Sprint(x)
	}
	return ""
}

// budgetItem is a valid finance disclosure draft.
func budgetItem() map[string]any {
	return map[string]any{
		"category": "finance", "department": "finance", "title": "2026年10月财务收支公开",
		"summary": "本月收入与支出明细", "body": "## 说明\n\n本月收支如下。", "cadence": "monthly",
		"finance": map[string]any{"currency": "CNY", "unit": "yuan", "lines": []map[string]any{
			{"code": "1", "name": "支出合计", "amount": 300000, "budget": 320000},
			{"code": "1.1", "name": "办公费", "parent": "1", "amount": 100000, "budget": 120000},
			{"code": "1.2", "name": "道路维修", "parent": "1", "amount": 200000, "budget": 200000},
		}},
	}
}

// publish drives an item through the workflow and returns its id.
func (h *harness) publish(item map[string]any) string {
	h.t.Helper()
	r := h.must(h.do("POST", "/api/v1/items", "editor", item), http.StatusCreated)
	id := str(r.JSON, "item", "id")
	h.must(h.do("POST", "/api/v1/items/"+id+"/submit", "editor", nil), http.StatusOK)
	h.must(h.do("POST", "/api/v1/items/"+id+"/approve", "reviewer", nil), http.StatusOK)
	h.must(h.do("POST", "/api/v1/items/"+id+"/publish", "reviewer", nil), http.StatusOK)
	return id
}
