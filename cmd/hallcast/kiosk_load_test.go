package main

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"
)

// The most the kiosk page and its scripts and styles may weigh before any
// content: as sent (the server gzips text files of 1 KiB or more for
// clients that accept it), and uncompressed, what the browser parses. The
// pinyin dictionary and the wall's paging load only when needed.
const (
	kioskBudget     = 256 << 10 // uncompressed
	kioskWireBudget = 96 << 10  // as sent
)

// pageWeight is the page's own document plus every same-origin script and
// stylesheet it loaded, uncompressed, in bytes.
const pageWeight = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  let n = nav ? nav.decodedBodySize : 0, wire = nav ? nav.encodedBodySize : 0;
  for (const r of performance.getEntriesByType('resource')) {
    const u = new URL(r.name);
    if (u.origin === location.origin && u.pathname.startsWith('/ui/') && /\.(js|css)$/.test(u.pathname)) { n += r.decodedBodySize; wire += r.encodedBodySize; }
  }
  return [n, wire];
})()`

// TestKioskPageWeight checks the kiosk's weight before content against
// its budget: what a kiosk downloads on a cold start.
func TestKioskPageWeight(t *testing.T) {
	c, _ := startHall(t)
	_, token := newScreen(c, "称重终端", "kiosk")
	b := newBrowser(t)
	p := b.tab(1080, 1920)
	p.open(c.base + "/kiosk?token=" + token)
	p.waitFor(20*time.Second, "the attract screen", `document.body.dataset.state === 'attract'`)
	w := eval[[]float64](p, pageWeight)
	n, wire := w[0], w[1]
	t.Logf("kiosk page + scripts + styles: %.1f KB uncompressed, %.1f KB as sent", n/1024, wire/1024)
	if n <= 10<<10 || n > kioskBudget {
		t.Errorf("kiosk weighs %.0f bytes uncompressed, want (10 KiB, %d]", n, kioskBudget)
	}
	if wire <= 0 || wire > kioskWireBudget || wire >= n {
		t.Errorf("kiosk sends %.0f bytes, want (0, %d] and less than its %.0f bytes uncompressed (gzip)", wire, kioskWireBudget, n)
	}
}

// TestKioskColdLoadFigures measures, when HALLCAST_MEASURE=1, how long a
// kiosk takes from a cold cache (a new browser profile each run) to its
// first render and to the attract screen on loopback. It asserts nothing
// about time: the figures go to docs/BENCHMARKS.md.
//
//	HALLCAST_MEASURE=1 go test ./cmd/hallcast -run KioskColdLoad -v
func TestKioskColdLoadFigures(t *testing.T) {
	if os.Getenv("HALLCAST_MEASURE") != "1" {
		t.Skip("a measurement: set HALLCAST_MEASURE=1 to run it")
	}
	c, _ := startHall(t)
	_, token := newScreen(c, "计时终端", "kiosk")
	var fcp, ready, base []time.Duration
	paintAt := `(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: -1}).startTime`
	for i := 0; i < 5; i++ {
		// Each run in a subtest, so its browser is gone before the next.
		t.Run(fmt.Sprint("floor", i), func(t *testing.T) {
			// The browser's own floor: a fresh profile painting the same
			// HTML and stylesheet from /ui/ (served as a plain file).
			p := newBrowser(t).tab(1080, 1920)
			p.open(c.base + "/ui/kiosk/index.html")
			p.waitFor(10*time.Second, "a paint", `performance.getEntriesByName('first-contentful-paint').length > 0`)
			base = append(base, time.Duration(eval[float64](p, paintAt)*float64(time.Millisecond)))
		})
		t.Run(fmt.Sprint("kiosk", i), func(t *testing.T) {
			p := newBrowser(t).tab(1080, 1920) // a fresh profile: nothing cached
			start := time.Now()
			p.open(c.base + "/kiosk?token=" + token)
			p.waitFor(20*time.Second, "the attract screen", `document.body.dataset.state === 'attract'`)
			ready = append(ready, time.Since(start))
			fcp = append(fcp, time.Duration(eval[float64](p, paintAt)*float64(time.Millisecond)))
		})
	}
	slices.Sort(fcp)
	slices.Sort(ready)
	slices.Sort(base)
	t.Logf("floor (the kiosk's HTML and CSS from /ui/, fresh profile): first contentful paint median %s", base[2].Round(time.Millisecond))
	t.Logf("cold kiosk, 5 runs: first contentful paint median %s (max %s); attract screen ready median %s (max %s)",
		fcp[2].Round(time.Millisecond), fcp[4].Round(time.Millisecond), ready[2].Round(time.Millisecond), ready[4].Round(time.Millisecond))
}
