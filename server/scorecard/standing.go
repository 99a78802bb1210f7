package scorecard

import (
	"sort"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// owed keys what a department owes of a category.
func owed(dept, category string) string { return dept + "\x00" + category }

// periodStart returns the start of the cadence period (month, quarter or
// year) containing t, in loc.
func periodStart(cadence hall.Cadence, t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	switch cadence {
	case hall.CadenceQuarterly:
		return time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, loc)
	case hall.CadenceAnnual:
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, loc)
	}
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
}

// nextPeriod returns the start of the cadence period after the one
// starting at start.
func nextPeriod(cadence hall.Cadence, start time.Time) time.Time {
	switch cadence {
	case hall.CadenceQuarterly:
		return start.AddDate(0, 3, 0)
	case hall.CadenceAnnual:
		return start.AddDate(1, 0, 0)
	}
	return start.AddDate(0, 1, 0)
}

// standing records the obligations departments owe for the categories
// they are named in, where no item of theirs already made one (see the
// package doc).
func (c *computation) standing() {
	keys := make([]string, 0, len(c.categories))
	for k := range c.categories {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	end := c.p.To
	if c.now.Before(end) {
		end = c.now
	}
	for _, key := range keys {
		cat := c.categories[key]
		switch cat.Cadence {
		case hall.CadenceMonthly, hall.CadenceQuarterly, hall.CadenceAnnual:
		default:
			continue
		}
		for _, dept := range cat.Departments {
			k := owed(dept, cat.Key)
			if c.byKey[dept] == nil || c.itemDue[k] {
				continue
			}
			pubs := append([]time.Time(nil), c.published[k]...)
			sort.Slice(pubs, func(i, j int) bool { return pubs[i].Before(pubs[j]) })
			used := 0 // pubs before this index are spent or too early
			// Due dates of periods starting up to a year before the scoring
			// period can fall in it (an annual report).
			for start := periodStart(cat.Cadence, c.p.From.AddDate(-1, 0, 0), c.loc); start.Before(c.p.To); start = nextPeriod(cat.Cadence, start) {
				due, ok := c.nextDue(cat.Cadence, start)
				if !ok || due.Before(c.p.From) || !due.Before(c.p.To) {
					continue
				}
				for used < len(pubs) && pubs[used].Before(start) {
					used++
				}
				o := Obligation{Title: cat.Name.ZH, Category: cat.Key, Cadence: string(cat.Cadence), Due: due}
				switch {
				case used < len(pubs) && !pubs[used].After(due):
					at := pubs[used]
					o.PublishedAt, o.Status = &at, StatusOnTime
					used++
				case used < len(pubs) && pubs[used].Before(end):
					at := pubs[used]
					o.PublishedAt, o.Status = &at, StatusLate
					used++
				case c.now.After(due):
					o.Status = StatusMissing
				default:
					continue // not yet due
				}
				c.record(dept, o)
			}
		}
	}
}
