package redisstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/sqlite"
	"github.com/hallcast/hallcast/server/storecopy"
	"github.com/hallcast/hallcast/server/storetest"
)

func newSQLite(t *testing.T) storetest.DumpStore {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hallcast.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestDumpLoad(t *testing.T) {
	url := standaloneURL(t)
	newRedis := func(t *testing.T) storetest.DumpStore { return openTest(t, url, "") }
	t.Run("SQLiteToRedis", func(t *testing.T) { storetest.RunDumpLoad(t, newSQLite, newRedis) })
	t.Run("RedisToSQLite", func(t *testing.T) { storetest.RunDumpLoad(t, newRedis, newSQLite) })
}

func TestDumpLoadCluster(t *testing.T) {
	url := clusterURL(t)
	newCluster := func(t *testing.T) storetest.DumpStore { return openTest(t, url, "") }
	storetest.RunDumpLoad(t, newSQLite, newCluster)
	t.Run("ClusterToSQLite", func(t *testing.T) { storetest.RunDumpLoad(t, newCluster, newSQLite) })
}

// BenchmarkMigrate copies a deployment of 100,000 events and 1,000
// revisions (100 items published ten times each) from SQLite into an empty
// Redis prefix, as hallcast migrate does, and back from Redis into a new
// SQLite file.
func BenchmarkMigrate(b *testing.B) {
	url := standaloneURL(b)
	ctx := context.Background()
	src, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "hallcast.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	for i := range 100 {
		it := &hall.Item{ID: fmt.Sprintf("it_%03d", i), Category: "finance", Department: "caizheng",
			Title: fmt.Sprintf("公示 %d", i), Body: "正文", Status: hall.StatusApproved, CreatedAt: t0, UpdatedAt: t0}
		mustOK(b, src.CreateItem(ctx, it))
		for rev := 1; rev <= 10; rev++ {
			at := t0.Add(time.Duration(i*10+rev) * time.Minute)
			first := at
			if it.Public != nil {
				first = it.Public.FirstPublished
			}
			it.Status = hall.StatusPublished
			it.Public = &hall.PublicState{Revision: rev, Category: it.Category, Department: it.Department, Title: it.Title,
				PublishedAt: at, FirstPublished: first, Index: hall.SearchDoc{Title: "gong shi", Text: "zheng wen"}}
			e, err := hall.NewPublishEntry(&hall.Revision{ID: it.ID, Revision: rev, Category: it.Category,
				Department: it.Department, Title: it.Title, Body: it.Body, Assets: []hall.Asset{}, PublishedAt: at})
			mustOK(b, err)
			mustOK(b, src.SaveWithEntry(ctx, it, e))
		}
	}
	events := make([]*hall.Event, 0, 5000)
	for i := range 100_000 {
		at := t0.Add(time.Duration(i) * time.Second)
		events = append(events, &hall.Event{ID: fmt.Sprintf("ev_%06d", i), Kind: hall.EventImpression, At: at,
			ScreenID: fmt.Sprintf("sc_%02d", i%40), ReceivedAt: at, ItemID: fmt.Sprintf("it_%03d", i%100), Revision: 1, DurationMS: 15000})
		if len(events) == cap(events) {
			_, err := src.InsertEvents(ctx, events)
			mustOK(b, err)
			events = events[:0]
		}
	}
	check := func(b *testing.B, counts storecopy.Counts) {
		if counts[hall.KindEvents] != 100_000 || counts[hall.KindArchive] != 1000 {
			b.Fatalf("copied %v", counts)
		}
	}
	b.Run("SQLiteToRedis", func(b *testing.B) {
		for b.Loop() {
			dst := openTest(b, url, "")
			counts, err := storecopy.Copy(ctx, src, dst, nil)
			mustOK(b, err)
			check(b, counts)
		}
	})
	b.Run("RedisToSQLite", func(b *testing.B) {
		redis := openTest(b, url, "")
		_, err := storecopy.Copy(ctx, src, redis, nil)
		mustOK(b, err)
		for b.Loop() {
			dst, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "hallcast.db"))
			mustOK(b, err)
			counts, err := storecopy.Copy(ctx, redis, dst, nil)
			mustOK(b, err)
			check(b, counts)
			dst.Close()
		}
	})
}
