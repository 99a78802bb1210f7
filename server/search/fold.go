package search

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

// OpenCC's traditional-to-simplified tables (Apache-2.0; see data/).
var (
	//go:embed data/TSCharacters.txt
	tsCharacters []byte
	//go:embed data/TSPhrases.txt
	tsPhrases []byte
)

// folding is the traditional-to-simplified converter: single characters,
// and phrases whose simplified form is not their characters' (頭髮 → 头发,
// 瞭解 → 了解), longest phrase first.
type folding struct {
	chars     map[rune]rune
	phrases   map[string]string
	starts    map[rune]bool // first characters of phrases
	maxPhrase int           // runes
}

// simplifier is built on first use from the embedded tables; once built it
// is only read, and reads are safe from many goroutines.
var simplifier = sync.OnceValue(func() *folding {
	f := &folding{chars: map[rune]rune{}, phrases: map[string]string{}, starts: map[rune]bool{}}
	eachLine(tsCharacters, func(from, to string) {
		a, _ := utf8.DecodeRuneInString(from)
		b, _ := utf8.DecodeRuneInString(to)
		if utf8.RuneCountInString(from) == 1 && b != utf8.RuneError {
			f.chars[a] = b
		}
	})
	eachLine(tsPhrases, func(from, to string) {
		first, _ := utf8.DecodeRuneInString(from)
		f.phrases[from], f.starts[first] = to, true
		f.maxPhrase = max(f.maxPhrase, utf8.RuneCountInString(from))
	})
	return f
})

// eachLine calls fn with each line's traditional form and first simplified
// form.
func eachLine(data []byte, fn func(from, to string)) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		from, rest, ok := strings.Cut(sc.Text(), "\t")
		if !ok || from == "" {
			continue
		}
		to, _, _ := strings.Cut(rest, " ")
		if to != "" {
			fn(from, to)
		}
	}
}

// toSimplified folds traditional characters (and phrases whose simplified
// form differs, 頭髮 → 头发) to simplified ones. Text with nothing to fold
// comes back unchanged.
func toSimplified(s string) string {
	if !hasCJK(s) {
		return s
	}
	f := simplifier()
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(rs); {
		if n, to := f.phrase(rs[i:]); n > 0 {
			b.WriteString(to)
			i += n
			continue
		}
		if to, ok := f.chars[rs[i]]; ok {
			b.WriteRune(to)
		} else {
			b.WriteRune(rs[i])
		}
		i++
	}
	return b.String()
}

// phrase returns the longest phrase at the start of rs and its simplified
// form, or 0.
func (f *folding) phrase(rs []rune) (int, string) {
	if !f.starts[rs[0]] {
		return 0, ""
	}
	for n := min(f.maxPhrase, len(rs)); n >= 2; n-- {
		if to, ok := f.phrases[string(rs[:n])]; ok {
			return n, to
		}
	}
	return 0, ""
}

func hasCJK(s string) bool {
	for _, r := range s {
		if isCJK(r) {
			return true
		}
	}
	return false
}
