package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"

	"github.com/hallcast/hallcast/server/app"
	"github.com/hallcast/hallcast/server/archivexport"
	"github.com/hallcast/hallcast/server/hall"
)

// exportFixture is a deployment whose clock stood in 2025 and early 2026
// while items were published: two categories, three months, a withdrawal,
// an item on a village's board with a picture, and one item published in
// the first hour of 2026 in Shanghai (still 2025 in UTC).
type exportFixture struct {
	dir       string
	store     string               // "sqlite" or a Redis URL
	published map[string]time.Time // title → publish time
	withdrawn string               // title of the withdrawn item
}

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	z, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func newExportFixture(t *testing.T, store string) *exportFixture {
	t.Helper()
	ctx := context.Background()
	cst := shanghai(t)
	fx := &exportFixture{dir: t.TempDir(), store: store, published: map[string]time.Time{}}
	clock := time.Date(2025, 3, 1, 9, 0, 0, 0, cst)
	a, err := open(ctx, &storeConfig{dataDir: fx.dir, store: store}, slog.New(slog.DiscardHandler), prometheus.NewRegistry(),
		func(c *app.Config) { c.Now = func() time.Time { return clock } })
	if err != nil {
		t.Fatal(err)
	}
	defer a.store.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.store.PutDepartment(ctx, &hall.Department{Key: "finance", Name: hall.Text{ZH: "财政所"}}))
	must(a.store.PutDepartment(ctx, &hall.Department{Key: "civil", Name: hall.Text{ZH: "民政办"}}))
	must(a.store.PutCategory(ctx, &hall.Category{Key: "finance", Name: hall.Text{ZH: "财务公开"}, Cadence: hall.CadenceMonthly, Group: hall.GroupFinance}))
	must(a.store.PutCategory(ctx, &hall.Category{Key: "relief", Name: hall.Text{ZH: "救灾救济"}, Cadence: hall.CadenceOnce, Immediate: true}))
	village := &hall.Hall{ID: "dongcun", Name: "东村村务公开栏", Kind: hall.HallVillage, TZ: "Asia/Shanghai"}
	must(village.Validate())
	must(a.store.CreateHall(ctx, village))

	editor := &hall.User{Username: "zhang", Role: hall.RoleEditor, Departments: []string{"finance", "civil"}}
	reviewer := &hall.User{Username: "wang", Role: hall.RoleReviewer}
	publish := func(at time.Time, it *hall.Item) string {
		t.Helper()
		clock = at
		must(a.svc.Desk.CreateDraft(ctx, editor, it))
		sub, err := a.svc.Desk.Submit(ctx, editor, it.ID)
		must(err)
		_, err = a.svc.Desk.Approve(ctx, reviewer, it.ID, sub.Version)
		must(err)
		_, err = a.svc.Desk.Publish(ctx, reviewer, it.ID, "")
		must(err)
		fx.published[it.Title] = at
		return it.ID
	}
	budget := func(fen int64) *int64 { return &fen }
	lines := []hall.FinanceLine{{Code: "1", Name: "一般公共预算支出合计", Amount: 0, Budget: budget(0)}}
	var total, totalBudget int64
	for i := range 24 {
		amount, b := int64(1234567890+i*1000), int64(1300000000+i*1000)
		total, totalBudget = total+amount, totalBudget+b
		lines = append(lines, hall.FinanceLine{Code: fmt.Sprintf("1.%02d", i), Parent: "1",
			Name: fmt.Sprintf("第%d项：农村人居环境整治提升及基础设施建设专项资金（含道路硬化、饮水安全巩固、垃圾分类收运）", i+1), Amount: amount, Budget: &b})
	}
	lines[0].Amount, lines[0].Budget = total, &totalBudget
	publish(time.Date(2025, 3, 10, 10, 0, 0, 0, cst), &hall.Item{Category: "finance", Department: "finance",
		Title: "2025年2月财务收支明细公开", Body: "本月收支明细如下，欢迎群众监督。",
		Finance: &hall.Finance{Currency: "CNY", Unit: "yuan", Lines: lines}})
	fx.withdrawn = "春季救灾物资发放名单公示"
	relief := publish(time.Date(2025, 3, 20, 15, 30, 0, 0, cst), &hall.Item{Category: "relief", Department: "civil",
		Title: fx.withdrawn, Body: "救灾物资已按户发放，详见附表。"})
	clock = time.Date(2025, 5, 2, 9, 0, 0, 0, cst)
	_, err = a.svc.Desk.Withdraw(ctx, reviewer, relief, "名单有误，更正后重新公示")
	must(err)

	var pic bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{R: 200, A: 255})
	}
	must(png.Encode(&pic, img))
	m, err := a.svc.Media.Put(ctx, editor, &pic, "现场照片.png")
	must(err)
	publish(time.Date(2025, 6, 15, 11, 0, 0, 0, cst), &hall.Item{Category: "relief", Department: "civil", Hall: "dongcun",
		Title: "东村防汛物资储备情况", Body: "防汛物资储备到位。\n\n| 物资 | 数量 |\n|---|---|\n| 沙袋 | 2000 |",
		Assets: []hall.Asset{{URL: "/media/" + m.SHA256, Type: "image", Name: "现场照片.png"}}})
	publish(time.Date(2025, 6, 28, 16, 0, 0, 0, cst), &hall.Item{Category: "finance", Department: "finance",
		Title: "2025年5月财务收支公开", Body: "收支总额见下表。",
		Finance: &hall.Finance{Currency: "CNY", Unit: "wan", Lines: []hall.FinanceLine{{Code: "a", Name: "收入", Amount: 5_000_000_00}}}})
	publish(time.Date(2024, 12, 31, 23, 30, 0, 0, cst), &hall.Item{Category: "finance", Department: "finance",
		Title: "2024年度决算公开", Body: "去年的。"})
	publish(time.Date(2026, 1, 1, 0, 30, 0, 0, cst), &hall.Item{Category: "finance", Department: "finance",
		Title: "2025年12月财务收支公开", Body: "新年第一条。"})
	return fx
}

var (
	pageTitle     = regexp.MustCompile(`<h1 id="title">([^<]*)</h1>`)
	pagePublished = regexp.MustCompile(`<dd id="published">([^<]*)</dd>`)
	pageIndex     = regexp.MustCompile(`<dd id="archive-index">#([0-9]+)</dd>`)
)

// TestArchiveExport: a year's export holds exactly the revisions published
// in that year (in Shanghai time), each page agreeing with its leaf, and
// verify-export passes; an altered leaf or page fails it, naming the file.
func TestArchiveExport(t *testing.T) {
	fx := newExportFixture(t, "sqlite")
	ctx := context.Background()
	cst := shanghai(t)
	out := filepath.Join(t.TempDir(), "archive-2025")
	var stdout, stderr bytes.Buffer
	args := []string{"archive", "export", "--data", fx.dir, "--year", "2025", "--to", out, "--public-url", "https://hall.example.gov.cn/"}
	if err := run(ctx, args, envOf(nil), nil, &stdout, &stderr); err != nil {
		t.Fatalf("archive export: %v\n%s", err, stderr.String())
	}
	t.Log(stdout.String())
	if keep := os.Getenv("HALLCAST_TEST_KEEP_EXPORT"); keep != "" {
		t.Cleanup(func() { _ = os.CopyFS(keep, os.DirFS(out)) })
	}

	var m archivexport.Manifest
	data, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}

	// The pages are the 2025 publications, checked against the archive.
	a, err := open(ctx, &storeConfig{dataDir: fx.dir, store: "sqlite"}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.store.Close()
	entries, _, err := a.log.Entries(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range entries {
		if e.Kind == hall.EntryPublish && e.At.In(cst).Year() == 2025 {
			rev, _, err := hall.DecodeEntry(e)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, rev.Title)
		}
	}
	var got []string
	for _, p := range m.Pages {
		got = append(got, p.Title)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || len(got) != 4 {
		t.Fatalf("pages %q, want the 4 publications of 2025 %q", got, want)
	}
	months := map[string]bool{}
	for _, p := range m.Pages {
		months[p.Category+"/"+p.Month] = true
		page, err := os.ReadFile(filepath.Join(out, p.Path))
		if err != nil {
			t.Fatal(err)
		}
		e := entries[p.Index]
		rev, _, err := hall.DecodeEntry(e)
		if err != nil {
			t.Fatal(err)
		}
		if g := pageIndex.FindSubmatch(page); g == nil || string(g[1]) != fmt.Sprint(e.Index) {
			t.Errorf("%s: archive index %q, want %d", p.Path, g, e.Index)
		}
		if g := pageTitle.FindSubmatch(page); g == nil || html.UnescapeString(string(g[1])) != rev.Title {
			t.Errorf("%s: title %q, want %q", p.Path, g, rev.Title)
		}
		wantDate := rev.PublishedAt.In(cst).Format("2006-01-02 15:04")
		if g := pagePublished.FindSubmatch(page); g == nil || !strings.HasPrefix(string(g[1]), wantDate) {
			t.Errorf("%s: published %q, want %s", p.Path, g, wantDate)
		}
		if !rev.PublishedAt.Equal(fx.published[rev.Title]) {
			t.Errorf("%s: leaf published at %s, the fixture published it at %s", p.Path, rev.PublishedAt, fx.published[rev.Title])
		}
		if !strings.HasPrefix(p.Path, rev.Category+"/"+rev.PublishedAt.In(cst).Format("2006-01")+"/") {
			t.Errorf("page %s is not filed under %s and its month", p.Path, rev.Category)
		}
		if !bytes.Contains(page, []byte("https://hall.example.gov.cn/p/"+rev.ID+"?rev=1")) || !bytes.Contains(page, []byte(`src="data:image/png;base64,`)) {
			t.Errorf("%s: no QR code to its public page", p.Path)
		}
		for _, bad := range []string{"<script", "http://", `src="/`, `href="/`, "<link"} {
			if bytes.Contains(page, []byte(bad)) {
				t.Errorf("%s: contains %q: not self-contained", p.Path, bad)
			}
		}
		if rev.Title == fx.withdrawn && !bytes.Contains(page, []byte("撤回 Withdrawn</strong> 2025-05-02 09:00")) {
			t.Errorf("%s: no withdrawal date", p.Path)
		}
		if rev.Hall == "dongcun" && (!bytes.Contains(page, []byte("东村村务公开栏")) || !bytes.Contains(page, []byte(`<img src="data:image/png;base64,`))) {
			t.Errorf("%s: no board name or embedded picture", p.Path)
		}
	}
	if len(months) != 4 {
		t.Errorf("pages filed under %v, want two categories in two months each", months)
	}
	index, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Pages {
		if !bytes.Contains(index, []byte(`href="`+p.Path+`"`)) {
			t.Errorf("index.html does not link %s", p.Path)
		}
	}
	for _, f := range []string{"checkpoint.txt", "archive.pub", "VERIFY.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	pub, _ := os.ReadFile(filepath.Join(fx.dir, "archive.pub"))
	if got, _ := os.ReadFile(filepath.Join(out, "archive.pub")); !bytes.Equal(got, pub) {
		t.Errorf("archive.pub %q, want the data directory's %q", got, pub)
	}

	verify := func() (string, error) {
		var o, e bytes.Buffer
		err := run(ctx, []string{"archive", "verify-export", out}, envOf(nil), nil, &o, &e)
		return o.String() + e.String(), err
	}
	if msg, err := verify(); err != nil {
		t.Fatalf("verify-export of a fresh export: %v\n%s", err, msg)
	}

	t.Run("TamperedLeaf", func(t *testing.T) {
		name := filepath.Join(out, "leaves", archivexport.LeafName(m.Pages[0].Index))
		orig := restoreLater(t, name)
		altered := bytes.Replace(orig, []byte(`"publish"`), []byte(`"publish" `), 1)
		if bytes.Equal(altered, orig) {
			t.Fatal("the leaf does not name its kind")
		}
		if err := os.WriteFile(name, altered, 0o644); err != nil {
			t.Fatal(err)
		}
		msg, err := verify()
		t.Log(msg)
		if err == nil || !strings.Contains(msg, "leaves/"+archivexport.LeafName(m.Pages[0].Index)) {
			t.Fatalf("verify-export of an altered leaf: %v, want a failure naming it:\n%s", err, msg)
		}
	})
	t.Run("TamperedContent", func(t *testing.T) {
		// The leaf commits to its revision by a salted hash; the content
		// beside it is what the page shows.
		name := filepath.Join(out, "leaves", archivexport.LeafName(m.Pages[0].Index)+archivexport.ContentSuffix)
		orig := restoreLater(t, name)
		altered := bytes.Replace(orig, []byte(m.Pages[0].Title), []byte("改过的标题"), 1)
		if bytes.Equal(altered, orig) {
			t.Fatal("the content beside the leaf does not hold the title")
		}
		if err := os.WriteFile(name, altered, 0o644); err != nil {
			t.Fatal(err)
		}
		msg, err := verify()
		t.Log(msg)
		if err == nil || !strings.Contains(msg, "leaves/"+archivexport.LeafName(m.Pages[0].Index)) {
			t.Fatalf("verify-export of altered content: %v, want a failure naming its leaf:\n%s", err, msg)
		}
	})
	t.Run("TamperedPageHash", func(t *testing.T) {
		p := m.Pages[1]
		name := filepath.Join(out, p.Path)
		orig := restoreLater(t, name)
		meta := regexp.MustCompile(`<meta name="hallcast-leaf-hash" content="[^"]*">`)
		altered := meta.ReplaceAll(orig, []byte(`<meta name="hallcast-leaf-hash" content="`+m.Pages[0].LeafHash+`">`))
		if bytes.Equal(altered, orig) {
			t.Fatal("the page does not embed its leaf hash")
		}
		if err := os.WriteFile(name, altered, 0o644); err != nil {
			t.Fatal(err)
		}
		msg, err := verify()
		t.Log(msg)
		if err == nil || !strings.Contains(msg, p.Path) {
			t.Fatalf("verify-export of a page with another leaf's hash: %v, want a failure naming %s:\n%s", err, p.Path, msg)
		}
	})
	t.Run("TamperedPageTitle", func(t *testing.T) {
		p := m.Pages[2]
		name := filepath.Join(out, p.Path)
		orig := restoreLater(t, name)
		altered := bytes.Replace(orig, []byte(`<h1 id="title">`), []byte(`<h1 id="title">更正：`), 1)
		if err := os.WriteFile(name, altered, 0o644); err != nil {
			t.Fatal(err)
		}
		msg, err := verify()
		t.Log(msg)
		if err == nil || !strings.Contains(msg, p.Path) {
			t.Fatalf("verify-export of an edited page: %v, want a failure naming %s:\n%s", err, p.Path, msg)
		}
	})
	t.Run("TamperedProof", func(t *testing.T) {
		i := m.Leaves[len(m.Leaves)-1]
		name := filepath.Join(out, "proofs", archivexport.LeafName(i)+".json")
		orig := restoreLater(t, name)
		var p archivexport.Proof
		if err := json.Unmarshal(orig, &p); err != nil || len(p.Proof) == 0 {
			t.Fatalf("proof %s: %v %+v", name, err, p)
		}
		p.Proof[0] = m.Checkpoint.Root // a hash, but not the sibling's
		altered, _ := json.Marshal(p)
		if err := os.WriteFile(name, altered, 0o644); err != nil {
			t.Fatal(err)
		}
		msg, err := verify()
		t.Log(msg)
		if err == nil || !strings.Contains(msg, "leaves/"+archivexport.LeafName(i)+": not in the signed tree") {
			t.Fatalf("verify-export with a wrong audit path: %v, want a failure naming the leaf:\n%s", err, msg)
		}
	})
	t.Run("ForeignKey", func(t *testing.T) {
		name := filepath.Join(out, "archive.pub")
		restoreLater(t, name)
		_, other, err := note.GenerateKey(nil, "hallcast.archive")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(other+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		msg, err := verify()
		t.Log(msg)
		if err == nil || !strings.Contains(msg, "checkpoint.txt:") {
			t.Fatalf("verify-export with another key: %v, want a failure naming checkpoint.txt:\n%s", err, msg)
		}
	})
	t.Run("TamperedMedia", func(t *testing.T) {
		if len(m.Media) != 1 {
			t.Fatalf("media %v, want the picture", m.Media)
		}
		name := filepath.Join(out, "media", m.Media[0])
		orig := restoreLater(t, name)
		if err := os.WriteFile(name, append(slices.Clone(orig), 0), 0o644); err != nil {
			t.Fatal(err)
		}
		msg, err := verify()
		t.Log(msg)
		if err == nil || !strings.Contains(msg, "media/"+m.Media[0]+": its sha256 is") {
			t.Fatalf("verify-export with an altered picture: %v, want a failure naming it:\n%s", err, msg)
		}
	})
	t.Run("AddedPage", func(t *testing.T) {
		name := filepath.Join(out, m.Pages[0].Category, "2025-12", "forged-r1.html")
		page, err := os.ReadFile(filepath.Join(out, m.Pages[0].Path))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, page, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(filepath.Dir(name)) })
		msg, err := verify()
		t.Log(msg)
		if err == nil || !strings.Contains(msg, m.Pages[0].Category+"/2025-12/forged-r1.html: a page the manifest does not list") {
			t.Fatalf("verify-export with a page added: %v, want a failure naming it:\n%s", err, msg)
		}
	})
	t.Run("RemovedPage", func(t *testing.T) {
		// A page removed with its line in the manifest and the index: its
		// leaf is still among the year's.
		p := m.Pages[1]
		page := filepath.Join(out, p.Path)
		restoreLater(t, page)
		manifest := filepath.Join(out, "manifest.json")
		origManifest := restoreLater(t, manifest)
		var edited archivexport.Manifest
		if err := json.Unmarshal(origManifest, &edited); err != nil {
			t.Fatal(err)
		}
		edited.Pages = slices.Delete(slices.Clone(edited.Pages), 1, 2)
		data, _ := json.MarshalIndent(edited, "", "  ")
		if err := os.WriteFile(manifest, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(page); err != nil {
			t.Fatal(err)
		}
		msg, err := verify()
		t.Log(msg)
		if err == nil || !strings.Contains(msg, "leaves/"+archivexport.LeafName(p.Index)+": a revision published in 2025") {
			t.Fatalf("verify-export with a page removed: %v, want a failure naming its leaf:\n%s", err, msg)
		}
	})
	t.Run("OtherYears", func(t *testing.T) {
		parent := t.TempDir()
		empty := filepath.Join(parent, "2024")
		if err := os.Mkdir(empty, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ year, dir, title string }{
			{"2024", empty, "2024年度决算公开"},                             // 23:30 on 31 December in Shanghai
			{"2026", filepath.Join(parent, "2026"), "2025年12月财务收支公开"}, // 00:30 on 1 January in Shanghai, 2025 in UTC
		} {
			var o, e bytes.Buffer
			if err := run(ctx, []string{"archive", "export", "--data", fx.dir, "--year", c.year, "--to", c.dir}, envOf(nil), nil, &o, &e); err != nil {
				t.Fatalf("export %s: %v\n%s", c.year, err, e.String())
			}
			var got archivexport.Manifest
			data, err := os.ReadFile(filepath.Join(c.dir, "manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Pages) != 1 || got.Pages[0].Title != c.title {
				t.Errorf("export of %s: pages %+v, want only %q", c.year, got.Pages, c.title)
			}
			if err := run(ctx, []string{"archive", "verify-export", c.dir}, envOf(nil), nil, &o, &e); err != nil {
				t.Errorf("verify-export of %s: %v\n%s", c.year, err, o.String())
			}
		}
		if entries, _ := os.ReadDir(parent); len(entries) != 2 {
			t.Errorf("the exports left %d entries beside them, want the 2 exports", len(entries))
		}
	})
	t.Run("RefusesNonEmptyDir", func(t *testing.T) {
		before, _ := os.ReadFile(filepath.Join(out, "index.html"))
		var o, e bytes.Buffer
		args := []string{"archive", "export", "--data", fx.dir, "--year", "2025", "--to", out}
		if err := run(ctx, args, envOf(nil), nil, &o, &e); err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("export into a non-empty directory: %v", err)
		}
		if after, _ := os.ReadFile(filepath.Join(out, "index.html")); !bytes.Equal(before, after) {
			t.Error("a refused export changed index.html")
		}
	})
	if msg, err := verify(); err != nil {
		t.Fatalf("verify-export after restoring every file: %v\n%s", err, msg)
	}
}

// restoreLater returns a file's bytes and puts them back when the test ends.
func restoreLater(t *testing.T, name string) []byte {
	t.Helper()
	orig, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(name, orig, 0o644); err != nil {
			t.Error(err)
		}
	})
	return orig
}

// TestItemQRRevision: qr.png?rev=N encodes the page of revision N (a QR
// code other than the item's), and refuses a revision never published.
func TestItemQRRevision(t *testing.T) {
	fx := newExportFixture(t, "sqlite")
	env := map[string]string{"HALLCAST_DATA": fx.dir, "HALLCAST_ADMIN_PASSWORD": hallAdminPassword, "HALLCAST_DEMO": "false"}
	base, _, _ := startServer(t, env)
	var list struct{ Items []struct{ ID string } }
	if code := getJSON(t, base+"/api/v1/public/items?category=finance", &list); code != 200 || len(list.Items) == 0 {
		t.Fatalf("public items: %d %+v", code, list)
	}
	get := func(query string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(base + "/api/v1/public/items/" + list.Items[0].ID + "/qr.png" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}
	code, plain := get("")
	if code != http.StatusOK {
		t.Fatalf("qr.png: %d", code)
	}
	code, rev := get("?rev=1")
	if code != http.StatusOK || !bytes.HasPrefix(rev, []byte("\x89PNG")) {
		t.Fatalf("qr.png?rev=1: %d", code)
	}
	if bytes.Equal(plain, rev) {
		t.Error("qr.png?rev=1 is the same QR code as qr.png")
	}
	for _, q := range []string{"?rev=2", "?rev=0", "?rev=x"} {
		if code, body := get(q); code != http.StatusUnprocessableEntity || !bytes.Contains(body, []byte(`"rev"`)) {
			t.Errorf("qr.png%s: %d %s, want 422 naming rev", q, code, body)
		}
	}
}

// TestArchiveExportOnRedis: the same export from a deployment on Redis
// verifies offline.
func TestArchiveExportOnRedis(t *testing.T) {
	url := startRedis(t, "--appendonly", "yes")
	fx := newExportFixture(t, url)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "archive-2025")
	var o, e bytes.Buffer
	args := []string{"archive", "export", "--data", fx.dir, "--store", url, "--year", "2025", "--to", out}
	if err := run(ctx, args, envOf(nil), nil, &o, &e); err != nil {
		t.Fatalf("archive export on Redis: %v\n%s", err, e.String())
	}
	if !strings.Contains(o.String(), "exported 4 pages and 6 leaves of 2025") {
		t.Errorf("archive export on Redis: %s", o.String())
	}
	o.Reset()
	if err := run(ctx, []string{"archive", "verify-export", out}, envOf(nil), nil, &o, &e); err != nil {
		t.Fatalf("verify-export: %v\n%s", err, o.String())
	}
}
