package sqlite

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// fixture0003 is a database made by migrations 0001 to 0003 only, with the
// rows of testdata/schema-0003.sql; TestWriteSchema0003Fixture made it.
const fixture0003 = "testdata/schema-0003.db"

// firstMigrations returns the embedded migrations up to version last.
func firstMigrations(t *testing.T, last int) fstest.MapFS {
	t.Helper()
	ms, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	out := fstest.MapFS{}
	for _, m := range ms {
		if m.version <= last {
			out[m.name] = &fstest.MapFile{Data: []byte(m.sql)}
		}
	}
	return out
}

// TestWriteSchema0003Fixture rewrites testdata/schema-0003.db when
// HALLCAST_WRITE_FIXTURE=1; the file is committed, so upgrades are tested
// against what an early build really stored.
func TestWriteSchema0003Fixture(t *testing.T) {
	if os.Getenv("HALLCAST_WRITE_FIXTURE") != "1" {
		t.Skip("set HALLCAST_WRITE_FIXTURE=1 to rewrite " + fixture0003)
	}
	rows, err := os.ReadFile("testdata/schema-0003.sql")
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "fixture.db")
	s, err := open(t.Context(), tmp, firstMigrations(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(string(rows)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.Remove(fixture0003)
	if _, err := Snapshot(t.Context(), tmp, fixture0003); err != nil {
		t.Fatal(err)
	}
}

// copyFixture copies the fixture to a temporary file and returns its path.
func copyFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(fixture0003)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "hallcast.db")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUpgradeFromSchema0003 opens the early database with this build: every
// later migration applies, and the rows read back through hall.Store.
func TestUpgradeFromSchema0003(t *testing.T) {
	path := copyFixture(t)
	st, err := Status(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Current != 3 || !st.HasData || len(st.Pending) != st.Latest-3 || st.Pending[0] != 4 {
		t.Fatalf("fixture status %+v, want schema 3 with data and every later migration pending", st)
	}
	s := MustOpen(t, path)
	if v := appliedVersions(t, s); len(v) != st.Latest {
		t.Errorf("after Open: %d migrations recorded, want %d", len(v), st.Latest)
	}
	ctx := t.Context()
	u, err := s.UserByName(ctx, "wangfang")
	if err != nil || u.Role != hall.RoleEditor || len(u.Departments) != 1 || u.Departments[0] != "civil-affairs" {
		t.Errorf("user: %+v %v", u, err)
	}
	halls, err := s.ListHalls(ctx)
	if err != nil || len(halls) != 1 || halls[0].Name != "城关街道便民服务中心" {
		t.Errorf("halls: %v %v", halls, err)
	}
	cats, err := s.ListCategories(ctx)
	if err != nil || len(cats) != 2 || cats[0].Key != "policy" {
		t.Errorf("categories: %v %v", cats, err)
	}
	items, err := s.ListItems(ctx, hall.ItemFilter{})
	if err != nil || len(items) != 2 {
		t.Fatalf("items: %d %v", len(items), err)
	}
	titles := map[string]string{}
	for _, it := range items {
		titles[it.ID] = it.Title
	}
	if titles["it-1"] != "2026年3月城乡低保金发放名单" || titles["it-2"] != "居住证申领办法" {
		t.Errorf("item titles %v", titles)
	}
	screens, err := s.ListScreens(ctx)
	if err != nil || len(screens) != 2 {
		t.Errorf("screens: %v %v", screens, err)
	}
	events, err := s.ListEvents(ctx, "", time.Time{}, time.Time{}, 100)
	if err != nil || len(events) != 3 {
		t.Errorf("events: %d %v", len(events), err)
	}
	fb, err := s.ListFeedback(ctx, "", 10)
	if err != nil || len(fb) != 1 || fb[0].Text != "排队太久" {
		t.Errorf("feedback: %v %v", fb, err)
	}
	cases, err := s.ListCases(ctx, "", 10)
	if err != nil || len(cases) != 1 {
		t.Errorf("cases: %v %v", cases, err)
	}
	// Columns later migrations added take their defaults on the old rows.
	var grp string
	if err := s.DB().QueryRow("SELECT grp FROM categories WHERE key = 'policy'").Scan(&grp); err != nil || grp != "" {
		t.Errorf("categories.grp after 0006: %q %v", grp, err)
	}
	// The fixture holds no archive entries: nothing to verify there.
	if n, err := s.ArchiveSize(ctx); err != nil || n != 0 {
		t.Errorf("archive size %d %v", n, err)
	}
}

// TestNewerSchemaRefused: a database written by a newer build is refused
// with a clear message, and not one byte of it changes.
func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hallcast.db")
	s := MustOpen(t, path)
	next := LatestSchema() + 1
	if _, err := s.DB().Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?, '2027-01-01T00:00:00.000000000Z')", next); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, _ := os.ReadFile(path)
	st, err := Status(context.Background(), path)
	if err != nil || !st.Newer() || st.Current != next {
		t.Errorf("Status: %+v %v", st, err)
	}
	_, err = Open(context.Background(), path)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open of a newer database: %v, want ErrNewerSchema", err)
	}
	for _, want := range []string{"newer hallcast", "nothing was changed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("refusing a newer database changed its file")
	}
}

// TestMigrationsForwardOnly: the embedded migrations hold no statement that
// would escape their transaction, and a migration rebuilding a table that
// others refer to keeps the rows that refer to it.
func TestMigrationsForwardOnly(t *testing.T) {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	if _, err := loadMigrations(sub); err != nil {
		t.Fatal(err)
	}
	for name, sql := range map[string]string{
		"Commit":      "CREATE TABLE a (x INTEGER);\nCOMMIT;",
		"Begin":       "BEGIN TRANSACTION;\nCREATE TABLE a (x INTEGER);",
		"ForeignKeys": "PRAGMA foreign_keys = OFF;",
		"Vacuum":      "vacuum;",
	} {
		if _, err := loadMigrations(fstest.MapFS{"0001_x.sql": {Data: []byte(sql)}}); err == nil {
			t.Errorf("%s: a migration with %q loaded", name, sql)
		}
	}
	trigger := "CREATE TABLE a (x INTEGER);\nCREATE TRIGGER t AFTER INSERT ON a\nBEGIN\n  SELECT 1;\nEND;"
	if _, err := loadMigrations(fstest.MapFS{"0001_x.sql": {Data: []byte(trigger)}}); err != nil {
		t.Errorf("a trigger's BEGIN … END refused: %v", err)
	}

	s := openBare(t)
	base := fstest.MapFS{
		"0001_a.sql": {Data: []byte(`CREATE TABLE parent (id TEXT PRIMARY KEY) STRICT;
CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT NOT NULL REFERENCES parent (id) ON DELETE CASCADE) STRICT;
INSERT INTO parent VALUES ('p');
INSERT INTO child VALUES ('c', 'p');`)},
	}
	if _, err := migrate(t.Context(), s.DB(), base); err != nil {
		t.Fatal(err)
	}
	// SQLite's way to change a table: make the new one, copy, drop, rename.
	base["0002_rebuild.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE parent_new (id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '') STRICT;
INSERT INTO parent_new (id) SELECT id FROM parent;
DROP TABLE parent;
ALTER TABLE parent_new RENAME TO parent;`)}
	if _, err := migrate(t.Context(), s.DB(), base); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.DB().QueryRow("SELECT COUNT(*) FROM child").Scan(&n); err != nil || n != 1 {
		t.Errorf("rows referring to the rebuilt table: %d (%v), want 1: the DROP cascaded", n, err)
	}
	var fk int
	s.DB().QueryRow("PRAGMA foreign_keys").Scan(&fk)
	if fk != 1 {
		t.Error("foreign keys stay off after a migration")
	}
	// One that would leave dangling references is refused whole.
	base["0003_orphan.sql"] = &fstest.MapFile{Data: []byte(`DELETE FROM parent; CREATE TABLE z (x INTEGER);`)}
	if _, err := migrate(t.Context(), s.DB(), base); err == nil || !strings.Contains(err.Error(), "child") {
		t.Errorf("a migration leaving orphans: %v", err)
	}
	if err := s.DB().QueryRow("SELECT COUNT(*) FROM parent").Scan(&n); err != nil || n != 1 {
		t.Errorf("the refused migration's delete stayed: %d parents", n)
	}
}
