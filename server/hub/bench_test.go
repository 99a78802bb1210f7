package hub

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/poll"
)

// BenchmarkFanout measures one change reaching N connected screens: an op
// is Notify until every screen has read the new manifest. The screens share
// one timeline, so the manifest is built and encoded once an op.
func BenchmarkFanout(b *testing.B) {
	const n = 1000
	h := newHarness(b, noAddrLimit).start(b)
	for i := range n {
		h.store.addScreen(fmt.Sprintf("s%04d", i), "lobby")
	}
	var round atomic.Pointer[sync.WaitGroup]
	first := new(sync.WaitGroup)
	first.Add(n)
	round.Store(first)
	d := &websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024}
	for i := range n {
		ws := helloClient(b, h, d, i)
		go func() {
			for {
				_, data, err := ws.ReadMessage()
				if err != nil {
					return
				}
				if bytes.HasPrefix(data, []byte(`{"type":"manifest"`)) {
					round.Load().Done()
				}
			}
		}()
	}
	first.Wait()

	for i := 0; b.Loop(); i++ {
		wg := new(sync.WaitGroup)
		wg.Add(n)
		round.Store(wg)
		h.store.setPlaylist(&hall.Playlist{ID: "p0", Name: "默认", Entries: []hall.PlaylistEntry{{MediaURL: "/media/default", DurationS: 1 + i%3600}}})
		h.hub.MarkStale()
		wg.Wait()
	}
}

// BenchmarkIdleMemory reports what N idle connections hold once they have
// had their welcome and manifest. The clients run no goroutines, so
// stack-B/conn is the server's alone (reader and writer); heap-B/conn counts
// both ends of each connection.
func BenchmarkIdleMemory(b *testing.B) {
	const n = 1000
	var stack, heap float64
	runs := 0
	for b.Loop() {
		h := newHarness(b, noAddrLimit).start(b)
		for i := range n {
			h.store.addScreen(fmt.Sprintf("s%04d", i), "lobby")
		}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		d := &websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024}
		conns := make([]*websocket.Conn, n)
		for i := range n {
			conns[i] = helloClient(b, h, d, i)
		}
		poll.True(b, 5*time.Second, "all screens registered", func() bool {
			for _, st := range h.hub.Online() {
				if st.ManifestETag == "" {
					return false
				}
			}
			return len(h.hub.Online()) == n
		})
		for range 3 {
			runtime.GC()
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		stack += (float64(after.StackInuse) - float64(before.StackInuse)) / n
		heap += (float64(after.HeapInuse) - float64(before.HeapInuse)) / n
		runs++
		for _, ws := range conns {
			ws.Close()
		}
		h.hub.Close()
	}
	b.ReportMetric(stack/float64(runs), "stack-B/conn")
	b.ReportMetric(heap/float64(runs), "heap-B/conn-both-ends")
}

// helloClient dials and says hello as screen s%04d.
func helloClient(b *testing.B, h *harness, d *websocket.Dialer, i int) *websocket.Conn {
	b.Helper()
	ws, _, err := d.Dial(h.url, nil)
	if err != nil {
		b.Fatalf("dial %d: %v", i, err)
	}
	b.Cleanup(func() { ws.Close() })
	if err := ws.WriteJSON(map[string]any{"type": "hello", "token": fmt.Sprintf("tok-s%04d", i)}); err != nil {
		b.Fatal(err)
	}
	return ws
}

// noAddrLimit lifts the per-address limit: a benchmark's screens all
// connect from the loopback address.
func noAddrLimit(c *Config) { c.MaxConnsPerAddr, c.MaxPendingPerAddr = -1, -1 }
