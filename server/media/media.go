// Package media keeps the files staff upload (images, video, PDFs) in a
// directory, content-addressed under their SHA-256, with a record of each
// in the store. A file's type is decided by its content, never by its name
// or declared type.
package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// MaxBytes bounds one uploaded file.
const MaxBytes = 200 << 20

// Store keeps the media records.
type Store interface {
	PutMedia(ctx context.Context, m *hall.Media) error
	Media(ctx context.Context, sha string) (*hall.Media, error)
}

// Library is the media directory and its records. All fields are required.
type Library struct {
	Dir   string
	Store Store
	Now   func() time.Time
}

// Type names the kind of an accepted upload by its sniffed content type:
// image, video or pdf; "" refuses it.
func Type(mime string) string {
	switch mime {
	case "image/png", "image/jpeg", "image/webp":
		return "image"
	case "video/mp4":
		return "video"
	case "application/pdf":
		return "pdf"
	}
	return ""
}

var shaPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// TooLarge is the error for a file over MaxBytes.
func TooLarge() error {
	return hall.Errorf(hall.ETooLarge, "file exceeds %d MiB", MaxBytes>>20)
}

// Put stores the file read from src, named name by the uploader, for actor,
// and returns its record. A file stored before is kept as it is.
func (l *Library) Put(ctx context.Context, actor *hall.User, src io.Reader, name string) (*hall.Media, error) {
	if !actor.Has(hall.RoleEditor) {
		return nil, hall.Errorf(hall.EForbidden, "only editors upload media")
	}
	if l.Dir == "" {
		return nil, hall.Errorf(hall.ENotFound, "media storage is not configured")
	}
	if err := os.MkdirAll(filepath.Join(l.Dir, "tmp"), 0o750); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Join(l.Dir, "tmp"), "upload-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	head := make([]byte, 512)
	n, err := io.ReadFull(src, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, uploadErr(err)
	}
	head = head[:n]
	if n == 0 {
		return nil, hall.FieldError("file", "the file is empty")
	}
	mime := http.DetectContentType(head)
	typ := Type(mime)
	if typ == "" {
		return nil, hall.FieldError("file", "unsupported file type %s: upload PNG, JPEG, WebP, MP4 or PDF", mime)
	}
	size, err := io.Copy(io.MultiWriter(tmp, h), io.MultiReader(bytes.NewReader(head), io.LimitReader(src, MaxBytes+1-int64(n))))
	if err != nil {
		return nil, uploadErr(err)
	}
	if size > MaxBytes {
		return nil, TooLarge()
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if len([]rune(name)) > 200 {
		name = string([]rune(name)[:200])
	}
	name = filepath.Base(name)
	if typ == "pdf" {
		// The privacy guard reads the PDF's text before it is kept.
		if err := checkPDF(tmp, size, name, "file"); err != nil {
			return nil, err
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := l.path(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return nil, err
	}
	if _, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(tmp.Name(), dst); err != nil {
			return nil, fmt.Errorf("store media: %w", err)
		}
	}
	m := &hall.Media{SHA256: sum, Type: typ, MIME: mime, Size: size, Name: name, CreatedBy: actor.Username, CreatedAt: l.Now().UTC()}
	if err := l.Store.PutMedia(hall.Audited(ctx, l.Now(), actor.Username, "media.upload", sum, m.Name), m); err != nil {
		return nil, err
	}
	return m, nil
}

func uploadErr(err error) error {
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return TooLarge()
	}
	return hall.Errorf(hall.EValidation, "upload interrupted: %v", err)
}

func (l *Library) path(sum string) string {
	return filepath.Join(l.Dir, sum[:2], sum)
}

// RemoveFile deletes a stored file (not its record); a missing file is not
// an error. Redaction calls it for files nothing else references.
func (l *Library) RemoveFile(ctx context.Context, sum string) error {
	if !shaPattern.MatchString(sum) || l.Dir == "" {
		return nil
	}
	if err := os.Remove(l.path(sum)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove media file %s: %w", sum, err)
	}
	return nil
}

// Open returns a stored file's record and the file, for serving.
func (l *Library) Open(ctx context.Context, sum string) (*hall.Media, *os.File, error) {
	if !shaPattern.MatchString(sum) {
		return nil, nil, hall.NotFound("media", sum)
	}
	m, err := l.Store.Media(ctx, sum)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.Open(l.path(sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, hall.NotFound("media file", sum)
	} else if err != nil {
		return nil, nil, err
	}
	return m, f, nil
}
