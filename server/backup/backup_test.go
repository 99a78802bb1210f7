package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hallcast/hallcast/server/sqlite"
)

// newDataDir makes a data directory with a database holding one row, a
// key, a head file and one media file, and returns it with the media
// file's path in a backup.
func newDataDir(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, DatabaseName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`INSERT INTO departments (key, name_zh) VALUES ('civil', '民政')`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // open while backed up, as under a server
	for name, body := range map[string]string{KeyFile: "PRIVATE+KEY+secret\n", "archive.pub": "public\n", "archive-head": "head\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	media := []byte("a poster")
	sum := sha256.Sum256(media)
	hexSum := hex.EncodeToString(sum[:])
	p := filepath.Join(dir, "media", hexSum[:2], hexSum)
	os.MkdirAll(filepath.Dir(p), 0o750)
	os.MkdirAll(filepath.Join(dir, "media", "tmp"), 0o750)
	os.WriteFile(filepath.Join(dir, "media", "tmp", "upload-1"), []byte("half"), 0o600)
	if err := os.WriteFile(p, media, 0o640); err != nil {
		t.Fatal(err)
	}
	return dir, "media/" + hexSum[:2] + "/" + hexSum
}

func mustCreate(t *testing.T, dir string) string {
	t.Helper()
	dest := filepath.Join(t.TempDir(), "hallcast-2026-11-28.tar.gz")
	m, err := Create(context.Background(), Source{DataDir: dir, Version: "test"}, dest)
	if err != nil {
		t.Fatal(err)
	}
	if m.SchemaVersion != sqlite.LatestSchema() || m.Format != Format {
		t.Errorf("manifest %+v", m)
	}
	return dest
}

func TestCreateAndRestore(t *testing.T) {
	dir, mediaPath := newDataDir(t)
	dest := mustCreate(t, dir)
	if _, err := Create(context.Background(), Source{DataDir: dir}, dest); err == nil {
		t.Error("Create overwrote an existing file")
	}
	if fi, err := os.Stat(dest); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode: %v %v, want 0600 (it holds the key)", fi.Mode(), err)
	}
	target := filepath.Join(t.TempDir(), "restored")
	checked := false
	m, err := Restore(context.Background(), dest, target, Options{Check: func(_ context.Context, d string) error {
		checked = d != target
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !checked {
		t.Error("the check did not run on the extracted copy before it moved into place")
	}
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
	}
	want := "hallcast.db archive-head archive.key archive.pub " + mediaPath
	if got := strings.Join(paths, " "); got != want {
		t.Errorf("files %q, want %q", got, want)
	}
	for _, p := range []string{KeyFile, "archive-head", mediaPath} {
		a, _ := os.ReadFile(filepath.Join(dir, p))
		b, err := os.ReadFile(filepath.Join(target, p))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s restored as %q (%v), want %q", p, b, err, a)
		}
	}
	if fi, _ := os.Stat(filepath.Join(target, KeyFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("restored key mode %v, want 0600", fi.Mode())
	}
	s, err := sqlite.Open(context.Background(), filepath.Join(target, DatabaseName))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var name string
	if err := s.DB().QueryRow(`SELECT name_zh FROM departments WHERE key = 'civil'`).Scan(&name); err != nil || name != "民政" {
		t.Errorf("restored row: %q %v", name, err)
	}

	t.Run("NonEmptyTarget", func(t *testing.T) {
		if _, err := Restore(context.Background(), dest, target, Options{}); err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Errorf("restore over data: %v", err)
		}
	})
	t.Run("EmptyTarget", func(t *testing.T) {
		empty := t.TempDir()
		if _, err := Restore(context.Background(), dest, empty, Options{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("CheckFails", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "x")
		_, err := Restore(context.Background(), dest, target, Options{Check: func(context.Context, string) error { return errors.New("entry 3 differs") }})
		if err == nil || !strings.Contains(err.Error(), "entry 3") {
			t.Errorf("restore with a failing check: %v", err)
		}
		if _, err := os.Stat(target); err == nil {
			t.Error("a refused restore left the target")
		}
	})
}

// rewrite decompresses a backup, lets edit change its entries and writes
// the result to a new file.
func rewrite(t *testing.T, src string, edit func(name string, body []byte) (string, []byte, bool)) string {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		name, body, keep := edit(h.Name, body)
		if !keep {
			continue
		}
		h.Name, h.Size = name, int64(len(body))
		tw.WriteHeader(h)
		tw.Write(body)
	}
	tw.Close()
	zw.Close()
	out := filepath.Join(t.TempDir(), "edited.tar.gz")
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRestoreRefusesDamage(t *testing.T) {
	dir, mediaPath := newDataDir(t)
	dest := mustCreate(t, dir)
	raw, _ := os.ReadFile(dest)
	write := func(b []byte) string {
		p := filepath.Join(t.TempDir(), "b.tar.gz")
		os.WriteFile(p, b, 0o600)
		return p
	}
	flipped := bytes.Clone(raw)
	flipped[len(flipped)/2] ^= 0x40
	cases := []struct {
		name, backup, file, want string
	}{
		{"OneByteInMedia", rewrite(t, dest, func(n string, b []byte) (string, []byte, bool) {
			if n == mediaPath {
				b[0] ^= 1
			}
			return n, b, true
		}), mediaPath, "SHA-256"},
		{"OneByteInDatabase", rewrite(t, dest, func(n string, b []byte) (string, []byte, bool) {
			if n == DatabaseName {
				b[len(b)-100] ^= 1
			}
			return n, b, true
		}), DatabaseName, "SHA-256"},
		{"KeyMissing", rewrite(t, dest, func(n string, b []byte) (string, []byte, bool) { return n, b, n != KeyFile }), KeyFile, "missing"},
		{"ExtraFile", rewrite(t, dest, func(n string, b []byte) (string, []byte, bool) {
			if n == ManifestName { // the file stays, its line in the manifest goes
				var m Manifest
				json.Unmarshal(b, &m)
				m.Files = slices.DeleteFunc(m.Files, func(f File) bool { return f.Path == "archive.pub" })
				b, _ = json.Marshal(m)
			}
			return n, b, true
		}), "archive.pub", "not listed"},
		{"ManifestMissing", rewrite(t, dest, func(n string, b []byte) (string, []byte, bool) { return n, b, n != ManifestName }), ManifestName, "missing"},
		{"PathEscapes", rewrite(t, dest, func(n string, b []byte) (string, []byte, bool) {
			if n == "archive.pub" {
				return "../archive.pub", b, true
			}
			return n, b, true
		}), "../archive.pub", "relative path"},
		{"Truncated", write(raw[:len(raw)*2/3]), "", "truncated"},
		{"ByteFlippedInArchive", write(flipped), "", ""},
		{"Empty", write(nil), "", "gzip"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "restored")
			_, err := Restore(context.Background(), tc.backup, target, Options{})
			var damaged *DamagedError
			if !errors.As(err, &damaged) {
				t.Fatalf("got %v, want a DamagedError", err)
			}
			if tc.file != "" && damaged.File != tc.file {
				t.Errorf("error names %q, want %q: %v", damaged.File, tc.file, err)
			}
			if tc.name == "Truncated" && damaged.File == "" {
				t.Errorf("truncated backup: the error names no file: %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
			if _, err := os.Stat(target); err == nil {
				t.Error("a refused restore created the target")
			}
			left, _ := os.ReadDir(filepath.Dir(target))
			if len(left) != 0 {
				t.Errorf("a refused restore left %v beside the target", left[0].Name())
			}
		})
	}
}
