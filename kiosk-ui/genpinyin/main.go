// Command genpinyin writes the kiosk's pinyin dictionary
// (kiosk/data/pinyin.tsv) from Rime's pinyin_simp dictionary
// (pinyin_simp.dict.yaml of rime-pinyin-simp, Apache-2.0, itself derived
// from the Android Pinyin IME; Debian package rime-data-pinyin-simp
// installs it under /usr/share/rime-data).
//
// The output keeps what a kiosk needs and no more: every GB 2312 character
// the source gives a weight above zero, under each of its readings, and
// the most frequent words and phrases of two to four GB 2312 characters.
// The words of the service hall in words.txt are added, ranked among the
// frequent phrases, with their pinyin from go-pinyin unless the list gives
// it. One entry a line, "text<TAB>pinyin" with the pinyin's syllables
// joined without spaces, most frequent first: a line's position is its
// rank.
//
//	go run ./genpinyin -in /usr/share/rime-data/pinyin_simp.dict.yaml -out kiosk/data/pinyin.tsv -extra genpinyin/words.txt
package main

import (
	"bufio"
	"cmp"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// extraWeight ranks the added words among the source's frequent phrases.
const extraWeight = 20000

type entry struct {
	text, key string
	weight    int
}

func main() {
	in := flag.String("in", "/usr/share/rime-data/pinyin_simp.dict.yaml", "Rime pinyin_simp.dict.yaml")
	out := flag.String("out", "kiosk/data/pinyin.tsv", "the dictionary to write")
	phrases := flag.Int("phrases", 12000, "how many words and phrases to keep")
	extra := flag.String("extra", "", "words to add, one a line (\"word<TAB>pinyin\" to give the pinyin)")
	flag.Parse()
	if err := run(*in, *out, *extra, *phrases); err != nil {
		log.Fatal(err)
	}
}

func run(in, out, extra string, maxPhrases int) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	var chars, words []entry
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	body := false
	for sc.Scan() {
		line := sc.Text()
		if !body {
			body = line == "..."
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) != 3 || strings.HasPrefix(line, "#") {
			continue
		}
		w, err := strconv.Atoi(parts[2])
		if err != nil || w <= 0 || !gb2312(parts[0]) {
			continue
		}
		e := entry{text: parts[0], key: strings.ReplaceAll(parts[1], " ", ""), weight: w}
		if !validKey(e.key) || seen[e.text+"\t"+e.key] {
			continue
		}
		seen[e.text+"\t"+e.key] = true
		switch n := utf8.RuneCountInString(e.text); {
		case n == 1:
			chars = append(chars, e)
		case n <= 4:
			words = append(words, e)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(chars) == 0 {
		return fmt.Errorf("%s: no characters found", in)
	}
	byWeight := func(a, b entry) int {
		return cmp.Or(cmp.Compare(b.weight, a.weight), cmp.Compare(a.key, b.key), cmp.Compare(a.text, b.text))
	}
	slices.SortFunc(words, byWeight)
	words = words[:min(len(words), maxPhrases)]
	if extra != "" {
		added, err := readExtra(extra)
		if err != nil {
			return err
		}
		kept := map[string]bool{}
		for _, e := range words {
			kept[e.text+"\t"+e.key] = true
		}
		for _, e := range added {
			if !kept[e.text+"\t"+e.key] {
				words = append(words, e)
			}
		}
	}
	all := append(chars, words...)
	slices.SortFunc(all, byWeight)
	var b strings.Builder
	for _, e := range all {
		b.WriteString(e.text + "\t" + e.key + "\n")
	}
	return os.WriteFile(out, []byte(b.String()), 0o644)
}

// gb2312 reports whether every rune of s is a hanzi of GB 2312 (the
// simplified characters in everyday use).
func gb2312(s string) bool {
	enc := simplifiedchinese.GBK.NewEncoder()
	for _, r := range s {
		b, err := enc.String(string(r))
		if err != nil || len(b) != 2 || b[0] < 0xB0 || b[0] > 0xF7 || b[1] < 0xA1 || b[1] > 0xFE {
			return false
		}
	}
	return true
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// readExtra reads the added words, with their pinyin.
func readExtra(name string) ([]entry, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	args := pinyin.NewArgs()
	var out []entry
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		text, key, given := strings.Cut(line, "\t")
		if !given {
			key = strings.Join(pinyin.LazyPinyin(text, args), "")
		}
		key = strings.ReplaceAll(key, " ", "")
		if !gb2312(text) || !validKey(key) || utf8.RuneCountInString(text) < 2 {
			return nil, fmt.Errorf("%s:%d: %q: want a word of GB 2312 characters with its pinyin", name, n+1, line)
		}
		out = append(out, entry{text: text, key: key, weight: extraWeight})
	}
	return out, nil
}
