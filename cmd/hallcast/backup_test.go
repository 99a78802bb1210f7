package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/sqlite"
)

// eventSender sends impressions from one screen until stopped and records
// the ids the server acknowledged.
type eventSender struct {
	mu    sync.Mutex
	acked map[string]bool
	err   error
}

func (s *eventSender) ackedIDs() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]bool, len(s.acked))
	for id := range s.acked {
		out[id] = true
	}
	return out
}

func (s *eventSender) run(ws *websocket.Conn, stop <-chan struct{}) {
	for batch := 0; ; batch++ {
		select {
		case <-stop:
			return
		default:
		}
		now := time.Now().UTC().Format(time.RFC3339)
		var events []map[string]any
		for i := range 5 {
			events = append(events, map[string]any{"id": fmt.Sprintf("bk-%d-%d", batch, i), "kind": "impression", "at": now,
				"item_id": "x", "revision": 1, "duration_ms": 15000, "playlist_id": "lobby"})
		}
		if err := ws.WriteJSON(map[string]any{"type": "events", "events": events}); err != nil {
			s.fail(err)
			return
		}
		for {
			ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			var m struct {
				Type string
				IDs  []string
			}
			if err := ws.ReadJSON(&m); err != nil {
				s.fail(err)
				return
			}
			if m.Type == "ack" {
				s.mu.Lock()
				for _, id := range m.IDs {
					s.acked[id] = true
				}
				s.mu.Unlock()
				break
			}
		}
	}
}

func (s *eventSender) fail(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

// TestBackupWhileServing backs up a hall while a screen sends events and
// staff publish, restores the backup into a new directory, and finds every
// event acknowledged before the backup began and every item published
// before it, in an archive that verifies.
func TestBackupWhileServing(t *testing.T) {
	c, dir := startHall(t)
	_, token := newScreen(c, "一楼LED", "led")
	screen, _, _ := dialScreen(t, c.base, token, "")
	sender := &eventSender{acked: map[string]bool{}}
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() { defer close(sent); sender.run(screen.ws, stop) }()
	defer func() { close(stop); <-sent }()

	publish := func(title string) string {
		var created struct{ Item struct{ ID string } }
		c.must("POST", "/api/v1/items", map[string]any{"category": "policy", "department": "service-center", "title": title, "summary": "要点"}, &created)
		c.publish(created.Item.ID)
		return created.Item.ID
	}
	before := publish("备份前发布的通知")
	for deadline := time.Now().Add(10 * time.Second); len(sender.ackedIDs()) < 50; {
		if time.Now().After(deadline) {
			t.Fatalf("events not acknowledged: %v", sender.err)
		}
		time.Sleep(10 * time.Millisecond)
	}

	file := filepath.Join(t.TempDir(), "hallcast-2026-11-28.tar.gz")
	ackedBefore := sender.ackedIDs()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"backup", "--data", dir, "--to", file}, envOf(nil), nil, &out, &errOut)
	}()
	publish("备份期间发布的通知一")
	publish("备份期间发布的通知二")
	if err := <-done; err != nil {
		t.Fatalf("backup while serving: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "archive signing key") {
		t.Errorf("backup output does not warn about the key: %s", out.String())
	}
	if n := len(sender.ackedIDs()); n <= len(ackedBefore) {
		t.Logf("no event acknowledged during the backup (%d before, %d after)", len(ackedBefore), n)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	out, errOut = syncBuffer{}, syncBuffer{}
	if err := run(context.Background(), []string{"restore", "--from", file, "--data", restored}, envOf(nil), nil, &out, &errOut); err != nil {
		t.Fatalf("restore: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "archive verifies") {
		t.Errorf("restore did not verify the archive: %s", out.String())
	}

	store, err := sqlite.Open(context.Background(), filepath.Join(restored, "hallcast.db"))
	if err != nil {
		t.Fatal(err)
	}
	held := map[string]bool{}
	for from := (time.Time{}); ; {
		page, err := store.ListEvents(context.Background(), "impression", from, time.Time{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		fresh := 0
		for _, e := range page {
			if !held[e.ID] {
				held[e.ID], fresh = true, fresh+1
			}
		}
		if len(page) < 1000 || fresh == 0 {
			break
		}
		from = page[len(page)-1].ReceivedAt
	}
	store.Close()
	var lost []string
	for id := range ackedBefore {
		if !held[id] {
			lost = append(lost, id)
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d of %d events acknowledged before the backup are not in it, e.g. %s", len(lost), len(ackedBefore), lost[0])
	}

	// The restored directory serves: the item published before the backup
	// is public there.
	base, _, stopRestored := startServer(t, map[string]string{"HALLCAST_DATA": restored})
	var items struct{ Items []struct{ ID string } }
	getJSON(t, base+"/api/v1/public/items", &items)
	found := false
	for _, it := range items.Items {
		found = found || it.ID == before
	}
	if !found {
		t.Errorf("the item published before the backup is not public in the restored hall")
	}
	stopRestored()

	t.Run("TamperedRefused", func(t *testing.T) {
		raw, _ := os.ReadFile(file)
		bad := filepath.Join(t.TempDir(), "truncated.tar.gz")
		os.WriteFile(bad, raw[:len(raw)/2], 0o600)
		target := filepath.Join(t.TempDir(), "x")
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"restore", "--from", bad, "--data", target}, envOf(nil), nil, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "hallcast.db") {
			t.Errorf("truncated backup: %v, want an error naming hallcast.db", err)
		}
		if _, err := os.Stat(target); err == nil {
			t.Error("a refused restore created the target")
		}
	})
	t.Run("NoOverwrite", func(t *testing.T) {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"backup", "--data", dir, "--to", file}, envOf(nil), nil, &out, &errOut); err == nil {
			t.Error("backup overwrote an existing file")
		}
		if err := run(context.Background(), []string{"restore", "--from", file, "--data", dir}, envOf(nil), nil, &out, &errOut); err == nil {
			t.Error("restore into the live data directory accepted")
		}
	})
}

// TestScheduledBackups runs serve with --backup-every and finds the
// backups, the older ones pruned, /readyz reporting them.
func TestScheduledBackups(t *testing.T) {
	dir, backups := t.TempDir(), t.TempDir()
	// A backup taken by hand in the same directory is never pruned.
	os.WriteFile(filepath.Join(backups, "hallcast-by-hand.tar.gz"), []byte("x"), 0o600)
	for _, bad := range [][]string{{"--backup-every", "24h"}, {"--backup-every", "1s", "--backup-dir", backups}, {"--backup-keep", "-1"}} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), append([]string{"serve", "--data", dir}, bad...), envOf(nil), nil, &out, &errOut); err == nil {
			t.Errorf("serve %v accepted", bad)
		}
	}
	env := map[string]string{"HALLCAST_DATA": dir, "HALLCAST_ADMIN_PASSWORD": "a-long-test-password",
		"HALLCAST_BACKUP_DIR": backups, "HALLCAST_BACKUP_EVERY": "1m", "HALLCAST_BACKUP_KEEP": "2"}
	base, _, _ := startServer(t, env)
	var ready struct {
		Backup struct {
			Dir  string
			OK   bool
			Keep int
		}
	}
	getJSON(t, base+"/readyz", &ready)
	if ready.Backup.Dir != backups || !ready.Backup.OK || ready.Backup.Keep != 2 {
		t.Errorf("/readyz backup details: %+v", ready.Backup)
	}

	// The scheduler's round, run directly (the shortest --backup-every is
	// a minute), next to the running server.
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "hallcast.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logs syncBuffer
	s := newBackupScheduler(prometheus.NewRegistry(), &backupScheduler{dir: backups, dataDir: dir, every: time.Minute, keep: 2,
		store: store, logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for range 3 {
		s.once(context.Background())
		time.Sleep(2 * time.Millisecond) // names are to the millisecond
	}
	entries, _ := os.ReadDir(backups)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 3 || names[2] != "hallcast-by-hand.tar.gz" || !scheduledName.MatchString(names[0]) || !scheduledName.MatchString(names[1]) {
		t.Errorf("backup directory holds %q, want the backup by hand and the newest 2 scheduled ones", names)
	}
	if st := s.status(); st["ok"] != true || st["last_file"] != names[1] {
		t.Errorf("status %v", st)
	}
	var audit []*hall.AuditEntry
	audit, err = store.ListAudit(context.Background(), hall.AuditFilter{Action: "backup.create"})
	if err != nil || len(audit) != 3 {
		t.Errorf("audit of scheduled backups: %d entries, %v", len(audit), err)
	}

	// A failing backup is loud: the log, the status and the metric.
	s.dir = filepath.Join(backups, "hallcast-by-hand.tar.gz", "sub") // under a file: cannot be made
	s.once(context.Background())
	if st := s.status(); st["ok"] != false || st["last_error"] == nil {
		t.Errorf("status after a failure %v", st)
	}
	if !strings.Contains(logs.String(), "SCHEDULED BACKUP FAILED") {
		t.Errorf("failure not logged: %s", logs.String())
	}
	var metric dto.Metric
	s.failures.Write(&metric)
	if got := metric.GetCounter().GetValue(); got != 1 {
		t.Errorf("hallcast_backup_failures_total = %v, want 1", got)
	}
}
