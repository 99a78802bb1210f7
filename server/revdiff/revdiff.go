// Package revdiff says what changed between two revisions of an item — its
// fields, its body line by line, and its finance table line by line (by
// code) — so a reviewer sees what they approve and a resident what a new
// revision changed. Lines are compared with github.com/sergi/go-diff in line
// mode.
package revdiff

import (
	"slices"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/hallcast/hallcast/server/hall"
)

// Diff is what changed from one revision to another.
type Diff struct {
	// Fields are the fields whose value changed, in a fixed order.
	Fields []Field `json:"fields"`
	// Body is the body (Markdown as written) line by line: kept lines
	// ("="), removed ("-") and added ("+"), in order. Nil when unchanged.
	Body []Line `json:"body"`
	// Finance is each finance line added, removed or changed, by code in the
	// newer table's order (removed ones where they stood). Nil when
	// unchanged.
	Finance []FinanceChange `json:"finance"`
	// Unchanged is true when nothing differs.
	Unchanged bool `json:"unchanged"`
}

// Field is one changed field, as text.
type Field struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// Line is one line of the body.
type Line struct {
	Op   string `json:"op"` // "=", "-", "+"
	Text string `json:"text"`
}

// FinanceChange is one finance line that differs.
type FinanceChange struct {
	Code string            `json:"code"`
	Op   string            `json:"op"` // "added", "removed", "changed"
	From *hall.FinanceLine `json:"from,omitempty"`
	To   *hall.FinanceLine `json:"to,omitempty"`
}

// Compare returns what changed from a to b.
func Compare(a, b *hall.Revision) Diff {
	d := Diff{Fields: fields(a, b)}
	if a.Body != b.Body {
		d.Body = lines(a.Body, b.Body)
	}
	d.Finance = finance(a.Finance, b.Finance)
	d.Unchanged = len(d.Fields) == 0 && d.Body == nil && d.Finance == nil
	if d.Fields == nil {
		d.Fields = []Field{}
	}
	return d
}

// FromItem is the working copy of an item as a revision (number 0), to
// compare a draft with what is published.
func FromItem(it *hall.Item) *hall.Revision {
	return &hall.Revision{ID: it.ID, Category: it.Category, Department: it.Department, Hall: it.Hall, Title: it.Title,
		Summary: it.Summary, Body: it.Body, Finance: it.Finance, Stage: it.Stage, MatterID: it.MatterID, Cadence: it.Cadence,
		ValidFrom: it.ValidFrom, ValidUntil: it.ValidUntil, Assets: it.Assets}
}

func fields(a, b *hall.Revision) []Field {
	var out []Field
	add := func(name, from, to string) {
		if from != to {
			out = append(out, Field{Field: name, From: from, To: to})
		}
	}
	add("title", a.Title, b.Title)
	add("summary", a.Summary, b.Summary)
	add("category", a.Category, b.Category)
	add("department", a.Department, b.Department)
	add("hall", a.Hall, b.Hall)
	add("stage", string(a.Stage), string(b.Stage))
	add("matter_id", a.MatterID, b.MatterID)
	add("cadence", string(a.Cadence), string(b.Cadence))
	add("valid_from", timeText(a.ValidFrom), timeText(b.ValidFrom))
	add("valid_until", timeText(a.ValidUntil), timeText(b.ValidUntil))
	add("assets", assetsText(a.Assets), assetsText(b.Assets))
	if a.Finance != nil && b.Finance != nil {
		add("finance.unit", a.Finance.Unit, b.Finance.Unit)
	}
	return out
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func assetsText(as []hall.Asset) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.URL
		if a.Name != "" {
			names[i] = a.Name + " (" + a.URL + ")"
		}
	}
	return strings.Join(names, "\n")
}

// lines diffs two texts line by line.
func lines(a, b string) []Line {
	dmp := diffmatchpatch.New()
	ca, cb, index := dmp.DiffLinesToChars(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), index)
	out := []Line{}
	for _, d := range diffs {
		op := "="
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = "-"
		case diffmatchpatch.DiffInsert:
			op = "+"
		}
		text := strings.TrimSuffix(d.Text, "\n")
		for _, l := range strings.Split(text, "\n") {
			out = append(out, Line{Op: op, Text: l})
		}
	}
	return out
}

// finance compares two tables line by line, by code.
func finance(a, b *hall.Finance) []FinanceChange {
	var la, lb []hall.FinanceLine
	if a != nil {
		la = a.Lines
	}
	if b != nil {
		lb = b.Lines
	}
	old := map[string]hall.FinanceLine{}
	for _, l := range la {
		old[l.Code] = l
	}
	var out []FinanceChange
	seen := map[string]bool{}
	emitRemovedBefore := func(code string) {
		// Removed lines keep their place: emitted before the first newer
		// line that followed them in the older table.
		for _, l := range la {
			if l.Code == code {
				return
			}
			if !seen[l.Code] && !slices.ContainsFunc(lb, func(x hall.FinanceLine) bool { return x.Code == l.Code }) {
				seen[l.Code] = true
				from := l
				out = append(out, FinanceChange{Code: l.Code, Op: "removed", From: &from})
			}
		}
	}
	for _, l := range lb {
		emitRemovedBefore(l.Code)
		seen[l.Code] = true
		to := l
		prev, ok := old[l.Code]
		switch {
		case !ok:
			out = append(out, FinanceChange{Code: l.Code, Op: "added", To: &to})
		case !sameLine(prev, l):
			from := prev
			out = append(out, FinanceChange{Code: l.Code, Op: "changed", From: &from, To: &to})
		}
	}
	for _, l := range la {
		if !seen[l.Code] {
			from := l
			out = append(out, FinanceChange{Code: l.Code, Op: "removed", From: &from})
		}
	}
	return out
}

func sameLine(a, b hall.FinanceLine) bool {
	if a.Name != b.Name || a.Parent != b.Parent || a.Amount != b.Amount || (a.Budget == nil) != (b.Budget == nil) {
		return false
	}
	return a.Budget == nil || *a.Budget == *b.Budget
}
