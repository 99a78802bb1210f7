// Package poll waits, in tests, for a condition that another goroutine,
// process or browser makes true: it checks often at first and less often
// as time goes on, and fails the test with what it last saw.
package poll

import (
	"testing"
	"time"
)

// Until calls check until it reports true, failing tb after d with
// check's last description of what it saw.
func Until(tb testing.TB, d time.Duration, what string, check func() (bool, string)) {
	tb.Helper()
	deadline := time.Now().Add(d)
	pause := time.Millisecond
	for {
		ok, saw := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			if saw != "" {
				tb.Fatalf("after %s, still no %s; last saw %s", d, what, saw)
			}
			tb.Fatalf("after %s, still no %s", d, what)
		}
		time.Sleep(pause)
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// True calls cond until it reports true, failing tb after d.
func True(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	Until(tb, d, what, func() (bool, string) { return cond(), "" })
}
