package manifest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hallcast/hallcast/playlists"
	"github.com/hallcast/hallcast/server/hall"
)

// Playing is what a screen plays at one instant, the answer of
// GET /api/v1/screens/{id}/timeline?at=.
type Playing struct {
	At time.Time `json:"at"`
	TZ string    `json:"tz"`
	// Slot is the timeline slot in force at At, with its entries; nil when
	// nothing is scheduled then. Its From and To are clipped to a day
	// either side of At.
	Slot *Slot `json:"slot"`
	// Index is the position of Entry in Slot.Entries; Entry is nil when the
	// slot has nothing to play.
	Index  int            `json:"index"`
	Entry  *playlists.Cue `json:"entry"`
	Offset float64        `json:"offset_s"` // seconds into Entry
	// Interrupts in force at At that target the screen, by id.
	Interrupts []Interrupt `json:"interrupts"`
}

// schedulesOf reads what resolving the screen's schedules needs: its
// placement, its zone, every schedule and the working-day calendar.
func (b *Builder) schedulesOf(ctx context.Context, r *reads, s *hall.Screen) (hall.Placement, *time.Location, []hall.Schedule, playlists.Calendar, error) {
	h, err := r.hall(ctx, s.HallID)
	if err != nil {
		return hall.Placement{}, nil, nil, nil, err
	}
	ps := s.Placement(h)
	loc, err := hall.LoadZone(ps.TZ)
	if err != nil {
		return hall.Placement{}, nil, nil, nil, fmt.Errorf("manifest: screen %q: %w", s.ID, err)
	}
	scheds, err := b.src.ListSchedules(ctx)
	if err != nil {
		return hall.Placement{}, nil, nil, nil, fmt.Errorf("manifest: list schedules: %w", err)
	}
	list := make([]hall.Schedule, len(scheds))
	for i, sc := range scheds {
		list[i] = *sc
	}
	cal, err := b.calendar(ctx)
	if err != nil {
		return hall.Placement{}, nil, nil, nil, err
	}
	return ps, loc, list, cal, nil
}

// Timeline returns what the screen plays at the instant at, read from the
// store now (not cached): the schedules and playlists as they are, and the
// items that are live at that instant.
func (b *Builder) Timeline(ctx context.Context, s *hall.Screen, at time.Time) (*Playing, error) {
	r := newReads(b.src, at)
	ps, loc, list, cal, err := b.schedulesOf(ctx, r, s)
	if err != nil {
		return nil, err
	}
	slots, err := playlists.ResolveOn(ps, list, cal, at.Add(-Window), at.Add(Window))
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	p := &Playing{At: at.In(loc), TZ: loc.String(), Index: -1, Interrupts: []Interrupt{}}
	for _, sl := range slots {
		if at.Before(sl.From) || !at.Before(sl.To) {
			continue
		}
		cues, err := r.expand(ctx, sl.PlaylistID)
		if err != nil {
			return nil, err
		}
		p.Slot = &Slot{From: sl.From, To: sl.To, PlaylistID: sl.PlaylistID, Anchor: sl.Anchor, Entries: cues}
		if i, off, ok := playlists.Position(cues, sl.Anchor, at); ok {
			p.Index, p.Entry, p.Offset = i, &cues[i], off.Seconds()
		}
		break
	}
	ints, err := b.src.ListInterrupts(ctx, at)
	if err != nil {
		return nil, fmt.Errorf("manifest: list interrupts: %w", err)
	}
	for _, in := range ints {
		if at.Before(in.Until) && (in.ClearedAt == nil || at.Before(*in.ClearedAt)) && !in.CreatedAt.After(at) && in.Target.Matches(ps) {
			p.Interrupts = append(p.Interrupts, InterruptOf(in))
		}
	}
	slices.SortFunc(p.Interrupts, func(a, b Interrupt) int { return cmp.Compare(a.ID, b.ID) })
	return p, nil
}
