package httpapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"

	kioskui "github.com/hallcast/hallcast/kiosk-ui"
)

// workerServer serves the two device workers from fsys, as routes does.
func workerServer(t *testing.T, fsys fs.FS) *httptest.Server {
	t.Helper()
	pc, err := newPageCache(fsys)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{pages: pc, logger: slog.New(slog.DiscardHandler)}
	e := echo.New()
	e.HTTPErrorHandler = s.handleError
	e.GET("/player-sw.js", s.worker("player"))
	e.GET("/kiosk-sw.js", s.worker("kiosk"))
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

// getWorker fetches a worker and splits it into its first line's
// configuration and the script that follows.
func getWorker(t *testing.T, srv *httptest.Server, path string) (workerConfig, string, *http.Response) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", path, resp.Status, b)
	}
	_, rest, ok := strings.Cut(string(b), "self.hallcastWorker = ")
	line, script, ok2 := strings.Cut(rest, ";\n")
	if !ok || !ok2 {
		t.Fatalf("GET %s: no self.hallcastWorker line in\n%.300s", path, b)
	}
	var cfg workerConfig
	if err := json.Unmarshal([]byte(line), &cfg); err != nil {
		t.Fatalf("GET %s: configuration %q: %v", path, line, err)
	}
	return cfg, script, resp
}

// TestWorkerPrecachesEmbeddedFiles checks the served workers against the
// real embedded front-ends: each precaches its page and exactly the files
// under shared/ and its own folder, and runs shared/sw.js.
func TestWorkerPrecachesEmbeddedFiles(t *testing.T) {
	fsys := kioskui.FS()
	srv := workerServer(t, fsys)
	script, err := fs.ReadFile(fsys, workerScript)
	if err != nil {
		t.Fatal(err)
	}
	for _, device := range []string{"player", "kiosk"} {
		t.Run(device, func(t *testing.T) {
			cfg, body, resp := getWorker(t, srv, "/"+device+"-sw.js")
			if got := resp.Header.Get("Content-Type"); !strings.Contains(got, "javascript") {
				t.Errorf("Content-Type %q, want JavaScript", got)
			}
			if got := resp.Header.Get("Service-Worker-Allowed"); got != "/" {
				t.Errorf("Service-Worker-Allowed %q, want /", got)
			}
			if body != string(script) {
				t.Errorf("the worker's script is not %s", workerScript)
			}
			want := []string{"/" + device}
			for _, dir := range []string{"shared", device} {
				err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
					if err == nil && !d.IsDir() && p != workerScript {
						want = append(want, "/ui/"+p)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			slices.Sort(want[1:])
			if cfg.Device != device || cfg.Page != "/"+device || len(cfg.Version) != 16 {
				t.Errorf("configuration %+v, want device %s, page /%s and a 16-digit version", cfg, device, device)
			}
			if !slices.Equal(cfg.Precache, want) {
				t.Errorf("precache\n%v\nwant\n%v", cfg.Precache, want)
			}
			for _, u := range []string{"/ui/shared/runtime.js", "/ui/" + device + "/main.js", "/ui/" + device + "/index.html"} {
				if !slices.Contains(cfg.Precache, u) {
					t.Errorf("precache lacks %s", u)
				}
			}

			req, _ := http.NewRequest("GET", srv.URL+"/"+device+"-sw.js", nil)
			req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
			again, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			again.Body.Close()
			if again.StatusCode != http.StatusNotModified {
				t.Errorf("revalidation with the ETag: %s, want 304", again.Status)
			}
		})
	}
}

// TestWorkerVersion checks that a worker's version follows the contents of
// the files it precaches, and only those.
func TestWorkerVersion(t *testing.T) {
	base := func() fstest.MapFS {
		return fstest.MapFS{
			"shared/sw.js":      {Data: []byte("// worker\n")},
			"shared/runtime.js": {Data: []byte("export {}\n")},
			"player/index.html": {Data: []byte("<!doctype html>")},
			"player/main.js":    {Data: []byte("// player\n")},
			"kiosk/index.html":  {Data: []byte("<!doctype html>")},
			"kiosk/main.js":     {Data: []byte("// kiosk\n")},
			"admin/main.js":     {Data: []byte("// console\n")},
		}
	}
	versions := func(t *testing.T, fsys fs.FS) (player, kiosk workerConfig) {
		t.Helper()
		srv := workerServer(t, fsys)
		player, _, _ = getWorker(t, srv, "/player-sw.js")
		kiosk, _, _ = getWorker(t, srv, "/kiosk-sw.js")
		return player, kiosk
	}
	p0, k0 := versions(t, base())
	if want := []string{"/kiosk", "/ui/kiosk/index.html", "/ui/kiosk/main.js", "/ui/shared/runtime.js"}; !slices.Equal(k0.Precache, want) {
		t.Errorf("kiosk precache %v, want %v", k0.Precache, want)
	}
	if p0.Version == k0.Version {
		t.Errorf("player and kiosk share version %s, but not their files", p0.Version)
	}
	tests := []struct {
		name                string
		file                string
		player, kioskChange bool
	}{
		{"PlayerFile", "player/main.js", true, false},
		{"KioskFile", "kiosk/main.js", false, true},
		{"SharedFile", "shared/runtime.js", true, true},
		{"Worker", "shared/sw.js", true, true},
		{"ConsoleFile", "admin/main.js", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := base()
			fsys[tt.file] = &fstest.MapFile{Data: append(fsys[tt.file].Data, ' ')}
			p, k := versions(t, fsys)
			if got := p.Version != p0.Version; got != tt.player {
				t.Errorf("player version changed: %v, want %v", got, tt.player)
			}
			if got := k.Version != k0.Version; got != tt.kioskChange {
				t.Errorf("kiosk version changed: %v, want %v", got, tt.kioskChange)
			}
		})
	}

	t.Run("NoWorkerScript", func(t *testing.T) {
		fsys := base()
		delete(fsys, "shared/sw.js")
		srv := workerServer(t, fsys)
		resp, err := http.Get(srv.URL + "/player-sw.js")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /player-sw.js without shared/sw.js: %s, want 404", resp.Status)
		}
	})
}

// TestStaticFilesGzipped: a text file is served gzipped to a client that
// accepts it, with its own ETag and Vary: Accept-Encoding, and as is to one
// that does not; small files are never compressed.
func TestStaticFilesGzipped(t *testing.T) {
	text := strings.Repeat("你好\tnihao\n", 2000)
	h := newHarnessWith(t, func(d *Deps) {
		ui := d.UI.(fstest.MapFS)
		ui["kiosk/data/pinyin.tsv"] = &fstest.MapFile{Data: []byte(text)}
	})
	get := func(path, accept, match string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", accept) // set, so the client does not decode it itself
		if match != "" {
			req.Header.Set("If-None-Match", match)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, b := get("/ui/kiosk/data/pinyin.tsv", "gzip, deflate, br", "")
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers %v, want gzip with Vary", resp.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != text || len(b) >= len(text)/5 {
		t.Errorf("gzipped %d bytes decode to %d, want the file's %d (and far fewer bytes)", len(b), len(plain), len(text))
	}
	gzTag := resp.Header.Get("ETag")
	if r, _ := get("/ui/kiosk/data/pinyin.tsv", "gzip", gzTag); r.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating the gzipped file: %d, want 304", r.StatusCode)
	}
	resp, b = get("/ui/kiosk/data/pinyin.tsv", "identity", "")
	if resp.Header.Get("Content-Encoding") != "" || string(b) != text || resp.Header.Get("ETag") == gzTag {
		t.Errorf("without gzip: encoding %q, %d bytes, ETag %s (gzipped %s)", resp.Header.Get("Content-Encoding"), len(b), resp.Header.Get("ETag"), gzTag)
	}
	if r, _ := get("/ui/kiosk/data/pinyin.tsv", "gzip;q=0", ""); r.Header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 still got gzip")
	}
	if r, _ := get("/ui/shared/app.js", "gzip", ""); r.Header.Get("Content-Encoding") != "" {
		t.Error("a file under 1 KiB was gzipped")
	}
}
