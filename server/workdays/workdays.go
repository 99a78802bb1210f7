// Package workdays is the working-day calendar that disclosure deadlines are
// counted in: weekends are rest days, public holidays are rest days, and the
// make-up working days (调休上班日) announced each year turn a Saturday or
// Sunday into a working day.
//
// The calendar is data. The mainland calendars for the years already
// announced are embedded (calendar-cn.json) and returned by Default; admins
// add later years as they are announced. For a year the calendar does not
// know, only weekends are rest days; Known reports whether a year is covered.
package workdays

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Limits on one year's entries.
const (
	MaxHolidays = 60 // holiday dates per year, over all named groups
	MaxWorkdays = 30 // make-up working days per year
)

// dateLayout is the only accepted date form: YYYY-MM-DD.
const dateLayout = "2006-01-02"

//go:embed calendar-cn.json
var defaultCalendarJSON []byte

// Year is one year's announced calendar. Holidays maps a holiday's name
// (e.g. "春节") to its rest days; Workdays lists the weekend days that are
// working days. Dates are YYYY-MM-DD.
type Year struct {
	Year     int                 `json:"year,omitempty"`
	Holidays map[string][]string `json:"holidays"`
	Workdays []string            `json:"workdays"`
}

// ValidationError describes one invalid entry of a Year. Field names the
// entry (e.g. "workdays[2]", "holidays[春节][0]"); Message is for display.
type ValidationError struct {
	Year    int
	Field   string
	Message string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("calendar %d: %s: %s", e.Year, e.Field, e.Message)
}

// Validate checks that every date is a valid YYYY-MM-DD in y.Year, that no
// date is listed twice or as both a holiday and a workday, that workdays fall
// on a Saturday or Sunday, that holiday names are non-empty and that the
// limits MaxHolidays and MaxWorkdays hold. It returns the first problem as a
// *ValidationError, checking holidays in name order.
func (y Year) Validate() error {
	fail := func(field, format string, args ...any) error {
		return &ValidationError{Year: y.Year, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	if y.Year < 1000 || y.Year > 9999 {
		return fail("year", "年份必须是四位数字")
	}
	names := make([]string, 0, len(y.Holidays))
	total := 0
	for name, dates := range y.Holidays {
		names = append(names, name)
		total += len(dates)
	}
	sort.Strings(names)
	if total > MaxHolidays {
		return fail("holidays", "节假日最多 %d 天，当前 %d 天", MaxHolidays, total)
	}
	if len(y.Workdays) > MaxWorkdays {
		return fail("workdays", "调休上班日最多 %d 天，当前 %d 天", MaxWorkdays, len(y.Workdays))
	}
	holiday := make(map[string]string, total) // date → holiday name
	for _, name := range names {
		field := fmt.Sprintf("holidays[%s]", name)
		if strings.TrimSpace(name) == "" {
			return fail(field, "节假日名称不能为空")
		}
		dates := y.Holidays[name]
		if len(dates) == 0 {
			return fail(field, "节假日“%s”没有日期", name)
		}
		for i, s := range dates {
			f := fmt.Sprintf("%s[%d]", field, i)
			if _, err := y.parseDate(s); err != nil {
				return fail(f, "%s", err.Error())
			}
			if other, dup := holiday[s]; dup {
				return fail(f, "日期 %s 已列在“%s”中", s, other)
			}
			holiday[s] = name
		}
	}
	seen := make(map[string]bool, len(y.Workdays))
	for i, s := range y.Workdays {
		f := fmt.Sprintf("workdays[%d]", i)
		t, err := y.parseDate(s)
		if err != nil {
			return fail(f, "%s", err.Error())
		}
		if seen[s] {
			return fail(f, "日期 %s 重复", s)
		}
		seen[s] = true
		if name, ok := holiday[s]; ok {
			return fail(f, "日期 %s 不能既是节假日“%s”又是调休上班日", s, name)
		}
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return fail(f, "调休上班日 %s 必须是周六或周日", s)
		}
	}
	return nil
}

// parseDate parses s as a YYYY-MM-DD date inside y.Year. Its errors are
// user-facing messages.
func (y Year) parseDate(s string) (time.Time, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil || t.Format(dateLayout) != s {
		return time.Time{}, fmt.Errorf("日期 %q 格式无效，应为 YYYY-MM-DD", s)
	}
	if t.Year() != y.Year {
		return time.Time{}, fmt.Errorf("日期 %s 不在 %d 年内", s, y.Year)
	}
	return t, nil
}

// Parse reads the calendar file format: an object keyed by year ("2026"),
// each value a Year without its year field. Keys starting with "_" (such as
// "_about") are ignored. The years are returned in order, not validated.
func Parse(data []byte) ([]Year, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parse calendar: %w", err)
	}
	years := make([]Year, 0, len(raw))
	for key, msg := range raw {
		if strings.HasPrefix(key, "_") {
			continue
		}
		n, err := strconv.Atoi(key)
		if err != nil {
			return nil, fmt.Errorf("parse calendar: key %q is not a year", key)
		}
		var y Year
		if err := json.Unmarshal(msg, &y); err != nil {
			return nil, fmt.Errorf("parse calendar year %s: %w", key, err)
		}
		if y.Year != 0 && y.Year != n {
			return nil, fmt.Errorf("parse calendar: key %q holds year %d", key, y.Year)
		}
		y.Year = n
		years = append(years, y)
	}
	sort.Slice(years, func(i, j int) bool { return years[i].Year < years[j].Year })
	return years, nil
}

// civil is a calendar date, independent of any location.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// add returns the date n days later (earlier if n < 0).
func (c civil) add(n int) civil {
	return civilOf(time.Date(c.y, c.m, c.d+n, 12, 0, 0, 0, time.UTC))
}

func (c civil) weekday() time.Weekday {
	return time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC).Weekday()
}

func (c civil) before(o civil) bool {
	if c.y != o.y {
		return c.y < o.y
	}
	if c.m != o.m {
		return c.m < o.m
	}
	return c.d < o.d
}

// Calendar answers working-day questions. It is immutable and safe for
// concurrent use.
type Calendar struct {
	years    map[int]Year
	holidays map[civil]string // rest day → holiday name
	workdays map[civil]bool   // make-up working days
}

// Default returns the calendar built from the embedded mainland calendars.
func Default() (*Calendar, error) {
	years, err := Parse(defaultCalendarJSON)
	if err != nil {
		return nil, fmt.Errorf("default calendar: %w", err)
	}
	c, err := New(years)
	if err != nil {
		return nil, fmt.Errorf("default calendar: %w", err)
	}
	return c, nil
}

// New validates years and builds a calendar from them. A year may appear
// only once. The calendar keeps its own copy of the data.
func New(years []Year) (*Calendar, error) {
	c := &Calendar{
		years:    make(map[int]Year, len(years)),
		holidays: make(map[civil]string),
		workdays: make(map[civil]bool),
	}
	for _, y := range years {
		if err := y.Validate(); err != nil {
			return nil, fmt.Errorf("new calendar: %w", err)
		}
		if _, dup := c.years[y.Year]; dup {
			return nil, fmt.Errorf("new calendar: year %d given twice", y.Year)
		}
		y = y.clone()
		c.years[y.Year] = y
		for name, dates := range y.Holidays {
			for _, s := range dates {
				t, _ := time.Parse(dateLayout, s) // validated above
				c.holidays[civilOf(t)] = name
			}
		}
		for _, s := range y.Workdays {
			t, _ := time.Parse(dateLayout, s)
			c.workdays[civilOf(t)] = true
		}
	}
	return c, nil
}

func (y Year) clone() Year {
	out := Year{Year: y.Year, Holidays: make(map[string][]string, len(y.Holidays))}
	for name, dates := range y.Holidays {
		out.Holidays[name] = append([]string(nil), dates...)
	}
	out.Workdays = append([]string{}, y.Workdays...)
	return out
}

// Years returns a copy of the calendar's data, in year order.
func (c *Calendar) Years() []Year {
	out := make([]Year, 0, len(c.years))
	for _, y := range c.years {
		out = append(out, y.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out
}

// Known reports whether the calendar has the announced holidays of year.
// For other years only weekends count as rest days.
func (c *Calendar) Known(year int) bool {
	_, ok := c.years[year]
	return ok
}

// IsWorkday reports whether d's calendar day, in d's own location, is a
// working day.
func (c *Calendar) IsWorkday(d time.Time) bool {
	return c.isWorkday(civilOf(d))
}

// Holiday returns the name of the holiday d's calendar day belongs to, if any.
func (c *Calendar) Holiday(d time.Time) (string, bool) {
	name, ok := c.holidays[civilOf(d)]
	return name, ok
}

func (c *Calendar) isWorkday(day civil) bool {
	if c.workdays[day] {
		return true
	}
	if _, ok := c.holidays[day]; ok {
		return false
	}
	wd := day.weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkdays returns the n-th working day after d's calendar day (before
// it if n < 0), at the same wall-clock time in d's location. n == 0 returns d.
// So a rule "within 20 working days of d" ends on AddWorkdays(d, 20).
func (c *Calendar) AddWorkdays(d time.Time, n int) time.Time {
	if n == 0 {
		return d
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	day := civilOf(d)
	for n > 0 {
		day = day.add(step)
		if c.isWorkday(day) {
			n--
		}
	}
	return time.Date(day.y, day.m, day.d, d.Hour(), d.Minute(), d.Second(), d.Nanosecond(), d.Location())
}

// WorkdaysBetween counts the working days after a's calendar day up to and
// including b's, both taken in a's location; it is negative when b is before
// a. It is the inverse of AddWorkdays: WorkdaysBetween(d, AddWorkdays(d, n))
// == n for every n.
func (c *Calendar) WorkdaysBetween(a, b time.Time) int {
	from, to := civilOf(a), civilOf(b.In(a.Location()))
	sign := 1
	if to.before(from) {
		from, to, sign = to, from, -1
	}
	n := 0
	for day := from.add(1); !to.before(day); day = day.add(1) {
		if c.isWorkday(day) {
			n++
		}
	}
	return sign * n
}

// Cadences of regular disclosure.
const (
	CadenceOnce      = "once"
	CadenceMonthly   = "monthly"
	CadenceQuarterly = "quarterly"
	CadenceAnnual    = "annual"
)

// Due-date rules for the regular cadences.
const (
	// MonthlyDueWorkdays: a monthly disclosure (e.g. actual income and
	// spending) is due within the first 10 working days of the next month.
	MonthlyDueWorkdays = 10
	// QuarterlyDueWorkdays: a quarterly disclosure is due within the first
	// 10 working days of the month after the quarter ends.
	QuarterlyDueWorkdays = 10
	// AnnualDueMonth: an annual disclosure (plans and budgets) is due by the
	// last working day of this month of the next year.
	AnnualDueMonth = time.January
)

// NextDue returns the deadline of the next regular disclosure after one made
// at last, judged in loc (last's location if loc is nil): the end of the
// period containing last is followed by the due day given by the rules above.
// The result is the last instant of the due day in loc, so an item is
// overdue when now.After(due). It returns false for CadenceOnce and for an
// unknown cadence.
//
//   - monthly: the MonthlyDueWorkdays-th working day of the month after last's;
//   - quarterly: the QuarterlyDueWorkdays-th working day of the month after the
//     quarter containing last;
//   - annual: the last working day of AnnualDueMonth of the year after last's.
func (c *Calendar) NextDue(cadence string, last time.Time, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = last.Location()
	}
	t := last.In(loc)
	y, m := t.Year(), t.Month()
	var due civil
	switch cadence {
	case CadenceMonthly:
		due = c.nthWorkdayOfMonth(y, m+1, MonthlyDueWorkdays)
	case CadenceQuarterly:
		quarterEnd := (m-1)/3*3 + 3
		due = c.nthWorkdayOfMonth(y, quarterEnd+1, QuarterlyDueWorkdays)
	case CadenceAnnual:
		// Day 0 of the following month is the last day of AnnualDueMonth.
		due = civilOf(time.Date(y+1, AnnualDueMonth+1, 0, 12, 0, 0, 0, time.UTC))
		for !c.isWorkday(due) {
			due = due.add(-1)
		}
	default:
		return time.Time{}, false
	}
	return time.Date(due.y, due.m, due.d+1, 0, 0, 0, 0, loc).Add(-time.Nanosecond), true
}

// nthWorkdayOfMonth returns the n-th working day counted from the first day
// of month m of year y (m may overflow into the next year).
func (c *Calendar) nthWorkdayOfMonth(y int, m time.Month, n int) civil {
	day := civilOf(time.Date(y, m, 0, 12, 0, 0, 0, time.UTC)) // last day of the previous month
	for n > 0 {
		day = day.add(1)
		if c.isWorkday(day) {
			n--
		}
	}
	return day
}
