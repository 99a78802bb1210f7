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
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxManifest bounds the manifest read into memory.
const maxManifest = 64 << 20

// DamagedError is a backup refused because a file in it is corrupted,
// truncated, missing or not listed: File names it.
type DamagedError struct {
	Backup string
	File   string
	Reason string
}

func (e *DamagedError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("backup %s is damaged: %s; nothing was restored", e.Backup, e.Reason)
	}
	return fmt.Sprintf("backup %s is damaged: %s: %s; nothing was restored", e.Backup, e.File, e.Reason)
}

// Options tune Restore.
type Options struct {
	// Check, when set, runs on the extracted data directory after every
	// sum matched and before it is moved into place (hallcast runs its
	// archive verification there); an error refuses the restore.
	Check func(ctx context.Context, dir string) error
}

// Restore extracts the backup at from into target, which must not exist
// or be an empty directory: it never writes over data. Everything is
// extracted into a temporary directory beside target, checked against the
// manifest (sizes, SHA-256 sums, no file missing and none extra), checked
// by opts.Check, and then renamed to target. On any error nothing is left
// at target.
func Restore(ctx context.Context, from, target string, opts Options) (*Manifest, error) {
	target = filepath.Clean(target)
	if err := ensureEmpty(target); err != nil {
		return nil, err
	}
	f, err := os.Open(from)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	parent := filepath.Dir(target)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(target)+".restore-*")
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after the rename; a leftover after an error
	m, err := extract(ctx, from, f, tmp)
	if err != nil {
		return nil, err
	}
	if opts.Check != nil {
		if err := opts.Check(ctx, tmp); err != nil {
			return m, fmt.Errorf("restore: the restored data fails its check: %w; nothing was restored", err)
		}
	}
	if err := os.Chmod(tmp, 0o750); err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	syncDir(tmp)
	if err := ensureEmpty(target); err != nil {
		return m, err
	}
	if err := os.Remove(target); err != nil && !errors.Is(err, iofs.ErrNotExist) {
		return m, fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(tmp, target); err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	syncDir(parent)
	return m, nil
}

// ensureEmpty refuses a target that holds anything.
func ensureEmpty(target string) error {
	fi, err := os.Lstat(target)
	if errors.Is(err, iofs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("restore: %s exists and is not a directory; restore into a new directory (nothing was changed)", target)
	}
	entries, err := os.ReadDir(target)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("restore: %s is not empty (it holds %s); restore into a new directory: nothing is ever restored over data", target, entries[0].Name())
	}
	return nil
}

// extract writes every file of the backup under dir and checks them
// against the manifest.
func extract(ctx context.Context, name string, r io.Reader, dir string) (*Manifest, error) {
	damaged := func(file, format string, args ...any) error {
		return &DamagedError{Backup: name, File: file, Reason: fmt.Sprintf(format, args...)}
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, damaged("", "not a gzip file: %v", err)
	}
	tr := tar.NewReader(zr)
	got := map[string]File{}
	var manifest []byte
	last := ""
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if last == "" {
				return nil, damaged("", "unreadable at its start: %v", err)
			}
			return nil, damaged(last, "unreadable after this file (truncated or corrupted): %v", err)
		}
		last = h.Name
		if err := checkName(h.Name); err != nil {
			return nil, damaged(h.Name, "%v", err)
		}
		if h.Typeflag != tar.TypeReg {
			return nil, damaged(h.Name, "not a regular file (type %q)", h.Typeflag)
		}
		if _, dup := got[h.Name]; dup || (h.Name == ManifestName && manifest != nil) {
			return nil, damaged(h.Name, "appears twice")
		}
		if h.Name == ManifestName {
			manifest, err = io.ReadAll(io.LimitReader(tr, maxManifest))
			if err != nil {
				return nil, damaged(h.Name, "truncated or corrupted: %v", err)
			}
			continue
		}
		file, err := writeEntry(tr, h, dir)
		if err != nil {
			var bad *readErr
			if errors.As(err, &bad) {
				return nil, damaged(h.Name, "truncated or corrupted: %v", bad.err)
			}
			return nil, fmt.Errorf("restore: %s: %w", h.Name, err)
		}
		got[h.Name] = file
	}
	// Reading to the end checks the gzip trailer (CRC and length).
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, damaged(last, "the archive is corrupted after this file: %v", err)
	}
	if manifest == nil {
		return nil, damaged(ManifestName, "missing (the backup is truncated or not a hallcast backup)")
	}
	var m Manifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		return nil, damaged(ManifestName, "unreadable: %v", err)
	}
	if m.Format != Format {
		return nil, damaged(ManifestName, "format %q, want %q", m.Format, Format)
	}
	listed := map[string]bool{}
	for _, want := range m.Files {
		listed[want.Path] = true
		have, ok := got[want.Path]
		switch {
		case !ok:
			return nil, damaged(want.Path, "missing: listed in the manifest but not in the backup")
		case have.Size != want.Size:
			return nil, damaged(want.Path, "size %d, the manifest says %d", have.Size, want.Size)
		case have.SHA256 != want.SHA256:
			return nil, damaged(want.Path, "SHA-256 %s, the manifest says %s (the file was changed)", have.SHA256, want.SHA256)
		}
	}
	for p := range got {
		if !listed[p] {
			return nil, damaged(p, "not listed in the manifest")
		}
	}
	if !listed[DatabaseName] {
		return nil, damaged(DatabaseName, "missing from the manifest")
	}
	return &m, nil
}

// checkName accepts only a clean relative path inside the backup.
func checkName(name string) error {
	if name == "" || path.IsAbs(name) || path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../") || strings.Contains(name, "\\") {
		return fmt.Errorf("not a clean relative path")
	}
	return nil
}

// readErr marks a failure reading the backup, as opposed to writing the
// extracted file.
type readErr struct{ err error }

func (e *readErr) Error() string { return e.err.Error() }

type reader struct{ r io.Reader }

func (r reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = &readErr{err}
	}
	return n, err
}

// writeEntry writes one file under dir, synced, and returns its sum.
func writeEntry(tr *tar.Reader, h *tar.Header, dir string) (File, error) {
	p := filepath.Join(dir, filepath.FromSlash(h.Name))
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return File{}, err
	}
	mode := iofs.FileMode(0o640)
	if h.Name == KeyFile {
		mode = 0o600
	} else if h.FileInfo().Mode().Perm()&0o004 != 0 {
		mode = 0o644
	}
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return File{}, err
	}
	defer out.Close()
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, sum), reader{tr})
	if err != nil {
		return File{}, err
	}
	if n != h.Size {
		return File{}, &readErr{fmt.Errorf("%d of %d bytes", n, h.Size)}
	}
	if err := out.Sync(); err != nil {
		return File{}, err
	}
	return File{Path: h.Name, Size: n, SHA256: hex.EncodeToString(sum.Sum(nil))}, out.Close()
}
