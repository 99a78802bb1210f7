package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// normalize returns s in NFKC, case-folded, with traditional characters
// folded to simplified ones.
func normalize(s string) string {
	s = norm.NFKC.String(s)
	s = cases.Fold().String(s)
	return toSimplified(s)
}

// kind is what a segment of normalised text is.
type kind int

const (
	kindCJK    kind = iota + 1 // a run of Chinese (or Japanese kana) characters
	kindNumber                 // ASCII digits, thousands separators removed
	kindWord                   // any other run of letters, digits and marks
)

// segment is one run of text of one kind.
type segment struct {
	kind kind
	text string
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

func isWord(r rune) bool {
	return !isCJK(r) && !isDigit(r) && (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r))
}

// segments cuts normalised text into runs of one kind; everything between
// them (spaces, punctuation, symbols) separates.
func segments(s string) []segment {
	var out []segment
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isCJK(r):
			j := i + 1
			for j < len(rs) && isCJK(rs[j]) {
				j++
			}
			out = append(out, segment{kindCJK, string(rs[i:j])})
			i = j
		case isDigit(r):
			var num []rune
			i, num = number(rs, i)
			out = append(out, segment{kindNumber, string(num)})
		case isWord(r):
			j := i + 1
			for j < len(rs) && isWord(rs[j]) {
				j++
			}
			out = append(out, segment{kindWord, string(rs[i:j])})
			i = j
		default:
			i++
		}
	}
	return out
}

// number reads the digits starting at rs[i], joining thousands groups
// ("3,280,000" → 3280000: a first group of one to three digits, then groups
// of exactly three after commas), and returns where it stopped.
func number(rs []rune, i int) (int, []rune) {
	j := i
	for j < len(rs) && isDigit(rs[j]) {
		j++
	}
	num := append([]rune(nil), rs[i:j]...)
	if j-i > 3 {
		return j, num
	}
	for j+3 < len(rs) && rs[j] == ',' && isDigit(rs[j+1]) && isDigit(rs[j+2]) && isDigit(rs[j+3]) &&
		(j+4 == len(rs) || !isDigit(rs[j+4])) {
		num = append(num, rs[j+1:j+4]...)
		j += 4
	}
	return j, num
}

// terms returns the index terms of normalised text, in order: each CJK run's
// bigrams then its characters, each number and each other word.
func terms(s string) []string {
	var out []string
	for _, seg := range segments(s) {
		if seg.kind != kindCJK {
			out = append(out, seg.text)
			continue
		}
		rs := []rune(seg.text)
		out = append(out, bigrams(rs)...)
		for _, r := range rs {
			out = append(out, string(r))
		}
	}
	return out
}

// bigrams returns the overlapping pairs of rs, in order (none for one
// character).
func bigrams(rs []rune) []string {
	var out []string
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

// fields splits s on Unicode white space (after NFKC, the ideographic space
// is a space too).
func fields(s string) []string { return strings.FieldsFunc(s, unicode.IsSpace) }
