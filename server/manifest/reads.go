package manifest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hallcast/hallcast/playlists"
	"github.com/hallcast/hallcast/server/hall"
)

// Limits on what one category entry expands to.
const (
	categoryPage     = 500
	maxCategoryItems = 1000
)

// reads memoises the store reads of one point in time, shared by every
// manifest computed from it. It is the playlists.Catalog that Expand reads
// after prefetch has loaded what a playlist names.
type reads struct {
	src Source
	at  time.Time // liveness of items is judged at this instant

	mu        sync.Mutex
	halls     map[string]*hall.Hall // nil: not found
	playlists map[string]*hall.Playlist
	items     map[string]int // published live revision; 0: not live
	cats      map[string][]playlists.PublishedItem
}

var _ playlists.Catalog = (*reads)(nil)

func newReads(src Source, at time.Time) *reads {
	return &reads{
		src:       src,
		at:        at,
		halls:     make(map[string]*hall.Hall),
		playlists: make(map[string]*hall.Playlist),
		items:     make(map[string]int),
		cats:      make(map[string][]playlists.PublishedItem),
	}
}

// hall returns the hall, or nil when it does not exist (the screen then
// plays in the default zone with no default playlist).
func (r *reads) hall(ctx context.Context, id string) (*hall.Hall, error) {
	r.mu.Lock()
	h, ok := r.halls[id]
	r.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := r.src.Hall(ctx, id)
	if hall.IsCode(err, hall.ENotFound) {
		h, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("manifest: hall %q: %w", id, err)
	}
	r.mu.Lock()
	r.halls[id] = h
	r.mu.Unlock()
	return h, nil
}

// playlist returns the playlist, or nil when it does not exist (a schedule
// naming a deleted playlist plays nothing).
func (r *reads) playlist(ctx context.Context, id string) (*hall.Playlist, error) {
	r.mu.Lock()
	p, ok := r.playlists[id]
	r.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := r.src.Playlist(ctx, id)
	if hall.IsCode(err, hall.ENotFound) {
		p, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("manifest: playlist %q: %w", id, err)
	}
	r.mu.Lock()
	r.playlists[id] = p
	r.mu.Unlock()
	return p, nil
}

// item loads whether an item is live and which revision.
func (r *reads) item(ctx context.Context, id string) (int, error) {
	r.mu.Lock()
	rev, ok := r.items[id]
	r.mu.Unlock()
	if ok {
		return rev, nil
	}
	it, err := r.src.Item(ctx, id)
	switch {
	case hall.IsCode(err, hall.ENotFound):
	case err != nil:
		return 0, fmt.Errorf("manifest: item %q: %w", id, err)
	case it.Public != nil && it.Public.Live(r.at):
		rev = it.Public.Revision
	}
	r.mu.Lock()
	r.items[id] = rev
	r.mu.Unlock()
	return rev, nil
}

// category loads the live items of a category, newest first.
func (r *reads) category(ctx context.Context, key string) error {
	r.mu.Lock()
	_, ok := r.cats[key]
	r.mu.Unlock()
	if ok {
		return nil
	}
	var found []*hall.Item
	for len(found) < maxCategoryItems {
		page, err := r.src.ListItems(ctx, hall.ItemFilter{
			Public: true, LiveAt: r.at, Category: key,
			Limit: categoryPage, Offset: len(found),
		})
		if err != nil {
			return fmt.Errorf("manifest: items of category %q: %w", key, err)
		}
		found = append(found, page...)
		if len(page) < categoryPage {
			break
		}
	}
	found = slices.DeleteFunc(found, func(it *hall.Item) bool { return it.Public == nil || !it.Public.Live(r.at) })
	slices.SortStableFunc(found, func(a, b *hall.Item) int {
		if c := b.Public.PublishedAt.Compare(a.Public.PublishedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	found = slices.CompactFunc(found, func(a, b *hall.Item) bool { return a.ID == b.ID })
	if len(found) > maxCategoryItems {
		found = found[:maxCategoryItems]
	}
	list := make([]playlists.PublishedItem, len(found))
	for i, it := range found {
		list[i] = playlists.PublishedItem{ID: it.ID, Revision: it.Public.Revision}
	}
	r.mu.Lock()
	r.cats[key] = list
	r.mu.Unlock()
	return nil
}

// prefetch loads every item and category the playlist names, so that
// Expand (which cannot fail) finds them.
func (r *reads) prefetch(ctx context.Context, p *hall.Playlist) error {
	for _, e := range p.Entries {
		switch {
		case e.ItemID != "":
			if _, err := r.item(ctx, e.ItemID); err != nil {
				return err
			}
		case e.Category != "":
			if err := r.category(ctx, e.Category); err != nil {
				return err
			}
		}
	}
	return nil
}

// Published implements playlists.Catalog for prefetched items.
func (r *reads) Published(itemID string) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rev := r.items[itemID]
	return rev, rev > 0
}

// CategoryItems implements playlists.Catalog for prefetched categories.
func (r *reads) CategoryItems(category string) []playlists.PublishedItem {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cats[category]
}

// expand returns the cues of a playlist; a missing playlist has none.
func (r *reads) expand(ctx context.Context, id string) ([]playlists.Cue, error) {
	p, err := r.playlist(ctx, id)
	if err != nil || p == nil {
		return []playlists.Cue{}, err
	}
	if err := r.prefetch(ctx, p); err != nil {
		return nil, err
	}
	cues := playlists.Expand(*p, r)
	if cues == nil {
		cues = []playlists.Cue{}
	}
	return cues, nil
}
