package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/storetest"
)

// MustOpen opens a store at path and closes it when the test ends.
func MustOpen(tb testing.TB, path string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) hall.Store {
		return MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	})
}

func appliedVersions(t *testing.T, s *Store) map[int]string {
	t.Helper()
	rows, err := s.DB().Query("SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	defer rows.Close()
	got := map[int]string{}
	for rows.Next() {
		var v int
		var at string
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		got[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestMigrationsEmbedded(t *testing.T) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations(sub)
	if err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	if len(ms) == 0 || ms[0].version != 1 {
		t.Fatalf("embedded migrations: got %d, first %+v; want 0001 first", len(ms), ms)
	}

	path := filepath.Join(t.TempDir(), "hallcast.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	first := appliedVersions(t, s)
	if len(first) != len(ms) {
		t.Errorf("after Open: %d migrations recorded, want %d", len(first), len(ms))
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = MustOpen(t, path)
	again := appliedVersions(t, s)
	if fmt.Sprint(again) != fmt.Sprint(first) {
		t.Errorf("re-opening changed schema_migrations:\n got %v\nwant %v", again, first)
	}
}

// openBare opens a store with no migrations but schema_migrations.
func openBare(t *testing.T) *Store {
	t.Helper()
	s, err := open(t.Context(), filepath.Join(t.TempDir(), "bare.db"), fstest.MapFS{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestMigrate(t *testing.T) {
	m1 := &fstest.MapFile{Data: []byte("CREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1);")}
	m2 := &fstest.MapFile{Data: []byte("-- add b\nCREATE TABLE b (y TEXT);")}
	bad := &fstest.MapFile{Data: []byte("CREATE TABLE c (z INTEGER);\nINSERT INTO nowhere VALUES (1);")}

	t.Run("OnlyNew", func(t *testing.T) {
		s := openBare(t)
		for _, step := range []struct {
			fs   fstest.MapFS
			want []int
		}{
			{fstest.MapFS{"0001_a.sql": m1}, []int{1}},
			{fstest.MapFS{"0001_a.sql": m1}, nil},
			{fstest.MapFS{"0001_a.sql": m1, "0002_b.sql": m2}, []int{2}},
			{fstest.MapFS{"0002_b.sql": m2, "0001_a.sql": m1}, nil},
		} {
			got, err := migrate(t.Context(), s.DB(), step.fs)
			if err != nil {
				t.Fatalf("migrate: %v", err)
			}
			if !slices.Equal(got, step.want) {
				t.Errorf("migrate applied %v, want %v", got, step.want)
			}
		}
		var n int
		if err := s.DB().QueryRow("SELECT COUNT(*) FROM a").Scan(&n); err != nil || n != 1 {
			t.Errorf("table a: %d rows (err %v), want 1: migration 1 ran more than once?", n, err)
		}
		if _, err := s.DB().Exec("INSERT INTO b VALUES ('ok')"); err != nil {
			t.Errorf("table b from migration 2: %v", err)
		}
	})

	t.Run("ErrFailedMigrationRollsBack", func(t *testing.T) {
		s := openBare(t)
		_, err := migrate(t.Context(), s.DB(), fstest.MapFS{"0001_a.sql": m1, "0002_bad.sql": bad})
		if err == nil {
			t.Fatal("migrate with a failing migration: no error")
		}
		v := appliedVersions(t, s)
		if _, ok := v[1]; !ok {
			t.Errorf("migration 1 before the failing one not recorded: %v", v)
		}
		if _, ok := v[2]; ok {
			t.Errorf("failing migration 2 recorded: %v", v)
		}
		if _, err := s.DB().Exec("SELECT * FROM c"); err == nil {
			t.Errorf("table c of the failing migration exists: it was not rolled back")
		}
	})

	t.Run("ErrNewerSchema", func(t *testing.T) {
		s := openBare(t)
		if _, err := s.DB().Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'x')"); err != nil {
			t.Fatal(err)
		}
		if _, err := migrate(t.Context(), s.DB(), fstest.MapFS{"0001_a.sql": m1}); err == nil {
			t.Error("migrate of a database newer than the build: no error")
		}
	})

	t.Run("ErrBadNames", func(t *testing.T) {
		for name, files := range map[string]fstest.MapFS{
			"NoNumber":         {"init.sql": m1},
			"Zero":             {"0000_init.sql": m1},
			"DuplicateVersion": {"0001_a.sql": m1, "01_b.sql": m2},
		} {
			t.Run(name, func(t *testing.T) {
				if _, err := loadMigrations(files); err == nil {
					t.Errorf("loadMigrations(%v): no error", slices.Sorted(maps.Keys(files)))
				}
			})
		}
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hallcast.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	u := &hall.User{Username: "wang", Role: hall.RoleAdmin, CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)}
	it := &hall.Item{Category: "finance", Department: "caizheng", Title: "财政收支", Status: hall.StatusApproved,
		CreatedAt: u.CreatedAt, UpdatedAt: u.CreatedAt}
	mustOK(t, s.CreateUser(ctx, u))
	mustOK(t, s.CreateItem(ctx, it))
	it.Public = &hall.PublicState{Revision: 1, Category: it.Category, Department: it.Department, Title: it.Title,
		SearchText: it.Title, PublishedAt: u.CreatedAt, FirstPublished: u.CreatedAt}
	e, err := hall.NewPublishEntry(&hall.Revision{ID: it.ID, Revision: 1, Title: it.Title, PublishedAt: u.CreatedAt})
	mustOK(t, err)
	mustOK(t, s.SaveWithEntry(ctx, it, e))
	mustOK(t, s.SaveCheckpoint(ctx, &hall.Checkpoint{Size: 1, Root: "r", Note: "n", At: u.CreatedAt}))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = MustOpen(t, path)
	gotU, err := s.UserByName(ctx, "wang")
	mustOK(t, err)
	if gotU.ID != u.ID || !gotU.CreatedAt.Equal(u.CreatedAt) {
		t.Errorf("user after reopening: got %+v, want %+v", gotU, u)
	}
	gotIt, err := s.Item(ctx, it.ID)
	mustOK(t, err)
	if gotIt.Version != 2 || gotIt.Public == nil || gotIt.Public.ArchiveIndex != 0 {
		t.Errorf("item after reopening: version %d, public %+v; want version 2, archive index 0", gotIt.Version, gotIt.Public)
	}
	entries, err := s.ItemEntries(ctx, it.ID)
	mustOK(t, err)
	if len(entries) != 1 || string(entries[0].Leaf) != string(e.Leaf) {
		t.Errorf("archive after reopening: %d entries, want the one saved", len(entries))
	}
	cp, err := s.LatestCheckpoint(ctx)
	mustOK(t, err)
	if cp.Size != 1 {
		t.Errorf("checkpoint after reopening: size %d, want 1", cp.Size)
	}
}

// TestConcurrentWriters writes through two stores on one file (as two
// processes would) while a reader lists: the write lock is taken up front
// and waited for, so no write fails with SQLITE_BUSY and the archive
// indexes come out contiguous.
func TestConcurrentWriters(t *testing.T) {
	const perStore, perWriter = 4, 50
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hallcast.db")
	stores := []*Store{MustOpen(t, path), MustOpen(t, path)}

	var items []*hall.Item
	for i := range len(stores) * perStore {
		it := &hall.Item{ID: fmt.Sprintf("it_c%d", i), Category: "finance", Department: "caizheng",
			Title: fmt.Sprintf("条目%d", i), Status: hall.StatusApproved}
		mustOK(t, stores[0].CreateItem(ctx, it))
		items = append(items, it)
	}

	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() { // a reader alongside the writers
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := stores[1].ListItems(ctx, hall.ItemFilter{Public: true, Q: "条目"}); err != nil {
				t.Errorf("ListItems during writes: %v", err)
				return
			}
			if _, err := stores[0].ArchiveSize(ctx); err != nil {
				t.Errorf("ArchiveSize during writes: %v", err)
				return
			}
		}
	})
	var writers sync.WaitGroup
	for i, it := range items {
		s := stores[i%len(stores)]
		writers.Go(func() {
			for rev := 1; rev <= perWriter; rev++ {
				now := time.Date(2025, 1, 1, 0, rev, 0, 0, time.UTC)
				it.Public = &hall.PublicState{Revision: rev, Category: it.Category, Department: it.Department,
					Title: it.Title, SearchText: it.Title, PublishedAt: now, FirstPublished: now}
				e, err := hall.NewPublishEntry(&hall.Revision{ID: it.ID, Revision: rev, Title: it.Title, PublishedAt: now})
				if err == nil {
					err = s.SaveWithEntry(ctx, it, e)
				}
				if err != nil {
					t.Errorf("SaveWithEntry %s#%d: %v", it.ID, rev, err)
					return
				}
			}
		})
	}
	writers.Wait()
	close(done)
	wg.Wait()
	if t.Failed() {
		return
	}

	total := len(items) * perWriter
	var idx []int64
	rows, err := stores[0].DB().Query("SELECT idx FROM archive")
	mustOK(t, err)
	for rows.Next() {
		var i int64
		mustOK(t, rows.Scan(&i))
		idx = append(idx, i)
	}
	mustOK(t, rows.Err())
	rows.Close()
	sort.Slice(idx, func(i, j int) bool { return idx[i] < idx[j] })
	if len(idx) != total {
		t.Fatalf("archive has %d rows, want %d", len(idx), total)
	}
	for i, v := range idx {
		if v != int64(i) {
			t.Fatalf("archive index %d is %d: gap or duplicate", i, v)
		}
	}
}

func TestReadersAreReadOnly(t *testing.T) {
	s := MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	if _, err := s.rdb.Exec("INSERT INTO calendar (year, doc) VALUES (2025, x'00')"); err == nil {
		t.Error("a write through the read pool succeeded")
	}
}

func TestOpen(t *testing.T) {
	t.Run("PathNeedingEscapes", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "数据 50%?#x")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "hall cast.db")
		s := MustOpen(t, path)
		mustOK(t, s.Ping(t.Context()))
		if _, err := os.Stat(path); err != nil {
			t.Errorf("database file not where asked: %v", err)
		}
	})
	t.Run("ErrEmptyPath", func(t *testing.T) {
		if _, err := Open(t.Context(), ""); err == nil {
			t.Error("Open(\"\"): no error")
		}
	})
	t.Run("ErrDirectory", func(t *testing.T) {
		if s, err := Open(t.Context(), t.TempDir()); err == nil {
			s.Close()
			t.Error("Open of a directory: no error")
		}
	})
	t.Run("WAL", func(t *testing.T) {
		s := MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
		var mode string
		mustOK(t, s.rdb.QueryRow("PRAGMA journal_mode").Scan(&mode))
		if mode != "wal" {
			t.Errorf("journal_mode: got %q, want wal", mode)
		}
		var fk int
		mustOK(t, s.DB().QueryRow("PRAGMA foreign_keys").Scan(&fk))
		if fk != 1 {
			t.Errorf("foreign_keys: got %d, want 1", fk)
		}
	})
}

func TestSessionForMissingUser(t *testing.T) {
	s := MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	err := s.CreateSession(t.Context(), &hall.Session{TokenHash: "h", UserID: "us_ghost"})
	if !hall.IsCode(err, hall.ENotFound) {
		t.Errorf("CreateSession for a missing user: got %v, want not_found", err)
	}
}

func TestTimeTextOrder(t *testing.T) {
	base := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	times := []time.Time{
		base,
		base.Add(time.Nanosecond),
		base.Add(500 * time.Millisecond),
		base.Add(time.Second),
		base.Add(time.Second).In(time.FixedZone("CST", 8*3600)),
		base.Add(time.Hour),
	}
	for i := 1; i < len(times); i++ {
		a, b := encTime(times[i-1]), encTime(times[i])
		if times[i-1].Before(times[i]) != (a < b) || len(a) != len(b) {
			t.Errorf("text order differs from time order: %q vs %q", a, b)
		}
		got, err := decTime(b)
		if err != nil || !got.Equal(times[i]) || got.Location() != time.UTC {
			t.Errorf("decTime(%q) = %v, %v; want %v in UTC", b, got, err, times[i])
		}
	}
}

func mustOK(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
