// Package backup writes and restores a hallcast data directory as one
// .tar.gz: a consistent copy of the SQLite database (VACUUM INTO, taken
// while the server runs), the archive key and head files, the media files,
// and last a manifest (manifest.json) of every file's size and SHA-256.
// Restore checks every sum before anything lands in the target.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/sqlite"
)

// Names inside a backup and in the data directory.
const (
	ManifestName = "manifest.json"
	DatabaseName = "hallcast.db"
	MediaDirName = "media"
	// Format names the layout; restore refuses any other.
	Format = "hallcast-backup/1"
	// KeyFile is the archive signing key: secret.
	KeyFile = "archive.key"
)

// File is one file of a backup.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest describes a backup; it is the archive's last entry.
type Manifest struct {
	Format          string    `json:"format"`
	CreatedAt       time.Time `json:"created_at"`
	HallcastVersion string    `json:"hallcast_version"`
	Store           string    `json:"store"`
	SchemaVersion   int       `json:"schema_version"`
	Files           []File    `json:"files"`
}

// Source is what to back up.
type Source struct {
	// DataDir holds hallcast.db, the archive key and head files.
	DataDir string
	// MediaDir holds the media files; DataDir/media when empty.
	MediaDir string
	// Version is the hallcast version, recorded in the manifest.
	Version string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// skipTop reports whether a top-level entry of the data directory stays
// out of a backup: the live database files (the snapshot replaces them),
// temporary files, and the backups themselves.
func skipTop(name string) bool {
	return strings.HasPrefix(name, DatabaseName) || strings.HasPrefix(name, ".") || name == "backups" || name == MediaDirName
}

// Create writes a backup of src to dest, which must not exist: it never
// overwrites a file. The archive is written under a temporary name beside
// dest, synced, and linked into place only when complete.
func Create(ctx context.Context, src Source, dest string) (*Manifest, error) {
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	mediaDir := src.MediaDir
	if mediaDir == "" {
		mediaDir = filepath.Join(src.DataDir, MediaDirName)
	}
	if _, err := os.Lstat(dest); err == nil {
		return nil, fmt.Errorf("backup: %s exists; choose a new name (nothing is overwritten)", dest)
	}
	dbPath := filepath.Join(src.DataDir, DatabaseName)
	if _, err := os.Stat(dbPath); err != nil {
		return nil, fmt.Errorf("backup: no database in %s: %w", src.DataDir, err)
	}
	destDir := filepath.Dir(dest)
	if err := os.MkdirAll(destDir, 0o750); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}

	// The small files first, the head file above all: a head read before
	// the snapshot is never ahead of the entries the snapshot holds.
	entries, err := os.ReadDir(src.DataDir)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	small := map[string][]byte{}
	for _, e := range entries {
		if skipTop(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src.DataDir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		small[e.Name()] = b
	}

	stage, err := os.MkdirTemp(destDir, ".hallcast-backup-*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(stage)
	snap := filepath.Join(stage, DatabaseName)
	schema, err := sqlite.Snapshot(ctx, dbPath, snap)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}

	out, err := os.CreateTemp(destDir, "."+filepath.Base(dest)+".*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(out.Name())
	defer out.Close()
	if err := out.Chmod(0o600); err != nil { // it holds the signing key
		return nil, fmt.Errorf("backup: %w", err)
	}
	zw := gzip.NewWriter(out)
	tw := tar.NewWriter(zw)
	m := &Manifest{Format: Format, CreatedAt: now().UTC(), HallcastVersion: src.Version, Store: "sqlite", SchemaVersion: schema}
	add := func(name string, size int64, r io.Reader, mode int64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		h := sha256.New()
		if err := tw.WriteHeader(&tar.Header{Name: name, Size: size, Mode: mode, ModTime: m.CreatedAt, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return fmt.Errorf("backup: %s: %w", name, err)
		}
		if n, err := io.Copy(tw, io.TeeReader(r, h)); err != nil || n != size {
			return fmt.Errorf("backup: %s: wrote %d of %d bytes: %v", name, n, size, err)
		}
		m.Files = append(m.Files, File{Path: name, Size: size, SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	}
	addFile := func(name, p string) error {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		return add(name, fi.Size(), f, 0o640)
	}
	if err := addFile(DatabaseName, snap); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(small)) {
		mode := int64(0o644)
		if name == KeyFile {
			mode = 0o600
		}
		if err := add(name, int64(len(small[name])), strings.NewReader(string(small[name])), mode); err != nil {
			return nil, err
		}
	}
	// Media after the snapshot: every file the snapshot records was
	// written before it, so it is here. Media files are content-addressed
	// and never change; uploads in progress (media/tmp) are left out.
	err = filepath.WalkDir(mediaDir, func(p string, d iofs.DirEntry, err error) error {
		if errors.Is(err, iofs.ErrNotExist) && p == mediaDir {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(mediaDir, p)
		if d.IsDir() {
			if rel == "tmp" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		return addFile(path.Join(MediaDirName, filepath.ToSlash(rel)), p)
	})
	if err != nil {
		return nil, fmt.Errorf("backup: media: %w", err)
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: ManifestName, Size: int64(len(mb)), Mode: 0o644, ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(mb); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := out.Sync(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := out.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	// Link, not rename: a file that appeared at dest meanwhile is kept.
	if err := os.Link(out.Name(), dest); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	syncDir(destDir)
	return m, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
