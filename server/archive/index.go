package archive

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/search"
)

// Everything the public reads — listings, category counts, search, matters,
// an item's current revision and history, expiry — is answered from the
// entries the Log has hashed, never from the editable item rows: the Log
// folds each entry into the item's public state as it syncs (with
// hall.NextPublicState, the one definition the workflow also uses), and
// revision content is read from the leaf only after the leaf's hash is found
// equal to the one in the tree. A row edited behind the server's back
// therefore changes nothing residents see; CheckRows and Verify report it.

// ErrWithheld is wrapped by PublicItem's error for an item whose archive
// entries do not follow one another: nothing of it is served.
var ErrWithheld = errors.New("withheld from the public")

// publicIndex is the public state of every item ever published, derived from
// the archive's entries. The Log guards it with its mutex.
type publicIndex struct {
	items map[string]*indexItem
	order []*indexItem // every published item, newest publication first, then by id
}

type indexItem struct {
	id    string
	state *hall.PublicState // SearchText cleared: text holds it
	// text is the latest revision's title, summary, body and finance line
	// names as plain text; doc its search document, made the first time a
	// search needs it.
	text    string
	docOnce sync.Once
	doc     search.Doc
	entries []int64 // archive indexes of the item's entries, oldest first
	// revisions[r-1] is the archive index of revision r's publish entry.
	revisions []int64
	// redacted holds the redaction of each redacted revision.
	redacted map[int]*hall.Redaction
	// problem is why an entry of the item does not follow the ones before
	// (the item is then withheld from the public); "" when none.
	problem string
}

// add folds stored entry s into the index, as its leaf says (the row's own
// columns are not trusted). It returns a problem when the leaf does not
// decode or cannot follow the item's earlier entries.
func (x *publicIndex) add(s *hall.ArchiveEntry, text hall.TextFunc) string {
	e, err := hall.EntryFromLeaf(s.Index, s.Leaf)
	if err != nil {
		return err.Error()
	}
	e.Content, e.Salt = s.Content, s.Salt // checked against the leaf by NextPublicState
	if x.items == nil {
		x.items = map[string]*indexItem{}
	}
	it := x.items[e.ItemID]
	if it == nil {
		it = &indexItem{id: e.ItemID}
		x.items[e.ItemID] = it
	}
	it.entries = append(it.entries, e.Index)
	if it.problem != "" {
		return ""
	}
	next, err := hall.NextPublicState(it.state, e, text)
	if err != nil {
		it.problem = err.Error()
		return fmt.Sprintf("archive entry %d does not follow the earlier entries of item %s; the item is withheld from the public: %v", e.Index, e.ItemID, err)
	}
	if e.Kind == hall.EntryRedact {
		_, reason, _ := hall.DecodeEntry(e)
		if it.redacted == nil {
			it.redacted = map[int]*hall.Redaction{}
		}
		it.redacted[e.Revision] = &hall.Redaction{At: e.At.UTC(), Reason: reason}
		if e.Revision == it.state.Revision {
			// Forget the revision's text and search document.
			it.text, it.doc, it.docOnce = "", search.Doc{}, sync.Once{}
		}
	}
	publish := e.Kind == hall.EntryPublish
	if publish {
		it.revisions = append(it.revisions, e.Index)
		it.text = next.SearchText
		it.docOnce = sync.Once{}
		if it.state != nil {
			x.unplace(it)
		}
	}
	next.SearchText = ""
	it.state = next
	if publish {
		x.place(it)
	}
	return ""
}

// newestFirst orders published items by publication, newest first, then id.
func newestFirst(a, b *indexItem) int {
	if c := b.state.PublishedAt.Compare(a.state.PublishedAt); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// place inserts a published item at its place in order. A new publication
// is usually the newest, so this is a search and a short move, not a sort.
func (x *publicIndex) place(it *indexItem) {
	i, _ := slices.BinarySearchFunc(x.order, it, newestFirst)
	x.order = slices.Insert(x.order, i, it)
}

// unplace removes an item from order before its state changes.
func (x *publicIndex) unplace(it *indexItem) {
	if i, found := slices.BinarySearchFunc(x.order, it, newestFirst); found && x.order[i] == it {
		x.order = slices.Delete(x.order, i, i+1)
	}
}

// searchDoc is the item's search document, made on first use.
func (it *indexItem) searchDoc() search.Doc {
	it.docOnce.Do(func() { it.doc = search.Index(it.state.Title, it.text) })
	return it.doc
}

// matches reports whether the item passes the filter's public conditions
// (the search query aside).
func (it *indexItem) matches(f *hall.ItemFilter) bool {
	p := it.state
	switch {
	case p == nil || it.problem != "" || p.Redacted:
		return false
	case f.Category != "" && p.Category != f.Category,
		f.Department != "" && p.Department != f.Department,
		len(f.Departments) > 0 && !slices.Contains(f.Departments, p.Department),
		len(f.Halls) > 0 && !slices.Contains(f.Halls, p.Hall),
		len(f.Categories) > 0 && !slices.Contains(f.Categories, p.Category),
		f.MatterID != "" && p.MatterID != f.MatterID,
		!f.LiveAt.IsZero() && !p.Live(f.LiveAt),
		!f.PublishedFrom.IsZero() && p.PublishedAt.Before(f.PublishedFrom),
		!f.PublishedTo.IsZero() && !p.PublishedAt.Before(f.PublishedTo):
		return false
	}
	return true
}

// view is the item as public listings return it: ID, a copy of the public
// state, and the working-copy fields mirroring it.
func (it *indexItem) view() *hall.Item {
	p := *it.state
	status := hall.StatusPublished
	if p.WithdrawnAt != nil {
		status = hall.StatusWithdrawn
	}
	return &hall.Item{ID: it.id, Category: p.Category, Department: p.Department, Hall: p.Hall, Title: p.Title, Summary: p.Summary,
		Stage: p.Stage, MatterID: p.MatterID, Cadence: p.Cadence, ValidFrom: p.ValidFrom, ValidUntil: p.ValidUntil,
		Status: status, Public: &p}
}

// syncForRead catches up before a public read. A rewritten history halts
// signing but not reading: what the Log already holds was verified when it
// was read, so reads go on from it.
func (l *Log) syncForRead(ctx context.Context) error {
	_, err := l.Sync(ctx)
	var inc *inconsistency
	if errors.As(err, &inc) {
		l.halt(inc)
		return nil
	}
	return err
}

// PublicItems lists items by the public state their archive entries define,
// as hall.ItemStore.ListItems does with Public set: the filter's category,
// department(s), matter, liveness at LiveAt and publication window; newest
// publication first; Limit (default 100, at most 1000) and Offset. With Q,
// only items whose latest revision matches every word (package search:
// traditional characters, numbers, pinyin of titles) are listed, best match
// first (a match in the title before one only in the text), then newest.
// Status is ignored. Only ID, Public and the fields mirroring Public are set.
func (l *Log) PublicItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error) {
	if err := l.syncForRead(ctx); err != nil {
		return nil, err
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 100
	case limit > 1000:
		limit = 1000
	}
	skip := max(f.Offset, 0)
	q, err := search.ParseQuery(f.Q)
	if err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	candidates := l.index.order
	if !q.Empty() {
		candidates = ranked(candidates, &f, q)
	}
	out := []*hall.Item{}
	for _, it := range candidates {
		if !it.matches(&f) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, it.view())
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// PublicItem returns an item with its public state as its archive entries
// define it; not found when it was never published.
func (l *Log) PublicItem(ctx context.Context, id string) (*hall.Item, error) {
	if err := l.syncForRead(ctx); err != nil {
		return nil, err
	}
	l.mu.RLock()
	it := l.index.items[id]
	var (
		view    *hall.Item
		problem string
	)
	if it != nil && it.state != nil {
		view, problem = it.view(), it.problem
	}
	l.mu.RUnlock()
	switch {
	case view == nil:
		return nil, hall.NotFound("published item", id)
	case problem != "":
		return nil, fmt.Errorf("item %s: %w: %s", id, ErrWithheld, problem)
	}
	return view, nil
}

// Revision returns revision n of an item, read from its leaf after checking
// that the leaf still hashes to what the tree holds. A leaf altered in the
// store raises an alarm and is refused (an internal error); the row's own
// columns are not trusted either: the entry's fields come from the leaf.
func (l *Log) Revision(ctx context.Context, id string, n int) (*hall.Revision, error) {
	if err := l.syncForRead(ctx); err != nil {
		return nil, err
	}
	l.mu.RLock()
	var (
		index int64 = -1
		red   *hall.Redaction
	)
	if it := l.index.items[id]; it != nil && n >= 1 && n <= len(it.revisions) {
		index, red = it.revisions[n-1], it.redacted[n]
	}
	l.mu.RUnlock()
	if index < 0 {
		return nil, hall.NotFound("revision", id+"#"+strconv.Itoa(n))
	}
	if red != nil {
		return nil, gone(id, n, red)
	}
	e, err := l.entry(ctx, index)
	if err != nil {
		return nil, err
	}
	if e.Kind != hall.EntryPublish || e.ItemID != id || e.Revision != n {
		return nil, fmt.Errorf("archive entry %d is %s %s#%d, the log indexed it as revision %d of %s", index, e.Kind, e.ItemID, e.Revision, n, id)
	}
	rev, _, err := hall.DecodeEntry(e)
	if err != nil {
		return nil, l.refuse(err.Error())
	}
	return rev, nil
}

// gone is the error for a redacted revision: EGone, with the reason.
func gone(id string, n int, red *hall.Redaction) error {
	return &hall.Error{Code: hall.EGone, Details: red,
		Message: fmt.Sprintf("revision %d of item %s was redacted on %s: %s", n, id, red.At.Format("2006-01-02"), red.Reason)}
}

// History returns an item's published revisions and all its entries, oldest
// first, each read from a leaf checked against the tree. Not found when the
// item was never published.
func (l *Log) History(ctx context.Context, id string) ([]*hall.Revision, []*hall.ArchiveEntry, error) {
	if err := l.syncForRead(ctx); err != nil {
		return nil, nil, err
	}
	l.mu.RLock()
	var (
		want     []int64
		redacted = map[int]*hall.Redaction{}
	)
	if it := l.index.items[id]; it != nil {
		want = slices.Clone(it.entries)
		for n, r := range it.redacted {
			redacted[n] = r
		}
	}
	size := l.tree.n
	l.mu.RUnlock()
	if len(want) == 0 {
		return nil, nil, hall.NotFound("published item", id)
	}
	stored, err := l.store.ItemEntries(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	// Entries appended since the sync are not the log's yet.
	stored = slices.DeleteFunc(stored, func(e *hall.ArchiveEntry) bool { return e.Index >= size })
	if len(stored) != len(want) {
		return nil, nil, l.refuse(fmt.Sprintf("the store lists %d archive entries of item %s, the log holds %d: entry rows were changed", len(stored), id, len(want)))
	}
	var (
		revs    []*hall.Revision
		entries = make([]*hall.ArchiveEntry, len(stored))
	)
	for i, s := range stored {
		if s.Index != want[i] {
			return nil, nil, l.refuse(fmt.Sprintf("the store lists archive entry %d for item %s, the log holds entry %d there: entry rows were changed", s.Index, id, want[i]))
		}
		e, err := l.checkLeaf(s)
		if err != nil {
			return nil, nil, err
		}
		if e.ItemID != id {
			return nil, nil, l.refuse(fmt.Sprintf("archive entry %d belongs to item %s, the store lists it for %s", e.Index, e.ItemID, id))
		}
		entries[i] = e
		if e.Kind == hall.EntryPublish {
			if red := redacted[e.Revision]; red != nil {
				revs = append(revs, &hall.Revision{ID: id, Revision: e.Revision, PublishedAt: e.At, ArchiveIndex: e.Index, Redacted: red})
				continue
			}
			rev, _, err := hall.DecodeEntry(e)
			if err != nil {
				return nil, nil, l.refuse(err.Error())
			}
			revs = append(revs, rev)
		}
	}
	return revs, entries, nil
}

// Entries returns the entries with from <= index < to that the log holds,
// each checked against the tree, and the log's size.
func (l *Log) Entries(ctx context.Context, from, to int64) ([]*hall.ArchiveEntry, int64, error) {
	if err := l.syncForRead(ctx); err != nil {
		return nil, 0, err
	}
	size := l.Size()
	to = min(to, size)
	if from >= to {
		return []*hall.ArchiveEntry{}, size, nil
	}
	stored, err := l.store.ArchiveEntries(ctx, from, to)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*hall.ArchiveEntry, 0, len(stored))
	for i, s := range stored {
		if s.Index != from+int64(i) {
			return nil, 0, l.refuse(fmt.Sprintf("archive entry %d is missing from the store", from+int64(i)))
		}
		e, err := l.checkLeaf(s)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	if int64(len(out)) != to-from {
		return nil, 0, l.refuse(fmt.Sprintf("archive entry %d is missing from the store", from+int64(len(out))))
	}
	return out, size, nil
}

// entry reads entry index from the store and checks it against the tree.
func (l *Log) entry(ctx context.Context, index int64) (*hall.ArchiveEntry, error) {
	stored, err := l.store.ArchiveEntries(ctx, index, index+1)
	if err != nil {
		return nil, err
	}
	if len(stored) != 1 || stored[0].Index != index {
		return nil, l.refuse(fmt.Sprintf("archive entry %d is missing from the store", index))
	}
	return l.checkLeaf(stored[0])
}

// checkLeaf checks that a stored entry's leaf hashes to the leaf hash the
// tree holds at its index and returns the entry as its leaf says (kind,
// item, revision and time from the leaf, not the row's columns).
func (l *Log) checkLeaf(s *hall.ArchiveEntry) (*hall.ArchiveEntry, error) {
	l.mu.RLock()
	var want tlog.Hash
	held := s.Index >= 0 && s.Index < l.tree.n
	if held {
		want = l.tree.hashes[tlog.StoredHashIndex(0, s.Index)]
	}
	l.mu.RUnlock()
	if !held {
		return nil, fmt.Errorf("archive entry %d is beyond the log's %d entries", s.Index, l.Size())
	}
	if got := tlog.RecordHash(s.Leaf); got != want {
		return nil, l.refuse(fmt.Sprintf("archive entry %d was altered in the store: its leaf hashes to %s, the signed tree holds %s", s.Index, got, want))
	}
	e, err := hall.EntryFromLeaf(s.Index, s.Leaf)
	if err != nil {
		return nil, l.refuse(err.Error())
	}
	e.Content, e.Salt = s.Content, s.Salt
	if e.Kind == hall.EntryPublish && e.Content != nil {
		if _, _, err := hall.DecodeEntry(e); err != nil {
			return nil, l.refuse(fmt.Sprintf("archive entry %d was altered in the store: %v", s.Index, err))
		}
	}
	return e, nil
}

// refuse raises an alarm about the store and returns the internal error a
// public read answers with instead of serving what the store holds.
func (l *Log) refuse(problem string) error {
	l.raise(problem)
	return hall.Errorf(hall.EInternal, "refused to serve archive content: %s", problem)
}

// ranked returns the items that pass the filter and match the query, best
// first, then in their given order (newest first).
func ranked(items []*indexItem, f *hall.ItemFilter, q search.Query) []*indexItem {
	type scored struct {
		it    *indexItem
		score float64
	}
	var hits []scored
	for _, it := range items {
		if !it.matches(f) {
			continue
		}
		if score, ok := q.Score(it.searchDoc()); ok {
			hits = append(hits, scored{it, score})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	out := make([]*indexItem, len(hits))
	for i, h := range hits {
		out[i] = h.it
	}
	return out
}
