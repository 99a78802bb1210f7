package demo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hallcast/hallcast/server/hall"
)

// yuan converts whole yuan to fen.
func yuan(n int64) int64 { return n * 100 }

// budget returns a pointer to a budget figure in fen.
func budget(fen int64) *int64 { return &fen }

// groupThousands writes n with a comma every three digits ("1,234,567").
// Grouping also keeps long amounts from reading as account numbers.
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// yuanText formats fen as yuan with two decimals: 123456 → "1,234.56".
func yuanText(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%s.%02d", sign, groupThousands(fen/100), fen%100)
}

// wanText formats fen as 万元 with two decimals, rounding half up:
// 4_552_000_000 → "4,552.00".
func wanText(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	hundredths := (fen + 5_000) / 10_000 // 1 万元 = 1,000,000 fen
	return fmt.Sprintf("%s%s.%02d", sign, groupThousands(hundredths/100), hundredths%100)
}

// rateText is actual as a percentage of plan with one decimal ("80.4%"),
// or "—" without a plan.
func rateText(actual, plan int64) string {
	if plan <= 0 {
		return "—"
	}
	permille := (actual*1000 + plan/2) / plan
	return fmt.Sprintf("%d.%d%%", permille/10, permille%10)
}

// line returns the finance line with the code; the seed data names only
// codes it defines, so a miss is a programming error.
func line(f *hall.Finance, code string) hall.FinanceLine {
	for _, l := range f.Lines {
		if l.Code == code {
			return l
		}
	}
	panic("demo: no finance line " + code)
}

// children returns the lines directly under parent, in table order.
func children(f *hall.Finance, parent string) []hall.FinanceLine {
	var out []hall.FinanceLine
	for _, l := range f.Lines {
		if l.Parent == parent {
			out = append(out, l)
		}
	}
	return out
}

// fill replaces each {name} placeholder in text; pairs are name, value.
func fill(text string, pairs ...string) string {
	old := make([]string, 0, len(pairs))
	for i := 0; i+1 < len(pairs); i += 2 {
		old = append(old, "{"+pairs[i]+"}", pairs[i+1])
	}
	return strings.NewReplacer(old...).Replace(text)
}
