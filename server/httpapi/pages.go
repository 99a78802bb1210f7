package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/hall"
)

// pageCache holds the embedded front-end files with their ETags, computed
// once at start-up (the files cannot change while the binary runs).
type pageCache struct {
	files map[string]cachedFile
}

type cachedFile struct {
	body []byte
	etag string
	typ  string
}

func newPageCache(fsys fs.FS) (*pageCache, error) {
	pc := &pageCache{files: map[string]cachedFile{}}
	if fsys == nil {
		return pc, nil
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		typ := mime.TypeByExtension(path.Ext(p))
		if typ == "" {
			typ = "application/octet-stream"
		}
		pc.files[p] = cachedFile{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, typ: typ}
		return nil
	})
	return pc, err
}

// serve writes one cached file with its ETag, revalidated on every use.
func (pc *pageCache) serve(c echo.Context, name string) error {
	f, ok := pc.files[name]
	if !ok {
		return hall.Errorf(hall.ENotFound, "no such file")
	}
	h := c.Response().Header()
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	if strings.HasSuffix(name, "sw.js") {
		h.Set("Service-Worker-Allowed", "/")
	}
	if match := c.Request().Header.Get("If-None-Match"); match != "" && match == f.etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, f.typ, f.body)
}

// page serves a front-end's HTML entry point.
func (s *Server) page(name string) echo.HandlerFunc {
	return func(c echo.Context) error { return s.pages.serve(c, name) }
}

// asset serves one named file (a service worker at the site root).
func (s *Server) asset(name string) echo.HandlerFunc {
	return func(c echo.Context) error { return s.pages.serve(c, name) }
}

// uiFile serves /ui/<path> from the embedded front-ends. Only files that
// exist in the embedded tree are served, so no path can escape it.
func (s *Server) uiFile(c echo.Context) error {
	p := c.Param("*")
	clean := path.Clean("/" + p)[1:]
	if clean != p || strings.Contains(p, "..") || strings.HasPrefix(p, "/") {
		return hall.Errorf(hall.ENotFound, "no such file")
	}
	return s.pages.serve(c, clean)
}
