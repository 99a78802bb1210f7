package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
)

// SchemaStatus is what a database file holds against what this build knows.
type SchemaStatus struct {
	// Exists reports whether the file is there at all.
	Exists bool
	// Current is the newest migration the file has seen; 0 for a new file.
	Current int
	// Latest is the newest migration this build carries.
	Latest int
	// Pending lists the migrations Open would apply, oldest first.
	Pending []int
	// HasData reports whether the file holds any table besides the
	// migrations' own record.
	HasData bool
}

// Newer reports whether the file has seen a migration this build lacks.
func (st SchemaStatus) Newer() bool { return st.Current > st.Latest }

// LatestSchema returns the newest migration this build carries.
func LatestSchema() int {
	ms, err := embeddedMigrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

func embeddedMigrations() ([]migration, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return loadMigrations(sub)
}

// ErrNewerSchema is returned for a database written by a newer build.
var ErrNewerSchema = errors.New("the database was written by a newer hallcast")

// newerSchemaError explains a database newer than the build.
func newerSchemaError(current, latest int) error {
	return fmt.Errorf("%w: its schema version is %d, this hallcast knows versions up to %d; "+
		"nothing was changed: run the newer hallcast again, or restore a backup made before the upgrade", ErrNewerSchema, current, latest)
}

// Status reads the schema version of the database at path without changing
// it: no migration, and no file is created when there is none.
func Status(ctx context.Context, path string) (SchemaStatus, error) {
	st := SchemaStatus{Latest: LatestSchema()}
	ms, err := embeddedMigrations()
	if err != nil {
		return st, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		for _, m := range ms {
			st.Pending = append(st.Pending, m.version)
		}
		return st, nil
	} else if err != nil {
		return st, fmt.Errorf("sqlite: %w", err)
	}
	st.Exists = true
	db, err := sql.Open("sqlite", existingDSN(path))
	if err != nil {
		return st, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	defer db.Close()
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name <> 'schema_migrations' AND name NOT LIKE 'sqlite_%'`).Scan(&tables); err != nil {
		return st, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	st.HasData = tables > 0
	applied := map[int]bool{}
	var hasRecord int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&hasRecord); err != nil {
		return st, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if hasRecord > 0 {
		rows, err := db.QueryContext(ctx, "SELECT version FROM schema_migrations")
		if err != nil {
			return st, fmt.Errorf("sqlite: %s: read schema version: %w", path, err)
		}
		defer rows.Close()
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				return st, err
			}
			applied[v] = true
			st.Current = max(st.Current, v)
		}
		if err := rows.Err(); err != nil {
			return st, err
		}
	}
	for _, m := range ms {
		if !applied[m.version] {
			st.Pending = append(st.Pending, m.version)
		}
	}
	return st, nil
}

// existingDSN opens a file that must exist, for reading it (the busy
// timeout lets a running server's writes finish first).
func existingDSN(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=rw&_pragma=busy_timeout(10000)"
}

// Snapshot writes a consistent copy of the database at path to dest, which
// must not exist, with VACUUM INTO: one read transaction, so a server may
// keep writing meanwhile and the copy holds every transaction committed
// before it began (never a copy of the files of a live WAL database). The
// copy is checked with PRAGMA quick_check; Snapshot returns its schema
// version.
func Snapshot(ctx context.Context, path, dest string) (int, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("sqlite: no database to copy: %w", err)
	}
	if _, err := os.Lstat(dest); err == nil {
		return 0, fmt.Errorf("sqlite: snapshot: %s exists", dest)
	}
	db, err := sql.Open("sqlite", existingDSN(path))
	if err != nil {
		return 0, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		return 0, fmt.Errorf("sqlite: copy %s: %w", path, err)
	}
	cp, err := sql.Open("sqlite", existingDSN(dest))
	if err != nil {
		return 0, fmt.Errorf("sqlite: open the copy: %w", err)
	}
	defer cp.Close()
	var check string
	if err := cp.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil {
		return 0, fmt.Errorf("sqlite: check the copy: %w", err)
	}
	if check != "ok" {
		return 0, fmt.Errorf("sqlite: the copy of %s fails its integrity check: %s", path, check)
	}
	var v sql.NullInt64
	if err := cp.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: the copy of %s: read schema version: %w", path, err)
	}
	// The copy is a plain rollback-journal file, ready to be moved.
	if _, err := cp.ExecContext(ctx, "PRAGMA journal_mode=DELETE"); err != nil {
		return 0, fmt.Errorf("sqlite: the copy: %w", err)
	}
	if err := cp.Close(); err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}
