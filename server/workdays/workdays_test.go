package workdays

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

var cst = time.FixedZone("CST", 8*3600)

func mustDefault(tb testing.TB) *Calendar {
	tb.Helper()
	c, err := Default()
	if err != nil {
		tb.Fatalf("Default(): %v", err)
	}
	return c
}

func day(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation(dateLayout, s, cst)
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return t
}

func TestDefault(t *testing.T) {
	c := mustDefault(t)
	for _, y := range []int{2025, 2026} {
		if !c.Known(y) {
			t.Errorf("Known(%d) = false, want true", y)
		}
	}
	if c.Known(2027) {
		t.Errorf("Known(2027) = true, want false")
	}
	years := c.Years()
	if len(years) != 2 || years[0].Year != 2025 || years[1].Year != 2026 {
		t.Fatalf("Years() = %v, want 2025 and 2026 in order", years)
	}
	if got := len(years[1].Holidays["春节"]); got != 9 {
		t.Errorf("2026 春节 has %d days, want 9", got)
	}
}

func TestIsWorkday(t *testing.T) {
	c := mustDefault(t)
	tests := []struct {
		date string
		want bool
	}{
		// 2026 Spring Festival: 02-15..02-23 rest, make-up Saturdays 02-14 and 02-28.
		{"2026-02-13", true},
		{"2026-02-14", true},
		{"2026-02-15", false},
		{"2026-02-18", false},
		{"2026-02-23", false},
		{"2026-02-24", true},
		{"2026-02-28", true},
		{"2026-03-01", false},
		// 2025 National Day and Mid-Autumn: 10-01..10-08 rest, make-up 09-28 (Sun) and 10-11 (Sat).
		{"2025-09-27", false},
		{"2025-09-28", true},
		{"2025-09-30", true},
		{"2025-10-01", false},
		{"2025-10-08", false},
		{"2025-10-09", true},
		{"2025-10-11", true},
		{"2025-10-12", false},
		// An ordinary week.
		{"2026-03-09", true},
		{"2026-03-14", false},
		// 2027 is not in the calendar: weekends only.
		{"2027-01-01", true},
		{"2027-01-02", false},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			if got := c.IsWorkday(day(t, tt.date)); got != tt.want {
				t.Errorf("IsWorkday(%s) = %v, want %v", tt.date, got, tt.want)
			}
		})
	}
}

func TestIsWorkdayUsesOwnLocation(t *testing.T) {
	c := mustDefault(t)
	// 2026-02-14 20:00 UTC (make-up Saturday) is 2026-02-15 04:00 in China (holiday).
	u := time.Date(2026, 2, 14, 20, 0, 0, 0, time.UTC)
	if !c.IsWorkday(u) {
		t.Errorf("IsWorkday(%v) = false, want true", u)
	}
	if c.IsWorkday(u.In(cst)) {
		t.Errorf("IsWorkday(%v) = true, want false", u.In(cst))
	}
}

func TestHoliday(t *testing.T) {
	c := mustDefault(t)
	if name, ok := c.Holiday(day(t, "2026-09-26")); !ok || name != "中秋节" {
		t.Errorf("Holiday(2026-09-26) = %q, %v, want 中秋节, true", name, ok)
	}
	if name, ok := c.Holiday(day(t, "2026-02-14")); ok {
		t.Errorf("Holiday(2026-02-14) = %q, true, want false", name)
	}
}

func TestAddWorkdays(t *testing.T) {
	c := mustDefault(t)
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"AcrossMidAutumnAndNationalDay", "2026-09-25", 20, "2026-10-29"},
		{"IntoNationalDay", "2026-09-25", 3, "2026-09-30"},
		{"OverNationalDay", "2026-09-30", 1, "2026-10-08"},
		{"MakeUpSaturdayCounts", "2026-10-09", 1, "2026-10-10"},
		{"SpringFestival", "2026-02-13", 1, "2026-02-14"},
		{"AfterSpringFestival", "2026-02-14", 1, "2026-02-24"},
		{"Zero", "2026-02-15", 0, "2026-02-15"},
		{"Backwards", "2026-10-08", -1, "2026-09-30"},
		{"BackwardsOverSpringFestival", "2026-02-24", -2, "2026-02-13"},
		{"IntoUnknownYear", "2026-12-31", 2, "2027-01-04"},
		{"UnknownYear", "2027-10-01", 1, "2027-10-04"},
		{"SevenDayRuleOverNationalDay2025", "2025-09-26", 7, "2025-10-13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := day(t, tt.from).Add(15*time.Hour + 30*time.Minute)
			got := c.AddWorkdays(from, tt.n)
			if got.Format(dateLayout) != tt.want {
				t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tt.from, tt.n, got.Format(dateLayout), tt.want)
			}
			if got.Hour() != 15 || got.Minute() != 30 || got.Location() != cst {
				t.Errorf("AddWorkdays kept clock/location %v, want 15:30 CST", got)
			}
			if back := c.WorkdaysBetween(from, got); back != tt.n {
				t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tt.from, tt.want, back, tt.n)
			}
		})
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := mustDefault(t)
	tests := []struct {
		a, b string
		want int
	}{
		{"2026-09-25", "2026-10-29", 20},
		{"2026-10-29", "2026-09-25", -20},
		{"2026-02-15", "2026-02-15", 0},
		{"2026-02-14", "2026-02-23", 0},
		{"2026-02-13", "2026-02-28", 6}, // 02-14, 02-24..02-27, 02-28
		{"2026-12-31", "2027-01-08", 6},
	}
	for _, tt := range tests {
		t.Run(tt.a+"_"+tt.b, func(t *testing.T) {
			if got := c.WorkdaysBetween(day(t, tt.a), day(t, tt.b)); got != tt.want {
				t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestNextDue(t *testing.T) {
	c := mustDefault(t)
	tests := []struct {
		name    string
		cadence string
		last    time.Time
		loc     *time.Location
		want    string // due day; "" when no next due date
	}{
		{"MonthlyFebruary", CadenceMonthly, day(t, "2026-01-15"), cst, "2026-02-13"},
		{"MonthlyOverNationalDay", CadenceMonthly, day(t, "2026-09-10"), cst, "2026-10-20"},
		{"MonthlyIntoUnknownYear", CadenceMonthly, day(t, "2026-12-05"), cst, "2027-01-14"},
		{"MonthlyJudgedInLoc", CadenceMonthly, time.Date(2026, 1, 31, 20, 0, 0, 0, time.UTC), cst, "2026-03-13"},
		{"MonthlyJudgedInUTC", CadenceMonthly, time.Date(2026, 1, 31, 20, 0, 0, 0, time.UTC), time.UTC, "2026-02-13"},
		{"MonthlyNilLoc", CadenceMonthly, day(t, "2026-01-31"), nil, "2026-02-13"},
		{"QuarterlyQ1", CadenceQuarterly, day(t, "2026-01-10"), cst, "2026-04-15"},
		{"QuarterlyQ3", CadenceQuarterly, day(t, "2026-08-20"), cst, "2026-10-20"},
		{"QuarterlyQ4", CadenceQuarterly, day(t, "2025-12-31"), cst, "2026-01-15"},
		{"AnnualKnownYear", CadenceAnnual, day(t, "2025-03-01"), cst, "2026-01-30"},
		{"AnnualUnknownYear", CadenceAnnual, day(t, "2026-06-01"), cst, "2027-01-29"},
		{"Once", CadenceOnce, day(t, "2026-01-15"), cst, ""},
		{"UnknownCadence", "weekly", day(t, "2026-01-15"), cst, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := c.NextDue(tt.cadence, tt.last, tt.loc)
			if tt.want == "" {
				if ok {
					t.Fatalf("NextDue(%q) = %v, true, want false", tt.cadence, got)
				}
				return
			}
			if !ok {
				t.Fatalf("NextDue(%q) = false, want %s", tt.cadence, tt.want)
			}
			loc := tt.loc
			if loc == nil {
				loc = tt.last.Location()
			}
			wantDay, err := time.ParseInLocation(dateLayout, tt.want, loc)
			if err != nil {
				t.Fatal(err)
			}
			wantEnd := wantDay.AddDate(0, 0, 1).Add(-time.Nanosecond)
			if !got.Equal(wantEnd) || got.Location() != loc {
				t.Errorf("NextDue(%q, %v) = %v, want %v (end of %s)", tt.cadence, tt.last, got, wantEnd, tt.want)
			}
		})
	}
}

func TestNextDueIsWorkday(t *testing.T) {
	c := mustDefault(t)
	for _, cadence := range []string{CadenceMonthly, CadenceQuarterly, CadenceAnnual} {
		for m := time.January; m <= time.December; m++ {
			last := time.Date(2025, m, 15, 9, 0, 0, 0, cst)
			due, ok := c.NextDue(cadence, last, cst)
			if !ok || !c.IsWorkday(due) || !due.After(last) {
				t.Errorf("NextDue(%s, %v) = %v, %v; want a later working day", cadence, last, due, ok)
			}
		}
	}
}

func validYear() Year {
	return Year{
		Year:     2027,
		Holidays: map[string][]string{"元旦": {"2027-01-01"}, "春节": {"2027-02-06", "2027-02-07"}},
		Workdays: []string{"2027-02-13"}, // a Saturday
	}
}

func TestValidate(t *testing.T) {
	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = time.Date(2027, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(dateLayout)
		}
		return out
	}
	tests := []struct {
		name      string
		edit      func(*Year)
		wantField string // "" for valid
	}{
		{"OK", func(*Year) {}, ""},
		{"OKNoEntries", func(y *Year) { y.Holidays, y.Workdays = nil, nil }, ""},
		{"ErrYear", func(y *Year) { y.Year = 0 }, "year"},
		{"ErrDateFormat", func(y *Year) { y.Holidays["元旦"] = []string{"2027-1-01"} }, "holidays[元旦][0]"},
		{"ErrDateInvalid", func(y *Year) { y.Workdays = []string{"2027-02-30"} }, "workdays[0]"},
		{"ErrDateTrailing", func(y *Year) { y.Workdays = []string{"2027-02-13T00:00"} }, "workdays[0]"},
		{"ErrHolidayOtherYear", func(y *Year) { y.Holidays["春节"] = []string{"2027-02-06", "2026-02-07"} }, "holidays[春节][1]"},
		{"ErrWorkdayOtherYear", func(y *Year) { y.Workdays = []string{"2026-02-14"} }, "workdays[0]"},
		{"ErrHolidayAndWorkday", func(y *Year) { y.Workdays = []string{"2027-02-06"} }, "workdays[0]"},
		{"ErrWorkdayNotWeekend", func(y *Year) { y.Workdays = []string{"2027-02-13", "2027-02-12"} }, "workdays[1]"},
		{"ErrDuplicateWorkday", func(y *Year) { y.Workdays = []string{"2027-02-13", "2027-02-13"} }, "workdays[1]"},
		{"ErrDuplicateHoliday", func(y *Year) { y.Holidays["元旦"] = []string{"2027-02-07"} }, "holidays[春节][1]"},
		{"ErrEmptyName", func(y *Year) { y.Holidays[""] = []string{"2027-05-01"} }, "holidays[]"},
		{"ErrBlankName", func(y *Year) { y.Holidays["  "] = []string{"2027-05-01"} }, "holidays[  ]"},
		{"ErrNoDates", func(y *Year) { y.Holidays["劳动节"] = nil }, "holidays[劳动节]"},
		{"OKMaxHolidays", func(y *Year) { y.Holidays = map[string][]string{"x": many(MaxHolidays)}; y.Workdays = nil }, ""},
		{"ErrTooManyHolidays", func(y *Year) { y.Holidays = map[string][]string{"x": many(MaxHolidays + 1)} }, "holidays"},
		{"ErrTooManyWorkdays", func(y *Year) { y.Workdays = many(MaxWorkdays + 1) }, "workdays"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := validYear()
			tt.edit(&y)
			err := y.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want a *ValidationError", err)
			}
			if ve.Field != tt.wantField || ve.Year != y.Year || ve.Message == "" {
				t.Errorf("Validate() = {%d %q %q}, want field %q", ve.Year, ve.Field, ve.Message, tt.wantField)
			}
		})
	}
}

func TestDefaultDataValid(t *testing.T) {
	for _, y := range mustDefault(t).Years() {
		t.Run(fmt.Sprint(y.Year), func(t *testing.T) {
			if err := y.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Run("ErrDuplicateYear", func(t *testing.T) {
		if _, err := New([]Year{validYear(), validYear()}); err == nil {
			t.Fatal("New with a year twice: err = nil")
		}
	})
	t.Run("ErrInvalidYear", func(t *testing.T) {
		y := validYear()
		y.Workdays = []string{"2027-02-12"}
		var ve *ValidationError
		if _, err := New([]Year{y}); !errors.As(err, &ve) {
			t.Fatalf("New with an invalid year: err = %v, want a *ValidationError", err)
		}
	})
	t.Run("Immutable", func(t *testing.T) {
		y := validYear()
		c, err := New([]Year{y})
		if err != nil {
			t.Fatal(err)
		}
		y.Holidays["元旦"][0] = "2027-01-04"
		y.Workdays[0] = "2027-02-20"
		got := c.Years()
		got[0].Holidays["春节"][0] = "changed"
		again := c.Years()
		if again[0].Holidays["元旦"][0] != "2027-01-01" || again[0].Workdays[0] != "2027-02-13" || again[0].Holidays["春节"][0] != "2027-02-06" {
			t.Errorf("calendar data changed through a caller's slice: %v", again[0])
		}
		if c.IsWorkday(day(t, "2027-01-01")) || !c.IsWorkday(day(t, "2027-01-04")) {
			t.Errorf("working days changed through the caller's data")
		}
		if !c.IsWorkday(day(t, "2027-02-13")) || c.IsWorkday(day(t, "2027-02-20")) {
			t.Errorf("make-up days changed through the caller's data")
		}
	})
}

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		years, err := Parse([]byte(`{"_about":"x","2027":{"holidays":{"元旦":["2027-01-01"]},"workdays":[]},"2026":{"holidays":{},"workdays":["2026-01-04"]}}`))
		if err != nil {
			t.Fatal(err)
		}
		if len(years) != 2 || years[0].Year != 2026 || years[1].Year != 2027 || years[1].Holidays["元旦"][0] != "2027-01-01" {
			t.Errorf("Parse = %+v", years)
		}
	})
	for name, in := range map[string]string{
		"ErrNotJSON":      `{`,
		"ErrKeyNotYear":   `{"abc":{"holidays":{},"workdays":[]}}`,
		"ErrYearMismatch": `{"2026":{"year":2025,"holidays":{},"workdays":[]}}`,
		"ErrBadValue":     `{"2026":{"holidays":[],"workdays":[]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(in)); err == nil {
				t.Errorf("Parse(%s): err = nil", in)
			}
		})
	}
}
