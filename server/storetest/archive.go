package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// publishEntry sets it up as published at revision rev and returns the
// entry for it (not yet saved).
func publishEntry(tb testing.TB, it *hall.Item, rev int, published time.Time) *hall.ArchiveEntry {
	tb.Helper()
	e, err := newPublish(it, rev, published)
	mustOK(tb, err, "NewPublishEntry")
	return e
}

// newPublish is publishEntry for goroutines other than the test's.
func newPublish(it *hall.Item, rev int, published time.Time) (*hall.ArchiveEntry, error) {
	first := published
	if it.Public != nil {
		first = it.Public.FirstPublished
	}
	it.Status = hall.StatusPublished
	it.Public = &hall.PublicState{Revision: rev, Category: it.Category, Department: it.Department,
		Title: it.Title, Summary: it.Summary, SearchText: it.Title + " " + it.Summary + " " + it.Body,
		PublishedAt: published, FirstPublished: first}
	return hall.NewPublishEntry(&hall.Revision{
		ID: it.ID, Revision: rev, Category: it.Category, Department: it.Department, Title: it.Title,
		Summary: it.Summary, Body: it.Body, BodyHTML: "<p>" + it.Body + "</p>", Assets: []hall.Asset{},
		PublishedAt: published, Page: "/p/" + it.ID,
	})
}

func mustItem(t *testing.T, s hall.Store, id, title string) *hall.Item {
	t.Helper()
	it := &hall.Item{ID: id, Category: "finance", Department: "caizheng", Title: title,
		Body: "正文", Status: hall.StatusApproved, CreatedAt: t0, UpdatedAt: t0}
	mustOK(t, s.CreateItem(t.Context(), it), "CreateItem "+id)
	return it
}

func wantSize(t *testing.T, s hall.Store, want int64) {
	t.Helper()
	got, err := s.ArchiveSize(t.Context())
	mustOK(t, err, "ArchiveSize")
	if got != want {
		t.Errorf("ArchiveSize: got %d, want %d", got, want)
	}
}

func indexes(es []*hall.ArchiveEntry) []int64 {
	out := []int64{}
	for _, e := range es {
		out = append(out, e.Index)
	}
	return out
}

func testArchive(t *testing.T, s hall.Store) {
	ctx := t.Context()
	wantSize(t, s, 0)

	a := mustItem(t, s, "it_a", "财政预算")
	b := mustItem(t, s, "it_b", "征兵公告")
	staleB := *b

	// 0: a#1 published, 1: b#1 published, 2: a#1 withdrawn, 3: a#2 published.
	var saved []*hall.ArchiveEntry
	e := publishEntry(t, a, 1, at(time.Hour).In(cst))
	mustOK(t, s.SaveWithEntry(ctx, a, e), "SaveWithEntry a#1")
	saved = append(saved, e)
	t.Run("FirstPublish", func(t *testing.T) {
		if e.Index != 0 {
			t.Errorf("e.Index: got %d, want 0", e.Index)
		}
		if a.Public.ArchiveIndex != 0 || a.Version != 2 {
			t.Errorf("item after SaveWithEntry: ArchiveIndex %d, Version %d; want 0, 2", a.Public.ArchiveIndex, a.Version)
		}
		wantItem(t, s, a)
	})

	e = publishEntry(t, b, 1, at(2*time.Hour))
	mustOK(t, s.SaveWithEntry(ctx, b, e), "SaveWithEntry b#1")
	saved = append(saved, e)

	a.Public.WithdrawnAt = ptr(at(3 * time.Hour))
	a.Public.WithdrawReason = "数据有误"
	a.Status = hall.StatusWithdrawn
	e, err := hall.NewStateEntry(hall.EntryWithdraw, a.ID, 1, at(3*time.Hour), "数据有误")
	mustOK(t, err, "NewStateEntry")
	mustOK(t, s.SaveWithEntry(ctx, a, e), "SaveWithEntry a#1 withdrawn")
	saved = append(saved, e)
	t.Run("StateEntryKeepsArchiveIndex", func(t *testing.T) {
		if e.Index != 2 {
			t.Errorf("e.Index: got %d, want 2", e.Index)
		}
		if a.Public.ArchiveIndex != 0 {
			t.Errorf("a withdraw entry changed Public.ArchiveIndex to %d, want 0", a.Public.ArchiveIndex)
		}
		wantItem(t, s, a)
	})

	e = publishEntry(t, a, 2, at(4*time.Hour))
	mustOK(t, s.SaveWithEntry(ctx, a, e), "SaveWithEntry a#2")
	saved = append(saved, e)
	t.Run("Republish", func(t *testing.T) {
		if e.Index != 3 || a.Public.ArchiveIndex != 3 || a.Version != 4 {
			t.Errorf("after a#2: e.Index %d, ArchiveIndex %d, Version %d; want 3, 3, 4", e.Index, a.Public.ArchiveIndex, a.Version)
		}
		if !a.Public.FirstPublished.Equal(at(time.Hour)) {
			t.Errorf("FirstPublished: got %v, want %v", a.Public.FirstPublished, at(time.Hour))
		}
		wantItem(t, s, a)
		wantSize(t, s, 4)
	})

	t.Run("Entries", func(t *testing.T) {
		got, err := s.ArchiveEntries(ctx, 0, 4)
		mustOK(t, err, "ArchiveEntries")
		if len(got) != len(saved) {
			t.Fatalf("ArchiveEntries(0, 4): got %d entries, want %d", len(got), len(saved))
		}
		for i, g := range got {
			w := saved[i]
			if g.Index != int64(i) || g.Kind != w.Kind || g.ItemID != w.ItemID || g.Revision != w.Revision || !sameTime(g.At, w.At.UTC()) {
				t.Errorf("entry %d: got %d %s %s#%d at %v, want %d %s %s#%d at %v in UTC",
					i, g.Index, g.Kind, g.ItemID, g.Revision, g.At, i, w.Kind, w.ItemID, w.Revision, w.At)
			}
			if !bytes.Equal(g.Leaf, w.Leaf) {
				t.Errorf("entry %d: leaf changed:\n got %s\nwant %s", i, g.Leaf, w.Leaf)
			}
			rev, _, err := hall.DecodeEntry(g)
			if err != nil {
				t.Errorf("entry %d: DecodeEntry: %v", i, err)
				continue
			}
			if g.Kind == hall.EntryPublish && (rev == nil || rev.ArchiveIndex != int64(i)) {
				t.Errorf("entry %d: decoded revision %+v, want ArchiveIndex %d", i, rev, i)
			}
		}
	})

	t.Run("Ranges", func(t *testing.T) {
		for _, tc := range []struct {
			from, to int64
			want     []int64
		}{
			{0, 4, []int64{0, 1, 2, 3}},
			{1, 3, []int64{1, 2}},
			{3, 10, []int64{3}},
			{4, 8, []int64{}},
			{2, 2, []int64{}},
			{3, 1, []int64{}},
		} {
			t.Run(fmt.Sprintf("%d-%d", tc.from, tc.to), func(t *testing.T) {
				got, err := s.ArchiveEntries(ctx, tc.from, tc.to)
				mustOK(t, err, "ArchiveEntries")
				same(t, "indexes", indexes(got), tc.want)
			})
		}
		_, err := s.ArchiveEntries(ctx, -1, 2)
		wantCode(t, err, hall.EValidation, "ArchiveEntries from -1")
	})

	t.Run("ItemEntries", func(t *testing.T) {
		for _, tc := range []struct {
			id   string
			want []int64
		}{
			{"it_a", []int64{0, 2, 3}},
			{"it_b", []int64{1}},
			{"it_none", []int64{}},
		} {
			got, err := s.ItemEntries(ctx, tc.id)
			mustOK(t, err, "ItemEntries "+tc.id)
			same(t, "ItemEntries "+tc.id, indexes(got), tc.want)
		}
	})

	t.Run("RevisionEntry", func(t *testing.T) {
		for _, tc := range []struct {
			id   string
			rev  int
			want int64
		}{
			{"it_a", 1, 0}, // not the withdraw entry of revision 1
			{"it_a", 2, 3},
			{"it_b", 1, 1},
		} {
			got, err := s.RevisionEntry(ctx, tc.id, tc.rev)
			mustOK(t, err, "RevisionEntry")
			if got.Index != tc.want || got.Kind != hall.EntryPublish || !bytes.Equal(got.Leaf, saved[tc.want].Leaf) {
				t.Errorf("RevisionEntry(%s, %d): got %s entry %d, want publish entry %d", tc.id, tc.rev, got.Kind, got.Index, tc.want)
			}
		}
		_, err := s.RevisionEntry(ctx, "it_a", 3)
		wantCode(t, err, hall.ENotFound, "RevisionEntry of an unpublished revision")
		_, err = s.RevisionEntry(ctx, "it_none", 1)
		wantCode(t, err, hall.ENotFound, "RevisionEntry of a missing item")
	})

	// Failed saves write nothing and change neither the entry nor the item.
	wantUntouched := func(t *testing.T, e *hall.ArchiveEntry, it *hall.Item, version int, archiveIndex int64) {
		t.Helper()
		if e.Index != 99 {
			t.Errorf("failed SaveWithEntry changed e.Index to %d", e.Index)
		}
		if it.Version != version {
			t.Errorf("failed SaveWithEntry changed Version to %d, want %d", it.Version, version)
		}
		if it.Public != nil && it.Public.ArchiveIndex != archiveIndex {
			t.Errorf("failed SaveWithEntry changed Public.ArchiveIndex to %d, want %d", it.Public.ArchiveIndex, archiveIndex)
		}
		wantSize(t, s, 4)
	}
	t.Run("ErrStaleVersion", func(t *testing.T) {
		stale := staleB // version 1; stored is 2
		e := publishEntry(t, &stale, 2, at(5*time.Hour))
		e.Index = 99
		stale.Public.ArchiveIndex = 77
		wantCode(t, s.SaveWithEntry(ctx, &stale, e), hall.EConflict, "SaveWithEntry of a stale version")
		wantUntouched(t, e, &stale, 1, 77)
		got, err := s.ItemEntries(ctx, "it_b")
		mustOK(t, err, "ItemEntries")
		same(t, "ItemEntries it_b after a refused save", indexes(got), []int64{1})
		wantItem(t, s, b)
	})
	t.Run("ErrDuplicateRevision", func(t *testing.T) {
		again := *a
		e := publishEntry(t, &again, 2, at(5*time.Hour))
		e.Index = 99
		again.Public.ArchiveIndex = 77
		wantCode(t, s.SaveWithEntry(ctx, &again, e), hall.EConflict, "SaveWithEntry of a revision already published")
		wantUntouched(t, e, &again, 4, 77)
		wantItem(t, s, a)
	})
	t.Run("ErrMissingItem", func(t *testing.T) {
		ghost := &hall.Item{ID: "it_ghost", Category: "finance", Department: "caizheng", Title: "无", Version: 1, CreatedAt: t0, UpdatedAt: t0}
		e := publishEntry(t, ghost, 1, at(5*time.Hour))
		e.Index = 99
		wantCode(t, s.SaveWithEntry(ctx, ghost, e), hall.ENotFound, "SaveWithEntry of a missing item")
		wantUntouched(t, e, ghost, 1, 0)
	})
	t.Run("NoGapAfterFailures", func(t *testing.T) {
		e, err := hall.NewStateEntry(hall.EntryExpire, b.ID, 1, at(6*time.Hour), "")
		mustOK(t, err, "NewStateEntry")
		b.Public.ExpiredAt = ptr(at(6 * time.Hour))
		mustOK(t, s.SaveWithEntry(ctx, b, e), "SaveWithEntry b#1 expired")
		if e.Index != 4 {
			t.Errorf("e.Index after refused saves: got %d, want 4", e.Index)
		}
		wantSize(t, s, 5)
		wantItem(t, s, b)
	})
}

// testArchiveConcurrent saves from several goroutines at once: every save
// succeeds and the archive indexes are 0…n-1 with no gap or repeat.
func testArchiveConcurrent(t *testing.T, s hall.Store) {
	const writers, perWriter = 8, 50
	ctx := t.Context()
	items := make([]*hall.Item, writers)
	for w := range items {
		items[w] = mustItem(t, s, fmt.Sprintf("it_w%d", w), fmt.Sprintf("并发%d", w))
	}
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Go(func() {
			for rev := 1; rev <= perWriter; rev++ {
				e, err := newPublish(it, rev, at(time.Duration(rev)*time.Minute))
				if err == nil {
					err = s.SaveWithEntry(ctx, it, e)
				}
				if err != nil {
					t.Errorf("SaveWithEntry %s#%d: %v", it.ID, rev, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	const total = writers * perWriter
	wantSize(t, s, total)
	entries, err := s.ArchiveEntries(ctx, 0, total)
	mustOK(t, err, "ArchiveEntries")
	for i, e := range entries {
		if e.Index != int64(i) {
			t.Fatalf("entry %d has index %d", i, e.Index)
		}
	}
	if len(entries) != total {
		t.Fatalf("ArchiveEntries: got %d, want %d", len(entries), total)
	}
	for _, it := range items {
		es, err := s.ItemEntries(ctx, it.ID)
		mustOK(t, err, "ItemEntries")
		if len(es) != perWriter {
			t.Errorf("%s: %d entries, want %d", it.ID, len(es), perWriter)
			continue
		}
		for i, e := range es {
			if e.Revision != i+1 {
				t.Errorf("%s: entry %d is revision %d, want %d", it.ID, i, e.Revision, i+1)
			}
		}
		got, err := s.Item(ctx, it.ID)
		mustOK(t, err, "Item")
		if got.Version != perWriter+1 || got.Public.Revision != perWriter || got.Public.ArchiveIndex != es[perWriter-1].Index {
			t.Errorf("%s: version %d, revision %d, archive index %d; want %d, %d, %d", it.ID,
				got.Version, got.Public.Revision, got.Public.ArchiveIndex, perWriter+1, perWriter, es[perWriter-1].Index)
		}
	}
}

func testCheckpoints(t *testing.T, s hall.Store) {
	ctx := t.Context()
	_, err := s.LatestCheckpoint(ctx)
	wantCode(t, err, hall.ENotFound, "LatestCheckpoint of an empty store")
	list, err := s.Checkpoints(ctx)
	mustOK(t, err, "Checkpoints")
	if len(list) != 0 {
		t.Errorf("Checkpoints of an empty store: got %d, want 0", len(list))
	}

	cp := func(size int64, root string) *hall.Checkpoint {
		return &hall.Checkpoint{Size: size, Root: root, Note: fmt.Sprintf("hallcast.example\n%d\n%s\n\n— sig\n", size, root), At: at(time.Duration(size) * time.Hour)}
	}
	c1, c3, c2 := cp(1, "cm9vdDE="), cp(3, "cm9vdDM="), cp(2, "cm9vdDI=")
	for _, c := range []*hall.Checkpoint{c1, c3, c2} {
		mustOK(t, s.SaveCheckpoint(ctx, c), fmt.Sprintf("SaveCheckpoint %d", c.Size))
	}
	mustOK(t, s.SaveCheckpoint(ctx, cp(3, "b3RoZXI=")), "SaveCheckpoint of a size already saved")

	list, err = s.Checkpoints(ctx)
	mustOK(t, err, "Checkpoints")
	same(t, "Checkpoints (by size, the first of each size kept)", list, []*hall.Checkpoint{c1, c2, c3})
	latest, err := s.LatestCheckpoint(ctx)
	mustOK(t, err, "LatestCheckpoint")
	same(t, "LatestCheckpoint", latest, c3)
}
