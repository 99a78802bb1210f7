// Package privacy finds personal data that must not be published in a
// disclosure — mainland resident ID numbers, mainland mobile numbers and bank
// card numbers — and masks it.
//
// Matching works on ASCII digits only and never inside a longer run of digits
// (or a decimal number), so reference numbers, amounts and dates are not
// flagged by accident:
//
//   - id_card: 18 characters, 17 digits and a check digit (0-9 or X/x) that
//     passes GB 11643 (ISO 7064 MOD 11-2), with a valid birth date
//     (1900-2099) at positions 7-14; written contiguously or grouped 6-8-4.
//     15-digit legacy numbers are not detected.
//   - mobile: 11 digits starting 13-19, contiguous or grouped 3-4-4 by spaces
//     or hyphens, optionally after a +86, 86 or 0086 prefix.
//   - bank_card: 16-19 digits passing the Luhn check, contiguous or grouped
//     in fours by spaces or hyphens. A valid ID number is reported as an ID,
//     not as a card.
//
// A grouped number must use one separator throughout and must not continue
// with that separator into a further group of digits.
package privacy

import "strings"

// Kinds of personal data.
const (
	KindIDCard   = "id_card"
	KindMobile   = "mobile"
	KindBankCard = "bank_card"
)

// Finding is one piece of personal data in a text. Start and End are byte
// offsets: Text == s[Start:End].
type Finding struct {
	Kind   string
	Start  int
	End    int
	Text   string
	Masked string
}

// Scan returns every finding in s, in order of position. The findings do not
// overlap.
func Scan(s string) []Finding {
	sc := scanner{s: s, runs: digitRuns(s)}
	var out []Finding
	for i := 0; i < len(sc.runs); {
		m, ok := sc.matchAt(i)
		if !ok {
			i++
			continue
		}
		text := s[m.start:m.end]
		out = append(out, Finding{Kind: m.kind, Start: m.start, End: m.end, Text: text, Masked: Mask(m.kind, text)})
		i = m.next
	}
	return out
}

// Mask hides the middle of a number of the given kind, keeping separators
// and prefixes in place and replacing each hidden digit with '*':
// an ID keeps its first 6 and last 4 characters (110105********1234), a
// mobile its first 3 and last 4 digits (138****5678, +86 138 **** 5678), a
// bank card its first 4 and last 4 digits (6222********7890,
// 6222 **** **** 7890). Text of an unknown kind, or too short to keep
// anything, has every digit masked.
func Mask(kind, text string) string {
	var pos []int
	for i := 0; i < len(text); i++ {
		if isDigit(text[i]) || text[i] == 'X' || text[i] == 'x' {
			pos = append(pos, i)
		}
	}
	n := len(pos)
	keepFirst, keepLast := 0, 0
	switch kind {
	case KindIDCard:
		keepFirst, keepLast = 6, 4
	case KindBankCard:
		keepFirst, keepLast = 4, 4
	case KindMobile:
		// Any country prefix plus the first 3 digits of the 11-digit number.
		keepFirst, keepLast = max(n-8, 0), 4
	}
	if keepFirst+keepLast >= n {
		keepFirst, keepLast = 0, 0
	}
	b := []byte(text)
	for _, p := range pos[keepFirst : n-keepLast] {
		b[p] = '*'
	}
	return string(b)
}

// MaskAll returns s with every finding replaced by its mask.
func MaskAll(s string) string {
	findings := Scan(s)
	if len(findings) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, f := range findings {
		b.WriteString(s[last:f.Start])
		b.WriteString(f.Masked)
		last = f.End
	}
	b.WriteString(s[last:])
	return b.String()
}

// run is a maximal run of ASCII digits, s[start:end].
type run struct{ start, end int }

func digitRuns(s string) []run {
	var runs []run
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		runs = append(runs, run{i, j})
		i = j
	}
	return runs
}

type match struct {
	kind       string
	start, end int
	next       int // index of the first run after the match
}

type scanner struct {
	s    string
	runs []run
}

func (sc *scanner) digits(i int) string { return sc.s[sc.runs[i].start:sc.runs[i].end] }
func (sc *scanner) size(i int) int      { return sc.runs[i].end - sc.runs[i].start }

// link returns the separator joining run i to run i+1, or 0 if they are not
// joined by exactly one space or hyphen.
func (sc *scanner) link(i int) byte {
	if i < 0 || i+1 >= len(sc.runs) {
		return 0
	}
	r := sc.runs[i]
	if sc.runs[i+1].start != r.end+1 {
		return 0
	}
	if c := sc.s[r.end]; c == ' ' || c == '-' {
		return c
	}
	return 0
}

// group returns the runs i, i+1, ... joined by the separator sep, stopping
// after max runs.
func (sc *scanner) group(i int, sep byte, max int) []int {
	g := []int{i}
	for len(g) < max && sc.link(g[len(g)-1]) == sep {
		g = append(g, g[len(g)-1]+1)
	}
	return g
}

// isolated reports whether the group of runs first..last, joined by sep, is
// not continued by sep on either side.
func (sc *scanner) isolated(first, last int, sep byte) bool {
	return sc.link(first-1) != sep && sc.link(last) != sep
}

func (sc *scanner) concat(first, last int) string {
	var b strings.Builder
	for i := first; i <= last; i++ {
		b.WriteString(sc.digits(i))
	}
	return b.String()
}

// inDecimal reports whether s[start:end] is part of a decimal number such as
// 13812345678.50.
func (sc *scanner) inDecimal(start, end int) bool {
	s := sc.s
	return (start >= 2 && s[start-1] == '.' && isDigit(s[start-2])) ||
		(end+1 < len(s) && s[end] == '.' && isDigit(s[end+1]))
}

// followedByX reports whether run i ends at an X/x check digit that is not
// itself followed by a letter or digit.
func (sc *scanner) followedByX(i int) bool {
	end := sc.runs[i].end
	s := sc.s
	return end < len(s) && (s[end] == 'X' || s[end] == 'x') &&
		(end+1 >= len(s) || !isASCIIAlnum(s[end+1]))
}

func (sc *scanner) matchAt(i int) (match, bool) {
	for _, try := range []func(int) (match, bool){sc.idCard, sc.bankCard, sc.mobile} {
		if m, ok := try(i); ok && !sc.inDecimal(m.start, m.end) {
			return m, true
		}
	}
	return match{}, false
}

func (sc *scanner) idCard(i int) (match, bool) {
	r := sc.runs[i]
	switch {
	case sc.size(i) == 18 && validID(sc.digits(i)):
		return match{KindIDCard, r.start, r.end, i + 1}, true
	case sc.size(i) == 17 && sc.followedByX(i) && validID(sc.digits(i)+"X"):
		return match{KindIDCard, r.start, r.end + 1, i + 1}, true
	}
	// Grouped 6-8-4 (or 6-8-3 followed by X).
	sep := sc.link(i)
	if sep == 0 {
		return match{}, false
	}
	g := sc.group(i, sep, 3)
	if len(g) != 3 || sc.size(g[0]) != 6 || sc.size(g[1]) != 8 || !sc.isolated(g[0], g[2], sep) {
		return match{}, false
	}
	id, end := sc.concat(g[0], g[2]), sc.runs[g[2]].end
	switch {
	case sc.size(g[2]) == 4:
	case sc.size(g[2]) == 3 && sc.followedByX(g[2]):
		id, end = id+"X", end+1
	default:
		return match{}, false
	}
	if !validID(id) {
		return match{}, false
	}
	return match{KindIDCard, r.start, end, g[2] + 1}, true
}

func (sc *scanner) bankCard(i int) (match, bool) {
	r := sc.runs[i]
	if n := sc.size(i); n >= 16 && n <= 19 {
		d := sc.digits(i)
		if luhn(d) && !validID(d) {
			return match{KindBankCard, r.start, r.end, i + 1}, true
		}
		return match{}, false
	}
	// Grouped in fours: 4-4-4-4 with an optional final group of 1-3 digits,
	// or five full groups are too long (20 digits) and not a card.
	sep := sc.link(i)
	if sep == 0 || sc.link(i-1) == sep {
		return match{}, false
	}
	g := sc.group(i, sep, len(sc.runs))
	if len(g) < 4 || len(g) > 5 {
		return match{}, false
	}
	for _, k := range g[:4] {
		if sc.size(k) != 4 {
			return match{}, false
		}
	}
	if len(g) == 5 && sc.size(g[4]) > 3 {
		return match{}, false
	}
	last := g[len(g)-1]
	if !luhn(sc.concat(i, last)) {
		return match{}, false
	}
	return match{KindBankCard, r.start, sc.runs[last].end, last + 1}, true
}

func (sc *scanner) mobile(i int) (match, bool) {
	r := sc.runs[i]
	start := r.start
	if start > 0 && sc.s[start-1] == '+' {
		start--
	}
	d := sc.digits(i)
	// Prefix and number in one run: 8613812345678, 008613812345678.
	for _, p := range []string{"86", "0086"} {
		if len(d) == len(p)+11 && strings.HasPrefix(d, p) && validMobile(d[len(p):]) {
			return match{KindMobile, start, r.end, i + 1}, true
		}
	}
	if d == "86" || d == "0086" {
		if sc.link(i) == 0 {
			return match{}, false
		}
		m, ok := sc.nationalMobile(i+1, true)
		m.start = start
		return m, ok
	}
	return sc.nationalMobile(i, false)
}

// nationalMobile matches an 11-digit mobile number starting at run i, either
// contiguous or grouped 3-4-4. afterPrefix allows run i to be joined to the
// run before it (the country prefix).
func (sc *scanner) nationalMobile(i int, afterPrefix bool) (match, bool) {
	r := sc.runs[i]
	if sc.size(i) == 11 {
		if validMobile(sc.digits(i)) {
			return match{KindMobile, r.start, r.end, i + 1}, true
		}
		return match{}, false
	}
	sep := sc.link(i)
	if sep == 0 || (!afterPrefix && sc.link(i-1) == sep) {
		return match{}, false
	}
	g := sc.group(i, sep, 3)
	if len(g) != 3 || sc.size(g[0]) != 3 || sc.size(g[1]) != 4 || sc.size(g[2]) != 4 ||
		sc.link(g[2]) == sep || !validMobile(sc.concat(g[0], g[2])) {
		return match{}, false
	}
	return match{KindMobile, r.start, sc.runs[g[2]].end, g[2] + 1}, true
}

// validMobile reports whether d is an 11-digit mainland mobile number.
func validMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && allDigits(d)
}

// idCheckDigit returns the GB 11643 check character for the first 17 digits
// of an ID number, or 0 if they are not 17 digits.
func idCheckDigit(first17 string) byte {
	if len(first17) != 17 || !allDigits(first17) {
		return 0
	}
	idWeights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11]
}

// validID reports whether id is an 18-character ID number with a valid check
// digit (X in either case) and birth date.
func validID(id string) bool {
	if len(id) != 18 || id[0] == '0' {
		return false
	}
	check := id[17]
	if check == 'x' {
		check = 'X'
	}
	if c := idCheckDigit(id[:17]); c == 0 || c != check {
		return false
	}
	return validDate(id[6:14])
}

// validDate reports whether d is a YYYYMMDD date between 1900 and 2099.
func validDate(d string) bool {
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	y, m, day := num(d[:4]), num(d[4:6]), num(d[6:8])
	if y < 1900 || y > 2099 || m < 1 || m > 12 || day < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return day <= days
}

// luhn reports whether the digit string d passes the Luhn check.
func luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isASCIIAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
