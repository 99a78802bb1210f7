// Package bulletin is what the public reads: the catalogue with how much is
// on show in each category, the items on a board (a hall's own, or all a
// hall's board shows, under a 三务公开 heading), the halls, and a matter's
// disclosures. Items come from the archive's entries (Items), never from
// the editable rows; the catalogue from the store.
package bulletin

import (
	"context"
	"slices"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// Catalog is the catalogue the public reads.
type Catalog interface {
	ListCategories(ctx context.Context) ([]*hall.Category, error)
	ListDepartments(ctx context.Context) ([]*hall.Department, error)
	Hall(ctx context.Context, id string) (*hall.Hall, error)
	ListHalls(ctx context.Context) ([]*hall.Hall, error)
	Matter(ctx context.Context, id string) (*hall.Matter, error)
}

// Items lists items by their public state (archive.Log.PublicItems).
type Items interface {
	PublicItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error)
}

// Service answers the public's reads. Catalog and Items are required.
type Service struct {
	Catalog Catalog
	Items   Items
}

// Scope names a board: Hall, the items on that hall's own board; Board,
// everything that hall's board shows (the township's items, its own and
// those of the halls under it); Group, the categories under a 三务公开
// heading ("party", "government" or "finance"). Zero fields do not narrow.
type Scope struct {
	Hall, Board, Group string
}

// narrow narrows f to the scope. It reports false when nothing can match
// (a heading with no category).
func (s *Service) narrow(ctx context.Context, sc Scope, f *hall.ItemFilter) (bool, error) {
	if sc.Hall != "" {
		if sc.Board != "" {
			return false, hall.FieldError("board", "give hall or board, not both")
		}
		if _, err := s.Catalog.Hall(ctx, sc.Hall); hall.IsCode(err, hall.ENotFound) {
			return false, hall.FieldError("hall", "no hall %q", sc.Hall)
		} else if err != nil {
			return false, err
		}
		f.Halls = []string{sc.Hall}
	}
	if sc.Board != "" {
		halls, err := s.Catalog.ListHalls(ctx)
		if err != nil {
			return false, err
		}
		if !slices.ContainsFunc(halls, func(h *hall.Hall) bool { return h.ID == sc.Board }) {
			return false, hall.FieldError("board", "no hall %q", sc.Board)
		}
		f.Halls = []string{"", sc.Board}
		for _, h := range halls {
			if h.Parent == sc.Board {
				f.Halls = append(f.Halls, h.ID)
			}
		}
	}
	switch sc.Group {
	case "":
	case hall.GroupParty, hall.GroupGovernment, hall.GroupFinance:
		cats, err := s.Catalog.ListCategories(ctx)
		if err != nil {
			return false, err
		}
		for _, cat := range cats {
			if cat.Group == sc.Group {
				f.Categories = append(f.Categories, cat.Key)
			}
		}
		if len(f.Categories) == 0 {
			return false, nil
		}
	default:
		return false, hall.FieldError("group", `want "party", "government" or "finance"`)
	}
	return true, nil
}

// Items lists the published items f selects on the scope's board.
func (s *Service) ListItems(ctx context.Context, sc Scope, f hall.ItemFilter) ([]*hall.Item, error) {
	f.Public = true
	ok, err := s.narrow(ctx, sc, &f)
	if err != nil || !ok {
		return []*hall.Item{}, err
	}
	return s.Items.PublicItems(ctx, f)
}

// CategoryCount is a category with how many of its items are on show and
// when the newest of them was published.
type CategoryCount struct {
	*hall.Category
	Count       int        `json:"count"`
	LastUpdated *time.Time `json:"last_updated,omitempty"`
}

// Categories returns the catalogue (a heading's categories only, with
// Group) with the items on show at now on the scope's board counted, and
// the departments.
func (s *Service) Categories(ctx context.Context, sc Scope, now time.Time) ([]CategoryCount, []*hall.Department, error) {
	cats, err := s.Catalog.ListCategories(ctx)
	if err != nil {
		return nil, nil, err
	}
	f := hall.ItemFilter{Public: true, LiveAt: now}
	ok, err := s.narrow(ctx, sc, &f)
	if err != nil {
		return nil, nil, err
	}
	var items []*hall.Item
	if ok {
		if items, err = hall.AllItems(ctx, hall.ListFunc(s.Items.PublicItems), f); err != nil {
			return nil, nil, err
		}
	}
	out := make([]CategoryCount, 0, len(cats))
	at := map[string]int{}
	for _, cat := range cats {
		if sc.Group == "" || cat.Group == sc.Group {
			at[cat.Key] = len(out)
			out = append(out, CategoryCount{Category: cat})
		}
	}
	for _, it := range items {
		i, ok := at[it.Public.Category]
		if !ok {
			continue
		}
		out[i].Count++
		if t := it.Public.PublishedAt; out[i].LastUpdated == nil || t.After(*out[i].LastUpdated) {
			out[i].LastUpdated = &t
		}
	}
	depts, err := s.Catalog.ListDepartments(ctx)
	if err != nil {
		return nil, nil, err
	}
	return out, depts, nil
}

// Hall is what the public reads of a hall.
type Hall struct {
	ID     string        `json:"id"`
	Name   string        `json:"name"`
	Kind   hall.HallKind `json:"kind"`
	Parent string        `json:"parent,omitempty"`
}

// Halls lists the halls, oldest first, so a phone can find its village's
// board.
func (s *Service) Halls(ctx context.Context) ([]Hall, error) {
	halls, err := s.Catalog.ListHalls(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Hall, len(halls))
	for i, h := range halls {
		out[i] = Hall{ID: h.ID, Name: h.Name, Kind: h.Kind, Parent: h.Parent}
	}
	return out, nil
}

// Matter returns a matter and its published items (at most 500).
func (s *Service) Matter(ctx context.Context, id string) (*hall.Matter, []*hall.Item, error) {
	m, err := s.Catalog.Matter(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	items, err := s.Items.PublicItems(ctx, hall.ItemFilter{Public: true, MatterID: m.ID, Limit: 500})
	if err != nil {
		return nil, nil, err
	}
	return m, items, nil
}
