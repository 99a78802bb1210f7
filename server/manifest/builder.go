package manifest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hallcast/hallcast/playlists"
	"github.com/hallcast/hallcast/server/hall"
)

// DefaultMaxAge is how long the builder reuses what it read from the store
// when nothing calls Invalidate. It bounds how late an item whose validity
// starts or ends, or an interrupt that runs out, reaches the manifests.
const DefaultMaxAge = 30 * time.Second

// Builder builds manifests and caches them. Screens that resolve alike
// (same hall, kind, groups and zone, and not named by id in any schedule or
// interrupt target) share one cache entry; concurrent Builds of one entry
// compute it once. It is safe for concurrent use.
type Builder struct {
	// MaxAge is how long store reads are reused without Invalidate; set it
	// before the first Build. New sets DefaultMaxAge.
	MaxAge time.Duration
	// Calendar returns the working-day calendar schedules limited to
	// working or rest days are resolved with (nil: Monday to Friday are
	// working days); set it before the first Build.
	Calendar func(ctx context.Context) (playlists.Calendar, error)

	src Source
	now func() time.Time

	mu      sync.Mutex
	gen     uint64
	snap    *snapCall
	entries map[string]*entry
}

// New returns a builder reading from src; now is the clock (time.Now when
// nil).
func New(src Source, now func() time.Time) *Builder {
	if now == nil {
		now = time.Now
	}
	return &Builder{MaxAge: DefaultMaxAge, src: src, now: now, entries: make(map[string]*entry)}
}

// Invalidate drops everything cached: the next Build reads the store again.
// Call it after any change to items, playlists, schedules, halls or
// interrupts.
func (b *Builder) Invalidate() {
	b.mu.Lock()
	b.gen++
	b.snap = nil
	b.entries = make(map[string]*entry)
	b.mu.Unlock()
}

// snapshot is what every manifest of one generation is computed from: the
// schedules, the interrupts in force and memoised reads.
type snapshot struct {
	*reads
	gen        uint64
	expires    time.Time
	schedules  []hall.Schedule
	cal        playlists.Calendar
	interrupts []*hall.Interrupt // active at reads.at, by id
	named      map[string]bool   // screen ids a schedule or interrupt names
}

type snapCall struct {
	done chan struct{}
	s    *snapshot
	err  error
}

type entry struct {
	done    chan struct{}
	from    time.Time
	expires time.Time
	m       *Manifest
	err     error
}

func isDone(done chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// Build returns the manifest of the screen for the current hour: its
// timeline over [from, from+Window) where from is now truncated to the hour
// (in UTC), so that it is stable within the hour.
func (b *Builder) Build(ctx context.Context, s *hall.Screen) (*Manifest, error) {
	for attempt := 0; ; attempt++ {
		m, err := b.build(ctx, s)
		// A computation this call joined may have failed because the caller
		// that ran it went away; try again unless this caller did too.
		if err != nil && attempt < 3 && ctx.Err() == nil &&
			(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errStale)) {
			continue
		}
		return m, err
	}
}

var errStale = errors.New("manifest: invalidated while building")

func (b *Builder) build(ctx context.Context, s *hall.Screen) (*Manifest, error) {
	now := b.now()
	from := now.Truncate(time.Hour)
	snap, err := b.snapshot(ctx, now)
	if err != nil {
		return nil, err
	}
	h, err := snap.hall(ctx, s.HallID)
	if err != nil {
		return nil, err
	}
	ps := s.Placement(h)
	key := cacheKey(ps, snap.named)

	b.mu.Lock()
	if snap.gen != b.gen {
		b.mu.Unlock()
		return nil, errStale
	}
	e, ok := b.entries[key]
	if !ok || !e.from.Equal(from) || isDone(e.done) && (e.err != nil || !now.Before(e.expires)) {
		expires := snap.expires
		if end := from.Add(time.Hour); end.Before(expires) {
			expires = end
		}
		e = &entry{done: make(chan struct{}), from: from, expires: expires}
		b.entries[key] = e
		b.mu.Unlock()
		e.m, e.err = compute(ctx, snap, ps, from)
		close(e.done)
		return e.m, e.err
	}
	b.mu.Unlock()
	select {
	case <-e.done:
		return e.m, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// snapshot returns the current snapshot, loading a new one when there is
// none, it failed, or it is older than MaxAge.
func (b *Builder) snapshot(ctx context.Context, now time.Time) (*snapshot, error) {
	b.mu.Lock()
	c := b.snap
	if c == nil || isDone(c.done) && (c.err != nil || !now.Before(c.s.expires)) {
		c = &snapCall{done: make(chan struct{})}
		b.snap = c
		// Entries computed from older snapshots have expired with them.
		b.entries = make(map[string]*entry)
		gen := b.gen
		b.mu.Unlock()
		c.s, c.err = b.load(ctx, now, gen)
		close(c.done)
		return c.s, c.err
	}
	b.mu.Unlock()
	select {
	case <-c.done:
		return c.s, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// calendar returns the working-day calendar, or nil when there is none.
func (b *Builder) calendar(ctx context.Context) (playlists.Calendar, error) {
	if b.Calendar == nil {
		return nil, nil
	}
	cal, err := b.Calendar(ctx)
	if err != nil {
		return nil, fmt.Errorf("manifest: working-day calendar: %w", err)
	}
	return cal, nil
}

func (b *Builder) load(ctx context.Context, now time.Time, gen uint64) (*snapshot, error) {
	scheds, err := b.src.ListSchedules(ctx)
	if err != nil {
		return nil, fmt.Errorf("manifest: list schedules: %w", err)
	}
	ints, err := b.src.ListInterrupts(ctx, now)
	if err != nil {
		return nil, fmt.Errorf("manifest: list interrupts: %w", err)
	}
	cal, err := b.calendar(ctx)
	if err != nil {
		return nil, err
	}
	maxAge := b.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	s := &snapshot{
		cal:       cal,
		reads:     newReads(b.src, now),
		gen:       gen,
		expires:   now.Add(maxAge),
		schedules: make([]hall.Schedule, 0, len(scheds)),
		named:     make(map[string]bool),
	}
	for _, sc := range scheds {
		s.schedules = append(s.schedules, *sc)
		for _, id := range sc.Target.Screens {
			s.named[id] = true
		}
	}
	for _, in := range ints {
		if !in.Active(now) {
			continue
		}
		s.interrupts = append(s.interrupts, in)
		for _, id := range in.Target.Screens {
			s.named[id] = true
		}
	}
	slices.SortFunc(s.interrupts, func(a, b *hall.Interrupt) int { return cmp.Compare(a.ID, b.ID) })
	return s, nil
}

// cacheKey is the same for screens that resolve alike: the resolver and
// interrupt targets see only the hall, kind, groups and zone, and the id
// where a target names it.
func cacheKey(ps hall.Placement, named map[string]bool) string {
	groups := slices.Clone(ps.Groups)
	slices.Sort(groups)
	groups = slices.Compact(groups)
	var k strings.Builder
	for _, part := range []string{ps.HallID, ps.Kind, ps.TZ, ps.DefaultPlaylistID, strings.Join(groups, "\x01")} {
		k.WriteString(part)
		k.WriteByte(0)
	}
	if named[ps.ID] {
		k.WriteString(ps.ID)
	}
	return k.String()
}

// compute builds the manifest of a screen from a snapshot.
func compute(ctx context.Context, snap *snapshot, ps hall.Placement, from time.Time) (*Manifest, error) {
	loc, err := hall.LoadZone(ps.TZ)
	if err != nil {
		return nil, fmt.Errorf("manifest: screen %q: %w", ps.ID, err)
	}
	to := from.Add(Window)
	slots, err := playlists.ResolveOn(ps, snap.schedules, snap.cal, from, to)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	doc := &Document{
		GeneratedAt: from.In(loc),
		ValidUntil:  to.In(loc),
		TZ:          loc.String(),
		Timeline:    make([]Slot, 0, len(slots)),
		Items:       make(map[string]ItemRef),
		Interrupts:  []Interrupt{},
	}
	expanded := make(map[string][]playlists.Cue)
	for _, sl := range slots {
		cues, ok := expanded[sl.PlaylistID]
		if !ok {
			if cues, err = snap.expand(ctx, sl.PlaylistID); err != nil {
				return nil, err
			}
			expanded[sl.PlaylistID] = cues
		}
		doc.Timeline = append(doc.Timeline, Slot{From: sl.From, To: sl.To, PlaylistID: sl.PlaylistID, Anchor: sl.Anchor, Entries: cues})
		for _, c := range cues {
			if c.ItemID != "" {
				doc.Items[c.ItemID] = ItemRef{Revision: c.Revision, URL: RevisionURL(c.ItemID, c.Revision)}
			}
		}
	}
	for _, in := range snap.interrupts {
		if !in.Target.Matches(ps) {
			continue
		}
		doc.Interrupts = append(doc.Interrupts, InterruptOf(in))
		if in.ItemID == "" {
			continue
		}
		rev, err := snap.item(ctx, in.ItemID)
		if err != nil {
			return nil, err
		}
		if rev > 0 {
			doc.Items[in.ItemID] = ItemRef{Revision: rev, URL: RevisionURL(in.ItemID, rev)}
		}
	}
	return Encode(doc)
}
