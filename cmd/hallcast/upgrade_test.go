package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/sqlite"
)

// serveUntilListening runs serve on dir until it listens, then stops it,
// and returns what it logged.
func serveUntilListening(t *testing.T, env map[string]string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, envOf(env), strings.NewReader(""), &stdout, &stderr)
	}()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(stdout.String(), "listening on"); {
		select {
		case err := <-done:
			return stderr.String(), err
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never listened:\n%s", stderr.String())
		}
	}
	cancel()
	return stderr.String(), <-done
}

// TestServeBacksUpBeforeMigrating starts serve on a database of schema 3
// (the committed fixture): it backs the database up before applying the
// later migrations and says so, and the backup restores the old schema.
func TestServeBacksUpBeforeMigrating(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile("../../server/sqlite/testdata/schema-0003.db")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "hallcast.db"), b, 0o600)
	logs, err := serveUntilListening(t, map[string]string{"HALLCAST_DATA": dir})
	if err != nil {
		t.Fatalf("serve on a schema 3 database: %v\n%s", err, logs)
	}
	if !regexp.MustCompile(`backed up before migrating the database.*file=\S+hallcast-before-schema-\d+-`).MatchString(logs) {
		t.Errorf("serve did not log a backup before migrating:\n%s", logs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "backups", "hallcast-before-schema-*.tar.gz"))
	if len(files) != 1 {
		t.Fatalf("backups: %v, want one", files)
	}
	st, _ := sqlite.Status(context.Background(), filepath.Join(dir, "hallcast.db"))
	if st.Current != st.Latest {
		t.Errorf("after serve: schema %d, want %d", st.Current, st.Latest)
	}
	var out, errOut bytes.Buffer
	restored := filepath.Join(t.TempDir(), "restored")
	if err := run(context.Background(), []string{"restore", "--from", files[0], "--data", restored}, envOf(nil), nil, &out, &errOut); err != nil {
		t.Fatalf("restore the backup taken before migrating: %v", err)
	}
	if !strings.Contains(out.String(), "schema version 3") {
		t.Errorf("restore output: %s", out.String())
	}

	// A second start migrates nothing and backs up nothing more.
	logs, err = serveUntilListening(t, map[string]string{"HALLCAST_DATA": dir})
	if err != nil || strings.Contains(logs, "before migrating") {
		t.Errorf("second start: %v\n%s", err, logs)
	}
}

// TestNewerDatabaseRefused: serve and the other commands refuse a database
// written by a newer build, and change nothing.
func TestNewerDatabaseRefused(t *testing.T) {
	dir := t.TempDir()
	_, _, stop := startServer(t, map[string]string{"HALLCAST_DATA": dir, "HALLCAST_ADMIN_PASSWORD": "a-long-test-password", "HALLCAST_DEMO": "false"})
	stop()
	path := filepath.Join(dir, "hallcast.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?, 'x')", sqlite.LatestSchema()+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	for _, args := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"token", "create", "--user", "admin"}, {"archive", "verify"}} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, envOf(map[string]string{"HALLCAST_DATA": dir}), nil, &out, &errOut)
		if !errors.Is(err, sqlite.ErrNewerSchema) || !strings.Contains(err.Error(), "nothing was changed") {
			t.Errorf("%v on a newer database: %v", args, err)
		}
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a refused newer database changed")
	}
	if _, err := os.Stat(filepath.Join(dir, "backups")); err == nil {
		t.Error("a backup directory appeared")
	}
}
