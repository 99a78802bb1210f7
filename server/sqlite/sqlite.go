// Package sqlite is the embedded hallcast store: hall.Store on one SQLite file
// (modernc.org/sqlite, pure Go) in WAL mode. Writes go through a single
// connection whose transactions take the write lock up front; reads use a
// separate read-only pool so they never queue behind a write.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hallcast/hallcast/server/hall"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// readConns is the size of the read pool.
const readConns = 4

// Store is hall.Store on SQLite.
type Store struct {
	db  *sql.DB // writer: one connection, BEGIN IMMEDIATE
	rdb *sql.DB // readers: query_only connections

	stmtMu     sync.Mutex
	eventStmts map[int]*sql.Stmt // multi-row event inserts by rows, prepared on first use
}

// preparedEventInserts returns the multi-row event inserts, prepared on
// the writer the first time. Long multi-row statements cost more to parse
// than to run, so they are parsed once. It must be called outside a
// transaction: inside one, the writer's only connection is taken.
func (s *Store) preparedEventInserts(ctx context.Context) (map[int]*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if s.eventStmts != nil {
		return s.eventStmts, nil
	}
	stmts := map[int]*sql.Stmt{}
	for _, n := range eventChunks {
		st, err := s.db.PrepareContext(ctx, eventInsert(n))
		if err != nil {
			for _, st := range stmts {
				st.Close()
			}
			return nil, fmt.Errorf("prepare event insert: %w", err)
		}
		stmts[n] = st
	}
	s.eventStmts = stmts
	return stmts, nil
}

var _ hall.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path, applies any
// migrations it has not seen yet and indexes for search the published items
// saved before the index existed. The path must name a file: the writer and
// the readers are separate connections, so ":memory:" does not work.
func Open(ctx context.Context, path string) (*Store, error) {
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	s, err := open(ctx, path, migrations)
	if err != nil {
		return nil, err
	}
	if err := backfillSearch(ctx, s.db); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return s, nil
}

func open(ctx context.Context, path string, migrations fs.FS) (*Store, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: open: want a file path, got %q", path)
	}
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if _, err := migrate(ctx, db, migrations); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	rdb, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	rdb.SetMaxOpenConns(readConns)
	rdb.SetMaxIdleConns(readConns)
	if err := rdb.PingContext(ctx); err != nil {
		rdb.Close()
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	return &Store{db: db, rdb: rdb}, nil
}

// dsn returns the data source name for the file: settings live in the DSN so
// every connection the pool opens gets them.
func dsn(path string, readOnly bool) string {
	q := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	if readOnly {
		q += "&_pragma=query_only(1)"
	} else {
		// synchronous=FULL: in WAL mode NORMAL syncs the WAL only at
		// checkpoints, so a commit that has returned can still be lost on
		// power failure; FULL syncs the WAL on every commit. Events are
		// acknowledged to screens once committed and the screens then drop
		// them, so a commit must be on disk when it returns. The cost is
		// one fsync per transaction, which the event ingest shares among
		// the events of many screens (group commit); see
		// BenchmarkInsertEvents.
		// secure_delete: deleted rows (a redacted revision's content) are
		// overwritten with zeros, not left in free pages.
		q += "&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=secure_delete(1)&_txlock=immediate"
	}
	// A file: URI, so the path is escaped ('?', '#' and '%' are special).
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q
}

// DB returns the writer's handle, for the event ingest and for tests.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes both pools.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.eventStmts {
		st.Close()
	}
	s.stmtMu.Unlock()
	rerr := s.rdb.Close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	if rerr != nil {
		return fmt.Errorf("sqlite: close readers: %w", rerr)
	}
	return nil
}

// Ping runs a trivial query on the writer and on a reader.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.rdb.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlite: ping readers: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// execer is what both *sql.DB and *sql.Tx offer.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a write transaction, committing when fn returns nil.
// The audit entry ctx carries (hall.WithAudit) is appended in the same
// transaction, so a change and its entry are committed together or not at
// all.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if e := hall.AuditFrom(ctx); e != nil {
		if err := insertAudit(ctx, tx, e); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// sqliteCode returns the extended result code of a SQLite error in err's
// chain, or 0.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// isDuplicate reports whether err is a unique or primary key violation.
func isDuplicate(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isForeignKey reports whether err is a foreign key violation.
func isForeignKey(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// rowsAffected returns ENotFound when res touched no row.
func rowsAffected(res sql.Result, kind, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return hall.NotFound(kind, id)
	}
	return nil
}

// noRows maps sql.ErrNoRows to ENotFound and wraps anything else.
func noRows(err error, kind, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return hall.NotFound(kind, id)
	}
	return fmt.Errorf("sqlite: %s %q: %w", kind, id, err)
}

// clampLimit applies the default (100) and maximum (1000) page sizes.
func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}

// Times are stored as RFC 3339 text in UTC with nine fractional digits: fixed
// width, so comparing the text compares the times.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func encTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func encTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return encTime(*t)
}

func decTime(v any) (time.Time, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return time.Time{}, fmt.Errorf("time column holds %T", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time column: %w", err)
	}
	return t.UTC(), nil
}

// timeCol scans a NOT NULL time column.
type timeCol struct{ p *time.Time }

func (c timeCol) Scan(v any) error {
	t, err := decTime(v)
	if err != nil {
		return err
	}
	*c.p = t
	return nil
}

// timePtrCol scans a nullable time column into a pointer (nil for NULL).
type timePtrCol struct{ p **time.Time }

func (c timePtrCol) Scan(v any) error {
	if v == nil {
		*c.p = nil
		return nil
	}
	t, err := decTime(v)
	if err != nil {
		return err
	}
	*c.p = &t
	return nil
}

// strCol scans a nullable text column ("" for NULL).
type strCol struct{ p *string }

func (c strCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.p = ""
	case string:
		*c.p = v
	case []byte:
		*c.p = string(v)
	default:
		return fmt.Errorf("text column holds %T", v)
	}
	return nil
}

// jsonCol scans a nullable JSON column; NULL leaves the destination alone.
type jsonCol struct{ p any }

func (c jsonCol) Scan(v any) error {
	var b []byte
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("JSON column holds %T", v)
	}
	if err := json.Unmarshal(b, c.p); err != nil {
		return fmt.Errorf("JSON column: %w", err)
	}
	return nil
}

// encJSON encodes v, or returns NULL when isNil.
func encJSON(v any, isNil bool) (any, error) {
	if isNil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// queryAll runs a query on the readers and scans every row; the result is
// never nil.
func queryAll[T any](ctx context.Context, db *sql.DB, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// OpenReadOnly opens an existing database for reading only (hallcast
// migrate's source): it applies no migration and refuses a database whose
// schema is older or newer than this build's, and every write fails.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	ms, err := loadMigrations(sub)
	if err != nil || len(ms) == 0 {
		return nil, fmt.Errorf("sqlite: migrations: %v", err)
	}
	rdb, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	rdb.SetMaxOpenConns(readConns)
	var have sql.NullInt64
	if err := rdb.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&have); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: read schema version: %w", path, err)
	}
	if want := int64(ms[len(ms)-1].version); have.Int64 != want {
		rdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: schema version %d, this build reads %d only: open it once with this build's serve (or archive verify) first", path, have.Int64, want)
	}
	return &Store{db: rdb, rdb: rdb}, nil
}
