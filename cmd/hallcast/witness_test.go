package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/hall"
)

// forgeHistory rewrites the hall's history as someone with access to the
// database would: the title in the first published leaf is changed (and the
// item row with it, so that the rows agree), and every checkpoint is deleted
// so that the store no longer shows the change.
func forgeHistory(t *testing.T, dir string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "hallcast.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The first revision's content gets a new title, and its leaf (format 2)
	// the content hash that matches, as a forger would write them.
	var (
		idx                 int64
		leaf, content, salt []byte
	)
	if err := db.QueryRow(`SELECT idx, leaf, content, salt FROM archive WHERE idx = (SELECT MIN(idx) FROM archive WHERE kind = 'publish')`).
		Scan(&idx, &leaf, &content, &salt); err != nil {
		t.Fatal(err)
	}
	forged := bytes.Replace(content, []byte(`"title":"`), []byte(`"title":"改`), 1)
	leaf = bytes.Replace(leaf, []byte(hall.ContentHash(salt, content)), []byte(hall.ContentHash(salt, forged)), 1)
	if _, err := db.Exec(`UPDATE archive SET leaf = ?, content = ? WHERE idx = ?`, leaf, forged, idx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE items SET pub_title = '改' || pub_title, title = '改' || title
			WHERE id = (SELECT item_id FROM archive WHERE idx = (SELECT MIN(idx) FROM archive WHERE kind = 'publish'))`,
		`DELETE FROM checkpoints`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// witnessRun runs `hallcast archive witness` once.
func witnessRun(base, state string, extra ...string) (string, error) {
	var out, errOut bytes.Buffer
	args := append([]string{"archive", "witness", "--url", base, "--state", state}, extra...)
	err := run(context.Background(), args, envOf(nil), nil, &out, &errOut)
	return out.String() + errOut.String(), err
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestArchiveWitness runs a hall and a witness, rewrites the hall's history
// behind its back and restarts it: the server refuses to sign over the
// rewritten history, and the witness exits non-zero, also when the server's
// own head file is deleted too and it signs again.
func TestArchiveWitness(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HALLCAST_DATA": dir, "HALLCAST_ADMIN_PASSWORD": hallAdminPassword}
	base, _, stop := startServer(t, env)
	c := adminClient(t, base, env)
	state := filepath.Join(t.TempDir(), "witness.json")

	out, err := witnessRun(base, state)
	if err != nil || !strings.Contains(out, "trusting the archive key") {
		t.Fatalf("first witness run: %v\n%s", err, out)
	}
	var published struct{ Item struct{ ID string } }
	c.must("POST", "/api/v1/items", map[string]any{"category": "finance", "department": "finance", "title": "见证测试：11月财务公开", "summary": "收支", "body": "本月收支。"}, &published)
	c.publish(published.Item.ID)
	if out, err := witnessRun(base, state); err != nil || !strings.Contains(out, "archive consistent") || !strings.Contains(out, "(1 new") {
		t.Fatalf("witness after a publish: %v\n%s", err, out)
	}
	remembered, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	stop()

	forgeHistory(t, dir)
	var verifyOut, verifyErr bytes.Buffer
	if err := run(context.Background(), []string{"archive", "verify", "--data", dir}, envOf(nil), nil, &verifyOut, &verifyErr); err == nil {
		t.Errorf("archive verify passed the rewritten history (it has the head file): %s", verifyOut.String())
	}

	t.Run("ServerRefusesToSign", func(t *testing.T) {
		base, _, stop := startServer(t, env)
		defer stop()
		if code, body := httpGet(t, base+"/api/v1/archive/checkpoint"); code != http.StatusInternalServerError {
			t.Errorf("checkpoint after the rewrite: %d %s, want 500", code, body)
		}
		var ready struct {
			Archive struct {
				Consistent bool
				Problem    string
			}
		}
		if code := getJSON(t, base+"/readyz", &ready); code != http.StatusOK || ready.Archive.Consistent || !strings.Contains(ready.Archive.Problem, "altered") {
			t.Errorf("/readyz = %d %+v, want the archive reported inconsistent", code, ready)
		}
		if _, metrics := httpGet(t, base+"/metrics"); !strings.Contains(metrics, "hallcast_archive_consistent 0") {
			t.Error("/metrics does not show hallcast_archive_consistent 0")
		}
		out, err := witnessRun(base, state)
		if err == nil {
			t.Fatalf("witness passed a server that refuses to sign:\n%s", out)
		}
		if !strings.Contains(err.Error(), "500") {
			t.Errorf("witness error %v, want the refusal named", err)
		}
		c := adminClient(t, base, env)
		var audit struct {
			Entries []struct{ Action, Detail string }
		}
		c.must("GET", "/api/v1/audit", nil, &audit)
		if !hasAudit(audit.Entries, "archive.alarm", "altered") {
			t.Errorf("no archive alarm in the audit log: %+v", audit.Entries)
		}
	})

	if err := os.Remove(filepath.Join(dir, archive.HeadFileName)); err != nil {
		t.Fatal(err)
	}

	t.Run("WitnessCatchesHeadSignedOverForgery", func(t *testing.T) {
		base, _, stop := startServer(t, env)
		defer stop()
		// With its own head file gone too, the server has nothing left to
		// compare with and signs the rewritten tree.
		if code, body := httpGet(t, base+"/api/v1/archive/checkpoint"); code != http.StatusOK {
			t.Fatalf("checkpoint: %d %s", code, body)
		}
		out, err := witnessRun(base, state)
		if !errors.Is(err, errInconsistent) || !strings.Contains(err.Error(), "forked") {
			t.Fatalf("witness over a forged head of the same size: %v, want an inconsistency\n%s", err, out)
		}
		if !strings.Contains(out, "reported to the server: 202") {
			t.Errorf("the witness did not report the alarm:\n%s", out)
		}
		if now, _ := os.ReadFile(state); !bytes.Equal(now, remembered) {
			t.Error("the witness changed its state after an inconsistency")
		}
		// The report holds the head the server signed before; the server
		// finds its archive does not fit it and stops signing again.
		if code, _ := httpGet(t, base+"/api/v1/archive/checkpoint"); code != http.StatusInternalServerError {
			t.Errorf("checkpoint after a confirmed report: %d, want 500", code)
		}
		c := adminClient(t, base, env)
		var audit struct {
			Entries []struct{ Action, Detail string }
		}
		c.must("GET", "/api/v1/audit", nil, &audit)
		if !hasAudit(audit.Entries, "archive.alarm", "confirmed true") {
			t.Errorf("the witness's report is not in the audit log: %+v", audit.Entries)
		}
	})

	t.Run("WitnessCatchesLongerForgedHistory", func(t *testing.T) {
		// A fresh start (the server's own alarm above is in memory only)
		// over the forged tree, one publish longer.
		base, _, stop := startServer(t, env)
		defer stop()
		c := adminClient(t, base, env)
		var made struct{ Item struct{ ID string } }
		c.must("POST", "/api/v1/items", map[string]any{"category": "finance", "department": "finance", "title": "伪造之后发布", "summary": "收支", "body": "正文。"}, &made)
		c.publish(made.Item.ID)
		out, err := witnessRun(base, state, "--report=false")
		if !errors.Is(err, errInconsistent) || !strings.Contains(err.Error(), "does not extend") {
			t.Fatalf("witness over a longer forged history: %v, want an inconsistency\n%s", err, out)
		}
	})

	t.Run("WrongKey", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "other")
		if _, _, _, err := archive.LoadOrCreateKey(other, "hallcast.archive"); err != nil {
			t.Fatal(err)
		}
		key, err := os.ReadFile(filepath.Join(other, archive.PublicKeyFile))
		if err != nil {
			t.Fatal(err)
		}
		base, _, stop := startServer(t, env)
		defer stop()
		fresh := filepath.Join(t.TempDir(), "witness.json")
		out, err := witnessRun(base, fresh, "--key", strings.TrimSpace(string(key)), "--report=false")
		if !errors.Is(err, errInconsistent) || !strings.Contains(err.Error(), "not signed by the trusted key") {
			t.Errorf("witness with another key: %v\n%s", err, out)
		}
		if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
			t.Error("the witness saved a state after a bad signature")
		}
	})
}

func hasAudit(entries []struct{ Action, Detail string }, action, detail string) bool {
	for _, e := range entries {
		if e.Action == action && strings.Contains(e.Detail, detail) {
			return true
		}
	}
	return false
}
