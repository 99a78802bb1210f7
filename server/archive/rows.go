package archive

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/hallcast/hallcast/server/hall"
)

// Rows is the part of the store that holds item rows, whose public columns
// must agree with the archive.
type Rows interface {
	Item(ctx context.Context, id string) (*hall.Item, error)
	ListItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error)
}

// Mismatch is an item row whose public state disagrees with the one its
// archive entries define.
type Mismatch struct {
	ItemID   string `json:"item_id"`
	Field    string `json:"field"`
	Stored   string `json:"stored"`
	Archived string `json:"archived"`
}

func (m Mismatch) String() string {
	return fmt.Sprintf("item %s: the stored row's %s is %q, its archive entries say %q", m.ItemID, m.Field, m.Stored, m.Archived)
}

// CheckRows compares every item row's public state with the one the log
// derives from the archive's entries, raises an alarm for each row that
// disagrees (once per distinct mismatch), and returns the mismatches, at
// most limit (0: no limit). Public reads never use the rows, so a mismatch
// changes nothing residents see; it is evidence of an edit made behind the
// server's back, which the next change to the item overwrites.
func (l *Log) CheckRows(ctx context.Context, rows Rows, limit int) ([]Mismatch, error) {
	if err := l.syncForRead(ctx); err != nil {
		return nil, err
	}
	derived := l.states()
	recheck := func(ctx context.Context, id string) (*hall.PublicState, error) {
		if err := l.syncForRead(ctx); err != nil {
			return nil, err
		}
		l.mu.RLock()
		defer l.mu.RUnlock()
		if it := l.index.items[id]; it != nil && it.state != nil {
			p := *it.state
			return &p, nil
		}
		return nil, nil
	}
	ms, _, err := compareRows(ctx, rows, derived, recheck, limit)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		l.raise(m.String())
	}
	return ms, nil
}

// states copies the public state of every item in the index.
func (l *Log) states() map[string]*hall.PublicState {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make(map[string]*hall.PublicState, len(l.index.items))
	for id, it := range l.index.items {
		if it.state != nil {
			p := *it.state
			out[id] = &p
		}
	}
	return out
}

// compareRows compares the rows with the derived public states, which hold
// every item that has archive entries, and returns at most limit mismatches
// (0: no limit) and how many items it compared. The rows and the states are
// not read at one instant, so a change committed between the reads would
// look like a mismatch: recheck derives one item's state afresh, and an item
// counts as a mismatch only when its row still disagrees after two fresh
// reads of both.
func compareRows(ctx context.Context, rows Rows, derived map[string]*hall.PublicState,
	recheck func(context.Context, string) (*hall.PublicState, error), limit int) ([]Mismatch, int, error) {
	listed, err := hall.AllItems(ctx, rows, hall.ItemFilter{Public: true})
	if err != nil {
		return nil, 0, fmt.Errorf("item rows: %w", err)
	}
	byID := make(map[string]*hall.Item, len(listed))
	for _, it := range listed {
		byID[it.ID] = it
	}
	ids := slices.Sorted(maps.Keys(derived))
	for id := range byID {
		if _, ok := derived[id]; !ok {
			ids = append(ids, id)
		}
	}
	var out []Mismatch
	for _, id := range ids {
		row, ok := byID[id]
		if !ok {
			if row, err = readRow(ctx, rows, id); err != nil {
				return nil, 0, err
			}
		}
		m, found := mismatch(id, row, derived[id])
		for try := 0; found && try < 2; try++ {
			if row, err = readRow(ctx, rows, id); err != nil {
				return nil, 0, err
			}
			fresh, err := recheck(ctx, id)
			if err != nil {
				return nil, 0, err
			}
			m, found = mismatch(id, row, fresh)
		}
		if found {
			out = append(out, m)
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out, len(ids), nil
}

// readRow reads one item row; nil when there is none.
func readRow(ctx context.Context, rows Rows, id string) (*hall.Item, error) {
	it, err := rows.Item(ctx, id)
	if hall.IsCode(err, hall.ENotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("item row %s: %w", id, err)
	}
	return it, nil
}

// mismatch compares one row (nil: none) with the derived state.
func mismatch(id string, row *hall.Item, derived *hall.PublicState) (Mismatch, bool) {
	if row == nil {
		if derived == nil {
			return Mismatch{}, false
		}
		return Mismatch{ItemID: id, Field: "row", Stored: "no item row", Archived: fmt.Sprintf("revision %d", derived.Revision)}, true
	}
	field, got, want := hall.DiffPublicState(row.Public, derived)
	if field == "" {
		return Mismatch{}, false
	}
	return Mismatch{ItemID: id, Field: field, Stored: got, Archived: want}, true
}
