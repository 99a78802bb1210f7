package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A migration is one numbered SQL file, "0001_init.sql" → version 1.
type migration struct {
	version int
	name    string
	sql     string
}

// txControl finds statements that would end or escape a migration's
// transaction (a trigger's BEGIN … END is not one of them), and pragmas that
// do nothing inside one.
var txControl = regexp.MustCompile(`(?im)^\s*(BEGIN(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?(\s+TRANSACTION)?\s*;|COMMIT\b|END\s+TRANSACTION\b|ROLLBACK\b|SAVEPOINT\b|RELEASE\b|VACUUM\b|PRAGMA\s+(foreign_keys|journal_mode)\b)`)

// loadMigrations reads the *.sql files at the root of fsys, in version order.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, name := range names {
		num, _, ok := strings.Cut(path.Base(name), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: want a name like 0001_what.sql", name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", other, name, v)
		}
		seen[v] = name
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		if stmt := txControl.FindString(string(b)); stmt != "" {
			return nil, fmt.Errorf("migration %s: %q: each migration runs in a transaction hallcast opens and commits; remove the statement", name, strings.TrimSpace(stmt))
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies, each in its own transaction, the migrations in fsys that
// schema_migrations does not list, and returns the versions it applied. A
// database that has seen a version newer than any in fsys is refused: an
// older build must not write to a schema it does not know.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS) ([]int, error) {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	) STRICT`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var newest sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&newest); err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	if newest.Valid && (len(ms) == 0 || newest.Int64 > int64(ms[len(ms)-1].version)) {
		latest := 0
		if len(ms) > 0 {
			latest = ms[len(ms)-1].version
		}
		return nil, newerSchemaError(int(newest.Int64), latest)
	}
	var applied []int
	for _, m := range ms {
		done, err := applyMigration(ctx, db, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}

// applyMigration applies m unless it is recorded already; it checks inside
// the (immediate) transaction so two processes opening the file at once do
// not both apply it. Migrations are forward-only: there is no way down, and
// one that fails leaves nothing behind. They run with foreign keys off (as
// SQLite's procedure for changing a table asks: a DROP TABLE with them on
// would cascade into the rows that refer to it), checked with
// foreign_key_check before the commit.
func applyMigration(ctx context.Context, db *sql.DB, m migration) (bool, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migration %s: begin: %w", m.name, err)
	}
	defer tx.Rollback()
	var one int
	err = tx.QueryRowContext(ctx, "SELECT 1 FROM schema_migrations WHERE version = ?", m.version).Scan(&one)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return false, fmt.Errorf("migration %s: foreign_key_check: %w", m.name, err)
	}
	broken := rows.Next()
	var table string
	if broken {
		var rowid, parent, fkid any
		rows.Scan(&table, &rowid, &parent, &fkid)
	}
	rows.Close()
	if broken {
		return false, fmt.Errorf("migration %s leaves rows of %s referring to rows that do not exist; nothing was changed", m.name, table)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
		m.version, encTime(time.Now())); err != nil {
		return false, fmt.Errorf("migration %s: record: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return true, nil
}
