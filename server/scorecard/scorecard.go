// Package scorecard scores each department's disclosure over a month or a
// quarter (分制): whether it disclosed on time, completely and answerably.
// A department scores out of 100, the sum of four parts; every part, its
// sub-parts and the total are rounded to one decimal. Every department of
// the catalogue is scored; a part with nothing to score gets its full
// points, so a department with no activity at all scores 100. Revisions,
// cases and feedback of departments not in the catalogue are left out.
//
// # Timeliness (WeightTimeliness, 40 points)
//
// Obligations come from the department's published items (every item ever
// published, read with its archive entries). Entries at or after the
// period's end are ignored.
//
// Regular obligations. Each publish entry's revision has a cadence: its own,
// else its category's. For monthly, quarterly and annual cadences, a
// revision published at t makes the next revision due at
// workdays.Calendar.NextDue(cadence, t) in the hall's zone (the end of the
// due day). When several revisions are due at the same time (corrections
// within one month), the latest of them is the base of that due date. The
// due date D is met by the first revision published after the base:
//   - on_time when that revision was published at or before D;
//   - late when it was published after D but before the period's end or
//     now, whichever is earlier;
//   - missing otherwise, once D has passed by now; a due date not yet passed
//     and not yet met is not counted at all.
//
// When D is not met on time, the item stays due: the next due date is
// NextDue(cadence, D), and so on, until the due date falls in the window
// of the next revision (which then takes over) or beyond the period. So an
// item left alone for a quarter has three missing monthly due dates in that
// quarter. An item taken down stops being due: a due date D not met on
// time makes no obligation (nor do later ones from the same base) when,
// after the base and before the next revision, the item was withdrawn or
// expired (an archive entry) or the base revision's valid_until passed, at
// or before D. An item replaced by a new item each month should therefore
// be given a valid_until or be withdrawn.
// Obligations count in the period their due date falls in, for the
// department of their base revision.
//
// Immediate obligations. An item whose first revision is in a category
// marked Immediate and has a valid_from (standing for the date of the
// change, which items do not record) must be first published within
// ImmediateWorkdays working days: due at the end of the day
// AddWorkdays(valid_from, ImmediateWorkdays). It counts in the period of its
// first publish, for that revision's department: on_time if published by
// the due date, late otherwise. Withdrawing it later does not undo it.
//
// Standing obligations. Silence is not perfection: a category with a
// monthly, quarterly or annual cadence names the departments that owe its
// disclosures (Category.Departments). For such a department and category
// with no regular obligation in the period (it published nothing of the
// category, or took it all down), every cadence period owes one
// disclosure, due at NextDue(cadence, the period's start): a month's by the
// MonthlyDueWorkdays-th working day of the next month, and so on. Its due
// dates that fall in the period count like an item's: met on_time by the
// department's first revision of the category published from the cadence
// period's start to the due date, late by one published after it (before
// the period's end or now), missing when there is none and the due date has
// passed; each revision meets one due date. These obligations name the
// category and no item.
//
// Points: WeightTimeliness × (on_time + LateCredit × late) / due, where due
// counts every obligation of the period. A department with no obligations
// gets the full points and the note NoteNoObligations.
//
// # Completeness (WeightCompleteness, 30 points)
//
// Over the department's revisions published in the period (counted per
// revision, by each revision's own department). A department that had
// obligations due in the period but published nothing in it scores no
// completeness points (note NoteNothingPublished): nothing disclosed is not
// complete. Otherwise:
//   - finance (FinancePoints, 15): the share of revisions with a finance
//     table that give line items, not only totals — at least MinFinanceLines
//     lines of which at least one has a parent. Full points if none has a
//     table.
//   - matters (MatterPoints, 10): the matters of the department's revisions
//     in the period that are in an Immediate category and name a matter; the
//     share of them disclosed in at least MinMatterStages stages (before,
//     during, after), counting the stage of every revision of any item of the
//     matter published before the period's end. Full points if none.
//   - summaries (SummaryPoints, 5): the share of revisions with a non-blank
//     summary and a body of at least MinBodyRunes characters (trimmed). Full
//     points if none.
//
// # Responsiveness (WeightResponsiveness, 20 points)
//
// Cases and feedback are attributed to the department of the item they
// concern, as its latest published revision names it (as the engagement
// report does); cases and feedback about the hall, or about no known item,
// count for no department.
//   - cases (CasePoints, 12): cases (poor ratings) opened in the period; each
//     is due AddWorkdays(opened, caseWorkdays) (the same wall-clock time). A
//     case resolved at or before that is in time; one resolved later, or open
//     after it has passed by now, is not; one still open inside its deadline
//     counts neither way (cases_pending). Points: the share in time of those
//     counted; full if none.
//   - feedback (FeedbackPoints, 8): feedback received in the period; each is
//     due AddWorkdays(received, feedbackWorkdays). Replied to at or before
//     that is in time; replied later, or unanswered after it has passed by
//     now, is not; unanswered inside its deadline counts neither way
//     (feedback_pending). Points: the share in time of those counted; full
//     if none.
//
// # Satisfaction (WeightSatisfaction, 10 points)
//
// The department's satisfaction index over the period: the mean of
// (level−1)/4 × 100 over the ratings of its items, ratings flagged as misuse
// left out (the store's engagement report by department). Points: index/10;
// full points and the note NoteNoRatings when there are no ratings.
//
// # Grade
//
// 优秀 at GradeExcellentMin (90) or more, 良好 at GradeGoodMin (75), 合格 at
// GradePassMin (60), 不合格 below. Departments are listed by score, highest
// first, then by key.
package scorecard

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/workdays"
)

// Weights of the four parts; they add up to 100.
const (
	WeightTimeliness     = 40
	WeightCompleteness   = 30
	WeightResponsiveness = 20
	WeightSatisfaction   = 10
)

// How the completeness and responsiveness points split; each group adds up
// to its part's weight.
const (
	FinancePoints  = 15 // finance tables with line items
	MatterPoints   = 10 // matters disclosed in stages
	SummaryPoints  = 5  // summaries and bodies
	CasePoints     = 12 // cases closed in time
	FeedbackPoints = 8  // feedback replied to
)

// Rule parameters.
const (
	// LateCredit is how much of an on-time disclosure a late one is worth.
	LateCredit = 0.5
	// ImmediateWorkdays is how many working days after the change an
	// immediate disclosure has (proactive disclosure within 20 working days).
	ImmediateWorkdays = 20
	// MinFinanceLines and a line with a parent make a finance table detailed.
	MinFinanceLines = 3
	// MinMatterStages is how many stages a matter must be disclosed in.
	MinMatterStages = 2
	// MinBodyRunes is the shortest body that counts as an explanation.
	MinBodyRunes = 50
	// DefaultCaseWorkdays is the deadline for a case when the rules give
	// none.
	DefaultCaseWorkdays = 3
	// DefaultFeedbackWorkdays is the deadline for replying to feedback when
	// the rules give none.
	DefaultFeedbackWorkdays = 5
)

// Grades and the lowest score of each.
const (
	GradeExcellent = "优秀"
	GradeGood      = "良好"
	GradePass      = "合格"
	GradeFail      = "不合格"

	GradeExcellentMin = 90
	GradeGoodMin      = 75
	GradePassMin      = 60
)

// Statuses of an obligation.
const (
	StatusOnTime  = "on_time"
	StatusLate    = "late"
	StatusMissing = "missing"
)

// KindImmediate is the cadence shown for an immediate obligation.
const KindImmediate = "immediate"

// Notes on a part that scored full points for want of anything to score,
// or none for want of anything published.
const (
	NoteNoObligations    = "no obligations"
	NoteNoRatings        = "no ratings"
	NoteNothingPublished = "nothing published while disclosures were due"
)

// listLimit is the most cases or feedback the store returns in one call.
const listLimit = 1000

// maxDueSteps bounds how many due dates one revision can make (an annual
// item left for a century); a guard, never reached in practice.
const maxDueSteps = 1200

// Source is what Compute reads from the store.
type Source interface {
	ListDepartments(ctx context.Context) ([]*hall.Department, error)
	ListCategories(ctx context.Context) ([]*hall.Category, error)
	ListItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error)
	ItemEntries(ctx context.Context, itemID string) ([]*hall.ArchiveEntry, error)
	ListCases(ctx context.Context, status string, limit int) ([]*hall.Case, error)
	ListFeedback(ctx context.Context, status string, limit int) ([]*hall.Feedback, error)
	Engagement(ctx context.Context, from, to time.Time, by string, offsetS int) ([]*hall.EngagementRow, error)
}

// Scorecard is the scores of every department for one period.
type Scorecard struct {
	Period      string        `json:"period"`
	From        time.Time     `json:"from"`
	To          time.Time     `json:"to"`
	GeneratedAt time.Time     `json:"generated_at"`
	Weights     Weights       `json:"weights"`
	Departments []*Department `json:"departments"`
	// Warnings say when the store held more cases or feedback than could be
	// read, so some of the period's may be left out.
	Warnings []string `json:"warnings,omitempty"`
}

// Weights are the maximum points of each part.
type Weights struct {
	Timeliness     int `json:"timeliness"`
	Completeness   int `json:"completeness"`
	Responsiveness int `json:"responsiveness"`
	Satisfaction   int `json:"satisfaction"`
}

// DefaultWeights returns the weights Compute scores with.
func DefaultWeights() Weights {
	return Weights{WeightTimeliness, WeightCompleteness, WeightResponsiveness, WeightSatisfaction}
}

// Department is one department's score and how it was reached.
type Department struct {
	Key            string         `json:"key"`
	Name           hall.Text      `json:"name"`
	Score          float64        `json:"score"`
	Grade          string         `json:"grade"`
	Timeliness     Timeliness     `json:"timeliness"`
	Completeness   Completeness   `json:"completeness"`
	Responsiveness Responsiveness `json:"responsiveness"`
	Satisfaction   Satisfaction   `json:"satisfaction"`
}

// Timeliness is the on-time part: every obligation of the period.
type Timeliness struct {
	Points  float64      `json:"points"`
	Max     float64      `json:"max"`
	Due     int          `json:"due"`
	OnTime  int          `json:"on_time"`
	Late    int          `json:"late"`
	Missing int          `json:"missing"`
	Note    string       `json:"note,omitempty"`
	Items   []Obligation `json:"items"`
}

// Obligation is one due disclosure and how it was met: of an item, or of
// a category its department owes (ItemID empty).
type Obligation struct {
	ItemID      string     `json:"item_id,omitempty"`
	Title       string     `json:"title"`
	Category    string     `json:"category,omitempty"`
	Cadence     string     `json:"cadence"` // monthly, quarterly, annual or immediate
	Due         time.Time  `json:"due"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Status      string     `json:"status"`
}

// Completeness is the part for disclosing in detail.
type Completeness struct {
	Points    float64   `json:"points"`
	Max       float64   `json:"max"`
	Note      string    `json:"note,omitempty"`
	Finance   Finance   `json:"finance"`
	Matters   Matters   `json:"matters"`
	Summaries Summaries `json:"summaries"`
}

// RevisionRef names one published revision.
type RevisionRef struct {
	ItemID   string `json:"item_id"`
	Revision int    `json:"revision"`
	Title    string `json:"title"`
}

// Finance counts the finance tables published and those with line items;
// TotalsOnly lists the others.
type Finance struct {
	Points     float64       `json:"points"`
	Max        float64       `json:"max"`
	Tables     int           `json:"tables"`
	Detailed   int           `json:"detailed"`
	TotalsOnly []RevisionRef `json:"totals_only"`
}

// Matters counts the matters the department disclosed in the period and
// those disclosed in at least two stages.
type Matters struct {
	Points  float64       `json:"points"`
	Max     float64       `json:"max"`
	Matters int           `json:"matters"`
	Staged  int           `json:"staged"`
	Items   []MatterStage `json:"items"`
}

// MatterStage is one matter and the stages it has been disclosed in.
type MatterStage struct {
	MatterID string       `json:"matter_id"`
	Stages   []hall.Stage `json:"stages"`
}

// Summaries counts the revisions published and those with a summary and
// an explaining body; Lacking lists the others.
type Summaries struct {
	Points    float64       `json:"points"`
	Max       float64       `json:"max"`
	Revisions int           `json:"revisions"`
	Complete  int           `json:"complete"`
	Lacking   []RevisionRef `json:"lacking"`
}

// Responsiveness is the part for answering residents.
type Responsiveness struct {
	Points          float64 `json:"points"`
	Max             float64 `json:"max"`
	Cases           int     `json:"cases"` // counted: closed, or past their deadline
	CasesInTime     int     `json:"cases_in_time"`
	CasesPending    int     `json:"cases_pending"`    // open, still inside their deadline
	Feedback        int     `json:"feedback"`         // counted: replied, or past their deadline
	FeedbackReplied int     `json:"feedback_replied"` // replied in time
	FeedbackPending int     `json:"feedback_pending"` // unanswered, still inside their deadline
}

// Satisfaction is the part for residents' ratings.
type Satisfaction struct {
	Points  float64  `json:"points"`
	Max     float64  `json:"max"`
	Ratings int64    `json:"ratings"`
	Misuse  int64    `json:"misuse"` // left out
	Index   *float64 `json:"index,omitempty"`
	Note    string   `json:"note,omitempty"`
}

// Grade returns the grade of a score.
func Grade(score float64) string {
	switch {
	case score >= GradeExcellentMin:
		return GradeExcellent
	case score >= GradeGoodMin:
		return GradeGood
	case score >= GradePassMin:
		return GradePass
	}
	return GradeFail
}

// round1 rounds to one decimal.
func round1(x float64) float64 { return math.Round(x*10) / 10 }

// share returns points × n/total, or the full points when total is 0.
func share(points float64, n, total int) float64 {
	if total == 0 {
		return points
	}
	return round1(points * float64(n) / float64(total))
}

// Rules are a deployment's deadlines for answering residents.
type Rules struct {
	// CaseWorkdays is the working days to close a case from a poor rating
	// (DefaultCaseWorkdays if not positive).
	CaseWorkdays int `json:"case_workdays"`
	// FeedbackWorkdays is the working days to reply to feedback
	// (DefaultFeedbackWorkdays if not positive).
	FeedbackWorkdays int `json:"feedback_workdays"`
	// Weights are the points of the four parts (DefaultWeights when zero).
	// Each part's points, and those of its sub-parts, scale from the
	// default weight to this one.
	Weights Weights `json:"weights"`
}

// Validate checks that the weights are 0 to 100 each and add up to 100.
func (w Weights) Validate() error {
	for name, v := range map[string]int{"timeliness": w.Timeliness, "completeness": w.Completeness,
		"responsiveness": w.Responsiveness, "satisfaction": w.Satisfaction} {
		if v < 0 || v > 100 {
			return hall.FieldError("weights."+name, "want 0 to 100 points")
		}
	}
	if sum := w.Timeliness + w.Completeness + w.Responsiveness + w.Satisfaction; sum != 100 {
		return hall.FieldError("weights", "the four parts add up to %d points, want 100", sum)
	}
	return nil
}

// Compute scores every department for the period p, judged at now: what
// was not done by now counts as not done. Working days come from cal.
// Times are judged in p.From's location.
func Compute(ctx context.Context, src Source, cal *workdays.Calendar, p Period, now time.Time, rules Rules) (*Scorecard, error) {
	if cal == nil {
		return nil, errors.New("scorecard: no working-day calendar")
	}
	if !p.To.After(p.From) {
		return nil, hall.FieldError("period", "the period ends before it starts")
	}
	if rules.CaseWorkdays <= 0 {
		rules.CaseWorkdays = DefaultCaseWorkdays
	}
	if rules.FeedbackWorkdays <= 0 {
		rules.FeedbackWorkdays = DefaultFeedbackWorkdays
	}
	if rules.Weights == (Weights{}) {
		rules.Weights = DefaultWeights()
	}
	if err := rules.Weights.Validate(); err != nil {
		return nil, err
	}
	c := &computation{src: src, cal: cal, p: p, now: now, loc: p.From.Location(), rules: rules,
		byKey: map[string]*Department{}, categories: map[string]*hall.Category{}}
	if err := c.load(ctx); err != nil {
		return nil, err
	}
	if err := c.items(ctx); err != nil {
		return nil, err
	}
	if err := c.cases(ctx); err != nil {
		return nil, err
	}
	if err := c.feedback(ctx); err != nil {
		return nil, err
	}
	if err := c.satisfaction(ctx); err != nil {
		return nil, err
	}
	sc := &Scorecard{Period: p.Name, From: p.From, To: p.To, GeneratedAt: now, Weights: rules.Weights,
		Departments: c.depts, Warnings: c.warnings}
	for _, d := range sc.Departments {
		c.finish(d)
	}
	sort.SliceStable(sc.Departments, func(i, j int) bool {
		a, b := sc.Departments[i], sc.Departments[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Key < b.Key
	})
	return sc, nil
}

// computation is the state of one Compute call.
type computation struct {
	src   Source
	cal   *workdays.Calendar
	p     Period
	now   time.Time
	loc   *time.Location
	rules Rules

	depts      []*Department
	byKey      map[string]*Department
	categories map[string]*hall.Category
	itemDept   map[string]string // item id → department of its latest published revision
	warnings   []string
	// By department and category (owed): whether an item of it had a
	// regular obligation in the period, and when its revisions were
	// published (before the period's end, oldest first).
	itemDue   map[string]bool
	published map[string][]time.Time

	// Tallies finished into points by finish.
	matters      map[string]map[string]bool // department → matters it disclosed in the period
	matterStages map[string]map[hall.Stage]bool
}

func (c *computation) load(ctx context.Context) error {
	depts, err := c.src.ListDepartments(ctx)
	if err != nil {
		return fmt.Errorf("scorecard: departments: %w", err)
	}
	for _, d := range depts {
		dep := &Department{Key: d.Key, Name: d.Name}
		dep.Timeliness.Items = []Obligation{}
		dep.Completeness.Finance.TotalsOnly = []RevisionRef{}
		dep.Completeness.Matters.Items = []MatterStage{}
		dep.Completeness.Summaries.Lacking = []RevisionRef{}
		c.depts = append(c.depts, dep)
		c.byKey[d.Key] = dep
	}
	cats, err := c.src.ListCategories(ctx)
	if err != nil {
		return fmt.Errorf("scorecard: categories: %w", err)
	}
	for _, cat := range cats {
		c.categories[cat.Key] = cat
	}
	c.matters = map[string]map[string]bool{}
	c.matterStages = map[string]map[hall.Stage]bool{}
	c.itemDue = map[string]bool{}
	c.published = map[string][]time.Time{}
	return nil
}

// finish turns a department's tallies into points, score and grade.
func (c *computation) finish(d *Department) {
	t := &d.Timeliness
	t.Max = WeightTimeliness
	t.Due = t.OnTime + t.Late + t.Missing
	if t.Due == 0 {
		t.Points, t.Note = WeightTimeliness, NoteNoObligations
	} else {
		t.Points = round1(WeightTimeliness * (float64(t.OnTime) + LateCredit*float64(t.Late)) / float64(t.Due))
	}
	sort.Slice(t.Items, func(i, j int) bool {
		a, b := t.Items[i], t.Items[j]
		if !a.Due.Equal(b.Due) {
			return a.Due.Before(b.Due)
		}
		return a.ItemID < b.ItemID
	})

	cm := &d.Completeness
	cm.Max = WeightCompleteness
	cm.Finance.Max = FinancePoints
	cm.Finance.Points = share(FinancePoints, cm.Finance.Detailed, cm.Finance.Tables)
	cm.Summaries.Max = SummaryPoints
	cm.Summaries.Points = share(SummaryPoints, cm.Summaries.Complete, cm.Summaries.Revisions)
	for id := range c.matters[d.Key] {
		stages := []hall.Stage{}
		for _, s := range []hall.Stage{hall.StageBefore, hall.StageDuring, hall.StageAfter} {
			if c.matterStages[id][s] {
				stages = append(stages, s)
			}
		}
		cm.Matters.Items = append(cm.Matters.Items, MatterStage{MatterID: id, Stages: stages})
		cm.Matters.Matters++
		if len(stages) >= MinMatterStages {
			cm.Matters.Staged++
		}
	}
	sort.Slice(cm.Matters.Items, func(i, j int) bool { return cm.Matters.Items[i].MatterID < cm.Matters.Items[j].MatterID })
	cm.Matters.Max = MatterPoints
	cm.Matters.Points = share(MatterPoints, cm.Matters.Staged, cm.Matters.Matters)
	if t.Due > 0 && cm.Summaries.Revisions == 0 {
		cm.Finance.Points, cm.Matters.Points, cm.Summaries.Points, cm.Note = 0, 0, 0, NoteNothingPublished
	}
	cm.Points = round1(cm.Finance.Points + cm.Matters.Points + cm.Summaries.Points)

	r := &d.Responsiveness
	r.Max = WeightResponsiveness
	r.Points = round1(share(CasePoints, r.CasesInTime, r.Cases) + share(FeedbackPoints, r.FeedbackReplied, r.Feedback))

	s := &d.Satisfaction
	s.Max = WeightSatisfaction
	if s.Index == nil {
		s.Points, s.Note = WeightSatisfaction, NoteNoRatings
	}

	c.scale(d)
	d.Score = round1(t.Points + cm.Points + r.Points + s.Points)
	d.Grade = Grade(d.Score)
}

// scale turns the points, reckoned on the default weights, into the
// deployment's: each part (and its sub-parts) times its weight over the
// default one.
func (c *computation) scale(d *Department) {
	w := c.rules.Weights
	if w == DefaultWeights() {
		return
	}
	by := func(p float64, weight, def int) float64 { return round1(p * float64(weight) / float64(def)) }
	t, cm, r, s := &d.Timeliness, &d.Completeness, &d.Responsiveness, &d.Satisfaction
	t.Points, t.Max = by(t.Points, w.Timeliness, WeightTimeliness), float64(w.Timeliness)
	for _, part := range []struct{ points, max *float64 }{
		{&cm.Finance.Points, &cm.Finance.Max}, {&cm.Summaries.Points, &cm.Summaries.Max}, {&cm.Matters.Points, &cm.Matters.Max},
	} {
		*part.points, *part.max = by(*part.points, w.Completeness, WeightCompleteness), by(*part.max, w.Completeness, WeightCompleteness)
	}
	cm.Points, cm.Max = round1(cm.Finance.Points+cm.Summaries.Points+cm.Matters.Points), float64(w.Completeness)
	r.Points, r.Max = by(r.Points, w.Responsiveness, WeightResponsiveness), float64(w.Responsiveness)
	s.Points, s.Max = by(s.Points, w.Satisfaction, WeightSatisfaction), float64(w.Satisfaction)
}

// cases tallies the cases opened in the period by department.
func (c *computation) cases(ctx context.Context) error {
	list, err := c.src.ListCases(ctx, "", listLimit)
	if err != nil {
		return fmt.Errorf("scorecard: cases: %w", err)
	}
	// Oldest first: a full list that ends before the period's end may have
	// left the period's newest cases out.
	if len(list) >= listLimit && list[len(list)-1].At.Before(c.p.To) {
		c.warnings = append(c.warnings, fmt.Sprintf("cases: only the oldest %d cases could be read; later ones are not counted", listLimit))
	}
	for _, cs := range list {
		id, ok := strings.CutPrefix(cs.Subject, "item:")
		if !ok || !c.p.contains(cs.At) {
			continue
		}
		d := c.byKey[c.itemDept[id]]
		if d == nil {
			continue
		}
		r := &d.Responsiveness
		due := c.cal.AddWorkdays(cs.At.In(c.loc), c.rules.CaseWorkdays)
		switch {
		case cs.ResolvedAt != nil:
			r.Cases++
			if !cs.ResolvedAt.After(due) {
				r.CasesInTime++
			}
		case c.now.After(due):
			r.Cases++
		default:
			r.CasesPending++
		}
	}
	return nil
}

// feedback tallies the feedback received in the period by department.
func (c *computation) feedback(ctx context.Context) error {
	list, err := c.src.ListFeedback(ctx, "", listLimit)
	if err != nil {
		return fmt.Errorf("scorecard: feedback: %w", err)
	}
	// Newest first: a full list that ends after the period's start may have
	// left the period's oldest feedback out.
	if len(list) >= listLimit && !list[len(list)-1].At.Before(c.p.From) {
		c.warnings = append(c.warnings, fmt.Sprintf("feedback: only the newest %d messages could be read; earlier ones are not counted", listLimit))
	}
	for _, f := range list {
		if f.ItemID == "" || !c.p.contains(f.At) {
			continue
		}
		d := c.byKey[c.itemDept[f.ItemID]]
		if d == nil {
			continue
		}
		r := &d.Responsiveness
		due := c.cal.AddWorkdays(f.At.In(c.loc), c.rules.FeedbackWorkdays)
		switch {
		case f.Reply != nil:
			r.Feedback++
			if !f.Reply.At.After(due) {
				r.FeedbackReplied++
			}
		case c.now.After(due):
			r.Feedback++
		default:
			r.FeedbackPending++
		}
	}
	return nil
}

// satisfaction reads the period's ratings by department.
func (c *computation) satisfaction(ctx context.Context) error {
	_, offset := c.p.From.Zone()
	rows, err := c.src.Engagement(ctx, c.p.From, c.p.To, hall.ByDepartment, offset)
	if err != nil {
		return fmt.Errorf("scorecard: ratings: %w", err)
	}
	for _, row := range rows {
		d := c.byKey[row.Key]
		if d == nil {
			continue
		}
		s := &d.Satisfaction
		s.Ratings, s.Misuse = row.Ratings, row.Misuse
		if row.Ratings > 0 {
			index := float64(row.RatingSum-row.Ratings) / 4 / float64(row.Ratings) * 100
			s.Points = round1(index / 100 * WeightSatisfaction)
			rounded := round1(index)
			s.Index = &rounded
		}
	}
	return nil
}
