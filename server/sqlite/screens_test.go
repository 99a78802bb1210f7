package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// TestScreenReferences checks what the foreign keys add to the contract:
// a screen belongs to a hall that exists.
func TestScreenReferences(t *testing.T) {
	ctx := t.Context()
	s := MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

	err := s.CreateScreen(ctx, &hall.Screen{Name: "屏", Kind: hall.KindLED, HallID: "hl_ghost", TokenHash: "h", CreatedAt: t0})
	if !hall.IsCode(err, hall.ENotFound) {
		t.Errorf("CreateScreen in a missing hall: got %v, want not_found", err)
	}

}
