package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/hall"
)

// pageCache holds the embedded front-end files with their ETags, and text
// files gzipped, computed once at start-up (the files cannot change while
// the binary runs).
type pageCache struct {
	files map[string]cachedFile
}

type cachedFile struct {
	body []byte
	etag string
	typ  string
	// gz is the body gzipped, for text files where that saves at least a
	// tenth (nil otherwise); its ETag is etag with "-gz" inside the quotes.
	gz []byte
}

// gzipMin is the smallest body worth compressing.
const gzipMin = 1024

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
		typ := mime.TypeByExtension(path.Ext(p))
		if typ == "" {
			typ = "application/octet-stream"
		}
		pc.files[p] = newCachedFile(b, typ)
		return nil
	})
	return pc, err
}

func newCachedFile(body []byte, typ string) cachedFile {
	sum := sha256.Sum256(body)
	f := cachedFile{body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, typ: typ}
	if len(body) >= gzipMin && compressible(typ) {
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // the level is valid
		w.Write(body)
		w.Close()
		if b.Len() <= len(body)*9/10 {
			f.gz = b.Bytes()
		}
	}
	return f
}

// compressible says whether a type is text that gzip shrinks.
func compressible(typ string) bool {
	mt, _, _ := mime.ParseMediaType(typ)
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "image/svg+xml" ||
		strings.HasSuffix(mt, "javascript")
}

// acceptsGzip reads Accept-Encoding: gzip listed without q=0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// serve writes one embedded file with its ETag, revalidated on every use.
func (pc *pageCache) serve(c echo.Context, name string) error {
	f, ok := pc.files[name]
	if !ok {
		return hall.Errorf(hall.ENotFound, "no such file")
	}
	return writeCached(c, f)
}

func writeCached(c echo.Context, f cachedFile) error {
	h := c.Response().Header()
	etag, body := f.etag, f.body
	if f.gz != nil {
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(c.Request()) {
			etag, body = strings.TrimSuffix(f.etag, `"`)+`-gz"`, f.gz
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	if match := c.Request().Header.Get("If-None-Match"); match != "" && match == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, f.typ, body)
}

// workerScript is the service worker both devices share.
const workerScript = "shared/sw.js"

// workerConfig is what the served worker learns from its first line.
type workerConfig struct {
	Device   string   `json:"device"`
	Page     string   `json:"page"`
	Version  string   `json:"version"`
	Precache []string `json:"precache"`
}

// worker builds the service worker of a device (served at /<device>-sw.js):
// shared/sw.js preceded by a line that names the device's page, every
// embedded file under shared/ and <device>/ for it to precache, and a hash
// of the script and of those files, so that a build that changes any of
// them changes the worker and replaces its cache. The list is made from the
// embedded files, so it cannot miss one. ok is false without shared/sw.js.
func (pc *pageCache) worker(device string) (cachedFile, bool) {
	script, ok := pc.files[workerScript]
	if !ok {
		return cachedFile{}, false
	}
	var names []string
	for name := range pc.files {
		if name != workerScript && (strings.HasPrefix(name, "shared/") || strings.HasPrefix(name, device+"/")) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	h := sha256.New()
	for _, name := range append([]string{workerScript}, names...) {
		body := pc.files[name].body
		h.Write(binary.AppendUvarint([]byte(name+"\x00"), uint64(len(body))))
		h.Write(body)
	}
	cfg := workerConfig{Device: device, Page: "/" + device, Version: hex.EncodeToString(h.Sum(nil)[:8]), Precache: []string{"/" + device}}
	for _, name := range names {
		cfg.Precache = append(cfg.Precache, "/ui/"+name)
	}
	line, err := json.Marshal(cfg)
	if err != nil {
		return cachedFile{}, false // cannot happen: strings only
	}
	var b strings.Builder
	b.WriteString("// Written by the server from the embedded files of this build.\nself.hallcastWorker = ")
	b.Write(line)
	b.WriteString(";\n")
	b.Write(script.body)
	return newCachedFile([]byte(b.String()), script.typ), true
}

// page serves a front-end's HTML entry point.
func (s *Server) page(name string) echo.HandlerFunc {
	return func(c echo.Context) error { return s.pages.serve(c, name) }
}

// worker serves a device's service worker (see pageCache.worker), built
// once here; it may control the whole site.
func (s *Server) worker(device string) echo.HandlerFunc {
	f, ok := s.pages.worker(device)
	return func(c echo.Context) error {
		if !ok {
			return hall.Errorf(hall.ENotFound, "no such file")
		}
		c.Response().Header().Set("Service-Worker-Allowed", "/")
		return writeCached(c, f)
	}
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
