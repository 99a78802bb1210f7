package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/hallcast/hallcast/server/hall"

	"github.com/hallcast/hallcast/server/storetest"
)

func TestDumpLoad(t *testing.T) {
	newStore := func(t *testing.T) storetest.DumpStore {
		return MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	}
	storetest.RunDumpLoad(t, newStore, newStore)
}

func TestOpenReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hallcast.db")
	MustOpen(t, path)
	s, err := OpenReadOnly(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.PutDepartment(t.Context(), &hall.Department{Key: "x", Name: hall.Text{ZH: "x"}}); err == nil {
		t.Error("a write on a read-only store succeeded")
	}
	if _, err := OpenReadOnly(t.Context(), filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Error("OpenReadOnly of a missing file succeeded")
	}
}

// TestDumpCoversEveryTable fails when a migration adds a table that
// CheckEmpty does not look at (and so, most likely, that Dump and Load
// leave out).
func TestDumpCoversEveryTable(t *testing.T) {
	s := MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	rows, err := s.DB().Query(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'item_search%' AND name <> 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	known := map[string]bool{}
	for _, name := range dataTables {
		known[name] = true
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !known[name] {
			t.Errorf("table %s is not in dataTables: dump, load and check it (server/sqlite/dump.go, hall.DumpKinds)", name)
		}
	}
}
