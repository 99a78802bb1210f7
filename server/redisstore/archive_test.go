package redisstore

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// TestTwoReplicasPublish publishes from two Stores on one prefix (two
// replicas) at once: the archive gets every leaf once, at indexes 0…99 with
// no gap, and each item's Public.ArchiveIndex is its leaf's.
func TestTwoReplicasPublish(t *testing.T) {
	t.Run("Standalone", func(t *testing.T) { testTwoReplicasPublish(t, standaloneURL(t)) })
	t.Run("Cluster", func(t *testing.T) { testTwoReplicasPublish(t, clusterURL(t)) })
}

func testTwoReplicasPublish(t *testing.T, url string) {
	const perStore, writers = 50, 5
	ctx := t.Context()
	prefix := testPrefix()
	stores := []*Store{openTest(t, url, prefix), openTest(t, url, prefix)}
	published := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)

	items := make([][]*hall.Item, len(stores))
	for si, s := range stores {
		for i := range perStore {
			it := &hall.Item{ID: fmt.Sprintf("it_r%d_%02d", si, i), Category: "finance", Department: "caizheng",
				Title: fmt.Sprintf("副本%d条目%d", si, i), Status: hall.StatusApproved, CreatedAt: published, UpdatedAt: published}
			mustOK(t, s.CreateItem(ctx, it))
			items[si] = append(items[si], it)
		}
	}
	var wg sync.WaitGroup
	for si, s := range stores {
		for w := range writers {
			wg.Go(func() {
				for i := w; i < perStore; i += writers {
					it := items[si][i]
					it.Status = hall.StatusPublished
					it.Public = &hall.PublicState{Revision: 1, Category: it.Category, Department: it.Department,
						Title: it.Title, SearchText: it.Title, PublishedAt: published, FirstPublished: published}
					e, err := hall.NewPublishEntry(&hall.Revision{ID: it.ID, Revision: 1, Title: it.Title, PublishedAt: published})
					if err == nil {
						err = s.SaveWithEntry(ctx, it, e)
					}
					if err != nil {
						t.Errorf("SaveWithEntry %s: %v", it.ID, err)
						return
					}
					if e.Index != it.Public.ArchiveIndex {
						t.Errorf("%s: entry index %d, item's archive index %d", it.ID, e.Index, it.Public.ArchiveIndex)
					}
				}
			})
		}
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	const total = 2 * perStore
	size, err := stores[1].ArchiveSize(ctx)
	mustOK(t, err)
	if size != total {
		t.Fatalf("ArchiveSize: got %d, want %d", size, total)
	}
	entries, err := stores[0].ArchiveEntries(ctx, 0, total+10)
	mustOK(t, err)
	if len(entries) != total {
		t.Fatalf("ArchiveEntries: got %d, want %d", len(entries), total)
	}
	leafOf := map[string]int64{}
	for i, e := range entries {
		if e.Index != int64(i) {
			t.Fatalf("entry %d has index %d: a gap or a repeat", i, e.Index)
		}
		if _, dup := leafOf[e.ItemID]; dup {
			t.Errorf("item %s has two leaves", e.ItemID)
		}
		leafOf[e.ItemID] = e.Index
		rev, _, err := hall.DecodeEntry(e)
		if err != nil || rev.ID != e.ItemID {
			t.Errorf("entry %d: %v", i, err)
		}
	}
	for _, list := range items {
		for _, it := range list {
			got, err := stores[1].Item(ctx, it.ID)
			mustOK(t, err)
			want, ok := leafOf[it.ID]
			if !ok {
				t.Errorf("%s: no leaf", it.ID)
				continue
			}
			if got.Public == nil || got.Public.ArchiveIndex != want || got.Version != 2 {
				t.Errorf("%s: stored archive index %v, version %d; want %d, 2", it.ID, got.Public, got.Version, want)
			}
		}
	}
}
