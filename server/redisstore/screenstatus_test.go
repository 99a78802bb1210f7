package redisstore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// TestSaveScreenStatusAtOnce saves the status of many screens at once, as a
// replica does when it stops and every one of its screens disconnects:
// every status is saved, and a status saved for one screen leaves the
// others' records as they were.
func TestSaveScreenStatusAtOnce(t *testing.T) {
	t.Run("Standalone", func(t *testing.T) { testSaveScreenStatusAtOnce(t, standaloneURL(t)) })
	t.Run("Cluster", func(t *testing.T) { testSaveScreenStatusAtOnce(t, clusterURL(t)) })
}

func testSaveScreenStatusAtOnce(t *testing.T, url string) {
	s := openTest(t, url, "")
	ctx := t.Context()
	h := &hall.Hall{Name: "大厅"}
	mustOK(t, s.CreateHall(ctx, h))
	const n = 1000
	ids := make([]string, n)
	for i := range ids {
		sc := &hall.Screen{Name: fmt.Sprint("屏", i), Kind: hall.KindLED, HallID: h.ID, TokenHash: fmt.Sprint("hash-", i), Groups: []string{"lobby"}}
		mustOK(t, s.CreateScreen(ctx, sc))
		ids[i] = sc.ID
	}
	seen := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			// The hub gives each save this long.
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if err := s.SaveScreenStatus(ctx, id, seen.Add(time.Duration(i)*time.Second), "2.0."+fmt.Sprint(i), nil); err != nil {
				errs <- fmt.Errorf("screen %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if failed++; failed <= 3 {
			t.Error(err)
		}
	}
	if failed > 0 {
		t.Fatalf("%d of %d statuses not saved", failed, n)
	}
	for i, id := range ids {
		sc, err := s.Screen(ctx, id)
		mustOK(t, err)
		if sc.LastSeen == nil || !sc.LastSeen.Equal(seen.Add(time.Duration(i)*time.Second)) || sc.Version != "2.0."+fmt.Sprint(i) ||
			len(sc.Groups) != 1 || sc.Name != fmt.Sprint("屏", i) {
			t.Fatalf("screen %d after its status was saved: %+v", i, sc)
		}
	}
	// Other screens' records keep changing (other writers, another replica):
	// a status is saved all the same, without waiting for them to stop.
	other, err := s.rdb.HGet(ctx, s.mkey("screens"), ids[1]).Result()
	mustOK(t, err)
	stop := make(chan struct{})
	var writers sync.WaitGroup
	for range 4 {
		writers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				s.rdb.HSet(ctx, s.mkey("screens"), ids[1], other)
			}
		})
	}
	for k := range 20 {
		if err := s.SaveScreenStatus(ctx, ids[0], seen.Add(time.Duration(k)*time.Hour), "3.0", nil); err != nil {
			t.Errorf("status %d saved while another screen's record keeps changing: %v", k, err)
			break
		}
	}
	close(stop)
	writers.Wait()

	if err := s.SaveScreenStatus(ctx, "sc_missing", seen, "1", nil); hall.ErrorCode(err) != hall.ENotFound {
		t.Errorf("status of a missing screen: %v, want not found", err)
	}
}
