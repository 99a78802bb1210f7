package archivexport

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"
	"golang.org/x/mod/sumdb/tlog"

	kioskui "github.com/hallcast/hallcast/kiosk-ui"
	"github.com/hallcast/hallcast/server/hall"
)

// PrintCSS is the print stylesheet the public item page links
// (kiosk-ui/public/print.css), embedded into every page of an export.
func PrintCSS() string {
	b, err := fs.ReadFile(kioskui.FS(), "public/print.css")
	if err != nil {
		panic("kiosk-ui/public/print.css is not embedded: " + err.Error()) // a build without the file
	}
	return string(b)
}

// renderer renders pages from decoded leaves and the manifest's labels, the
// same way at export and at verification.
type renderer struct {
	m    *Manifest
	zone *time.Location
}

// zoneOf is the zone of the revision's hall, or the export's.
func (r renderer) zoneOf(rev *hall.Revision) *time.Location {
	if h, ok := r.m.Halls[rev.Hall]; ok && rev.Hall != "" && h.TZ != "" {
		if z, err := hall.LoadZone(h.TZ); err == nil {
			return z
		}
	}
	return r.zone
}

// ofYear reports whether an entry is dated in the export's year: a
// publication in its hall's zone, a withdrawal or expiry in the export's.
func (r renderer) ofYear(x entryInfo) bool {
	z := r.zone
	if x.rev != nil {
		z = r.zoneOf(x.rev)
	}
	return x.e.At.In(z).Year() == r.m.Year
}

func (r renderer) pageInfo(x entryInfo) PageInfo {
	rev := x.rev
	month := x.e.At.In(r.zoneOf(rev)).Format("2006-01")
	cat := safeID.ReplaceAllString(rev.Category, "_")
	if cat == "" {
		cat = "_"
	}
	name := fmt.Sprintf("%s-r%d.html", safeID.ReplaceAllString(rev.ID, "_"), rev.Revision)
	return PageInfo{Path: path.Join(cat, month, name), Index: x.e.Index, LeafHash: tlog.RecordHash(x.e.Leaf).String(),
		ItemID: rev.ID, Revision: rev.Revision, Category: rev.Category, Month: month, Title: rev.Title, PublishedAt: x.e.At.UTC()}
}

func zh(t hall.Text, key string) string {
	if t.ZH != "" {
		return t.ZH
	}
	return key
}

type financeRow struct {
	Name, Amount, Budget, Rate string
	Total                      bool
	Depth                      int
}

type assetView struct {
	Name, Type, URL, SHA256 string
	Size                    int
	Image                   template.URL // a data: URI when the image is embedded
}

type stateView struct {
	Label, At, Reason string
	Index             int64
}

type pageView struct {
	CSS                                  template.CSS
	Title, Summary                       string
	Category, Department, Hall           string
	Body                                 template.HTML
	Finance                              []financeRow
	Budgeted                             bool
	Unit                                 string
	Assets                               []assetView
	Index                                int64
	LeafHash                             string
	ItemID                               string
	Revision                             int
	Published, ValidFrom, ValidUntil, TZ string
	States                               []stateView
	Link                                 string
	QR                                   template.URL
}

func (r renderer) page(x entryInfo, states []entryInfo, media map[string][]byte) ([]byte, error) {
	rev := x.rev
	z := r.zoneOf(rev)
	when := func(t time.Time) string { return t.In(z).Format("2006-01-02 15:04") }
	v := pageView{CSS: template.CSS(PrintCSS()), Title: rev.Title, Summary: rev.Summary,
		Category: zh(r.m.Categories[rev.Category], rev.Category), Department: zh(r.m.Departments[rev.Department], rev.Department),
		Index: x.e.Index, LeafHash: tlog.RecordHash(x.e.Leaf).String(), ItemID: rev.ID, Revision: rev.Revision,
		Published: when(x.e.At), TZ: z.String(), Body: template.HTML(offlineBody(rev.BodyHTML, media))}
	if rev.Hall != "" {
		v.Hall = rev.Hall
		if h, ok := r.m.Halls[rev.Hall]; ok && h.Name != "" {
			v.Hall = h.Name
		}
	}
	if rev.ValidFrom != nil {
		v.ValidFrom = when(*rev.ValidFrom)
	}
	if rev.ValidUntil != nil {
		v.ValidUntil = when(*rev.ValidUntil)
	}
	for _, s := range states {
		label := "撤回 Withdrawn"
		if s.e.Kind == hall.EntryExpire {
			label = "到期下架 Expired"
		}
		v.States = append(v.States, stateView{Label: label, At: when(s.e.At), Reason: s.reason, Index: s.e.Index})
	}
	if f := rev.Finance; f != nil && len(f.Lines) > 0 {
		v.Unit = "元 yuan"
		if f.Unit == "wan" {
			v.Unit = "万元 10,000 yuan"
		}
		for _, l := range f.Lines {
			if l.Budget != nil {
				v.Budgeted = true
			}
		}
		for _, fr := range financeRows(f.Lines) {
			row := financeRow{Name: fr.line.Name, Amount: formatFen(fr.line.Amount, f.Unit), Total: fr.total, Depth: min(fr.depth, 6)}
			if row.Name == "" {
				row.Name = fr.line.Code
			}
			if b := fr.line.Budget; b != nil {
				row.Budget = formatFen(*b, f.Unit)
				if *b != 0 {
					row.Rate = strconv.FormatFloat(float64(fr.line.Amount)/float64(*b)*100, 'f', 1, 64) + "%"
				}
			}
			v.Finance = append(v.Finance, row)
		}
	}
	for _, a := range rev.Assets {
		av := assetView{Name: a.Name, Type: a.Type, URL: a.URL}
		if m := mediaURL.FindStringSubmatch(a.URL); m != nil {
			av.SHA256 = m[1]
			if data := media[m[1]]; data != nil {
				av.Size = len(data)
				if ct := http.DetectContentType(data); strings.HasPrefix(ct, "image/") {
					av.Image = template.URL("data:" + ct + ";base64," + base64.StdEncoding.EncodeToString(data))
				}
			}
		}
		if av.Name == "" {
			av.Name = path.Base(a.URL)
		}
		v.Assets = append(v.Assets, av)
	}
	v.Link = fmt.Sprintf("/p/%s?rev=%d", rev.ID, rev.Revision)
	if r.m.PublicURL != "" {
		v.Link = r.m.PublicURL + v.Link
		png, err := qrcode.Encode(v.Link, qrcode.Medium, 256)
		if err != nil {
			return nil, fmt.Errorf("QR code of %s: %w", v.Link, err)
		}
		v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// offlineBody is the published body with its media images embedded; images
// from elsewhere are not loaded (the page uses no external resource): their
// address is kept in data-src.
func offlineBody(body string, media map[string][]byte) string {
	body = bodyMedia.ReplaceAllStringFunc(body, func(s string) string {
		sum := bodyMedia.FindStringSubmatch(s)[1]
		data := media[sum]
		if data == nil || !strings.HasPrefix(http.DetectContentType(data), "image/") {
			return `data-sha256="` + sum + `"`
		}
		return `src="data:` + http.DetectContentType(data) + ";base64," + base64.StdEncoding.EncodeToString(data) + `" data-sha256="` + sum + `"`
	})
	return strings.ReplaceAll(body, `src="https://`, `data-src="https://`)
}

type financeLine struct {
	line  hall.FinanceLine
	depth int
	total bool
}

// financeRows orders lines as a tree, parents before their children, as
// the public page shows them (kiosk-ui/shared/finance.js).
func financeRows(lines []hall.FinanceLine) []financeLine {
	codes := map[string]bool{}
	for _, l := range lines {
		codes[l.Code] = true
	}
	kids := map[string][]hall.FinanceLine{}
	var roots []hall.FinanceLine
	for _, l := range lines {
		if l.Parent != "" && codes[l.Parent] && l.Parent != l.Code {
			kids[l.Parent] = append(kids[l.Parent], l)
		} else {
			roots = append(roots, l)
		}
	}
	var out []financeLine
	seen := map[string]bool{}
	var walk func(l hall.FinanceLine, depth int)
	walk = func(l hall.FinanceLine, depth int) {
		if seen[l.Code] {
			return
		}
		seen[l.Code] = true
		out = append(out, financeLine{line: l, depth: depth, total: len(kids[l.Code]) > 0})
		for _, c := range kids[l.Code] {
			walk(c, depth+1)
		}
	}
	for _, l := range roots {
		walk(l, 0)
	}
	return out
}

// formatFen is an amount in fen as yuan with two decimals, or in 万元 with
// two decimals (rounded), with thousands separators.
func formatFen(fen int64, unit string) string {
	neg := fen < 0
	abs := fen
	if neg {
		abs = -fen
	}
	if unit == "wan" {
		abs = (abs + 5000) / 10000
	}
	whole := strconv.FormatInt(abs/100, 10)
	var g []string
	for len(whole) > 3 {
		g = append([]string{whole[len(whole)-3:]}, g...)
		whole = whole[:len(whole)-3]
	}
	g = append([]string{whole}, g...)
	s := fmt.Sprintf("%s.%02d", strings.Join(g, ","), abs%100)
	if neg && abs != 0 {
		s = "-" + s
	}
	return s
}

// indexView is index.html's data.
type indexView struct {
	CSS        template.CSS
	Year       int
	Zone       string
	Checkpoint ManifestCheckpoint
	Groups     []indexGroup
}

type indexGroup struct {
	Category, Name string
	Months         []indexMonth
}

type indexMonth struct {
	Month string
	Pages []indexPage
}

type indexPage struct {
	PageInfo
	When string // publication time in the export's zone
}

func (r renderer) index() ([]byte, error) {
	pages := slices.Clone(r.m.Pages)
	slices.SortStableFunc(pages, func(a, b PageInfo) int {
		if c := strings.Compare(a.Category, b.Category); c != 0 {
			return c
		}
		if c := strings.Compare(a.Month, b.Month); c != 0 {
			return c
		}
		return int(a.Index - b.Index)
	})
	v := indexView{CSS: template.CSS(PrintCSS()), Year: r.m.Year, Zone: r.zone.String(), Checkpoint: r.m.Checkpoint}
	for _, p := range pages {
		if n := len(v.Groups); n == 0 || v.Groups[n-1].Category != p.Category {
			v.Groups = append(v.Groups, indexGroup{Category: p.Category, Name: zh(r.m.Categories[p.Category], p.Category)})
		}
		g := &v.Groups[len(v.Groups)-1]
		if n := len(g.Months); n == 0 || g.Months[n-1].Month != p.Month {
			g.Months = append(g.Months, indexMonth{Month: p.Month})
		}
		mo := &g.Months[len(g.Months)-1]
		mo.Pages = append(mo.Pages, indexPage{PageInfo: p, When: p.PublishedAt.In(r.zone).Format("2006-01-02 15:04")})
	}
	var b bytes.Buffer
	if err := indexTemplate.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

const headHTML = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
`

const pageCSS = `
body { margin: 0; background: #fff; color: #111; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 15px; line-height: 1.65; }
main { max-width: 182mm; margin: 0 auto; padding: 6mm 4mm; }
h1 { font-size: 1.5rem; line-height: 1.35; margin: .2rem 0 .6rem; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; border-bottom: 1px solid #999; }
.meta, .facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: 0; }
.meta dt, .facts dt { font-weight: 700; }
.meta dd, .facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.mono { font-family: "Noto Sans Mono CJK SC", monospace; font-size: .8rem; overflow-wrap: anywhere; word-break: break-all; }
.state { border: 1.5px solid #000; padding: .3rem .6rem; margin: .6rem 0; }
.body table { border-collapse: collapse; max-width: 100%; }
.body table th, .body table td { border: 1px solid #888; padding: .2rem .4rem; }
.body img, .assets img { max-width: 100%; height: auto; }
table.finance { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: .9rem; }
table.finance th, table.finance td { border-bottom: 1px solid #bbb; padding: .25rem .35rem; vertical-align: top; }
table.finance thead th { border-bottom: 2px solid #000; text-align: right; }
table.finance thead th.name { text-align: left; }
table.finance th.name { text-align: left; font-weight: 400; overflow-wrap: anywhere; }
table.finance .num { text-align: right; white-space: nowrap; }
table.finance tr.total > * { font-weight: 700; }
table.finance tr.d1 th.name { padding-left: 1.2em; } table.finance tr.d2 th.name { padding-left: 2.4em; }
table.finance tr.d3 th.name { padding-left: 3.6em; } table.finance tr.d4 th.name, table.finance tr.d5 th.name, table.finance tr.d6 th.name { padding-left: 4.8em; }
.assets li { margin: .3rem 0; }
.colophon { margin-top: 1.5rem; font-size: .8rem; color: #444; }
`

var pageTemplate = template.Must(template.New("page").Parse(headHTML + `<meta name="hallcast-leaf-index" content="{{.Index}}">
<meta name="hallcast-leaf-hash" content="{{.LeafHash}}">
<meta name="hallcast-item" content="{{.ItemID}}">
<meta name="hallcast-revision" content="{{.Revision}}">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
<style>` + pageCSS + `</style>
</head>
<body class="print-layout archival">
<main>
<header class="print-head">
<dl class="print-facts">
<div><dt>存档编号 Archive index</dt><dd id="archive-index">#{{.Index}}</dd></div>
<div><dt>发布时间 Published</dt><dd id="published">{{.Published}} ({{.TZ}})</dd></div>
<div><dt>条目 Item</dt><dd class="mono">{{.ItemID}} · 第 {{.Revision}} 版 revision {{.Revision}}</dd></div>
<div><dt>叶哈希 Leaf hash</dt><dd class="mono" id="leaf-hash">{{.LeafHash}}</dd></div>
</dl>
<div class="print-qr">{{if .QR}}<img src="{{.QR}}" alt="二维码 QR code" width="256" height="256">{{end}}<span class="mono" id="link">{{.Link}}</span></div>
</header>
<article class="item">
<h1 id="title">{{.Title}}</h1>
<dl class="meta">
<dt>类别 Category</dt><dd id="category">{{.Category}}</dd>
<dt>部门 Department</dt><dd id="department">{{.Department}}</dd>
{{- if .Hall}}
<dt>公开栏 Board</dt><dd id="hall">{{.Hall}}</dd>
{{- end}}
{{- if .ValidFrom}}
<dt>生效 Valid from</dt><dd>{{.ValidFrom}}</dd>
{{- end}}
{{- if .ValidUntil}}
<dt>有效期至 Valid until</dt><dd>{{.ValidUntil}}</dd>
{{- end}}
</dl>
{{- range .States}}
<p class="state" data-index="{{.Index}}"><strong>{{.Label}}</strong> {{.At}} · 存档编号 #{{.Index}}{{if .Reason}} · 理由 Reason: {{.Reason}}{{end}}</p>
{{- end}}
{{- if .Summary}}
<p class="summary">{{.Summary}}</p>
{{- end}}
<div class="body" id="body">{{.Body}}</div>
{{- if .Finance}}
<section class="card" id="finance">
<h2>收支明细 Finance ({{.Unit}})</h2>
<table class="finance{{if .Budgeted}} budgeted{{end}}">
<thead><tr><th scope="col" class="name">项目 Item</th>{{if .Budgeted}}<th scope="col" class="num">预算 Budget</th><th scope="col" class="num">实际 Actual</th><th scope="col" class="num">执行率 Rate</th>{{else}}<th scope="col" class="num">金额 Amount</th>{{end}}</tr></thead>
<tbody>
{{- $b := .Budgeted}}
{{- range .Finance}}
<tr class="{{if .Total}}total{{else}}line{{end}} d{{.Depth}}"><th scope="row" class="name">{{.Name}}</th>{{if $b}}<td class="num">{{.Budget}}</td><td class="num">{{.Amount}}</td><td class="num">{{.Rate}}</td>{{else}}<td class="num">{{.Amount}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
</section>
{{- end}}
{{- if .Assets}}
<section class="card assets" id="assets">
<h2>附件 Attachments</h2>
<ul>
{{- range .Assets}}
<li>{{.Name}} ({{.Type}}{{if .Size}}, {{.Size}} B{{end}}){{if .SHA256}}<br><span class="mono">sha256 {{.SHA256}}</span>{{else}}<br><span class="mono">{{.URL}}</span>{{end}}{{if .Image}}<br><img src="{{.Image}}" alt="{{.Name}}">{{end}}</li>
{{- end}}
</ul>
</section>
{{- end}}
</article>
<p class="colophon">本页由存档第 {{.Index}} 号记录生成；核验方法见 VERIFY.md。This page is archive entry {{.Index}}; VERIFY.md says how to check it.</p>
</main>
</body>
</html>
`))

var indexTemplate = template.Must(template.New("index").Parse(headHTML + `<title>{{.Year}} 年政务公开归档 Disclosures archived for {{.Year}}</title>
<style>{{.CSS}}</style>
<style>` + pageCSS + `</style>
</head>
<body class="archival">
<main>
<h1>{{.Year}} 年政务公开归档<br>Disclosures published in {{.Year}}</h1>
<p>签名检查点 Signed checkpoint: {{.Checkpoint.Size}} 条记录 entries, 根哈希 root <span class="mono">{{.Checkpoint.Root}}</span>（checkpoint.txt）。核验方法见 VERIFY.md。时间均为 {{.Zone}} 时间 Times in {{.Zone}}.</p>
{{- range .Groups}}
<h2 id="cat-{{.Category}}">{{.Name}}</h2>
{{- range .Months}}
<h3>{{.Month}}</h3>
<ul>
{{- range .Pages}}
<li><a href="{{.Path}}">{{.Title}}</a> · 第 {{.Revision}} 版 · 存档编号 #{{.Index}} · {{.When}}</li>
{{- end}}
</ul>
{{- end}}
{{- else}}
<p>本年度没有发布记录。Nothing was published in this year.</p>
{{- end}}
</main>
</body>
</html>
`))
