package scorecard

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// Years a period may name.
const (
	MinYear = 2000
	MaxYear = 2199
)

// Period is the span a scorecard covers: a calendar month or quarter,
// [From, To) in the hall's zone. Name is its canonical form ("2026-11",
// "2026-Q4").
type Period struct {
	Name string
	From time.Time
	To   time.Time
}

// Parse reads a period: a month "YYYY-MM" (e.g. "2026-11") or a quarter
// "YYYY-Qn" (e.g. "2026-Q4"; a lower-case q is accepted). Its bounds are
// local midnights in loc (UTC if loc is nil). Bad input is a validation
// *hall.Error on the field "period".
func Parse(period string, loc *time.Location) (Period, error) {
	if loc == nil {
		loc = time.UTC
	}
	bad := func(why string) (Period, error) {
		return Period{}, hall.FieldError("period", "%s: want a month like 2026-11 or a quarter like 2026-Q4", why)
	}
	s := strings.TrimSpace(period)
	if s == "" {
		return bad("required")
	}
	ys, rest, ok := strings.Cut(s, "-")
	if !ok || len(ys) != 4 || !digits(ys) {
		return bad(fmt.Sprintf("%q is not a period", period))
	}
	year, _ := strconv.Atoi(ys)
	if year < MinYear || year > MaxYear {
		return bad(fmt.Sprintf("year %d out of range (%d–%d)", year, MinYear, MaxYear))
	}
	var (
		first  time.Month
		months int
		name   string
	)
	switch {
	case len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q'):
		q := int(rest[1] - '0')
		if q < 1 || q > 4 {
			return bad(fmt.Sprintf("quarter %q out of range (Q1–Q4)", rest))
		}
		first, months, name = time.Month(3*q-2), 3, fmt.Sprintf("%04d-Q%d", year, q)
	case len(rest) == 2 && digits(rest):
		m, _ := strconv.Atoi(rest)
		if m < 1 || m > 12 {
			return bad(fmt.Sprintf("month %q out of range (01–12)", rest))
		}
		first, months, name = time.Month(m), 1, fmt.Sprintf("%04d-%02d", year, m)
	default:
		return bad(fmt.Sprintf("%q is not a period", period))
	}
	return Period{
		Name: name,
		From: time.Date(year, first, 1, 0, 0, 0, 0, loc),
		To:   time.Date(year, first+time.Month(months), 1, 0, 0, 0, 0, loc),
	}, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// contains reports whether t is in [From, To).
func (p Period) contains(t time.Time) bool {
	return !t.Before(p.From) && t.Before(p.To)
}
