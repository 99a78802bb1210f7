// Package search turns disclosure text into index documents and what a
// resident types into query words, so that a search finds what the resident
// means rather than the exact characters: full-width and half-width forms,
// upper and lower case, traditional and simplified characters, "3,280" and
// "3280", and the pinyin of a title all meet. It does no I/O; a store keeps
// the documents and matches the words (SQLite through FTS5, any other
// backend through the term sets and Query.Score).
//
// Text is normalised (NFKC, case folding, traditional to simplified
// characters) and cut into terms:
//
//   - a run of Chinese characters gives its overlapping bigrams, in order,
//     then its single characters ("步道改造" → 步道 道改 改造 步 道 改 造), so a
//     word of one, two or more characters is found;
//   - a number gives its digits, without thousands separators ("3,280" →
//     3280; "3280.50" → 3280 50);
//   - any other word gives itself, lower-cased.
//
// A title also gives the pinyin of its Chinese characters, without tones and
// joined, from each character on ("步道改造" → budaogaizao daogaizao gaizao
// zao), and the initials the same way (bdgz dgz gz z), so "budao", "gaizao"
// and "bd" find it as prefixes.
//
// A query is cut the same way into words that must all match: a run of
// Chinese characters must appear as written (the phrase of its bigrams), a
// number exactly, any other word as the start of a term (a word or pinyin).
package search

import (
	"strings"

	"github.com/hallcast/hallcast/server/hall"
)

// Limits on a query.
const (
	MaxQueryRunes = 100 // characters
	MaxWords      = 10  // words separated by spaces
)

// TitleWeight is how much more a match in the title counts than a match in
// the rest of the text, when results are ranked.
const TitleWeight = 10.0

// maxPinyinSyllables bounds each pinyin term of a title, so a long title
// gives a bounded document.
const maxPinyinSyllables = 16

// Doc is the index document of one published revision: its terms separated
// by single spaces, the title's apart from the rest's. A term is a non-empty
// run of letters and digits: SQLite's unicode61 tokenizer cuts a Doc field
// exactly where strings.Fields does.
type Doc struct {
	Title string // the title's terms, then its pinyin terms
	Text  string // the terms of the summary, body and everything else shown
}

// Index returns the document of a revision with the given title and the
// rest of its text (summary, body as plain text, finance line names...).
func Index(title string, text ...string) Doc {
	var b strings.Builder
	tt := terms(normalize(title))
	tt = append(tt, pinyinTerms(title)...)
	writeTerms(&b, tt)
	d := Doc{Title: b.String()}
	b.Reset()
	for _, s := range text {
		writeTerms(&b, terms(normalize(s)))
	}
	d.Text = b.String()
	return d
}

// Terms returns the distinct terms of both fields of d, for a backend that
// keeps a term set per item.
func (d Doc) Terms() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range [...]string{d.Title, d.Text} {
		for _, t := range strings.Fields(f) {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

func writeTerms(b *strings.Builder, terms []string) {
	for _, t := range terms {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
}

// Revision returns the document of a published revision: its title, and its
// summary, body (as plain text by text, or as written when text is nil) and
// finance line names.
func Revision(r *hall.Revision, text hall.TextFunc) hall.SearchDoc {
	body := r.Body
	if text != nil {
		body = text(r.Body)
	}
	parts := []string{r.Summary, body}
	if r.Finance != nil {
		for _, l := range r.Finance.Lines {
			parts = append(parts, l.Name)
		}
	}
	return hall.SearchDoc(Index(r.Title, parts...))
}
