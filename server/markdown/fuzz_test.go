package markdown

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// FuzzRender renders any Markdown (docs/RELIABILITY.md):
//
//	go test ./server/markdown -run '^$' -fuzz FuzzRender -fuzztime 60s
//
// The HTML that comes out, read as a browser reads it, has no script or
// other active element, no event handler attribute, no link or source with
// a javascript:, vbscript: or data: URL, and images only from /media/ or
// https.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"# 财务公开\n\n| 项目 | 金额 |\n|:--|--:|\n| 办公费 | 1,200.00 |\n",
		"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
		"[x](JaVaScRiPt&#58;alert(1))", "[x](java\tscript:alert(1))", "![a](javascript:alert(1))", "![a](/media/../x)",
		"<a href=\"javascript:alert(1)\">x</a>", "<svg onload=alert(1)>", "[x](data:text/html;base64,PHNjcmlwdD4=)",
		"<iframe src=//evil></iframe>", "<style>body{}</style>", "`<script>`", "<!-- x --><scr<script>ipt>",
		"[a]: javascript:alert(1)\n\n[b][a]", "www.example.com/<script>", "<https://example.com/\"onmouseover=alert(1)>",
		"![x](https://a.example/x.png \"t\" onerror=alert(1))",
	} {
		f.Add(s)
	}
	r := New()
	f.Fuzz(func(t *testing.T, src string) {
		out, err := r.Render(src)
		if err != nil {
			if len(src) <= MaxSourceBytes {
				t.Fatalf("Render of %d bytes: %v", len(src), err)
			}
			return
		}
		checkSafe(t, out)
		_ = r.PlainText(src)
	})
}

// activeElements may run script or load a document.
var activeElements = map[string]bool{
	"script": true, "style": true, "iframe": true, "frame": true, "frameset": true, "object": true, "embed": true,
	"applet": true, "form": true, "input": true, "button": true, "textarea": true, "select": true, "base": true,
	"meta": true, "link": true, "svg": true, "math": true, "template": true, "noscript": true,
}

func checkSafe(t *testing.T, out string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			if activeElements[strings.ToLower(tok.Data)] {
				t.Fatalf("output has <%s>: %s", tok.Data, out)
			}
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(key, "on"), key == "style", key == "srcdoc", key == "formaction":
					t.Fatalf("output has attribute %s: %s", a.Key, out)
				case key == "href" || key == "src" || key == "action" || key == "xlink:href" || key == "background" || key == "cite":
					if scheme := urlScheme(a.Val); scheme == "javascript" || scheme == "vbscript" || scheme == "data" {
						t.Fatalf("output has %s with a %s: URL: %s", a.Key, scheme, out)
					}
					if tok.Data == "img" && key == "src" && a.Val != "" && !allowedImageURL(a.Val) {
						t.Fatalf("output has an image from %q: %s", a.Val, out)
					}
				}
			}
		}
	}
}

// urlScheme is the scheme a browser would read in v: control characters
// and spaces are dropped, as browsers do, and case is ignored.
func urlScheme(v string) string {
	clean := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, v)
	scheme, _, ok := strings.Cut(clean, ":")
	if !ok || strings.ContainsAny(scheme, "/?#") {
		return ""
	}
	return scheme
}
