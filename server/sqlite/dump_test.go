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
