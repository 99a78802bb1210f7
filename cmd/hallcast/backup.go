package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/backup"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/redisstore"
	"github.com/hallcast/hallcast/server/sqlite"
)

// backupCmd writes a backup of a data directory, the server running or not;
// on a Redis store it reports Redis's own persistence instead.
func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	where := storeFlags(fs, getenv)
	mediaDir := fs.String("media-dir", getenv("HALLCAST_MEDIA_DIR"), "directory of uploaded media (default: media in --data) (HALLCAST_MEDIA_DIR)")
	to := fs.String("to", "", "the backup file to write, e.g. hallcast-2026-11-28.tar.gz; it must not exist")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if where.envErr != nil {
		return where.envErr
	}
	if where.isRedis() {
		return redisBackupReport(ctx, where, *mediaDir, stdout, stderr)
	}
	if *to == "" {
		return errors.New("backup: --to FILE is required")
	}
	m, err := backup.Create(ctx, backup.Source{DataDir: where.dataDir, MediaDir: *mediaDir, Version: version}, *to)
	if err != nil {
		return err
	}
	var total int64
	for _, f := range m.Files {
		total += f.Size
	}
	fmt.Fprintf(stdout, "backup written to %s: %d files, %d bytes, schema version %d\n", *to, len(m.Files), total, m.SchemaVersion)
	fmt.Fprintln(stdout, "it holds the archive signing key (archive.key): keep it as safely as the key itself, off this machine")
	return nil
}

// restoreCmd restores a backup into a new data directory and verifies its
// archive.
func restoreCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the backup file (.tar.gz) to restore")
	data := fs.String("data", "", "the new data directory: it must not exist or be empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *data == "" {
		return errors.New("restore: --from FILE and --data DIR are required")
	}
	var verified string
	m, err := backup.Restore(ctx, *from, *data, backup.Options{Check: func(ctx context.Context, dir string) error {
		var out strings.Builder
		sc := &storeConfig{dataDir: dir, store: "sqlite", noAutoBackup: true}
		if err := verifyArchive(ctx, sc, &out, stderr); err != nil {
			return err
		}
		verified = strings.TrimSpace(out.String())
		return nil
	}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %d files from %s (made %s by hallcast %s, schema version %d) into %s\n",
		len(m.Files), *from, m.CreatedAt.Format(time.RFC3339), m.HallcastVersion, m.SchemaVersion, *data)
	fmt.Fprintln(stdout, verified)
	return nil
}

// preMigrationBackup backs up a SQLite database that holds data before
// migrations change it, into dir (<data>/backups when empty). It does
// nothing for a new or current database, and refuses one newer than this
// build without touching it.
func preMigrationBackup(ctx context.Context, sc *storeConfig, logger *slog.Logger) error {
	dbPath := filepath.Join(sc.dataDir, backup.DatabaseName)
	st, err := sqlite.Status(ctx, dbPath)
	if err != nil {
		return err
	}
	if st.Newer() {
		return fmt.Errorf("%s: %w", dbPath, sqliteNewer(st))
	}
	if sc.noAutoBackup || !st.HasData || len(st.Pending) == 0 {
		return nil
	}
	dir := sc.backupDir
	if dir == "" {
		dir = filepath.Join(sc.dataDir, "backups")
	}
	dest := filepath.Join(dir, fmt.Sprintf("hallcast-before-schema-%d-%s.tar.gz", st.Latest, time.Now().UTC().Format("20060102T150405Z")))
	logger.Info("backing up before migrating the database", "from_schema", st.Current, "to_schema", st.Latest, "pending", st.Pending, "file", dest)
	m, err := backup.Create(ctx, backup.Source{DataDir: sc.dataDir, MediaDir: sc.mediaDir, Version: version}, dest)
	if err != nil {
		return fmt.Errorf("backup before migrating schema %d to %d failed, so nothing was migrated: %w", st.Current, st.Latest, err)
	}
	logger.Info("backed up before migrating the database", "file", dest, "files", len(m.Files), "schema", m.SchemaVersion)
	return nil
}

func sqliteNewer(st sqlite.SchemaStatus) error {
	return fmt.Errorf("%w: its schema version is %d, this hallcast (%s) knows versions up to %d; nothing was changed: "+
		"run the newer hallcast, or restore a backup made before the upgrade", sqlite.ErrNewerSchema, st.Current, version, st.Latest)
}

// scheduledName matches the files scheduled backups write, and only those
// are ever pruned.
var scheduledName = regexp.MustCompile(`^hallcast-\d{8}T\d{6}\.\d{3}Z\.tar\.gz$`)

// backupScheduler takes a backup every interval and keeps the newest keep.
type backupScheduler struct {
	dir, dataDir, mediaDir string
	every                  time.Duration
	keep                   int
	store                  hall.Store
	logger                 *slog.Logger
	failures               prometheus.Counter
	lastOK                 prometheus.Gauge

	mu                     sync.Mutex
	lastFile, lastErr      string
	lastOKAt, lastFailedAt time.Time
}

func newBackupScheduler(reg prometheus.Registerer, s *backupScheduler) *backupScheduler {
	s.failures = prometheus.NewCounter(prometheus.CounterOpts{Name: "hallcast_backup_failures_total", Help: "Scheduled backups that failed."})
	s.lastOK = prometheus.NewGauge(prometheus.GaugeOpts{Name: "hallcast_backup_last_success_timestamp_seconds", Help: "When the last scheduled backup was written (Unix time; 0: none yet)."})
	reg.MustRegister(s.failures, s.lastOK)
	return s
}

func (s *backupScheduler) run(ctx context.Context) {
	tick := time.NewTicker(s.every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.once(ctx)
		}
	}
}

// once takes one backup and prunes the old ones.
func (s *backupScheduler) once(ctx context.Context) {
	now := time.Now().UTC()
	dest := filepath.Join(s.dir, "hallcast-"+now.Format("20060102T150405.000Z")+".tar.gz")
	m, err := backup.Create(ctx, backup.Source{DataDir: s.dataDir, MediaDir: s.mediaDir, Version: version}, dest)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		s.failures.Inc()
		s.lastErr, s.lastFailedAt = err.Error(), now
		s.logger.Error("SCHEDULED BACKUP FAILED: the hall's data is not being backed up", "dir", s.dir, "err", err)
		s.audit(ctx, "backup.failed", err.Error())
		return
	}
	s.lastErr, s.lastFile, s.lastOKAt = "", dest, now
	s.lastOK.Set(float64(now.Unix()))
	s.logger.Info("scheduled backup written", "file", dest, "files", len(m.Files), "schema", m.SchemaVersion)
	s.audit(ctx, "backup.create", filepath.Base(dest))
	s.prune()
}

func (s *backupScheduler) audit(ctx context.Context, action, detail string) {
	e := &hall.AuditEntry{At: time.Now().UTC(), Actor: "system", Action: action, Target: "backup", Detail: detail}
	if err := s.store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		s.logger.Error("record backup in the audit log", "err", err)
	}
}

// prune removes the oldest scheduled backups beyond keep; other files in
// the directory (backups taken by hand or before a migration) stay.
func (s *backupScheduler) prune() {
	if s.keep <= 0 {
		return
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		s.logger.Error("list backups", "err", err)
		return
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && scheduledName.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names) // the names sort by time
	for len(names) > s.keep {
		p := filepath.Join(s.dir, names[0])
		if err := os.Remove(p); err != nil {
			s.logger.Error("remove an old backup", "file", p, "err", err)
		} else {
			s.logger.Info("removed an old backup", "file", p, "keep", s.keep)
		}
		names = names[1:]
	}
}

// status is the scheduler's part of /readyz.
func (s *backupScheduler) status() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{"dir": s.dir, "every": s.every.String(), "keep": s.keep, "ok": s.lastErr == ""}
	if !s.lastOKAt.IsZero() {
		out["last_ok_at"], out["last_file"] = s.lastOKAt.Format(time.RFC3339), filepath.Base(s.lastFile)
	}
	if s.lastErr != "" {
		out["last_error"], out["last_failed_at"] = s.lastErr, s.lastFailedAt.Format(time.RFC3339)
	}
	return out
}

// redisBackupReport checks the persistence of every Redis master and says
// what to back up; it fails when a master persists nothing.
func redisBackupReport(ctx context.Context, sc *storeConfig, mediaDir string, stdout, stderr io.Writer) error {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	rs, err := redisstore.Open(ctx, redisstore.Options{URL: sc.store, Prefix: sc.redisPrefix, AllowVolatile: true, Logger: logger})
	if err != nil {
		return err
	}
	defer rs.Close()
	var (
		mu      sync.Mutex
		lines   []string
		noPersi []string
	)
	check := func(ctx context.Context, c *goredis.Client) error {
		addr := c.Options().Addr
		info, err := c.Info(ctx, "persistence").Result()
		if err != nil {
			return fmt.Errorf("%s: INFO persistence: %w", addr, err)
		}
		field := func(name string) string {
			for _, l := range strings.Split(info, "\n") {
				if v, ok := strings.CutPrefix(strings.TrimSpace(l), name+":"); ok {
					return v
				}
			}
			return "?"
		}
		cfg := map[string]string{}
		for _, key := range []string{"appendonly", "appendfsync", "save", "dir", "dbfilename", "appenddirname"} {
			kv, err := c.ConfigGet(ctx, key).Result()
			if err != nil {
				cfg = nil // CONFIG is refused: INFO is all there is
				break
			}
			cfg[key] = kv[key]
		}
		if cfg == nil {
			aof := field("aof_enabled") == "1"
			mu.Lock()
			defer mu.Unlock()
			lines = append(lines, fmt.Sprintf("%s: CONFIG refused; INFO says aof_enabled=%s last bgsave=%s: ask its administrator where its RDB and append-only files are",
				addr, field("aof_enabled"), field("rdb_last_bgsave_status")))
			if !aof {
				noPersi = append(noPersi, addr+" (no append-only file; whether it takes RDB snapshots cannot be read)")
			}
			return nil
		}
		aof, save := cfg["appendonly"] == "yes", strings.TrimSpace(cfg["save"])
		mu.Lock()
		defer mu.Unlock()
		block := fmt.Sprintf("%s: appendonly=%s appendfsync=%s save=%q last bgsave=%s aof last write=%s",
			addr, cfg["appendonly"], cfg["appendfsync"], save, field("rdb_last_bgsave_status"), field("aof_last_write_status"))
		lastSave, _ := strconv.ParseInt(field("rdb_last_save_time"), 10, 64)
		block += fmt.Sprintf("\n  back up on that host: %s (RDB, last saved %s)", filepath.Join(cfg["dir"], cfg["dbfilename"]), time.Unix(lastSave, 0).UTC().Format(time.RFC3339))
		if aof {
			block += fmt.Sprintf("\n  and the append-only files in %s", filepath.Join(cfg["dir"], cfg["appenddirname"]))
		}
		lines = append(lines, block)
		if !aof && save == "" {
			noPersi = append(noPersi, addr)
		}
		if field("rdb_last_bgsave_status") == "err" || field("aof_last_write_status") == "err" {
			noPersi = append(noPersi, addr+" (its last save failed)")
		}
		return nil
	}
	switch c := rs.Client().(type) {
	case *goredis.ClusterClient:
		err = c.ForEachMaster(ctx, check)
	case *goredis.Client:
		err = check(ctx, c)
	default:
		err = fmt.Errorf("unexpected Redis client %T", c)
	}
	if err != nil {
		return err
	}
	slices.Sort(lines)
	fmt.Fprintln(stdout, "The Redis store is not copied by hallcast: Redis persists it. Redis reports:")
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	if mediaDir == "" {
		mediaDir = filepath.Join(sc.dataDir, backup.MediaDirName)
	}
	fmt.Fprintf(stdout, "Back up as well: the media directory %s, and in %s the archive key %s (secret), %s and %s.\n",
		mediaDir, sc.dataDir, archive.KeyFile, archive.PublicKeyFile, archive.HeadFileName)
	if len(noPersi) > 0 {
		return fmt.Errorf("Redis keeps no persistence on %s: a restart loses everything; turn on appendonly (appendfsync always or everysec) or RDB snapshots", strings.Join(noPersi, ", "))
	}
	return nil
}
