package scorecard_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/scorecard"
	"github.com/hallcast/hallcast/server/sqlite"
	"github.com/hallcast/hallcast/server/workdays"
)

// Any backend's store is a Source.
var (
	_ scorecard.Source = hall.Store(nil)
	_ scorecard.Source = (*sqlite.Store)(nil)
)

// cst is the hall's zone in these tests.
var cst = time.FixedZone("CST", 8*60*60)

// day returns a time in 2026, China Standard Time.
func day(m time.Month, d, hour int) time.Time { return time.Date(2026, m, d, hour, 0, 0, 0, cst) }

// endOfDay is the last instant of a day in CST, as due dates are given.
func endOfDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, cst).Add(-time.Nanosecond)
}

func ptr[T any](v T) *T { return &v }

func mustOK(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// newStore opens a real SQLite store with the departments and categories
// the tests use.
func newStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "hallcast.db"))
	mustOK(t, err, "sqlite.Open")
	t.Cleanup(func() { s.Close() })
	for _, d := range []*hall.Department{
		{Key: "caizheng", Name: hall.Text{ZH: "财政所", EN: "Finance Office"}},
		{Key: "jianshe", Name: hall.Text{ZH: "建设办", EN: "Construction Office"}},
		{Key: "minzheng", Name: hall.Text{ZH: "民政办", EN: "Civil Affairs Office"}},
		{Key: "xianzhi", Name: hall.Text{ZH: "闲置办", EN: "Idle Office"}},
	} {
		mustOK(t, s.PutDepartment(t.Context(), d), "PutDepartment "+d.Key)
	}
	for _, c := range []*hall.Category{
		{Key: "finance", Name: hall.Text{ZH: "财务公开"}, Cadence: hall.CadenceMonthly, Sort: 10},
		{Key: "construction", Name: hall.Text{ZH: "城镇建设"}, Cadence: hall.CadenceOnce, Immediate: true, Sort: 20},
		{Key: "policy", Name: hall.Text{ZH: "政策法规"}, Cadence: hall.CadenceOnce, Sort: 30},
	} {
		mustOK(t, s.PutCategory(t.Context(), c), "PutCategory "+c.Key)
	}
	return s
}

// goodBody is long enough to count as an explanation.
var goodBody = strings.Repeat("本月收支情况说明，详见下表各科目明细。", 4)

// item returns a working copy ready to publish.
func item(id, category, dept string) *hall.Item {
	return &hall.Item{ID: id, Category: category, Department: dept, Title: "标题 " + id,
		Summary: "摘要", Body: goodBody, Status: hall.StatusApproved}
}

// publish publishes the item's working copy as its next revision at the
// given time, creating the item first if it is new, as the disclosure
// service does.
func publish(t *testing.T, s *sqlite.Store, it *hall.Item, at time.Time) {
	t.Helper()
	ctx := t.Context()
	if it.Version == 0 {
		it.CreatedAt, it.UpdatedAt = at, at
		mustOK(t, s.CreateItem(ctx, it), "CreateItem "+it.ID)
	}
	rev := &hall.Revision{ID: it.ID, Revision: 1, Category: it.Category, Department: it.Department,
		Title: it.Title, Summary: it.Summary, Body: it.Body, BodyHTML: "<p>" + it.Body + "</p>",
		Finance: it.Finance, Stage: it.Stage, MatterID: it.MatterID, Cadence: it.Cadence,
		ValidFrom: it.ValidFrom, ValidUntil: it.ValidUntil, Assets: []hall.Asset{},
		PublishedAt: at.UTC(), Page: "/p/" + it.ID}
	first := at
	if it.Public != nil {
		rev.Revision, first = it.Public.Revision+1, it.Public.FirstPublished
	}
	e, err := hall.NewPublishEntry(rev)
	mustOK(t, err, "NewPublishEntry")
	it.Public = &hall.PublicState{Revision: rev.Revision, Category: it.Category, Department: it.Department,
		Title: it.Title, Summary: it.Summary, Stage: it.Stage, MatterID: it.MatterID, Cadence: it.Cadence,
		SearchText: it.Title + " " + it.Summary, HasFinance: it.Finance != nil,
		PublishedAt: at, FirstPublished: first, ValidFrom: it.ValidFrom, ValidUntil: it.ValidUntil}
	it.Status, it.UpdatedAt = hall.StatusPublished, at
	mustOK(t, s.SaveWithEntry(ctx, it, e), fmt.Sprintf("publish %s#%d", it.ID, rev.Revision))
}

// withdraw takes the item down at the given time.
func withdraw(t *testing.T, s *sqlite.Store, it *hall.Item, at time.Time) {
	t.Helper()
	e, err := hall.NewStateEntry(hall.EntryWithdraw, it.ID, it.Public.Revision, at, "数据有误")
	mustOK(t, err, "NewStateEntry")
	it.Public.WithdrawnAt, it.Public.WithdrawReason = &at, "数据有误"
	it.Status = hall.StatusWithdrawn
	mustOK(t, s.SaveWithEntry(t.Context(), it, e), "withdraw "+it.ID)
}

func calendar(t *testing.T) *workdays.Calendar {
	t.Helper()
	cal, err := workdays.Default()
	mustOK(t, err, "workdays.Default")
	return cal
}

func period(t *testing.T, name string) scorecard.Period {
	t.Helper()
	p, err := scorecard.Parse(name, cst)
	mustOK(t, err, "Parse "+name)
	return p
}

func compute(t *testing.T, s *sqlite.Store, name string, now time.Time) *scorecard.Scorecard {
	t.Helper()
	sc, err := scorecard.Compute(t.Context(), s, calendar(t), period(t, name), now, scorecard.Rules{CaseWorkdays: 3, FeedbackWorkdays: 5})
	mustOK(t, err, "Compute "+name)
	return sc
}

func dept(t *testing.T, sc *scorecard.Scorecard, key string) *scorecard.Department {
	t.Helper()
	for _, d := range sc.Departments {
		if d.Key == key {
			return d
		}
	}
	t.Fatalf("department %q not on the scorecard", key)
	return nil
}

// statuses returns "item status due-date" for each obligation.
func statuses(d *scorecard.Department) []string {
	out := []string{}
	for _, o := range d.Timeliness.Items {
		out = append(out, o.ItemID+" "+o.Status+" "+o.Due.In(cst).Format("01-02"))
	}
	slices.Sort(out)
	return out
}

func wantFloat(t *testing.T, what string, got, want float64) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, name string
		from, to time.Time
	}{
		{"2026-11", "2026-11", day(11, 1, 0), day(12, 1, 0)},
		{"2026-12", "2026-12", day(12, 1, 0), time.Date(2027, 1, 1, 0, 0, 0, 0, cst)},
		{"2026-01", "2026-01", day(1, 1, 0), day(2, 1, 0)},
		{"2026-Q4", "2026-Q4", day(10, 1, 0), time.Date(2027, 1, 1, 0, 0, 0, 0, cst)},
		{"2026-Q1", "2026-Q1", day(1, 1, 0), day(4, 1, 0)},
		{"2026-q2", "2026-Q2", day(4, 1, 0), day(7, 1, 0)},
		{" 2026-Q3 ", "2026-Q3", day(7, 1, 0), day(10, 1, 0)},
	} {
		t.Run(tc.in, func(t *testing.T) {
			p, err := scorecard.Parse(tc.in, cst)
			mustOK(t, err, "Parse")
			if p.Name != tc.name || !p.From.Equal(tc.from) || !p.To.Equal(tc.to) {
				t.Errorf("got %s [%v, %v), want %s [%v, %v)", p.Name, p.From, p.To, tc.name, tc.from, tc.to)
			}
			if p.From.Location() != cst {
				t.Errorf("From in %v, want the given zone", p.From.Location())
			}
		})
	}
	for _, in := range []string{"", "2026", "2026-13", "2026-00", "2026-Q0", "2026-Q5", "2026-Q", "26-11",
		"2026-1", "2026-011", "abcd-11", "1999-12", "2200-01", "2026/11", "2026-11-01", "2026-H1", "２０２６-11"} {
		t.Run("Err"+in, func(t *testing.T) {
			_, err := scorecard.Parse(in, cst)
			var e *hall.Error
			if !errors.As(err, &e) || e.Code != hall.EValidation || e.Field != "period" {
				t.Errorf("Parse(%q): got %v, want a validation error on period", in, err)
			}
		})
	}
}

func TestGrade(t *testing.T) {
	for _, tc := range []struct {
		score float64
		want  string
	}{
		{100, "优秀"}, {90, "优秀"}, {89.9, "良好"}, {75, "良好"}, {74.9, "合格"},
		{60, "合格"}, {59.9, "不合格"}, {0, "不合格"},
	} {
		if got := scorecard.Grade(tc.score); got != tc.want {
			t.Errorf("Grade(%v): got %s, want %s", tc.score, got, tc.want)
		}
	}
}

// TestMonthlyDue pins the calendar facts the timeliness tests rely on.
func TestMonthlyDue(t *testing.T) {
	cal := calendar(t)
	for _, tc := range []struct {
		last time.Time
		want time.Time
	}{
		{day(10, 15, 10), endOfDay(day(11, 13, 0))}, // 10th working day of November 2026
		{day(11, 13, 0), endOfDay(day(12, 14, 0))},  // of December
	} {
		got, ok := cal.NextDue("monthly", tc.last, cst)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("NextDue(monthly, %v): got %v, want %v", tc.last, got, tc.want)
		}
	}
}

func TestTimeliness(t *testing.T) {
	s := newStore(t)
	oct15 := day(10, 15, 10)
	// Monthly finance reports of caizheng, first published on 15 October;
	// November's is due at the end of 13 November.
	onTime := item("it_ontime", "finance", "caizheng")
	publish(t, s, onTime, oct15)
	publish(t, s, onTime, day(11, 13, 16)) // on the due day
	late := item("it_late", "finance", "caizheng")
	publish(t, s, late, oct15)
	publish(t, s, late, day(11, 20, 9))
	missing := item("it_missing", "finance", "caizheng")
	publish(t, s, missing, oct15)
	afterPeriod := item("it_after", "finance", "caizheng")
	publish(t, s, afterPeriod, oct15)
	publish(t, s, afterPeriod, day(12, 3, 9)) // after November: missing for November
	// Taken down before it was due: no obligation.
	withdrawn := item("it_withdrawn", "finance", "caizheng")
	publish(t, s, withdrawn, oct15)
	withdraw(t, s, withdrawn, day(11, 2, 9))
	expired := item("it_expired", "finance", "caizheng")
	expired.ValidUntil = ptr(day(11, 10, 0))
	publish(t, s, expired, oct15)
	// Once only: never due again.
	policy := item("it_policy", "policy", "caizheng")
	publish(t, s, policy, oct15)
	// Its own cadence overrides the category's.
	quarterly := item("it_quarterly", "finance", "caizheng")
	quarterly.Cadence = hall.CadenceQuarterly
	publish(t, s, quarterly, oct15) // next due in January 2027

	t.Run("Month", func(t *testing.T) {
		sc := compute(t, s, "2026-11", day(12, 10, 12))
		d := dept(t, sc, "caizheng")
		want := []string{"it_after missing 11-13", "it_late late 11-13", "it_missing missing 11-13", "it_ontime on_time 11-13"}
		if got := statuses(d); !slices.Equal(got, want) {
			t.Errorf("obligations:\n got %q\nwant %q", got, want)
		}
		tl := d.Timeliness
		if tl.Due != 4 || tl.OnTime != 1 || tl.Late != 1 || tl.Missing != 2 || tl.Note != "" {
			t.Errorf("counts: got due %d, on_time %d, late %d, missing %d, note %q; want 4, 1, 1, 2, none",
				tl.Due, tl.OnTime, tl.Late, tl.Missing, tl.Note)
		}
		wantFloat(t, "timeliness points", tl.Points, 15) // 40 × (1 + 0.5) / 4
		wantFloat(t, "timeliness max", tl.Max, 40)
		for _, o := range tl.Items {
			if !o.Due.Equal(endOfDay(day(11, 13, 0))) {
				t.Errorf("%s due %v, want the end of 13 November", o.ItemID, o.Due)
			}
			switch o.ItemID {
			case "it_late":
				if o.PublishedAt == nil || !o.PublishedAt.Equal(day(11, 20, 9)) {
					t.Errorf("it_late published_at: got %v, want 20 November", o.PublishedAt)
				}
			case "it_missing":
				if o.PublishedAt != nil {
					t.Errorf("it_missing published_at: got %v, want none", o.PublishedAt)
				}
			}
		}
	})
	t.Run("Weights", func(t *testing.T) {
		// A deployment that weighs timeliness 50, completeness 20,
		// responsiveness 20, satisfaction 10: each part scales from its
		// default weight.
		w := scorecard.Weights{Timeliness: 50, Completeness: 20, Responsiveness: 20, Satisfaction: 10}
		base := dept(t, compute(t, s, "2026-11", day(12, 10, 12)), "caizheng")
		sc, err := scorecard.Compute(t.Context(), s, calendar(t), period(t, "2026-11"), day(12, 10, 12),
			scorecard.Rules{CaseWorkdays: 3, FeedbackWorkdays: 5, Weights: w})
		mustOK(t, err, "Compute with weights")
		if sc.Weights != w {
			t.Errorf("scorecard weights %+v, want %+v", sc.Weights, w)
		}
		d := dept(t, sc, "caizheng")
		wantFloat(t, "timeliness points", d.Timeliness.Points, 18.8) // 50 × (1 + 0.5) / 4 = 18.75
		wantFloat(t, "timeliness max", d.Timeliness.Max, 50)
		wantFloat(t, "completeness points", d.Completeness.Points, round1(base.Completeness.Finance.Points*20/30)+round1(base.Completeness.Summaries.Points*20/30)+round1(base.Completeness.Matters.Points*20/30))
		wantFloat(t, "completeness max", d.Completeness.Max, 20)
		wantFloat(t, "responsiveness points", d.Responsiveness.Points, base.Responsiveness.Points) // 20 either way
		wantFloat(t, "score", d.Score, round1(d.Timeliness.Points+d.Completeness.Points+d.Responsiveness.Points+d.Satisfaction.Points))

		_, err = scorecard.Compute(t.Context(), s, calendar(t), period(t, "2026-11"), day(12, 10, 12),
			scorecard.Rules{Weights: scorecard.Weights{Timeliness: 50, Completeness: 30, Responsiveness: 20, Satisfaction: 10}})
		if !hall.IsCode(err, hall.EValidation) {
			t.Errorf("weights adding up to 110: %v, want a validation error", err)
		}
	})
	t.Run("NotYetDue", func(t *testing.T) {
		sc := compute(t, s, "2026-11", day(11, 12, 12))
		for _, o := range dept(t, sc, "caizheng").Timeliness.Items {
			if o.ItemID == "it_missing" {
				t.Errorf("it_missing counted %s before its due date passed", o.Status)
			}
		}
	})
	t.Run("QuarterKeepsMissingItemDue", func(t *testing.T) {
		sc := compute(t, s, "2026-Q4", time.Date(2027, 1, 20, 12, 0, 0, 0, cst))
		want := []string{
			"it_after late 11-13", "it_after on_time 12-14",
			"it_late late 11-13", "it_late missing 12-14",
			"it_missing missing 11-13", "it_missing missing 12-14",
			"it_ontime missing 12-14", "it_ontime on_time 11-13",
		}
		if got := statuses(dept(t, sc, "caizheng")); !slices.Equal(got, want) {
			t.Errorf("obligations:\n got %q\nwant %q", got, want)
		}
	})
}

func TestTimelinessRevisionsInOneMonth(t *testing.T) {
	s := newStore(t)
	// A correction later in October becomes the base of November's due
	// date: the correction itself does not meet it.
	it := item("it_corrected", "finance", "caizheng")
	publish(t, s, it, day(10, 12, 10))
	publish(t, s, it, day(10, 28, 10))
	sc := compute(t, s, "2026-11", day(12, 10, 12))
	want := []string{"it_corrected missing 11-13"}
	if got := statuses(dept(t, sc, "caizheng")); !slices.Equal(got, want) {
		t.Errorf("obligations: got %q, want %q", got, want)
	}
}

func TestImmediate(t *testing.T) {
	s := newStore(t)
	// 20 working days after 2 November 2026 is 30 November.
	onTime := item("it_road", "construction", "jianshe")
	onTime.ValidFrom = ptr(day(11, 2, 9))
	publish(t, s, onTime, day(11, 20, 9))
	// 20 working days after 9 October (10 October is a make-up working day)
	// is 5 November.
	late := item("it_bridge", "construction", "jianshe")
	late.ValidFrom = ptr(day(10, 9, 9))
	publish(t, s, late, day(11, 20, 9))
	// No valid_from: no change date to count from.
	undated := item("it_park", "construction", "jianshe")
	publish(t, s, undated, day(11, 20, 9))
	// First published before the period: counted in October, not here.
	earlier := item("it_school", "construction", "jianshe")
	earlier.ValidFrom = ptr(day(10, 9, 9))
	publish(t, s, earlier, day(10, 20, 9))
	publish(t, s, earlier, day(11, 20, 9))

	sc := compute(t, s, "2026-11", day(12, 10, 12))
	d := dept(t, sc, "jianshe")
	want := []string{"it_bridge late 11-05", "it_road on_time 11-30"}
	if got := statuses(d); !slices.Equal(got, want) {
		t.Errorf("obligations: got %q, want %q", got, want)
	}
	for _, o := range d.Timeliness.Items {
		if o.Cadence != "immediate" {
			t.Errorf("%s cadence: got %q, want immediate", o.ItemID, o.Cadence)
		}
	}
	wantFloat(t, "timeliness points", d.Timeliness.Points, 30) // 40 × (1 + 0.5) / 2
}

func TestNothingDue(t *testing.T) {
	s := newStore(t)
	publish(t, s, item("it_rules", "policy", "minzheng"), day(11, 5, 9))
	sc := compute(t, s, "2026-11", day(12, 10, 12))
	for _, key := range []string{"minzheng", "xianzhi"} {
		t.Run(key, func(t *testing.T) {
			d := dept(t, sc, key)
			tl := d.Timeliness
			if tl.Due != 0 || tl.Note != scorecard.NoteNoObligations || len(tl.Items) != 0 {
				t.Errorf("timeliness: got due %d, note %q, %d items; want 0, %q, none", tl.Due, tl.Note, len(tl.Items), scorecard.NoteNoObligations)
			}
			wantFloat(t, "timeliness points", tl.Points, 40)
			wantFloat(t, "score", d.Score, 100)
			if d.Grade != "优秀" {
				t.Errorf("grade: got %s, want 优秀", d.Grade)
			}
		})
	}
}

// financeTable returns a table of totals only, or of totals and line items.
func financeTable(detailed bool) *hall.Finance {
	if !detailed {
		return &hall.Finance{Currency: "CNY", Unit: "yuan", Lines: []hall.FinanceLine{
			{Code: "in", Name: "收入合计", Amount: 500000},
			{Code: "out", Name: "支出合计", Amount: 420000},
		}}
	}
	return &hall.Finance{Currency: "CNY", Unit: "yuan", Lines: []hall.FinanceLine{
		{Code: "in", Name: "收入合计", Amount: 500000},
		{Code: "in-1", Name: "上级补助", Parent: "in", Amount: 400000},
		{Code: "in-2", Name: "租金收入", Parent: "in", Amount: 100000},
		{Code: "out", Name: "支出合计", Amount: 420000},
		{Code: "out-1", Name: "工资福利", Parent: "out", Amount: 300000},
		{Code: "out-2", Name: "公用经费", Parent: "out", Amount: 120000},
	}}
}

func TestCompleteness(t *testing.T) {
	s := newStore(t)
	for _, tc := range []struct {
		dept     string
		detailed bool
	}{{"caizheng", true}, {"minzheng", false}} {
		it := item("it_fin_"+tc.dept, "policy", tc.dept)
		it.Finance = financeTable(tc.detailed)
		mustOK(t, it.Finance.Validate(), "finance table")
		publish(t, s, it, day(11, 10, 9))
	}
	// Published before the period: not scored.
	old := item("it_fin_old", "policy", "caizheng")
	old.Finance = financeTable(false)
	publish(t, s, old, day(10, 10, 9))
	// Three lines but no sub-items: still totals only.
	flat := item("it_fin_flat", "policy", "jianshe")
	flat.Finance = &hall.Finance{Lines: []hall.FinanceLine{
		{Code: "a", Name: "收入", Amount: 1}, {Code: "b", Name: "支出", Amount: 1}, {Code: "c", Name: "结余", Amount: 0}}}
	publish(t, s, flat, day(11, 10, 9))

	// Matters of jianshe: the road disclosed before (in September) and
	// during (in November); the bridge only after the fact.
	roadBefore := item("it_road_before", "construction", "jianshe")
	roadBefore.MatterID, roadBefore.Stage = "mt_road", hall.StageBefore
	publish(t, s, roadBefore, day(9, 10, 9))
	roadDuring := item("it_road_during", "construction", "jianshe")
	roadDuring.MatterID, roadDuring.Stage = "mt_road", hall.StageDuring
	publish(t, s, roadDuring, day(11, 12, 9))
	bridge := item("it_bridge_after", "construction", "jianshe")
	bridge.MatterID, bridge.Stage = "mt_bridge", hall.StageAfter
	publish(t, s, bridge, day(11, 12, 9))
	// Disclosed after the period: does not count for November.
	bridgeLater := item("it_bridge_before", "construction", "jianshe")
	bridgeLater.MatterID, bridgeLater.Stage = "mt_bridge", hall.StageBefore
	publish(t, s, bridgeLater, day(12, 2, 9))

	// Summaries of minzheng: one revision with a summary and a body, one
	// without a summary, one with a short body.
	noSummary := item("it_nosummary", "policy", "minzheng")
	noSummary.Summary = "  "
	publish(t, s, noSummary, day(11, 11, 9))
	short := item("it_short", "policy", "minzheng")
	short.Body = "详见附件。"
	publish(t, s, short, day(11, 11, 9))

	sc := compute(t, s, "2026-11", day(12, 10, 12))

	t.Run("DetailedFinance", func(t *testing.T) {
		f := dept(t, sc, "caizheng").Completeness.Finance
		if f.Tables != 1 || f.Detailed != 1 || len(f.TotalsOnly) != 0 {
			t.Errorf("got tables %d, detailed %d, totals only %v; want 1, 1, none", f.Tables, f.Detailed, f.TotalsOnly)
		}
		wantFloat(t, "finance points", f.Points, 15)
	})
	t.Run("TotalsOnlyFinance", func(t *testing.T) {
		f := dept(t, sc, "minzheng").Completeness.Finance
		if f.Tables != 1 || f.Detailed != 0 || len(f.TotalsOnly) != 1 || f.TotalsOnly[0].ItemID != "it_fin_minzheng" {
			t.Errorf("got tables %d, detailed %d, totals only %v; want 1, 0, [it_fin_minzheng]", f.Tables, f.Detailed, f.TotalsOnly)
		}
		wantFloat(t, "finance points", f.Points, 0)
		if a, b := dept(t, sc, "caizheng").Completeness.Points, dept(t, sc, "minzheng").Completeness.Points; a <= b {
			t.Errorf("completeness: detailed %v, totals only %v; want detailed higher", a, b)
		}
	})
	t.Run("FlatTableIsTotalsOnly", func(t *testing.T) {
		wantFloat(t, "finance points", dept(t, sc, "jianshe").Completeness.Finance.Points, 0)
	})
	t.Run("Matters", func(t *testing.T) {
		m := dept(t, sc, "jianshe").Completeness.Matters
		want := []scorecard.MatterStage{
			{MatterID: "mt_bridge", Stages: []hall.Stage{hall.StageAfter}},
			{MatterID: "mt_road", Stages: []hall.Stage{hall.StageBefore, hall.StageDuring}},
		}
		if m.Matters != 2 || m.Staged != 1 || fmt.Sprint(m.Items) != fmt.Sprint(want) {
			t.Errorf("got matters %d, staged %d, %v; want 2, 1, %v", m.Matters, m.Staged, m.Items, want)
		}
		wantFloat(t, "matter points", m.Points, 5)
	})
	t.Run("NoMattersFullPoints", func(t *testing.T) {
		m := dept(t, sc, "caizheng").Completeness.Matters
		if m.Matters != 0 {
			t.Errorf("matters: got %d, want 0", m.Matters)
		}
		wantFloat(t, "matter points", m.Points, 10)
	})
	t.Run("Summaries", func(t *testing.T) {
		sm := dept(t, sc, "minzheng").Completeness.Summaries
		var lacking []string
		for _, r := range sm.Lacking {
			lacking = append(lacking, r.ItemID)
		}
		slices.Sort(lacking)
		if sm.Revisions != 3 || sm.Complete != 1 || !slices.Equal(lacking, []string{"it_nosummary", "it_short"}) {
			t.Errorf("got revisions %d, complete %d, lacking %v; want 3, 1, [it_nosummary it_short]", sm.Revisions, sm.Complete, lacking)
		}
		wantFloat(t, "summary points", sm.Points, 1.7) // 5 × 1/3
		wantFloat(t, "completeness points", dept(t, sc, "minzheng").Completeness.Points, 11.7)
	})
}

// rating is a kiosk rating of a subject.
func rating(id, subject string, level int, at time.Time, misuse bool) *hall.Event {
	return &hall.Event{ID: id, Kind: hall.EventRating, At: at, ReceivedAt: at, ScreenID: "sc_kiosk",
		Session: "ses-" + id, Subject: subject, Level: level, Misuse: misuse}
}

// feedback is a resident's message about an item ("" for the hall).
func feedback(id, itemID string, at time.Time) *hall.Event {
	return &hall.Event{ID: id, Kind: hall.EventFeedback, At: at, ReceivedAt: at, ScreenID: "sc_kiosk",
		Session: "ses-" + id, ItemID: itemID, Topic: "service", Text: "请说明明细"}
}

func TestResponsiveness(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	mz := item("it_mz", "policy", "minzheng")
	publish(t, s, mz, day(10, 9, 9))
	subject := hall.ItemSubject(mz.ID)
	_, err := s.InsertEvents(ctx, []*hall.Event{
		rating("case-intime", subject, 1, day(11, 3, 10), false),   // due 6 November 10:00
		rating("case-late", subject, 2, day(11, 3, 10), false),     // resolved after its deadline
		rating("case-open", subject, 1, day(11, 10, 10), false),    // never resolved, due 13 November
		rating("case-pending", subject, 2, day(11, 27, 10), false), // due 2 December, open on 1 December
		rating("case-october", subject, 1, day(10, 30, 10), false), // another period
		rating("case-hall", hall.SubjectHall, 1, day(11, 3, 10), false),
		feedback("fb-replied", mz.ID, day(11, 4, 10)),
		feedback("fb-open", mz.ID, day(11, 5, 10)),
		feedback("fb-october", mz.ID, day(10, 30, 10)),
		feedback("fb-hall", "", day(11, 5, 10)),
	})
	mustOK(t, err, "InsertEvents")
	mustOK(t, s.ResolveCase(ctx, "case-intime", "li", "已核实并更正", day(11, 6, 9).UTC()), "ResolveCase in time")
	mustOK(t, s.ResolveCase(ctx, "case-late", "li", "已核实", day(11, 9, 9).UTC()), "ResolveCase late")
	mustOK(t, s.ReplyFeedback(ctx, "fb-replied", &hall.Reply{Text: "已补充明细", Public: true, By: "li", At: day(11, 6, 9)}), "ReplyFeedback")

	sc := compute(t, s, "2026-11", day(12, 1, 12))
	r := dept(t, sc, "minzheng").Responsiveness
	if r.Cases != 3 || r.CasesInTime != 1 || r.CasesPending != 1 {
		t.Errorf("cases: got %d counted, %d in time, %d pending; want 3, 1, 1", r.Cases, r.CasesInTime, r.CasesPending)
	}
	if r.Feedback != 2 || r.FeedbackReplied != 1 {
		t.Errorf("feedback: got %d, %d replied; want 2, 1", r.Feedback, r.FeedbackReplied)
	}
	wantFloat(t, "responsiveness points", r.Points, 8) // 12 × 1/3 + 8 × 1/2
	wantFloat(t, "responsiveness max", r.Max, 20)

	t.Run("PendingCaseLateOnceDue", func(t *testing.T) {
		sc := compute(t, s, "2026-11", day(12, 3, 12))
		r := dept(t, sc, "minzheng").Responsiveness
		if r.Cases != 4 || r.CasesInTime != 1 || r.CasesPending != 0 {
			t.Errorf("cases: got %d counted, %d in time, %d pending; want 4, 1, 0", r.Cases, r.CasesInTime, r.CasesPending)
		}
	})
	t.Run("NoneFullPoints", func(t *testing.T) {
		r := dept(t, sc, "caizheng").Responsiveness
		if r.Cases != 0 || r.Feedback != 0 {
			t.Errorf("got %d cases, %d feedback; want none", r.Cases, r.Feedback)
		}
		wantFloat(t, "responsiveness points", r.Points, 20)
	})
}

func TestSatisfaction(t *testing.T) {
	s := newStore(t)
	cz := item("it_cz", "policy", "caizheng")
	publish(t, s, cz, day(10, 9, 9))
	subject := hall.ItemSubject(cz.ID)
	_, err := s.InsertEvents(t.Context(), []*hall.Event{
		rating("r5", subject, 5, day(11, 3, 10), false),
		rating("r4", subject, 4, day(11, 4, 10), false),
		rating("r3", subject, 3, day(11, 5, 10), false),
		rating("r1-burst", subject, 1, day(11, 5, 10), true), // misuse: left out
		rating("r1-october", subject, 1, day(10, 31, 10), false),
		rating("r1-hall", hall.SubjectHall, 1, day(11, 3, 10), false),
	})
	mustOK(t, err, "InsertEvents")
	sc := compute(t, s, "2026-11", day(12, 1, 12))

	st := dept(t, sc, "caizheng").Satisfaction
	if st.Ratings != 3 || st.Misuse != 1 || st.Index == nil || *st.Index != 75 || st.Note != "" {
		t.Errorf("got ratings %d, misuse %d, index %v, note %q; want 3, 1, 75, none", st.Ratings, st.Misuse, st.Index, st.Note)
	}
	wantFloat(t, "satisfaction points", st.Points, 7.5)

	t.Run("NoRatings", func(t *testing.T) {
		st := dept(t, sc, "minzheng").Satisfaction
		if st.Ratings != 0 || st.Index != nil || st.Note != scorecard.NoteNoRatings {
			t.Errorf("got ratings %d, index %v, note %q; want 0, none, %q", st.Ratings, st.Index, st.Note, scorecard.NoteNoRatings)
		}
		wantFloat(t, "satisfaction points", st.Points, 10)
	})
}

func TestScorecard(t *testing.T) {
	s := newStore(t)
	// caizheng misses November's finance report (all 40 timeliness points) and
	// publishes nothing else, so nothing it disclosed was complete either
	// (30 completeness points); the other departments have nothing to score.
	fin := item("it_fin", "finance", "caizheng")
	fin.Finance = financeTable(true)
	publish(t, s, fin, day(10, 15, 10))
	now := day(12, 10, 12)
	sc := compute(t, s, "2026-11", now)

	if sc.Period != "2026-11" || !sc.From.Equal(day(11, 1, 0)) || !sc.To.Equal(day(12, 1, 0)) || !sc.GeneratedAt.Equal(now) {
		t.Errorf("header: got %s [%v, %v) at %v", sc.Period, sc.From, sc.To, sc.GeneratedAt)
	}
	var keys []string
	for _, d := range sc.Departments {
		keys = append(keys, d.Key)
	}
	if want := []string{"jianshe", "minzheng", "xianzhi", "caizheng"}; !slices.Equal(keys, want) {
		t.Errorf("order: got %v, want %v (score descending, then key)", keys, want)
	}
	cz := dept(t, sc, "caizheng")
	wantFloat(t, "caizheng score", cz.Score, 30)
	if cz.Grade != "不合格" || cz.Completeness.Note != scorecard.NoteNothingPublished {
		t.Errorf("caizheng grade: got %s (completeness note %q), want 不合格 (%q)", cz.Grade, cz.Completeness.Note, scorecard.NoteNothingPublished)
	}
	if cz.Name.ZH != "财政所" || cz.Name.EN != "Finance Office" {
		t.Errorf("caizheng name: got %+v", cz.Name)
	}

	t.Run("JSON", func(t *testing.T) {
		raw, err := json.Marshal(sc)
		mustOK(t, err, "Marshal")
		var doc struct {
			Weights     map[string]int               `json:"weights"`
			Departments []map[string]json.RawMessage `json:"departments"`
		}
		mustOK(t, json.Unmarshal(raw, &doc), "Unmarshal")
		wantWeights := map[string]int{"timeliness": 40, "completeness": 30, "responsiveness": 20, "satisfaction": 10}
		if fmt.Sprint(doc.Weights) != fmt.Sprint(wantWeights) {
			t.Errorf("weights: got %v, want %v", doc.Weights, wantWeights)
		}
		for _, key := range []string{"key", "name", "score", "grade", "timeliness", "completeness", "responsiveness", "satisfaction"} {
			if _, ok := doc.Departments[0][key]; !ok {
				t.Errorf("department JSON lacks %q: %s", key, raw)
			}
		}
		var last struct {
			Timeliness struct {
				Points float64 `json:"points"`
				Items  []struct {
					ItemID      string  `json:"item_id"`
					Due         string  `json:"due"`
					PublishedAt *string `json:"published_at"`
					Status      string  `json:"status"`
				} `json:"items"`
			} `json:"timeliness"`
		}
		mustOK(t, json.Unmarshal(mustJSON(t, doc.Departments[3]), &last), "Unmarshal department")
		if len(last.Timeliness.Items) != 1 || last.Timeliness.Items[0].Status != "missing" || last.Timeliness.Items[0].PublishedAt != nil {
			t.Errorf("caizheng items: got %+v, want one missing without published_at", last.Timeliness.Items)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	mustOK(t, err, "Marshal")
	return b
}

func TestComputeErrors(t *testing.T) {
	s := newStore(t)
	p := period(t, "2026-11")
	t.Run("NoCalendar", func(t *testing.T) {
		if _, err := scorecard.Compute(t.Context(), s, nil, p, day(12, 1, 0), scorecard.Rules{}); err == nil {
			t.Error("Compute without a calendar: got no error")
		}
	})
	t.Run("EmptyPeriod", func(t *testing.T) {
		_, err := scorecard.Compute(t.Context(), s, calendar(t), scorecard.Period{Name: "x", From: p.To, To: p.From}, day(12, 1, 0), scorecard.Rules{})
		if hall.ErrorCode(err) != hall.EValidation {
			t.Errorf("Compute of an inverted period: got %v, want a validation error", err)
		}
	})
}

// TestSilenceIsNotPerfect: a department named for a monthly category owes
// one disclosure a month; publishing nothing scores 30 (不合格), not 100.
func TestSilenceIsNotPerfect(t *testing.T) {
	s := newStore(t)
	mustOK(t, s.PutCategory(t.Context(), &hall.Category{Key: "village-finance", Name: hall.Text{ZH: "村务财务"},
		Cadence: hall.CadenceMonthly, Sort: 40, Departments: []string{"xianzhi", "caizheng"}}), "PutCategory")
	// caizheng discloses October's village finances on 3 November, within
	// November's deadline (the MonthlyDueWorkdays-th working day); xianzhi
	// discloses nothing, ever.
	vf := item("it_vf", "village-finance", "caizheng")
	publish(t, s, vf, day(11, 3, 10))

	nov := compute(t, s, "2026-11", day(12, 10, 12))
	// xianzhi: October's disclosure, due in November, is missing: 0 of 40
	// timeliness; nothing published while something was due: 0 of 30
	// completeness; nothing to answer: 20; no ratings: 10. 30 in all.
	x := dept(t, nov, "xianzhi")
	if x.Timeliness.Due != 1 || x.Timeliness.Missing != 1 || len(x.Timeliness.Items) != 1 {
		t.Fatalf("xianzhi obligations: %+v", x.Timeliness)
	}
	if o := x.Timeliness.Items[0]; o.Category != "village-finance" || o.ItemID != "" || o.Status != scorecard.StatusMissing || o.Title != "村务财务" {
		t.Errorf("xianzhi obligation: %+v", o)
	}
	wantFloat(t, "xianzhi timeliness", x.Timeliness.Points, 0)
	wantFloat(t, "xianzhi completeness", x.Completeness.Points, 0)
	wantFloat(t, "xianzhi score", x.Score, 30)
	if x.Grade != scorecard.GradeFail {
		t.Errorf("xianzhi grade %s, want %s", x.Grade, scorecard.GradeFail)
	}
	// caizheng: its 3 November revision meets October's due date: 40 + 30 +
	// 20 + 10 = 100.
	c := dept(t, nov, "caizheng")
	if c.Timeliness.Due != 1 || c.Timeliness.OnTime != 1 || c.Timeliness.Items[0].PublishedAt == nil {
		t.Errorf("caizheng November obligations: %+v", c.Timeliness)
	}
	wantFloat(t, "caizheng November score", c.Score, 100)
	// Departments the category does not name owe nothing.
	wantFloat(t, "jianshe score", dept(t, nov, "jianshe").Score, 100)

	// December: caizheng's item is now due again (NextDue of 3 November)
	// and was not revised: one missing obligation from the item, and none
	// added for the category on top of it. xianzhi misses November's.
	dec := compute(t, s, "2026-12", time.Date(2027, 1, 20, 12, 0, 0, 0, cst))
	c = dept(t, dec, "caizheng")
	if c.Timeliness.Due != 1 || c.Timeliness.Missing != 1 || c.Timeliness.Items[0].ItemID != "it_vf" {
		t.Errorf("caizheng December obligations: %+v", c.Timeliness)
	}
	wantFloat(t, "caizheng December score", c.Score, 30)
	x = dept(t, dec, "xianzhi")
	if x.Timeliness.Due != 1 || x.Timeliness.Missing != 1 {
		t.Errorf("xianzhi December obligations: %+v", x.Timeliness)
	}

	// Published late: a revision after the due date, before the period's
	// end, is late (half credit): 20 + 30 + 20 + 10 = 80.
	late := item("it_late", "village-finance", "xianzhi")
	publish(t, s, late, day(11, 27, 10))
	nov = compute(t, s, "2026-11", day(12, 10, 12))
	x = dept(t, nov, "xianzhi")
	if x.Timeliness.Late != 1 || x.Timeliness.Due != 1 {
		t.Errorf("xianzhi late obligations: %+v", x.Timeliness)
	}
	wantFloat(t, "xianzhi late score", x.Score, 80)
}

// TestFeedbackDeadline: feedback is answered in time only within its
// deadline in working days (5 by these rules): a late reply counts against,
// unanswered feedback inside its deadline counts neither way.
func TestFeedbackDeadline(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	mz := item("it_mz", "policy", "minzheng")
	publish(t, s, mz, day(10, 9, 9))
	_, err := s.InsertEvents(ctx, []*hall.Event{
		feedback("fb-intime", mz.ID, day(11, 2, 10)),   // Monday: due Monday 9 November
		feedback("fb-late", mz.ID, day(11, 20, 10)),    // Friday: due Friday 27 November
		feedback("fb-pending", mz.ID, day(11, 27, 10)), // due Friday 4 December
	})
	mustOK(t, err, "InsertEvents")
	mustOK(t, s.ReplyFeedback(ctx, "fb-intime", &hall.Reply{Text: "已答复", By: "li", At: day(11, 9, 9)}), "reply in time")
	mustOK(t, s.ReplyFeedback(ctx, "fb-late", &hall.Reply{Text: "已答复", By: "li", At: day(11, 30, 9)}), "reply late")

	r := dept(t, compute(t, s, "2026-11", day(12, 1, 12)), "minzheng").Responsiveness
	if r.Feedback != 2 || r.FeedbackReplied != 1 || r.FeedbackPending != 1 {
		t.Errorf("feedback: got %d counted, %d in time, %d pending; want 2, 1, 1", r.Feedback, r.FeedbackReplied, r.FeedbackPending)
	}
	wantFloat(t, "responsiveness points", r.Points, 16) // 12 (no cases) + 8 × 1/2
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
