package redisstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// BenchmarkInsertEvents measures InsertEvents on Redis with batches of 500
// mixed events (70% impressions, 20% views, 8% ratings of which a quarter
// poor and so opening cases, 2% feedback), from one screen (one shard) or
// from 64 (every shard), on the standalone test Redis and on the test
// Cluster. It reports events/s. Compare server/sqlite's benchmark of the
// same name.
//
//	go test ./server/redisstore -run '^$' -bench InsertEvents -benchtime 5s
func BenchmarkInsertEvents(b *testing.B) {
	for _, target := range []struct {
		name string
		url  func(testing.TB) string
	}{{"standalone", standaloneURL}, {"cluster", clusterURL}} {
		for _, screens := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/screens=%d/batch=500", target.name, screens), func(b *testing.B) {
				s := openTest(b, target.url(b), "")
				ctx := b.Context()
				const size = 500
				batch := make([]*hall.Event, size)
				now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
				calls := 0
				for b.Loop() {
					for i := range batch {
						batch[i] = mixedEvent(fmt.Sprintf("ev-%d-%d", calls, i), i, screens, now.Add(time.Duration(calls*size+i)*time.Millisecond))
					}
					n, err := s.InsertEvents(ctx, batch)
					if err != nil || n != size {
						b.Fatalf("InsertEvents: %d new, %v; want %d", n, err, size)
					}
					calls++
				}
				b.ReportMetric(float64(calls*size)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

// mixedEvent is event i of a benchmark batch.
func mixedEvent(id string, i, screens int, at time.Time) *hall.Event {
	e := &hall.Event{ID: id, At: at, ScreenID: fmt.Sprintf("sc_%03d", i%screens), ReceivedAt: at,
		ItemID: fmt.Sprintf("it_%02d", i%40), Revision: 2, PlaylistID: "morning"}
	switch r := i % 50; {
	case r < 35:
		e.Kind, e.DurationMS = hall.EventImpression, 20000
	case r < 45:
		e.Kind, e.DwellMS, e.Session = hall.EventView, 31000, "ses-1"
	case r < 49:
		e.Kind, e.Subject, e.Level, e.Session = hall.EventRating, hall.ItemSubject(e.ItemID), 1+r%4, "ses-1"
		if r == 45 {
			e.Level = 1 // a poor rating: opens a case
		}
	default:
		e.Kind, e.Topic, e.Text = hall.EventFeedback, "service", "窗口排队时间太长"
	}
	return e
}
