// Package markdown renders the Markdown that editors write into HTML that is
// safe to show on a kiosk or a public page, and extracts its plain text for
// search indexing.
//
// Rendering is two-layered: goldmark never passes raw HTML through (it is
// omitted, not escaped into the page), and its output is then sanitised with a
// bluemonday policy derived from the user-generated-content policy. Images are
// kept only when they point at this server's media store (/media/...) or at an
// https URL; any other image is replaced by its alt text.
package markdown

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// MaxSourceBytes is the largest Markdown source Render accepts.
const MaxSourceBytes = 256 << 10

// MediaPrefix is the only relative URL prefix an image may use.
const MediaPrefix = "/media/"

// ErrTooLarge is returned (wrapped) by Render for sources over MaxSourceBytes.
var ErrTooLarge = fmt.Errorf("markdown source exceeds %d bytes", MaxSourceBytes)

// Renderer converts Markdown to sanitised HTML. It is safe for concurrent use
// once built by New.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns a Renderer with GFM tables, strikethrough and linkify enabled.
func New() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.NewLinkify(extension.WithLinkifyAllowedProtocols([]string{"http:", "https:", "mailto:"})),
		),
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(imageFilter{}, 100)),
		),
		// No html.WithUnsafe(): raw HTML in the source is never rendered.
	)
	return &Renderer{md: md, policy: newPolicy()}
}

// newPolicy is bluemonday's UGC policy with links marked nofollow, external
// links opened in a new tab with noopener/noreferrer, and image sources
// limited to /media/ and https.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	// Backstop for the AST filter: blank any image source that is not allowed.
	p.RewriteSrc(func(u *url.URL) {
		if !allowedImageURL(u.String()) {
			*u = url.URL{}
		}
	})
	return p
}

// Render converts src to sanitised HTML. Sources over MaxSourceBytes are
// rejected with an error wrapping ErrTooLarge.
func (r *Renderer) Render(src string) (string, error) {
	if len(src) > MaxSourceBytes {
		return "", fmt.Errorf("render markdown (%d bytes): %w", len(src), ErrTooLarge)
	}
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return r.policy.Sanitize(buf.String()), nil
}

// PlainText returns the text content of src without any markup, for search
// indexing: blocks and table cells are separated by newlines or spaces, raw
// HTML is dropped, link and image text is kept, URLs are not. Sources over
// MaxSourceBytes are truncated to that size first.
func (r *Renderer) PlainText(src string) string {
	if len(src) > MaxSourceBytes {
		src = truncateUTF8(src, MaxSourceBytes)
	}
	source := []byte(src)
	doc := r.md.Parser().Parse(text.NewReader(source))
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			switch n.(type) {
			case *extast.TableCell:
				b.WriteByte(' ')
			default:
				if n.Type() == ast.TypeBlock {
					b.WriteByte('\n')
				}
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.HTMLBlock, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(source))
			}
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			b.Write(n.Label(source))
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			v := n.Segment.Value(source)
			if !n.IsRaw() {
				v = unescape(v)
			}
			b.Write(v)
			if n.SoftLineBreak() || n.HardLineBreak() {
				b.WriteByte('\n')
			}
		case *ast.String:
			v := n.Value
			if !n.IsRaw() && !n.IsCode() {
				v = unescape(v)
			}
			b.Write(v)
		}
		return ast.WalkContinue, nil
	})
	return tidy(b.String())
}

func unescape(v []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
}

// tidy collapses runs of blanks within lines and drops empty lines.
func tidy(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func truncateUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// allowedImageURL reports whether an image may be loaded from raw: an
// absolute https URL with a host, or a path under MediaPrefix without any
// parent-directory segment.
func allowedImageURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Scheme != "" {
		return strings.EqualFold(u.Scheme, "https") && u.Host != "" && u.User == nil
	}
	if u.Host != "" || !strings.HasPrefix(raw, MediaPrefix) || strings.Contains(raw, `\`) {
		return false
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == ".." || seg == "." {
			return false
		}
	}
	return true
}

// imageFilter replaces every image whose destination is not allowed by its
// alt text.
type imageFilter struct{}

func (imageFilter) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var bad []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering && !allowedImageURL(string(img.Destination)) {
			bad = append(bad, img)
		}
		return ast.WalkContinue, nil
	})
	for _, img := range bad {
		parent := img.Parent()
		if parent == nil {
			continue
		}
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, img, c)
			c = next
		}
		parent.RemoveChild(parent, img)
	}
}
