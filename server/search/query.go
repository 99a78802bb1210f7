package search

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Query is what a resident searched for: words that must all match (AND).
type Query struct {
	Words []Word
}

// Word is one thing a query asks for: its Terms, one after the other in one
// field of a Doc. A run of Chinese characters gives the phrase of its
// bigrams (or its one character), a number its digits, any other word
// itself with Prefix set: its one term matches every term it begins, so
// "budao" finds "budaogaizao" and "bd" finds "bdgz".
type Word struct {
	Terms  []string
	Prefix bool
}

// ParseQuery cuts q into words: at most MaxQueryRunes characters and
// MaxWords words separated by spaces. A query word that mixes kinds
// ("3280元", "G318") gives one Word per kind, each required. Punctuation
// and symbols give nothing, so a query may come back empty (Query.Empty):
// it matches nothing.
func ParseQuery(q string) (Query, error) {
	if n := utf8.RuneCountInString(q); n > MaxQueryRunes {
		return Query{}, fmt.Errorf("at most %d characters", MaxQueryRunes)
	}
	raw := fields(normalize(q))
	if len(raw) > MaxWords {
		return Query{}, fmt.Errorf("at most %d words", MaxWords)
	}
	var out Query
	seen := map[string]bool{}
	for _, w := range raw {
		for _, seg := range segments(w) {
			var word Word
			switch seg.kind {
			case kindCJK:
				rs := []rune(seg.text)
				if len(rs) == 1 {
					word.Terms = []string{seg.text}
				} else {
					word.Terms = bigrams(rs)
				}
			case kindNumber:
				word.Terms = []string{seg.text}
			default:
				word = Word{Terms: []string{seg.text}, Prefix: true}
			}
			key := word.String()
			if !seen[key] {
				seen[key] = true
				out.Words = append(out.Words, word)
			}
		}
	}
	return out, nil
}

// Empty reports whether q has no words (it matches nothing).
func (q Query) Empty() bool { return len(q.Words) == 0 }

// String returns the word as an FTS5 phrase: its terms quoted, and a
// trailing * for a prefix.
func (w Word) String() string {
	s := `"` + strings.ReplaceAll(strings.Join(w.Terms, " "), `"`, `""`) + `"`
	if w.Prefix {
		s += "*"
	}
	return s
}

// FTS5 returns q as an FTS5 MATCH expression over a table whose columns
// hold Doc fields, tokenized on spaces (tokenize = 'ascii'): the words'
// phrases joined by AND. It is "" for an empty query.
func (q Query) FTS5() string {
	parts := make([]string, len(q.Words))
	for i, w := range q.Words {
		parts[i] = w.String()
	}
	return strings.Join(parts, " AND ")
}

// Score reports whether d matches q (every word in the title or the text)
// and how well, for a backend that ranks by itself. Each word adds, for the
// title and the text, a saturating function of how often it occurs there
// (as in BM25: at most 2.2), the title's times TitleWeight; so a word found
// once in the title outweighs any number of times in the text.
func (q Query) Score(d Doc) (float64, bool) {
	if q.Empty() {
		return 0, false
	}
	title, text := strings.Fields(d.Title), strings.Fields(d.Text)
	score := 0.0
	for _, w := range q.Words {
		nt, nx := w.count(title), w.count(text)
		if nt+nx == 0 {
			return 0, false
		}
		score += TitleWeight*saturate(nt) + saturate(nx)
	}
	return score, true
}

// saturate is BM25's term-frequency factor with k1 = 1.2 and no length
// normalisation: 0 for 0, 1 for 1, approaching 2.2.
func saturate(n int) float64 {
	const k1 = 1.2
	return float64(n) * (k1 + 1) / (float64(n) + k1)
}

// count returns how often w occurs in terms.
func (w Word) count(terms []string) int {
	n := 0
	for i := 0; i+len(w.Terms) <= len(terms); i++ {
		if w.at(terms[i:]) {
			n++
		}
	}
	return n
}

// at reports whether w's terms start terms.
func (w Word) at(terms []string) bool {
	for j, t := range w.Terms {
		if w.Prefix && j == len(w.Terms)-1 {
			if !strings.HasPrefix(terms[j], t) {
				return false
			}
		} else if terms[j] != t {
			return false
		}
	}
	return true
}
