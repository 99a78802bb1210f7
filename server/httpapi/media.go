package httpapi

import (
	"bytes"
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

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/connlimit"
	"github.com/hallcast/hallcast/server/hall"
)

// MaxMediaBytes bounds one uploaded file.
const MaxMediaBytes = 200 << 20

// An upload may take longer than the server's read timeout while it keeps
// coming: at least MediaMinRate bytes a second on average after
// MediaGrace (connlimit.MinRate).
const (
	MediaMinRate = 16 << 10
	MediaGrace   = 30 * time.Second
)

// mediaType names the kind of an accepted upload by its sniffed content
// type: image, video or pdf; "" refuses it.
func mediaType(mime string) string {
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

// uploadMedia stores a file content-addressed under its SHA-256. The type
// is decided by the file's content, never by its name or declared type.
func (s *Server) uploadMedia(c echo.Context) error {
	if s.MediaDir == "" {
		return hall.Errorf(hall.ENotFound, "media storage is not configured")
	}
	r := c.Request()
	if r.ContentLength > MaxMediaBytes+1<<20 {
		return hall.Errorf(hall.ETooLarge, "file exceeds %d MiB", MaxMediaBytes>>20)
	}
	if err := connlimit.MinRate(c.Response(), r, MediaGrace, MediaMinRate); err != nil {
		s.logger.Debug("media upload: no per-request read deadline", "err", err)
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, MaxMediaBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return hall.Errorf(hall.EValidation, "want a multipart/form-data upload with a \"file\" field")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return hall.FieldError("file", "no file in the upload")
		}
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return hall.Errorf(hall.ETooLarge, "file exceeds %d MiB", MaxMediaBytes>>20)
		}
		if err != nil {
			return hall.Errorf(hall.EValidation, "malformed upload: %v", err)
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		m, err := s.storeMedia(c, part, part.FileName())
		part.Close()
		if err != nil {
			return err
		}
		c.Set(ctxAuditTarget, m.SHA256)
		return c.JSON(http.StatusCreated, map[string]any{"url": m.URL(), "type": m.Type, "mime": m.MIME, "size": m.Size, "sha256": m.SHA256})
	}
}

func (s *Server) storeMedia(c echo.Context, src io.Reader, name string) (*hall.Media, error) {
	if err := os.MkdirAll(filepath.Join(s.MediaDir, "tmp"), 0o750); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Join(s.MediaDir, "tmp"), "upload-*")
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
	typ := mediaType(mime)
	if typ == "" {
		return nil, hall.FieldError("file", "unsupported file type %s: upload PNG, JPEG, WebP, MP4 or PDF", mime)
	}
	size, err := io.Copy(io.MultiWriter(tmp, h), io.MultiReader(bytes.NewReader(head), io.LimitReader(src, MaxMediaBytes+1-int64(n))))
	if err != nil {
		return nil, uploadErr(err)
	}
	if size > MaxMediaBytes {
		return nil, hall.Errorf(hall.ETooLarge, "file exceeds %d MiB", MaxMediaBytes>>20)
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := s.mediaPath(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return nil, err
	}
	if _, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(tmp.Name(), dst); err != nil {
			return nil, fmt.Errorf("store media: %w", err)
		}
	}
	if len([]rune(name)) > 200 {
		name = string([]rune(name)[:200])
	}
	m := &hall.Media{SHA256: sum, Type: typ, MIME: mime, Size: size, Name: filepath.Base(name), CreatedBy: userOf(c).Username, CreatedAt: s.Now().UTC()}
	if err := s.Store.PutMedia(c.Request().Context(), m); err != nil {
		return nil, err
	}
	return m, nil
}

func uploadErr(err error) error {
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return hall.Errorf(hall.ETooLarge, "file exceeds %d MiB", MaxMediaBytes>>20)
	}
	return hall.Errorf(hall.EValidation, "upload interrupted: %v", err)
}

func (s *Server) mediaPath(sum string) string {
	return filepath.Join(s.MediaDir, sum[:2], sum)
}

// serveMedia serves an uploaded file: immutable, since its name is its hash.
func (s *Server) serveMedia(c echo.Context) error {
	sum := c.Param("sha")
	if !shaPattern.MatchString(sum) {
		return hall.NotFound("media", sum)
	}
	m, err := s.Store.Media(c.Request().Context(), sum)
	if err != nil {
		return err
	}
	f, err := os.Open(s.mediaPath(sum))
	if errors.Is(err, os.ErrNotExist) {
		return hall.NotFound("media file", sum)
	} else if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", m.MIME)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+sum+`"`)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	http.ServeContent(c.Response(), c.Request(), "", st.ModTime(), f)
	return nil
}
