package scorecard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hallcast/hallcast/server/hall"
)

// published is one publish entry of an item, decoded.
type published struct {
	at  time.Time
	rev *hall.Revision
}

// history is what the archive holds of one item before the period's end.
type history struct {
	pubs  []published
	stops []time.Time // withdraw and expire entries
}

// items reads every published item's archive history and tallies
// timeliness and completeness.
func (c *computation) items(ctx context.Context) error {
	items, err := hall.AllItems(ctx, c.src, hall.ItemFilter{Public: true})
	if err != nil {
		return fmt.Errorf("scorecard: items: %w", err)
	}
	c.itemDept = make(map[string]string, len(items))
	for _, it := range items {
		if it.Public != nil {
			c.itemDept[it.ID] = it.Public.Department
		}
	}
	for _, it := range items {
		if it.Public == nil || !it.Public.FirstPublished.Before(c.p.To) {
			continue // nothing of it before the period's end
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := c.history(ctx, it.ID)
		if err != nil {
			return err
		}
		c.regular(it.ID, h)
		c.immediate(it.ID, h)
		c.completeness(h)
		for _, pub := range h.pubs {
			k := owed(pub.rev.Department, pub.rev.Category)
			c.published[k] = append(c.published[k], pub.at)
		}
	}
	c.standing()
	return nil
}

// history reads an item's archive entries from before the period's end.
func (c *computation) history(ctx context.Context, itemID string) (*history, error) {
	entries, err := c.src.ItemEntries(ctx, itemID)
	if err != nil {
		return nil, fmt.Errorf("scorecard: archive of item %s: %w", itemID, err)
	}
	h := &history{}
	for _, e := range entries {
		if !e.At.Before(c.p.To) {
			continue
		}
		switch e.Kind {
		case hall.EntryPublish:
			rev, _, err := hall.DecodeEntry(e)
			if errors.Is(err, hall.ErrContentGone) {
				continue // redacted: its department and category are gone with it
			}
			if err != nil {
				return nil, fmt.Errorf("scorecard: %w", err)
			}
			h.pubs = append(h.pubs, published{at: e.At, rev: rev})
		case hall.EntryWithdraw, hall.EntryExpire:
			h.stops = append(h.stops, e.At)
		}
	}
	return h, nil
}

// cadence returns a revision's cadence: its own, else its category's.
func (c *computation) cadence(rev *hall.Revision) hall.Cadence {
	if rev.Cadence != "" {
		return rev.Cadence
	}
	if cat := c.categories[rev.Category]; cat != nil {
		return cat.Cadence
	}
	return ""
}

// nextDue is the due date after t for a cadence; false for none.
func (c *computation) nextDue(cadence hall.Cadence, t time.Time) (time.Time, bool) {
	return c.cal.NextDue(string(cadence), t, c.loc)
}

// regular records the due dates of an item's regular cadence that fall in
// the period (see the package doc).
func (c *computation) regular(itemID string, h *history) {
	for i, base := range h.pubs {
		cadence := c.cadence(base.rev)
		due, ok := c.nextDue(cadence, base.at)
		if !ok {
			continue
		}
		var (
			next    *time.Time // the first revision after the base
			nextDue time.Time  // and its own due date
			hasNext bool
		)
		if i+1 < len(h.pubs) {
			n := h.pubs[i+1]
			next = &n.at
			nextDue, hasNext = c.nextDue(c.cadence(n.rev), n.at)
			if hasNext && nextDue.Equal(due) {
				continue // the same window: the later revision is the base
			}
		}
		stop := c.stop(h, base, next)
		end := c.p.To
		if c.now.Before(end) {
			end = c.now
		}
		for step := 0; step < maxDueSteps && due.Before(c.p.To); step++ {
			if next != nil && !next.After(due) {
				c.obligation(base, itemID, cadence, due, next, StatusOnTime)
				break
			}
			if stop != nil && !stop.After(due) {
				break // taken down before it was due
			}
			if next != nil && next.Before(end) {
				c.obligation(base, itemID, cadence, due, next, StatusLate)
			} else if c.now.After(due) {
				c.obligation(base, itemID, cadence, due, nil, StatusMissing)
			} else {
				break // not yet due
			}
			following, _ := c.nextDue(cadence, due)
			if hasNext && !nextDue.After(following) {
				break // the next revision's window: it takes over
			}
			due = following
		}
	}
}

// stop returns when the item stopped being on show after base and before
// next (nil: until the end), or nil if it did not.
func (c *computation) stop(h *history, base published, next *time.Time) *time.Time {
	var stop *time.Time
	earlier := func(t time.Time) {
		if t.Before(base.at) || (next != nil && !t.Before(*next)) {
			return
		}
		if stop == nil || t.Before(*stop) {
			stop = &t
		}
	}
	for _, t := range h.stops {
		earlier(t)
	}
	if vu := base.rev.ValidUntil; vu != nil {
		if vu.Before(base.at) {
			earlier(base.at) // published already past its validity: never on show
		} else {
			earlier(*vu)
		}
	}
	return stop
}

// obligation records one due date if it falls in the period.
func (c *computation) obligation(base published, itemID string, cadence hall.Cadence, due time.Time, publishedAt *time.Time, status string) {
	if due.Before(c.p.From) {
		return
	}
	c.itemDue[owed(base.rev.Department, base.rev.Category)] = true
	c.record(base.rev.Department, Obligation{ItemID: itemID, Title: base.rev.Title, Category: base.rev.Category,
		Cadence: string(cadence), Due: due, PublishedAt: publishedAt, Status: status})
}

func (c *computation) record(dept string, o Obligation) {
	d := c.byKey[dept]
	if d == nil {
		return
	}
	if o.PublishedAt != nil {
		at := o.PublishedAt.In(c.loc)
		o.PublishedAt = &at
	}
	o.Due = o.Due.In(c.loc)
	t := &d.Timeliness
	t.Items = append(t.Items, o)
	switch o.Status {
	case StatusOnTime:
		t.OnTime++
	case StatusLate:
		t.Late++
	case StatusMissing:
		t.Missing++
	}
}

// immediate records an immediate item's first publish, when it was in the
// period (see the package doc).
func (c *computation) immediate(itemID string, h *history) {
	if len(h.pubs) == 0 {
		return
	}
	first := h.pubs[0]
	cat := c.categories[first.rev.Category]
	if cat == nil || !cat.Immediate || first.rev.ValidFrom == nil || !c.p.contains(first.at) {
		return
	}
	day := c.cal.AddWorkdays(first.rev.ValidFrom.In(c.loc), ImmediateWorkdays)
	due := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, c.loc).Add(-time.Nanosecond)
	status := StatusOnTime
	if first.at.After(due) {
		status = StatusLate
	}
	at := first.at
	c.record(first.rev.Department, Obligation{ItemID: itemID, Title: first.rev.Title, Category: first.rev.Category, Cadence: KindImmediate,
		Due: due, PublishedAt: &at, Status: status})
}

// completeness tallies the revisions published in the period, and the
// stages of every matter up to the period's end.
func (c *computation) completeness(h *history) {
	for _, pub := range h.pubs {
		rev := pub.rev
		if rev.MatterID != "" && rev.Stage != "" {
			stages := c.matterStages[rev.MatterID]
			if stages == nil {
				stages = map[hall.Stage]bool{}
				c.matterStages[rev.MatterID] = stages
			}
			stages[rev.Stage] = true
		}
		if !c.p.contains(pub.at) {
			continue
		}
		d := c.byKey[rev.Department]
		if d == nil {
			continue
		}
		ref := RevisionRef{ItemID: rev.ID, Revision: rev.Revision, Title: rev.Title}
		cm := &d.Completeness
		if rev.Finance != nil {
			cm.Finance.Tables++
			if detailed(rev.Finance) {
				cm.Finance.Detailed++
			} else {
				cm.Finance.TotalsOnly = append(cm.Finance.TotalsOnly, ref)
			}
		}
		cm.Summaries.Revisions++
		if strings.TrimSpace(rev.Summary) != "" && utf8.RuneCountInString(strings.TrimSpace(rev.Body)) >= MinBodyRunes {
			cm.Summaries.Complete++
		} else {
			cm.Summaries.Lacking = append(cm.Summaries.Lacking, ref)
		}
		if cat := c.categories[rev.Category]; cat != nil && cat.Immediate && rev.MatterID != "" {
			m := c.matters[d.Key]
			if m == nil {
				m = map[string]bool{}
				c.matters[d.Key] = m
			}
			m[rev.MatterID] = true
		}
	}
}

// detailed reports whether a finance table gives line items, not only
// totals.
func detailed(f *hall.Finance) bool {
	if len(f.Lines) < MinFinanceLines {
		return false
	}
	for _, l := range f.Lines {
		if l.Parent != "" {
			return true
		}
	}
	return false
}
