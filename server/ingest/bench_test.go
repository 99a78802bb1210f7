package ingest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkIngest measures group commit on SQLite: many screens sending
// batches of events at once, each answered only after a durable commit.
// It reports events/s and the p99 time from Ingest to acknowledgement.
//
//	go test ./server/ingest -run '^$' -bench Ingest -benchtime 500000x
func BenchmarkIngest(b *testing.B) {
	for _, tc := range []struct {
		senders, perCall int
	}{{64, 20}, {256, 10}, {16, 100}} {
		b.Run(fmt.Sprintf("group/%dsenders/%dper-call", tc.senders, tc.perCall), func(b *testing.B) {
			store := openStore(b)
			g := start(b, store)
			calls := b.N/tc.perCall + 1
			var next atomic.Int64
			lat := make([][]time.Duration, tc.senders)
			var wg sync.WaitGroup
			b.ResetTimer()
			begin := time.Now()
			for w := 0; w < tc.senders; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for {
						i := next.Add(1)
						if i > int64(calls) {
							return
						}
						evs := impressions(fmt.Sprintf("b%d", i), tc.perCall)
						t0 := time.Now()
						if _, _, err := g.Ingest(context.Background(), "sc_bench", evs); err != nil {
							b.Error(err)
							return
						}
						lat[w] = append(lat[w], time.Since(t0))
					}
				}(w)
			}
			wg.Wait()
			reportAcks(b, calls*tc.perCall, time.Since(begin), lat)
		})
	}
	// Open loop: events offered at a fixed rate (as screens send them,
	// whatever the server's speed), the latency a screen sees at that rate.
	for _, rate := range []int{20_000, 50_000} {
		b.Run(fmt.Sprintf("sustained/%d-per-s", rate), func(b *testing.B) {
			const senders, perCall = 50, 20
			interval := time.Duration(float64(time.Second) * senders * perCall / float64(rate))
			store := openStore(b)
			g := start(b, store)
			calls := b.N/perCall/senders + 1
			lat := make([][]time.Duration, senders)
			var wg sync.WaitGroup
			b.ResetTimer()
			begin := time.Now()
			for w := 0; w < senders; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					// Senders start spread over one interval, then keep to
					// their schedule; a call that is late is sent at once.
					next := begin.Add(interval * time.Duration(w) / senders)
					for i := 0; i < calls; i++ {
						time.Sleep(time.Until(next))
						next = next.Add(interval)
						evs := impressions(fmt.Sprintf("s%d-%d-%d", rate, w, i), perCall)
						t0 := time.Now()
						if _, _, err := g.Ingest(context.Background(), "sc_bench", evs); err != nil {
							b.Error(err)
							return
						}
						lat[w] = append(lat[w], time.Since(t0))
					}
				}(w)
			}
			wg.Wait()
			reportAcks(b, calls*senders*perCall, time.Since(begin), lat)
		})
	}
	b.Run("baseline/one-event-per-transaction", func(b *testing.B) {
		store := openStore(b)
		evs := impressions("one", b.N)
		b.ResetTimer()
		begin := time.Now()
		for i := 0; i < b.N; i++ {
			if _, err := store.InsertEvents(context.Background(), evs[i:i+1]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(begin).Seconds(), "events/s")
	})
}

// reportAcks reports the rate of acknowledged events and the p50 and p99 of
// the time each call waited for its acknowledgement.
func reportAcks(b *testing.B, events int, elapsed time.Duration, lat [][]time.Duration) {
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ack-ms")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ack-ms")
}
