package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// syncBuffer is a bytes.Buffer safe to write from the server goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// startServer runs "hallcast serve" through run on a free port and returns
// its base URL once /healthz answers, and a function that stops it.
func startServer(t *testing.T, env map[string]string) (string, *syncBuffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, envOf(env), strings.NewReader(""), &stdout, &stderr)
	}()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	var base string
	deadline := time.Now().Add(30 * time.Second)
	for base == "" {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening line:\n%s\n%s", stdout.String(), stderr.String())
		}
	}
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never answered: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not shut down")
		}
	}
	t.Cleanup(stop)
	return base, &stdout, stop
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v: %s", url, err, b)
		}
	}
	return resp.StatusCode
}

func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HALLCAST_DATA": dir}
	base, stdout, stop := startServer(t, env)

	m := regexp.MustCompile(`user "admin", password (\S+)`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no first-start password printed:\n%s", stdout.String())
	}
	for _, want := range []string{"/admin", "/kiosk", "/player", "archive key: hallcast.archive+"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("start-up message lacks %q:\n%s", want, stdout.String())
		}
	}
	body, _ := json.Marshal(map[string]string{"username": "admin", "password": m[1]})
	resp, err := http.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("login with the printed password: %s", resp.Status)
	}

	var items struct {
		Items []struct{ ID, Title, Category string }
	}
	getJSON(t, base+"/api/v1/public/items", &items)
	if len(items.Items) < 8 {
		t.Fatalf("demo content: %d published items, want at least 8", len(items.Items))
	}
	var hasBudget bool
	for _, it := range items.Items {
		hasBudget = hasBudget || it.Category == "budget"
	}
	if !hasBudget {
		t.Error("demo content has no budget")
	}
	for _, path := range []string{"/readyz", "/metrics", "/admin", "/api/openapi.json", "/api/v1/openapi.json"} {
		if code := getJSON(t, base+path, nil); code != 200 {
			t.Errorf("%s: %d", path, code)
		}
	}
	stop()

	// A second start keeps the data and prints no new password.
	_, stdout2, stop2 := startServer(t, env)
	if strings.Contains(stdout2.String(), "password") {
		t.Errorf("second start printed a password:\n%s", stdout2.String())
	}
	stop2()

	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"archive", "verify", "--data", dir}, envOf(nil), nil, &out, &errOut); err != nil {
		t.Fatalf("archive verify on an intact archive: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "archive verifies") {
		t.Errorf("verify output: %s", out.String())
	}
}

// TestArchiveVerifyDetectsTampering edits the database file behind the
// server's back and expects "hallcast archive verify" to name the entry.
func TestArchiveVerifyDetectsTampering(t *testing.T) {
	cases := []struct {
		name, sql, want string
	}{
		{"AlteredRevision", `UPDATE archive SET content = CAST(replace(CAST(content AS TEXT), '"title":"', '"title":"改') AS BLOB) WHERE idx = 2`, "2"},
		{"DeletedRevision", `DELETE FROM archive WHERE idx = 3`, "3"},
		{"DeletedLatest", `DELETE FROM archive WHERE idx = (SELECT MAX(idx) FROM archive)`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, _, stop := startServer(t, map[string]string{"HALLCAST_DATA": dir, "HALLCAST_ADMIN_PASSWORD": "a-long-test-password"})
			stop()
			db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "hallcast.db"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := db.Exec(tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("tampering changed %d rows", n)
			}
			db.Close()
			var out, errOut bytes.Buffer
			err = run(context.Background(), []string{"archive", "verify", "--data", dir}, envOf(nil), nil, &out, &errOut)
			if err == nil {
				t.Fatalf("archive verify passed a tampered archive: %s", out.String())
			}
			if tc.want != "" && !regexp.MustCompile(`\b`+tc.want+`\b`).MatchString(err.Error()) {
				t.Errorf("error does not name entry %s: %v", tc.want, err)
			}
		})
	}
}

func TestRunUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), nil, envOf(nil), nil, &out, &errOut); err == nil {
		t.Error("no command: want an error")
	}
	if err := run(context.Background(), []string{"frobnicate"}, envOf(nil), nil, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "usage") {
		t.Errorf("unknown command: %v %s", err, errOut.String())
	}
	if err := run(context.Background(), []string{"serve", "--store", "mongodb://x"}, envOf(map[string]string{"HALLCAST_DATA": t.TempDir()}), nil, &out, &errOut); err == nil {
		t.Error("unknown store accepted")
	}
	err := run(context.Background(), []string{"serve"}, envOf(map[string]string{"HALLCAST_DATA": t.TempDir(), "HALLCAST_DEMO": "nein"}), nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "HALLCAST_DEMO") {
		t.Errorf("HALLCAST_DEMO=nein: %v, want an error naming the variable", err)
	}
	for _, bad := range []struct {
		args []string
		env  map[string]string
	}{
		{nil, map[string]string{"HALLCAST_MAX_CONNS": "lots"}},
		{nil, map[string]string{"HALLCAST_READ_TIMEOUT": "30"}},
		{nil, map[string]string{"HALLCAST_FEEDBACK_WORKDAYS": "five"}},
		{[]string{"--max-conns-per-ip", "-1"}, nil},
		{[]string{"--feedback-window", "0s"}, nil},
		{[]string{"--case-workdays", "0"}, nil},
	} {
		env := map[string]string{"HALLCAST_DATA": t.TempDir()}
		for k, v := range bad.env {
			env[k] = v
		}
		if err := run(context.Background(), append([]string{"serve"}, bad.args...), envOf(env), nil, &out, &errOut); err == nil {
			t.Errorf("serve %v with %v accepted", bad.args, bad.env)
		}
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HALLCAST_DATA": dir, "HALLCAST_ADMIN_PASSWORD": "a-long-test-password", "HALLCAST_DEMO": "false"}
	_, _, stop := startServer(t, env)
	stop()
	var out, errOut bytes.Buffer
	env["HALLCAST_PASSWORD"] = "short"
	if err := run(context.Background(), []string{"user", "add", "--username", "li", "--role", "auditor"}, envOf(env), nil, &out, &errOut); err == nil {
		t.Error("short password accepted")
	}
	delete(env, "HALLCAST_PASSWORD")
	if err := run(context.Background(), []string{"user", "add", "--username", "li", "--role", "auditor"}, envOf(env), strings.NewReader("typed-password-1\n"), &out, &errOut); err != nil {
		t.Fatalf("user add with a typed password: %v", err)
	}
	if err := run(context.Background(), []string{"token", "create", "--user", "li"}, envOf(env), nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	token := regexp.MustCompile(`hct_\S+`).FindString(out.String())
	if token == "" {
		t.Fatalf("no token printed: %s", out.String())
	}
	base, _, _ := startServer(t, env)
	req, _ := http.NewRequest("GET", base+"/api/v1/audit", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var audit struct {
		Entries []struct{ Actor, Action, Target, Detail string }
	}
	json.NewDecoder(resp.Body).Decode(&audit)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("auditor token on /api/v1/audit: %s", resp.Status)
	}
	var made []string
	for _, e := range audit.Entries {
		if e.Actor == "cli" {
			made = append(made, e.Action+" "+e.Detail)
		}
	}
	if strings.Join(made, "|") != "token.create li cli|user.create auditor" {
		t.Errorf("audit of the command line: %q", made)
	}
	var items struct{ Items []any }
	getJSON(t, base+"/api/v1/public/items", &items)
	if len(items.Items) != 0 {
		t.Errorf("HALLCAST_DEMO=false still seeded %d items", len(items.Items))
	}
}
