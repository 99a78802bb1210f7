package kioskui

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
)

// TestModuleImports checks how the front-ends depend on each other: every
// relative import names an embedded file; a front-end imports only its own
// folder and shared/; shared/ imports only shared/. The service workers
// precache shared/ and the device's own folder, so this also keeps their
// lists complete.
func TestModuleImports(t *testing.T) {
	// The static imports of an ES module: `import … from '…'`, `export …
	// from '…'` and `import '…'`.
	importRE := regexp.MustCompile(`(?m)^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?\s*['"]([^'"]+)['"]`)
	fsys := FS()
	checked := 0
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".js" {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		dir := path.Dir(p)
		for _, m := range importRE.FindAllStringSubmatch(string(b), -1) {
			spec := m[1]
			checked++
			if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") {
				t.Errorf("%s imports %q: want a relative path (no third-party code)", p, spec)
				continue
			}
			target := path.Join(dir, spec)
			if _, err := fs.Stat(fsys, target); err != nil {
				t.Errorf("%s imports %q: %s is not embedded", p, spec, target)
				continue
			}
			if top := strings.SplitN(target, "/", 2)[0]; top != "shared" && top != dir {
				t.Errorf("%s imports %s: a front-end imports only its own folder and shared/", p, target)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Errorf("found only %d imports: is the pattern still right?", checked)
	}
}

// TestPagesReferEmbeddedFiles checks that what each page loads from /ui/
// is embedded.
func TestPagesReferEmbeddedFiles(t *testing.T) {
	fsys := FS()
	ref := regexp.MustCompile(`(?:src|href)="/ui/([^"]+)"`)
	for _, page := range []string{"player/index.html", "kiosk/index.html", "admin/index.html", "public/index.html"} {
		b, err := fs.ReadFile(fsys, page)
		if err != nil {
			t.Fatal(err)
		}
		refs := ref.FindAllStringSubmatch(string(b), -1)
		if len(refs) == 0 {
			t.Errorf("%s loads nothing from /ui/", page)
		}
		for _, m := range refs {
			if _, err := fs.Stat(fsys, m[1]); err != nil {
				t.Errorf("%s loads /ui/%s, which is not embedded", page, m[1])
			}
		}
	}
}
