package search

import (
	"strings"

	"github.com/mozillazg/go-pinyin"
)

// pinyinArgs asks for plain pinyin without tones (ü as v), one reading per
// character (the most common), nothing for a character without pinyin.
func pinyinArgs() pinyin.Args {
	return pinyin.Args{Style: pinyin.Normal, Fallback: func(rune, pinyin.Args) []string { return nil }}
}

// isPinyin reports whether syl is a syllable of lower-case ASCII letters.
func isPinyin(syl string) bool {
	for i := 0; i < len(syl); i++ {
		if syl[i] < 'a' || syl[i] > 'z' {
			return false
		}
	}
	return syl != ""
}

// pinyinTerms returns the pinyin terms of a title: for each run of Chinese
// characters, the joined pinyin from each character on (at most
// maxPinyinSyllables syllables), then the joined initials the same way.
func pinyinTerms(title string) []string {
	seen := map[string]bool{}
	var full, initials []string
	add := func(list *[]string, t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			*list = append(*list, t)
		}
	}
	args := pinyinArgs()
	for _, seg := range segments(normalize(title)) {
		if seg.kind != kindCJK {
			continue
		}
		var run []string // syllables of the current run of characters that have pinyin
		flush := func() {
			for i := range run {
				end := min(len(run), i+maxPinyinSyllables)
				var f, in strings.Builder
				for _, syl := range run[i:end] {
					f.WriteString(syl)
					in.WriteByte(syl[0])
				}
				add(&full, f.String())
				add(&initials, in.String())
			}
			run = run[:0]
		}
		for _, r := range seg.text {
			py := pinyin.SinglePinyin(r, args)
			if len(py) == 0 || !isPinyin(py[0]) {
				flush()
				continue
			}
			run = append(run, py[0])
		}
		flush()
	}
	return append(full, initials...)
}
