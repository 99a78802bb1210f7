package hall

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where an item's working copy stands in the review workflow.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusSubmitted Status = "submitted"
	StatusApproved  Status = "approved"
	StatusPublished Status = "published"
	StatusWithdrawn Status = "withdrawn"
)

// Stage is the phase of a matter an item discloses.
type Stage string

const (
	StageBefore Stage = "before" // why and how: to consult
	StageDuring Stage = "during" // under way: to take part
	StageAfter  Stage = "after"  // results: to check
)

// Limits on item fields.
const (
	MaxTitleRunes   = 120
	MaxSummaryRunes = 500
	MaxBodyBytes    = 256 << 10
	MaxFinanceLines = 2000
	MaxAmount       = 1e15 // fen: ten trillion yuan
)

// Earliest and latest dates an item may name; anything outside is an absurd date.
var (
	minDate = time.Date(1949, 10, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Item is one disclosure: its working copy (what editors edit), its place in
// the workflow, and the state of its latest published revision. Publishing
// never overwrites: each publish appends an immutable Revision to the archive.
type Item struct {
	ID         string `json:"id"`
	Category   string `json:"category"`
	Department string `json:"department"`
	// Hall is whose board the item is on: a village's or community's hall,
	// or "" for the whole township (every board shows it).
	Hall       string     `json:"hall,omitempty"`
	Title      string     `json:"title"`
	Summary    string     `json:"summary"`
	Body       string     `json:"body"` // Markdown
	Stage      Stage      `json:"stage,omitempty"`
	MatterID   string     `json:"matter_id,omitempty"`
	Cadence    Cadence    `json:"cadence,omitempty"`
	ValidFrom  *time.Time `json:"valid_from,omitempty"`
	ValidUntil *time.Time `json:"valid_until,omitempty"`
	Finance    *Finance   `json:"finance,omitempty"`
	Assets     []Asset    `json:"assets,omitempty"`

	Status      Status    `json:"status"`
	Version     int       `json:"version"` // bumped on every save; edits name the version they started from
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedBy   string    `json:"updated_by"`
	UpdatedAt   time.Time `json:"updated_at"`
	SubmittedBy string    `json:"submitted_by,omitempty"`
	ApprovedBy  string    `json:"approved_by,omitempty"`
	// Returned is a reviewer's request for changes: set when the item is
	// sent back to draft, cleared when it is submitted again.
	Returned *ReturnNote `json:"returned,omitempty"`

	// Public is the state of the latest published revision, nil before the
	// first publish.
	Public *PublicState `json:"public,omitempty"`
}

// ReturnNote says who sent an item back to its editor, when, and what to
// change.
type ReturnNote struct {
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Comment string    `json:"comment"`
}

// PublicState is what residents see of an item: its latest published
// revision and whether it is withdrawn or expired.
type PublicState struct {
	Revision       int        `json:"revision"`
	ArchiveIndex   int64      `json:"archive_index"`
	Category       string     `json:"category"`
	Department     string     `json:"department"`
	Hall           string     `json:"hall,omitempty"`
	Title          string     `json:"title"`
	Summary        string     `json:"summary"`
	Stage          Stage      `json:"stage,omitempty"`
	MatterID       string     `json:"matter_id,omitempty"`
	Cadence        Cadence    `json:"cadence,omitempty"`
	SearchText     string     `json:"-"` // title, summary and body as plain text
	Index          SearchDoc  `json:"-"` // what ItemFilter.Q searches, made at publish
	HasFinance     bool       `json:"has_finance,omitempty"`
	PublishedAt    time.Time  `json:"published_at"`
	FirstPublished time.Time  `json:"first_published"`
	ValidFrom      *time.Time `json:"valid_from,omitempty"`
	ValidUntil     *time.Time `json:"valid_until,omitempty"`
	WithdrawnAt    *time.Time `json:"withdrawn_at,omitempty"`
	WithdrawReason string     `json:"withdraw_reason,omitempty"`
	ExpiredAt      *time.Time `json:"expired_at,omitempty"` // when the expiry was recorded in the archive
	// Redacted: the revision's content was deleted (the fields above that
	// came from it are empty); RedactReason says why.
	Redacted     bool   `json:"redacted,omitempty"`
	RedactReason string `json:"redact_reason,omitempty"`
}

// Live reports whether the published revision is on show at t: published,
// not withdrawn, and inside its validity window.
func (p *PublicState) Live(t time.Time) bool {
	if p == nil || p.WithdrawnAt != nil || p.Redacted {
		return false
	}
	if p.ValidFrom != nil && t.Before(*p.ValidFrom) {
		return false
	}
	return p.ValidUntil == nil || t.Before(*p.ValidUntil)
}

// SearchDoc is the search index document of a published revision, made by
// server/search (hall.SearchDoc(search.Index(…)): the two types convert):
// terms separated by single spaces, the title's apart from the rest's. Stores keep it as given and match ItemFilter.Q
// against it; they never make one.
type SearchDoc struct {
	Title string // the title's terms and its pinyin
	Text  string // the terms of the summary, body and finance lines
}

// Asset is a media file attached to an item.
type Asset struct {
	URL  string `json:"url"`
	Type string `json:"type"` // image, video, pdf
	Name string `json:"name,omitempty"`
}

// Finance is a table of totals and line items. Amounts are integer minor
// units (fen) — never floats; Unit is only how they are displayed.
type Finance struct {
	Currency string        `json:"currency"`
	Unit     string        `json:"unit"` // "yuan" or "wan" (万元), display only
	Lines    []FinanceLine `json:"lines"`
}

// FinanceLine is one row: a total (a parent of other lines) or a line item.
type FinanceLine struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
	Amount int64  `json:"amount"`
	Budget *int64 `json:"budget,omitempty"`
}

// Validate checks the table: unique codes, known parents, no cycles, amounts
// in range, and each parent equal to the sum of its children (amount, and
// budget where the parent has one). Errors name the offending line.
func (f *Finance) Validate() error {
	if f.Currency == "" {
		f.Currency = "CNY"
	}
	if f.Currency != "CNY" {
		return FieldError("finance.currency", "only CNY is supported")
	}
	if f.Unit == "" {
		f.Unit = "yuan"
	}
	if f.Unit != "yuan" && f.Unit != "wan" {
		return FieldError("finance.unit", `want "yuan" or "wan"`)
	}
	if len(f.Lines) == 0 {
		return FieldError("finance.lines", "at least one line")
	}
	if len(f.Lines) > MaxFinanceLines {
		return FieldError("finance.lines", "at most %d lines", MaxFinanceLines)
	}
	index := make(map[string]int, len(f.Lines))
	for i, l := range f.Lines {
		field := fmt.Sprintf("finance.lines[%d]", i)
		if l.Code == "" || utf8.RuneCountInString(l.Code) > 40 {
			return FieldError(field+".code", "required, at most 40 characters")
		}
		if _, dup := index[l.Code]; dup {
			return FieldError(field+".code", "duplicate code %q", l.Code)
		}
		index[l.Code] = i
		if strings.TrimSpace(l.Name) == "" || utf8.RuneCountInString(l.Name) > 120 {
			return FieldError(field+".name", "required, at most 120 characters")
		}
		if l.Amount < -MaxAmount || l.Amount > MaxAmount {
			return FieldError(field+".amount", "out of range")
		}
		if l.Budget != nil && (*l.Budget < -MaxAmount || *l.Budget > MaxAmount) {
			return FieldError(field+".budget", "out of range")
		}
	}
	// Every parent must exist before any chain is walked: a chain through
	// an unknown code would otherwise look like a loop.
	for i, l := range f.Lines {
		if _, ok := index[l.Parent]; l.Parent != "" && !ok {
			return FieldError(fmt.Sprintf("finance.lines[%d].parent", i), "no line has code %q", l.Parent)
		}
	}
	sums := make([]int64, len(f.Lines))
	budgets := make([]int64, len(f.Lines))
	hasChildren := make([]bool, len(f.Lines))
	childBudget := make([]bool, len(f.Lines))
	for i, l := range f.Lines {
		if l.Parent == "" {
			continue
		}
		p := index[l.Parent]
		// Walk up to catch cycles (a line cannot be its own ancestor).
		for q, steps := p, 0; ; steps++ {
			if q == i || steps > len(f.Lines) {
				return FieldError(fmt.Sprintf("finance.lines[%d].parent", i), "parent chain loops back to %q", l.Code)
			}
			up := f.Lines[q].Parent
			if up == "" {
				break
			}
			q = index[up]
		}
		sums[p] += l.Amount
		hasChildren[p] = true
		if l.Budget != nil {
			budgets[p] += *l.Budget
			childBudget[p] = true
		}
	}
	for i, l := range f.Lines {
		if !hasChildren[i] {
			continue
		}
		if l.Amount != sums[i] {
			return FieldError(fmt.Sprintf("finance.lines[%d].amount", i),
				"line %q is %d but its sub-items add up to %d", l.Code, l.Amount, sums[i]).WithReason("finance_sum_mismatch")
		}
		if l.Budget != nil && childBudget[i] && *l.Budget != budgets[i] {
			return FieldError(fmt.Sprintf("finance.lines[%d].budget", i),
				"line %q budget is %d but its sub-items' budgets add up to %d", l.Code, *l.Budget, budgets[i]).WithReason("finance_budget_sum_mismatch")
		}
	}
	return nil
}

// Validate checks the working copy's fields. It does not look anything up:
// the caller checks that the category, department and matter exist.
func (it *Item) Validate() error {
	it.Title = strings.TrimSpace(it.Title)
	if it.Title == "" {
		return FieldError("title", "required")
	}
	return it.validate(true)
}

// ValidateUnfinished checks an item being written with the same limits as
// Validate, but lets the title, category and department still be empty
// (what a preview of an unsaved draft needs).
func (it *Item) ValidateUnfinished() error {
	it.Title = strings.TrimSpace(it.Title)
	return it.validate(false)
}

func (it *Item) validate(complete bool) error {
	if utf8.RuneCountInString(it.Title) > MaxTitleRunes {
		return FieldError("title", "at most %d characters", MaxTitleRunes)
	}
	if utf8.RuneCountInString(it.Summary) > MaxSummaryRunes {
		return FieldError("summary", "at most %d characters", MaxSummaryRunes)
	}
	if len(it.Body) > MaxBodyBytes {
		return FieldError("body", "at most %d KiB", MaxBodyBytes>>10)
	}
	if (complete || it.Category != "") && !ValidKey(it.Category) {
		return FieldError("category", "required")
	}
	if (complete || it.Department != "") && !ValidKey(it.Department) {
		return FieldError("department", "required")
	}
	switch it.Stage {
	case "", StageBefore, StageDuring, StageAfter:
	default:
		return FieldError("stage", "want before, during or after")
	}
	if it.Stage != "" && it.MatterID == "" {
		return FieldError("matter_id", "a stage belongs to a matter: name the matter")
	}
	if it.Cadence != "" && !it.Cadence.Valid() {
		return FieldError("cadence", "want once, monthly, quarterly or annual")
	}
	for field, t := range map[string]*time.Time{"valid_from": it.ValidFrom, "valid_until": it.ValidUntil} {
		if t != nil && (t.Before(minDate) || t.After(maxDate)) {
			return FieldError(field, "date out of range (1949-10-01 to 2200-01-01)")
		}
	}
	if it.ValidFrom != nil && it.ValidUntil != nil && !it.ValidUntil.After(*it.ValidFrom) {
		return FieldError("valid_until", "must be after valid_from")
	}
	if it.Finance != nil {
		if err := it.Finance.Validate(); err != nil {
			return err
		}
	}
	if len(it.Assets) > 50 {
		return FieldError("assets", "at most 50")
	}
	for i, a := range it.Assets {
		if !strings.HasPrefix(a.URL, "/media/") {
			return FieldError(fmt.Sprintf("assets[%d].url", i), "want a /media/ URL from the media upload")
		}
	}
	return nil
}

// ItemFilter selects items. Zero fields do not filter.
type ItemFilter struct {
	Category    string
	Department  string
	Departments []string // any of these (an editor's own)
	// Halls keeps items on any of these halls' boards ("" for the whole
	// township's), by the working copy or, with Public, the published
	// revision.
	Halls []string
	// Categories keeps items in any of these categories (a group's).
	Categories []string
	Status     Status
	MatterID   string
	// Q is what was searched for (server/search.ParseQuery: at most 100
	// characters, 10 words, all required). With Public it is matched against
	// PublicState.Index and the results come best first (a match in the title
	// before one only in the text), then by the usual order; without Public,
	// an item matches when every word of Q is a substring of its working
	// copy's title, summary or body, or when its published revision matches.
	Q string
	// Public selects items by their published revision: only items ever
	// published, searched and filtered on their public fields.
	Public bool
	// LiveAt, with Public, keeps only items on show at that time; zero keeps
	// withdrawn and expired ones too (the archive view).
	LiveAt time.Time
	// PublishedFrom and PublishedTo, with Public, keep items whose latest
	// revision was published in [from, to).
	PublishedFrom time.Time
	PublishedTo   time.Time
	Limit         int
	Offset        int
}

// ListFunc is a listing function with the ListItems method AllItems needs.
type ListFunc func(ctx context.Context, f ItemFilter) ([]*Item, error)

// ListItems calls l.
func (l ListFunc) ListItems(ctx context.Context, f ItemFilter) ([]*Item, error) { return l(ctx, f) }

// AllItems pages through every item the filter selects (ignoring its Limit
// and Offset), for jobs that must see them all.
func AllItems(ctx context.Context, st interface {
	ListItems(ctx context.Context, f ItemFilter) ([]*Item, error)
}, f ItemFilter) ([]*Item, error) {
	const page = 1000
	var all []*Item
	for f.Offset = 0; ; f.Offset += page {
		f.Limit = page
		items, err := st.ListItems(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if len(items) < page {
			return all, nil
		}
	}
}
