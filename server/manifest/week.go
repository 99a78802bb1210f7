package manifest

import (
	"context"
	"fmt"
	"time"

	"github.com/hallcast/hallcast/playlists"
	"github.com/hallcast/hallcast/server/hall"
)

// WeekDays and HoursPerDay shape the week a screen's schedule is shown as.
const (
	WeekDays    = 7
	HoursPerDay = 24
)

// Week is the answer of GET /api/v1/screens/{id}/week: which playlist the
// screen plays at the start of each hour of seven days from From.
type Week struct {
	From  string           `json:"from"` // YYYY-MM-DD, the first day
	TZ    string           `json:"tz"`
	Hours []playlists.Pick `json:"hours"` // WeekDays × HoursPerDay, day by day
}

// Week resolves the screen's schedules, as the store holds them now, at
// local hh:00 of each hour of the seven days starting on the civil date
// (year, month, day) in the screen's zone; year 0 means today there.
func (b *Builder) Week(ctx context.Context, s *hall.Screen, year int, month time.Month, day int) (*Week, error) {
	r := newReads(b.src, b.now())
	ps, loc, list, cal, err := b.schedulesOf(ctx, r, s)
	if err != nil {
		return nil, err
	}
	if year == 0 {
		year, month, day = b.now().In(loc).Date()
	}
	ats := make([]time.Time, 0, WeekDays*HoursPerDay)
	for d := range WeekDays {
		for hr := range HoursPerDay {
			// time.Date moves an hour skipped by a clock change forward.
			ats = append(ats, time.Date(year, month, day+d, hr, 0, 0, 0, loc))
		}
	}
	picks, err := playlists.PicksOn(ps, list, cal, ats)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return &Week{From: ats[0].Format(time.DateOnly), TZ: loc.String(), Hours: picks}, nil
}
