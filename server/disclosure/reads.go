package disclosure

import (
	"context"
	"strconv"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/revdiff"
	"github.com/hallcast/hallcast/server/search"
)

// ItemView is an item as the console sees it, with its next due date.
type ItemView struct {
	*hall.Item
	NextDue *time.Time `json:"next_due,omitempty"`
}

func (s *Service) zone() *time.Location {
	if s.Zone != nil {
		return s.Zone
	}
	if loc, err := hall.LoadZone(""); err == nil {
		return loc
	}
	return time.UTC
}

// View adds an item's next due date: when its cadence (or its category's)
// says it must be disclosed again after its last publication.
func (s *Service) View(ctx context.Context, it *hall.Item) ItemView {
	v := ItemView{Item: it}
	cadence := it.Cadence
	if cadence == "" {
		if cat, err := s.Store.Category(ctx, it.Category); err == nil {
			cadence = cat.Cadence
		}
	}
	if it.Public != nil && cadence != "" && s.Calendar != nil {
		if due, ok := s.Calendar.NextDue(ctx, string(cadence), it.Public.PublishedAt, s.zone()); ok {
			v.NextDue = &due
		}
	}
	return v
}

// readable returns the item when the actor may read it: staff read every
// item, editors only their departments' (others are "not found").
func (s *Service) readable(ctx context.Context, actor *hall.User, id string) (*hall.Item, error) {
	if !actor.Has(hall.RoleEditor, hall.RoleReviewer, hall.RoleAuditor) {
		return nil, hall.Errorf(hall.EForbidden, "log in as staff")
	}
	it, err := s.Store.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	if actor.Role == hall.RoleEditor && !actor.InDepartment(it.Department) {
		return nil, hall.NotFound("item", id)
	}
	return it, nil
}

// Item returns one item as the console sees it.
func (s *Service) Item(ctx context.Context, actor *hall.User, id string) (ItemView, error) {
	it, err := s.readable(ctx, actor, id)
	if err != nil {
		return ItemView{}, err
	}
	return s.View(ctx, it), nil
}

// List lists the items the filter selects that the actor may read.
func (s *Service) List(ctx context.Context, actor *hall.User, f hall.ItemFilter) ([]ItemView, error) {
	if !actor.Has(hall.RoleEditor, hall.RoleReviewer, hall.RoleAuditor) {
		return nil, hall.Errorf(hall.EForbidden, "log in as staff")
	}
	switch f.Status {
	case "", hall.StatusDraft, hall.StatusSubmitted, hall.StatusApproved, hall.StatusPublished, hall.StatusWithdrawn:
	default:
		return nil, hall.FieldError("status", "want draft, submitted, approved, published or withdrawn")
	}
	if _, err := search.ParseQuery(f.Q); err != nil {
		return nil, hall.FieldError("q", "%v", err).WithReason("search_query_invalid")
	}
	if actor.Role == hall.RoleEditor {
		f.Departments = actor.Departments
		if len(f.Departments) == 0 {
			return []ItemView{}, nil
		}
	}
	items, err := s.Store.ListItems(ctx, f)
	if err != nil {
		return nil, err
	}
	views := make([]ItemView, len(items))
	for i, it := range items {
		views[i] = s.View(ctx, it)
	}
	return views, nil
}

// ItemRevisions returns an item's published revisions and archive entries,
// for the console.
func (s *Service) ItemRevisions(ctx context.Context, actor *hall.User, id string) ([]*hall.Revision, []*hall.ArchiveEntry, error) {
	if _, err := s.readable(ctx, actor, id); err != nil {
		return nil, nil, err
	}
	revs, entries, err := s.Revisions(ctx, id)
	if revs == nil {
		revs = []*hall.Revision{}
	}
	return revs, entries, err
}

// Privacy lists the personal data the guard would block in an item, so
// editors can mask it before submitting.
func (s *Service) Privacy(ctx context.Context, actor *hall.User, id string) ([]PrivacyFinding, error) {
	it, err := s.readable(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	f := ScanPrivacy(it)
	if f == nil {
		f = []PrivacyFinding{}
	}
	return f, nil
}

// Diff says what changed from one revision of an item to another: each of
// from and to is a published revision's number, "draft" for the working
// copy, or "0" for nothing (everything is new). Empty from means the latest
// published revision (or nothing before the first publish); empty to, the
// working copy.
func (s *Service) Diff(ctx context.Context, actor *hall.User, id, from, to string) (*DiffView, error) {
	it, err := s.readable(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if from == "" {
		from = "0"
		if it.Public != nil {
			from = strconv.Itoa(it.Public.Revision)
		}
	}
	if to == "" {
		to = "draft"
	}
	side := func(field, v string) (*hall.Revision, error) {
		switch v {
		case "draft":
			return revdiff.FromItem(it), nil
		case "0":
			return &hall.Revision{ID: it.ID}, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, hall.FieldError(field, `want a revision number, "draft" or "0"`)
		}
		if it.Public == nil || n > it.Public.Revision {
			return nil, hall.FieldError(field, "item %s has no published revision %d", id, n)
		}
		return s.Revision(ctx, id, n)
	}
	a, err := side("from", from)
	if err != nil {
		return nil, err
	}
	b, err := side("to", to)
	if err != nil {
		return nil, err
	}
	return &DiffView{From: from, To: to, Diff: revdiff.Compare(a, b)}, nil
}

// DiffView is a diff with the revisions it compares.
type DiffView struct {
	From string       `json:"from"`
	To   string       `json:"to"`
	Diff revdiff.Diff `json:"diff"`
}
