package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/search"
)

// Items: {m}:item:<id> holds the whole item (itemRec); {m}:items:idx holds,
// per id, the fields lists filter and sort on (itemIndex), so a list reads
// the index and then only the items it returns. A search reads the
// candidates: a staff search until the page is full, a public one all of
// them, to rank the matches by their index documents (hall.SearchDoc, kept
// in the item as given) with search.Query.Score.

type itemRec struct {
	*hall.Item
	Assets []hall.Asset `json:"assets"`
	Public *publicRec   `json:"public"`
}

type publicRec struct {
	*hall.PublicState
	SearchText string `json:"search_text"`
	IndexTitle string `json:"index_title,omitempty"` // hall.SearchDoc, kept as given
	IndexText  string `json:"index_text,omitempty"`
}

func encItem(it *hall.Item) string {
	c := *it
	c.ValidFrom, c.ValidUntil = utcPtr(c.ValidFrom), utcPtr(c.ValidUntil)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	r := itemRec{Item: &c, Assets: c.Assets}
	if it.Public != nil {
		p := *it.Public
		p.PublishedAt, p.FirstPublished = p.PublishedAt.UTC(), p.FirstPublished.UTC()
		p.ValidFrom, p.ValidUntil = utcPtr(p.ValidFrom), utcPtr(p.ValidUntil)
		p.WithdrawnAt, p.ExpiredAt = utcPtr(p.WithdrawnAt), utcPtr(p.ExpiredAt)
		r.Public = &publicRec{PublicState: &p, SearchText: p.SearchText,
			IndexTitle: p.Index.Title, IndexText: p.Index.Text}
	}
	return mustJSON(r)
}

func decItem(s string) (*hall.Item, error) {
	r := itemRec{Item: &hall.Item{}}
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, err
	}
	it := r.Item
	it.Assets = r.Assets
	it.Public = nil
	if r.Public != nil {
		if r.Public.PublicState == nil {
			r.Public.PublicState = &hall.PublicState{}
		}
		it.Public = r.Public.PublicState
		it.Public.SearchText = r.Public.SearchText
		it.Public.Index = hall.SearchDoc{Title: r.Public.IndexTitle, Text: r.Public.IndexText}
	}
	return it, nil
}

// itemIndex is what lists filter and sort items on.
type itemIndex struct {
	Category   string    `json:"c"`
	Department string    `json:"d"`
	Status     string    `json:"s"`
	MatterID   string    `json:"m,omitempty"`
	Hall       string    `json:"h,omitempty"`
	UpdatedAt  time.Time `json:"u"`
	Pub        *pubIndex `json:"p,omitempty"`
}

type pubIndex struct {
	Category    string     `json:"c"`
	Department  string     `json:"d"`
	MatterID    string     `json:"m,omitempty"`
	Hall        string     `json:"h,omitempty"`
	PublishedAt time.Time  `json:"t"`
	ValidFrom   *time.Time `json:"vf,omitempty"`
	ValidUntil  *time.Time `json:"vu,omitempty"`
	WithdrawnAt *time.Time `json:"w,omitempty"`
}

func indexOf(it *hall.Item) string {
	x := itemIndex{Category: it.Category, Department: it.Department, Status: string(it.Status),
		MatterID: it.MatterID, Hall: it.Hall, UpdatedAt: it.UpdatedAt.UTC()}
	if p := it.Public; p != nil {
		x.Pub = &pubIndex{Category: p.Category, Department: p.Department, MatterID: p.MatterID, Hall: p.Hall,
			PublishedAt: p.PublishedAt.UTC(), ValidFrom: utcPtr(p.ValidFrom), ValidUntil: utcPtr(p.ValidUntil),
			WithdrawnAt: utcPtr(p.WithdrawnAt)}
	}
	return mustJSON(x)
}

func (s *Store) itemKey(id string) string { return s.mkey("item", id) }

// readItem reads the item with the id; ENotFound when there is none.
func (s *Store) readItem(ctx context.Context, c goredis.Cmdable, id string) (*hall.Item, error) {
	raw, err := c.Get(ctx, s.itemKey(id)).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.NotFound("item", id)
	}
	if err != nil {
		return nil, err
	}
	it, err := decItem(raw)
	if err != nil {
		return nil, fmt.Errorf("decode item %q: %w", id, err)
	}
	return it, nil
}

// queueItem queues the save of it (as it is, version included).
func (s *Store) queueItem(ctx context.Context, p goredis.Pipeliner, it *hall.Item) {
	p.Set(ctx, s.itemKey(it.ID), encItem(it), 0)
	p.HSet(ctx, s.mkey("items", "idx"), it.ID, indexOf(it))
}

// CreateItem inserts it at version 1, giving it an id when it has none.
func (s *Store) CreateItem(ctx context.Context, it *hall.Item) error {
	id := it.ID
	if id == "" {
		id = hall.NewID("it")
	}
	key := s.itemKey(id)
	err := s.update(ctx, "create item", []string{key}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		if n, err := tx.Exists(ctx, key).Result(); err != nil || n > 0 {
			return nil, orConflict(err, "item %q exists", id)
		}
		c := *it
		c.ID, c.Version = id, 1
		return func(p goredis.Pipeliner) { s.queueItem(ctx, p, &c) }, nil
	})
	if err != nil {
		return err
	}
	it.ID, it.Version = id, 1
	return nil
}

// Item returns the item with the id.
func (s *Store) Item(ctx context.Context, id string) (*hall.Item, error) {
	it, err := s.readItem(ctx, s.rdb, id)
	return it, s.wrap("item", err)
}

// checkVersion returns the stored item when its version is it.Version.
func (s *Store) checkVersion(ctx context.Context, c goredis.Cmdable, it *hall.Item) error {
	stored, err := s.readItem(ctx, c, it.ID)
	if err != nil {
		return err
	}
	if stored.Version != it.Version {
		return hall.Errorf(hall.EConflict, "item %q was changed by someone else (version %d, yours %d)", it.ID, stored.Version, it.Version)
	}
	return nil
}

// UpdateItem saves it when the stored version is it.Version, then bumps
// it.Version.
func (s *Store) UpdateItem(ctx context.Context, it *hall.Item) error {
	key := s.itemKey(it.ID)
	err := s.update(ctx, "update item", []string{key}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		if err := s.checkVersion(ctx, tx, it); err != nil {
			return nil, err
		}
		c := *it
		c.Version++
		return func(p goredis.Pipeliner) { s.queueItem(ctx, p, &c) }, nil
	})
	if err != nil {
		return err
	}
	it.Version++
	return nil
}

// entryRec is how an archive entry is stored (its index is the field).
type entryRec struct {
	Kind     string    `json:"k"`
	ItemID   string    `json:"i"`
	Revision int       `json:"r"`
	At       time.Time `json:"a"`
	Leaf     []byte    `json:"l"`
	// Content and Salt of a format-2 publish entry, until it is redacted.
	Content []byte `json:"c,omitempty"`
	Salt    []byte `json:"s,omitempty"`
}

// SaveWithEntry appends e to the archive and saves it, in one MULTI/EXEC
// watched on the item and the archive size. Only when both succeed are
// e.Index, it.Version and, for a publish, it.Public.ArchiveIndex changed.
func (s *Store) SaveWithEntry(ctx context.Context, it *hall.Item, e *hall.ArchiveEntry) error {
	if e.ItemID != it.ID {
		return fmt.Errorf("redisstore: archive entry for item %q saved with item %q", e.ItemID, it.ID)
	}
	publish := e.Kind == hall.EntryPublish
	if publish && it.Public == nil {
		return fmt.Errorf("redisstore: publish entry for item %q without a public state", it.ID)
	}
	key, size := s.itemKey(it.ID), s.mkey("archive", "size")
	pubKey := it.ID + "#" + strconv.Itoa(e.Revision)
	var idx int64
	err := s.update(ctx, "save with archive entry", []string{key, size}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		n, err := tx.Get(ctx, size).Int64()
		if err != nil && !errors.Is(err, goredis.Nil) {
			return nil, err
		}
		idx = n
		if publish {
			if ok, err := tx.HExists(ctx, s.mkey("archive", "pub"), pubKey).Result(); err != nil || ok {
				return nil, orConflict(err, "revision %d of item %q is in the archive already", e.Revision, e.ItemID)
			}
		}
		if err := s.checkVersion(ctx, tx, it); err != nil {
			return nil, err
		}
		saved := *it
		saved.Version++
		if publish {
			p := *it.Public
			p.ArchiveIndex = idx
			saved.Public = &p
		}
		rec := mustJSON(entryRec{Kind: e.Kind, ItemID: e.ItemID, Revision: e.Revision, At: e.At.UTC(), Leaf: e.Leaf,
			Content: e.Content, Salt: e.Salt})
		field := strconv.FormatInt(idx, 10)
		return func(p goredis.Pipeliner) {
			p.HSet(ctx, s.mkey("archive"), field, rec)
			p.Set(ctx, size, idx+1, 0)
			p.RPush(ctx, s.mkey("archive", "item", e.ItemID), idx)
			if publish {
				p.HSet(ctx, s.mkey("archive", "pub"), pubKey, idx)
			}
			s.queueItem(ctx, p, &saved)
		}, nil
	})
	if err != nil {
		return err
	}
	e.Index = idx
	it.Version++
	if publish {
		it.Public.ArchiveIndex = idx
	}
	return nil
}

// RedactRevision rewrites the publish entry of e's revision without its
// content and salt, appends e (a redact entry) and saves it, in one
// MULTI/EXEC watched on the item, the archive size and the archive hash.
// Redis keeps no older copy of a rewritten value; an AOF file or RDB
// snapshot written before holds it until Redis rewrites it
// (docs/ARCHIVE.md, "Redaction").
func (s *Store) RedactRevision(ctx context.Context, it *hall.Item, e *hall.ArchiveEntry) error {
	if e.Kind != hall.EntryRedact || e.ItemID != it.ID {
		return fmt.Errorf("redisstore: redact entry %s for item %q saved with item %q", e.Kind, e.ItemID, it.ID)
	}
	key, size, archive := s.itemKey(it.ID), s.mkey("archive", "size"), s.mkey("archive")
	var idx int64
	err := s.update(ctx, "redact revision", []string{key, size, archive}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		n, err := tx.Get(ctx, size).Int64()
		if err != nil && !errors.Is(err, goredis.Nil) {
			return nil, err
		}
		idx = n
		pubField, err := tx.HGet(ctx, s.mkey("archive", "pub"), it.ID+"#"+strconv.Itoa(e.Revision)).Result()
		if errors.Is(err, goredis.Nil) {
			return nil, hall.NotFound("revision", fmt.Sprintf("%s#%d", it.ID, e.Revision))
		} else if err != nil {
			return nil, err
		}
		raw, err := tx.HGet(ctx, archive, pubField).Result()
		if err != nil {
			return nil, fmt.Errorf("archive entry %s: %w", pubField, err)
		}
		var pub entryRec
		if err := json.Unmarshal([]byte(raw), &pub); err != nil {
			return nil, fmt.Errorf("archive entry %s: %w", pubField, err)
		}
		if pub.Content == nil {
			return nil, hall.Errorf(hall.EConflict, "revision %d of item %q has no stored content to redact", e.Revision, e.ItemID)
		}
		pub.Content, pub.Salt = nil, nil
		if err := s.checkVersion(ctx, tx, it); err != nil {
			return nil, err
		}
		saved := *it
		saved.Version++
		rec := mustJSON(entryRec{Kind: e.Kind, ItemID: e.ItemID, Revision: e.Revision, At: e.At.UTC(), Leaf: e.Leaf})
		return func(p goredis.Pipeliner) {
			p.HSet(ctx, archive, pubField, mustJSON(pub))
			p.HSet(ctx, archive, strconv.FormatInt(idx, 10), rec)
			p.Set(ctx, size, idx+1, 0)
			p.RPush(ctx, s.mkey("archive", "item", e.ItemID), idx)
			s.queueItem(ctx, p, &saved)
		}, nil
	})
	if err != nil {
		return err
	}
	e.Index = idx
	it.Version++
	return nil
}

// ListItems returns the items the filter selects: public ones by their
// latest publication, newest first; others by last update, newest first
// (then by id).
func (s *Store) ListItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error) {
	idx, err := s.rdb.HGetAll(ctx, s.mkey("items", "idx")).Result()
	if err != nil {
		return nil, s.wrap("list items", err)
	}
	type cand struct {
		id string
		at time.Time
	}
	var cands []cand
	for id, raw := range idx {
		var x itemIndex
		if err := json.Unmarshal([]byte(raw), &x); err != nil {
			return nil, fmt.Errorf("redisstore: item index %q: %w", id, err)
		}
		if at, ok := x.matches(&f); ok {
			cands = append(cands, cand{id, at})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int { return cmp.Or(b.at.Compare(a.at), strings.Compare(a.id, b.id)) })

	limit, offset := clampLimit(f.Limit), max(f.Offset, 0)
	q := strings.TrimSpace(f.Q)
	out := []*hall.Item{}
	if q == "" {
		if offset >= len(cands) {
			return out, nil
		}
		ids := make([]string, 0, limit)
		for _, c := range cands[offset:min(offset+limit, len(cands))] {
			ids = append(ids, c.id)
		}
		err := s.eachItem(ctx, ids, func(it *hall.Item) bool {
			out = append(out, it)
			return true
		})
		return out, err
	}

	pq, err := search.ParseQuery(q)
	if err != nil {
		return nil, hall.FieldError("q", "%v", err)
	}
	if f.Public && pq.Empty() {
		return out, nil
	}
	ids := make([]string, len(cands))
	for i, c := range cands {
		ids[i] = c.id
	}
	if !f.Public {
		// Working copies have no index document: each word is a substring
		// of the title, summary or body, as typed; or the published
		// revision matches. In the usual order, so a page ends the scan.
		words := strings.Fields(foldASCII(q))
		err := s.eachItem(ctx, ids, func(it *hall.Item) bool {
			if !draftMatches(it, words) && !publicMatches(it, pq) {
				return true
			}
			if offset > 0 {
				offset--
				return true
			}
			out = append(out, it)
			return len(out) < limit
		})
		return out, err
	}

	// A public search ranks every match (Query.Score, the title weighing
	// search.TitleWeight times the text), then takes the page.
	type hit struct {
		it    *hall.Item
		score float64
		rank  int // place in the usual order
	}
	var hits []hit
	err = s.eachItem(ctx, ids, func(it *hall.Item) bool {
		if it.Public != nil {
			if score, ok := pq.Score(search.Doc(it.Public.Index)); ok {
				hits = append(hits, hit{it, score, len(hits)})
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.rank, b.rank)) })
	for _, h := range hits[min(offset, len(hits)):min(offset+limit, len(hits))] {
		out = append(out, h.it)
	}
	return out, nil
}

// eachItem reads the items with the given ids in order, in batches, and
// calls fn with each until it returns false. Ids deleted since they were
// listed are skipped.
func (s *Store) eachItem(ctx context.Context, ids []string, fn func(*hall.Item) bool) error {
	const chunk = 200
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		keys := make([]string, len(part))
		for i, id := range part {
			keys[i] = s.itemKey(id)
		}
		vals, err := s.rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return s.wrap("list items", err)
		}
		for i, v := range vals {
			raw, ok := v.(string)
			if !ok {
				continue // deleted between the reads
			}
			it, err := decItem(raw)
			if err != nil {
				return fmt.Errorf("redisstore: item %q: %w", part[i], err)
			}
			if !fn(it) {
				return nil
			}
		}
	}
	return nil
}

// matches reports whether the item passes the filter's fields (all but Q)
// and returns the time it sorts by.
func (x *itemIndex) matches(f *hall.ItemFilter) (time.Time, bool) {
	category, department, matter, owner, at := x.Category, x.Department, x.MatterID, x.Hall, x.UpdatedAt
	if f.Public {
		p := x.Pub
		if p == nil {
			return time.Time{}, false
		}
		category, department, matter, owner, at = p.Category, p.Department, p.MatterID, p.Hall, p.PublishedAt
		if !f.LiveAt.IsZero() {
			if p.WithdrawnAt != nil || (p.ValidFrom != nil && p.ValidFrom.After(f.LiveAt)) ||
				(p.ValidUntil != nil && !p.ValidUntil.After(f.LiveAt)) {
				return time.Time{}, false
			}
		}
		if !f.PublishedFrom.IsZero() && p.PublishedAt.Before(f.PublishedFrom) {
			return time.Time{}, false
		}
		if !f.PublishedTo.IsZero() && !p.PublishedAt.Before(f.PublishedTo) {
			return time.Time{}, false
		}
	}
	if (f.Category != "" && category != f.Category) || (f.Department != "" && department != f.Department) ||
		(len(f.Departments) > 0 && !slices.Contains(f.Departments, department)) ||
		(f.Status != "" && x.Status != string(f.Status)) || (f.MatterID != "" && matter != f.MatterID) ||
		(len(f.Halls) > 0 && !slices.Contains(f.Halls, owner)) ||
		(len(f.Categories) > 0 && !slices.Contains(f.Categories, category)) {
		return time.Time{}, false
	}
	return at, true
}

// draftMatches reports whether every word (already folded) is in the
// working copy's title, summary or body.
func draftMatches(it *hall.Item, words []string) bool {
	fields := []string{foldASCII(it.Title), foldASCII(it.Summary), foldASCII(it.Body)}
	for _, w := range words {
		if !slices.ContainsFunc(fields, func(f string) bool { return strings.Contains(f, w) }) {
			return false
		}
	}
	return true
}

// publicMatches reports whether the item's published revision matches q.
func publicMatches(it *hall.Item, q search.Query) bool {
	if it.Public == nil || q.Empty() {
		return false
	}
	_, ok := q.Score(search.Doc(it.Public.Index))
	return ok
}

// foldASCII lower-cases ASCII letters only, as SQLite's LIKE compares.
func foldASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
