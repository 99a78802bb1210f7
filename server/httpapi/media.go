package httpapi

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/connlimit"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/media"
)

// An upload may take longer than the server's read timeout while it keeps
// coming: at least MediaMinRate bytes a second on average after
// MediaGrace (connlimit.MinRate).
const (
	MediaMinRate = 16 << 10
	MediaGrace   = 30 * time.Second
)

// uploadMedia stores a file from a multipart upload's "file" field.
func (s *Server) uploadMedia(c echo.Context) error {
	r := c.Request()
	if r.ContentLength > media.MaxBytes+1<<20 {
		return media.TooLarge()
	}
	if err := connlimit.MinRate(c.Response(), r, MediaGrace, MediaMinRate); err != nil {
		s.logger.Debug("media upload: no per-request read deadline", "err", err)
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, media.MaxBytes+1<<20)
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
			return media.TooLarge()
		}
		if err != nil {
			return hall.Errorf(hall.EValidation, "malformed upload: %v", err)
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		m, err := s.Media.Put(r.Context(), userOf(c), part, part.FileName())
		part.Close()
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, map[string]any{"url": m.URL(), "type": m.Type, "mime": m.MIME, "size": m.Size, "sha256": m.SHA256})
	}
}

// serveMedia serves an uploaded file: immutable, since its name is its hash.
func (s *Server) serveMedia(c echo.Context) error {
	m, f, err := s.Media.Open(c.Request().Context(), c.Param("sha"))
	if err != nil {
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
	h.Set("ETag", `"`+m.SHA256+`"`)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	http.ServeContent(c.Response(), c.Request(), "", st.ModTime(), f)
	return nil
}
