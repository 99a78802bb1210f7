package manifest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hallcast/hallcast/playlists"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/poll"
)

// source is an in-memory Source that counts calls.
type source struct {
	mu         sync.Mutex
	halls      map[string]*hall.Hall
	schedules  []*hall.Schedule
	playlists  map[string]*hall.Playlist
	items      map[string]*hall.Item
	interrupts []*hall.Interrupt
	calls      map[string]int
	// gate, when set, holds ListSchedules until it is closed.
	gate chan struct{}
}

func newSource() *source {
	return &source{
		halls:     map[string]*hall.Hall{"h1": {ID: "h1", Name: "大厅", TZ: "Asia/Shanghai", DefaultPlaylistID: "p-default"}},
		playlists: map[string]*hall.Playlist{},
		items:     map[string]*hall.Item{},
		calls:     map[string]int{},
	}
}

func (s *source) count(name string) {
	s.mu.Lock()
	s.calls[name]++
	s.mu.Unlock()
}

func (s *source) callCount(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[name]
}

func (s *source) Hall(ctx context.Context, id string) (*hall.Hall, error) {
	s.count("Hall")
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.halls[id]; ok {
		c := *h
		return &c, nil
	}
	return nil, hall.NotFound("hall", id)
}

func (s *source) ListSchedules(ctx context.Context) ([]*hall.Schedule, error) {
	s.count("ListSchedules")
	s.mu.Lock()
	gate := s.gate
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.schedules), nil
}

func (s *source) Playlist(ctx context.Context, id string) (*hall.Playlist, error) {
	s.count("Playlist")
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.playlists[id]; ok {
		c := *p
		c.Entries = slices.Clone(p.Entries)
		return &c, nil
	}
	return nil, hall.NotFound("playlist", id)
}

func (s *source) Item(ctx context.Context, id string) (*hall.Item, error) {
	s.count("Item")
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.items[id]; ok {
		return it, nil
	}
	return nil, hall.NotFound("item", id)
}

func (s *source) ListItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error) {
	s.count("ListItems")
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*hall.Item
	for _, it := range s.items {
		if it.Public == nil || f.Category != "" && it.Public.Category != f.Category ||
			!f.LiveAt.IsZero() && !it.Public.Live(f.LiveAt) {
			continue
		}
		out = append(out, it)
	}
	slices.SortFunc(out, func(a, b *hall.Item) int {
		return cmp.Or(b.Public.PublishedAt.Compare(a.Public.PublishedAt), cmp.Compare(a.ID, b.ID))
	})
	out = out[min(f.Offset, len(out)):]
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func (s *source) ListInterrupts(ctx context.Context, activeAt time.Time) ([]*hall.Interrupt, error) {
	s.count("ListInterrupts")
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*hall.Interrupt
	for _, in := range s.interrupts {
		if activeAt.IsZero() || in.Active(activeAt) {
			out = append(out, in)
		}
	}
	return out, nil
}

func (s *source) setPlaylist(p *hall.Playlist) {
	s.mu.Lock()
	s.playlists[p.ID] = p
	s.mu.Unlock()
}

func (s *source) addItem(id, category string, revision int, published time.Time) *hall.Item {
	it := &hall.Item{ID: id, Category: category, Status: hall.StatusPublished, Public: &hall.PublicState{
		Revision: revision, Category: category, PublishedAt: published, FirstPublished: published,
	}}
	s.mu.Lock()
	s.items[id] = it
	s.mu.Unlock()
	return it
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Monday 2026-05-04 10:17 in Shanghai.
var monday = time.Date(2026, 5, 4, 10, 17, 0, 0, shanghai)

func screen(id string, groups ...string) *hall.Screen {
	return &hall.Screen{ID: id, Name: "屏 " + id, Kind: hall.KindLED, HallID: "h1", Groups: groups}
}

func mustBuild(t *testing.T, b *Builder, s *hall.Screen) *Manifest {
	t.Helper()
	m, err := b.Build(context.Background(), s)
	if err != nil {
		t.Fatalf("Build(%s): %v", s.ID, err)
	}
	return m
}

func decode(t *testing.T, m *Manifest) Document {
	t.Helper()
	var d Document
	if err := json.Unmarshal(m.JSON, &d); err != nil {
		t.Fatalf("manifest JSON: %v\n%s", err, m.JSON)
	}
	return d
}

func TestBuildEmpty(t *testing.T) {
	src := newSource()
	src.halls["h1"].DefaultPlaylistID = ""
	b := New(src, func() time.Time { return monday })
	m := mustBuild(t, b, screen("s1"))
	want := `{"generated_at":"2026-05-04T10:00:00+08:00","valid_until":"2026-05-05T10:00:00+08:00","tz":"Asia/Shanghai","timeline":[],"items":{},"interrupts":[]}`
	if string(m.JSON) != want {
		t.Errorf("JSON:\n got %s\nwant %s", m.JSON, want)
	}
	if m.ETag != ETagOf([]byte(want)) || len(m.ETag) != 16 {
		t.Errorf("ETag = %q, want %q", m.ETag, ETagOf([]byte(want)))
	}
}

func TestBuildDocument(t *testing.T) {
	src := newSource()
	src.addItem("budget", "finance", 3, monday.Add(-48*time.Hour))
	src.addItem("r1", "relief", 1, monday.Add(-72*time.Hour))
	src.addItem("r2", "relief", 4, monday.Add(-24*time.Hour))
	gone := src.addItem("gone", "relief", 2, monday.Add(-time.Hour))
	withdrawn := monday.Add(-time.Minute)
	gone.Public.WithdrawnAt = &withdrawn
	src.addItem("notice", "notice", 7, monday.Add(-time.Hour))
	src.setPlaylist(&hall.Playlist{ID: "p-default", Name: "默认", Entries: []hall.PlaylistEntry{
		{ItemID: "budget", DurationS: 30},
		{Category: "relief", DurationS: 15},
		{MediaURL: "/media/ab12", MediaType: "image", DurationS: 10},
		{ItemID: "gone", DurationS: 20},
	}})
	src.setPlaylist(&hall.Playlist{ID: "p-morning", Name: "上午", Entries: []hall.PlaylistEntry{{ItemID: "budget", DurationS: 60}}})
	src.schedules = []*hall.Schedule{{ID: "sch1", PlaylistID: "p-morning", Target: hall.Target{Groups: []string{"lobby"}}, Start: "09:00", End: "12:00"}}
	until := monday.Add(2 * time.Hour)
	cleared := monday.Add(-time.Minute)
	src.interrupts = []*hall.Interrupt{
		{ID: "in-b", Level: hall.LevelUrgent, Text: "暂停办理", Until: until},
		{ID: "in-a", Level: hall.LevelInfo, ItemID: "notice", Until: until, Target: hall.Target{Groups: []string{"lobby"}}},
		{ID: "in-other", Level: hall.LevelInfo, Text: "别处", Until: until, Target: hall.Target{Groups: []string{"elsewhere"}}},
		{ID: "in-cleared", Level: hall.LevelInfo, Text: "已撤", Until: until, ClearedAt: &cleared},
	}
	b := New(src, func() time.Time { return monday })
	d := decode(t, mustBuild(t, b, screen("s1", "lobby")))

	at := func(day, h int) time.Time { return time.Date(2026, 5, day, h, 0, 0, 0, shanghai) }
	if !d.GeneratedAt.Equal(at(4, 10)) || !d.ValidUntil.Equal(at(5, 10)) || d.TZ != "Asia/Shanghai" {
		t.Errorf("header = %v, %v, %q; want %v, %v, Asia/Shanghai", d.GeneratedAt, d.ValidUntil, d.TZ, at(4, 10), at(5, 10))
	}
	type slot struct {
		from, to, anchor time.Time
		playlist         string
	}
	epoch := playlists.AnchorEpoch(shanghai)
	want := []slot{
		{at(4, 10), at(4, 12), at(4, 9), "p-morning"},
		{at(4, 12), at(5, 9), epoch, "p-default"},
		{at(5, 9), at(5, 10), at(5, 9), "p-morning"},
	}
	var got []slot
	for _, s := range d.Timeline {
		got = append(got, slot{s.From, s.To, s.Anchor, s.PlaylistID})
	}
	if !slices.EqualFunc(got, want, func(a, b slot) bool {
		return a.from.Equal(b.from) && a.to.Equal(b.to) && a.anchor.Equal(b.anchor) && a.playlist == b.playlist
	}) {
		t.Errorf("timeline:\n got %v\nwant %v", got, want)
	}
	wantCues := []playlists.Cue{
		{ItemID: "budget", Revision: 3, DurationS: 30},
		{ItemID: "r2", Revision: 4, DurationS: 15},
		{ItemID: "r1", Revision: 1, DurationS: 15},
		{MediaURL: "/media/ab12", Type: "image", DurationS: 10},
	}
	if len(d.Timeline) > 1 && !slices.Equal(d.Timeline[1].Entries, wantCues) {
		t.Errorf("default entries:\n got %+v\nwant %+v", d.Timeline[1].Entries, wantCues)
	}
	wantItems := map[string]ItemRef{
		"budget": {3, "/api/v1/public/items/budget/revisions/3"},
		"r1":     {1, "/api/v1/public/items/r1/revisions/1"},
		"r2":     {4, "/api/v1/public/items/r2/revisions/4"},
		"notice": {7, "/api/v1/public/items/notice/revisions/7"},
	}
	if len(d.Items) != len(wantItems) {
		t.Errorf("items = %v, want %v", d.Items, wantItems)
	}
	for id, w := range wantItems {
		if d.Items[id] != w {
			t.Errorf("items[%s] = %+v, want %+v", id, d.Items[id], w)
		}
	}
	var ids []string
	for _, in := range d.Interrupts {
		ids = append(ids, in.ID)
	}
	if !slices.Equal(ids, []string{"in-a", "in-b"}) {
		t.Errorf("interrupts = %v, want [in-a in-b]", ids)
	}
}

func TestBuildMissing(t *testing.T) {
	t.Run("PlaylistNotFound", func(t *testing.T) {
		src := newSource() // the hall's default playlist does not exist
		d := decode(t, mustBuild(t, New(src, func() time.Time { return monday }), screen("s1")))
		if len(d.Timeline) != 1 || d.Timeline[0].Entries == nil || len(d.Timeline[0].Entries) != 0 {
			t.Errorf("timeline = %+v, want one slot with no entries", d.Timeline)
		}
	})
	t.Run("HallNotFound", func(t *testing.T) {
		src := newSource()
		s := screen("s1")
		s.HallID = "nowhere"
		d := decode(t, mustBuild(t, New(src, func() time.Time { return monday }), s))
		if d.TZ != hall.DefaultTZ || len(d.Timeline) != 0 {
			t.Errorf("tz %q, timeline %v; want %s and none", d.TZ, d.Timeline, hall.DefaultTZ)
		}
	})
}

func TestSharedCache(t *testing.T) {
	src := newSource()
	src.addItem("budget", "finance", 3, monday.Add(-time.Hour))
	src.setPlaylist(&hall.Playlist{ID: "p-default", Entries: []hall.PlaylistEntry{{ItemID: "budget", DurationS: 30}}})
	src.setPlaylist(&hall.Playlist{ID: "p-own", Entries: []hall.PlaylistEntry{{MediaURL: "/media/x", DurationS: 5}}})
	src.schedules = []*hall.Schedule{
		// Names s3 by id: s3 gets an entry of its own.
		{ID: "sch-own", PlaylistID: "p-own", Target: hall.Target{Screens: []string{"s3"}}},
		// Names s4 by id but never matches it (kiosks only): s4 still
		// gets its own entry, with the same bytes as the shared one.
		{ID: "sch-kiosk", PlaylistID: "p-own", Target: hall.Target{Screens: []string{"s4"}, Kinds: []string{hall.KindKiosk}}},
	}
	b := New(src, func() time.Time { return monday })
	m1 := mustBuild(t, b, screen("s1", "a", "b"))
	m2 := mustBuild(t, b, screen("s2", "b", "a", "b"))
	m3 := mustBuild(t, b, screen("s3", "a", "b"))
	m4 := mustBuild(t, b, screen("s4", "a", "b"))
	if m1 != m2 {
		t.Errorf("s1 and s2 resolve alike but got two computations")
	}
	if m3.ETag == m1.ETag {
		t.Errorf("s3 has a schedule of its own but the same etag %s", m3.ETag)
	}
	if m4 == m1 || string(m4.JSON) != string(m1.JSON) || m4.ETag != m1.ETag {
		t.Errorf("s4: want its own computation with identical bytes; same pointer %v, same etag %v", m4 == m1, m4.ETag == m1.ETag)
	}
	if n := src.callCount("ListSchedules"); n != 1 {
		t.Errorf("ListSchedules called %d times, want 1", n)
	}
	if n := src.callCount("Playlist"); n != 2 {
		t.Errorf("Playlist called %d times, want 2 (once per playlist)", n)
	}
}

func TestCacheLifetime(t *testing.T) {
	src := newSource()
	src.addItem("budget", "finance", 3, monday.Add(-time.Hour))
	expiring := src.addItem("notice", "finance", 1, monday.Add(-time.Hour))
	until := monday.Add(10 * time.Minute)
	expiring.Public.ValidUntil = &until
	src.setPlaylist(&hall.Playlist{ID: "p-default", Entries: []hall.PlaylistEntry{{Category: "finance", DurationS: 30}}})
	clk := &clock{t: monday}
	b := New(src, clk.now)
	s := screen("s1")
	first := mustBuild(t, b, s)

	t.Run("SameWithinMaxAge", func(t *testing.T) {
		clk.set(monday.Add(5 * time.Second))
		if m := mustBuild(t, b, s); m != first {
			t.Errorf("rebuilt within MaxAge")
		}
		if n := src.callCount("ListSchedules"); n != 1 {
			t.Errorf("ListSchedules called %d times, want 1", n)
		}
	})
	t.Run("ItemExpiresWithoutInvalidate", func(t *testing.T) {
		clk.set(monday.Add(11 * time.Minute))
		d := decode(t, mustBuild(t, b, s))
		if _, ok := d.Items["notice"]; ok || len(d.Items) != 1 {
			t.Errorf("items = %v, want only budget after notice expired", d.Items)
		}
	})
	t.Run("StableWithinHour", func(t *testing.T) {
		clk.set(monday.Add(12 * time.Minute))
		a := mustBuild(t, b, s)
		clk.set(monday.Add(40 * time.Minute))
		if c := mustBuild(t, b, s); c.ETag != a.ETag {
			t.Errorf("etag changed within the hour: %s then %s", a.ETag, c.ETag)
		}
	})
	t.Run("NextHour", func(t *testing.T) {
		clk.set(monday.Add(50 * time.Minute))
		a := mustBuild(t, b, s)
		d := decode(t, a)
		if want := time.Date(2026, 5, 4, 11, 0, 0, 0, shanghai); !d.GeneratedAt.Equal(want) {
			t.Errorf("generated_at = %v, want %v", d.GeneratedAt, want)
		}
	})
	t.Run("Invalidate", func(t *testing.T) {
		before := mustBuild(t, b, s)
		src.setPlaylist(&hall.Playlist{ID: "p-default", Entries: []hall.PlaylistEntry{{Category: "finance", DurationS: 45}}})
		if m := mustBuild(t, b, s); m != before {
			t.Errorf("rebuilt without Invalidate or MaxAge")
		}
		b.Invalidate()
		if m := mustBuild(t, b, s); m.ETag == before.ETag {
			t.Errorf("etag unchanged after the playlist changed and Invalidate")
		}
	})
}

func TestConcurrentBuilds(t *testing.T) {
	t.Run("ComputeOnce", func(t *testing.T) {
		src := newSource()
		src.setPlaylist(&hall.Playlist{ID: "p-default", Entries: []hall.PlaylistEntry{{MediaURL: "/media/x", DurationS: 5}}})
		src.gate = make(chan struct{})
		b := New(src, func() time.Time { return monday })
		const n = 8
		results := make(chan *Manifest, n)
		for i := range n {
			go func() {
				m, err := b.Build(context.Background(), screen("s"+string(rune('a'+i)), "g"))
				if err != nil {
					t.Errorf("Build: %v", err)
				}
				results <- m
			}()
		}
		poll.True(t, 5*time.Second, "the condition", func() bool { return src.callCount("ListSchedules") >= 1 })
		close(src.gate)
		var first *Manifest
		for range n {
			m := <-results
			if first == nil {
				first = m
			} else if m != first {
				t.Errorf("got two computations for screens that resolve alike")
			}
		}
		if c := src.callCount("ListSchedules"); c != 1 {
			t.Errorf("ListSchedules called %d times, want 1", c)
		}
	})
	t.Run("JoinerSurvivesCancelledCaller", func(t *testing.T) {
		src := newSource()
		src.gate = make(chan struct{})
		b := New(src, func() time.Time { return monday })
		ctx, cancel := context.WithCancel(context.Background())
		errA := make(chan error, 1)
		go func() {
			_, err := b.Build(ctx, screen("a"))
			errA <- err
		}()
		poll.True(t, 5*time.Second, "the condition", func() bool { return src.callCount("ListSchedules") == 1 })
		resB := make(chan error, 1)
		go func() {
			_, err := b.Build(context.Background(), screen("b"))
			resB <- err
		}()
		cancel()
		if err := <-errA; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller: err = %v, want context.Canceled", err)
		}
		close(src.gate)
		if err := <-resB; err != nil {
			t.Errorf("joined caller: err = %v, want nil", err)
		}
	})
}

func TestTimeline(t *testing.T) {
	src := newSource()
	src.halls["h1"].DefaultPlaylistID = ""
	src.addItem("a", "x", 2, monday.Add(-time.Hour))
	src.addItem("b", "x", 5, monday.Add(-time.Hour))
	src.setPlaylist(&hall.Playlist{ID: "p-morning", Entries: []hall.PlaylistEntry{{ItemID: "a", DurationS: 60}, {ItemID: "b", DurationS: 30}}})
	src.schedules = []*hall.Schedule{{ID: "sch", PlaylistID: "p-morning", Start: "09:00", End: "12:00"}}
	src.interrupts = []*hall.Interrupt{{ID: "in", Level: hall.LevelInfo, Text: "通知", Until: monday.Add(time.Hour)}}
	b := New(src, func() time.Time { return monday })
	tests := []struct {
		name   string
		at     time.Time
		index  int
		offset float64
		slot   bool
	}{
		{"FirstEntry", time.Date(2026, 5, 4, 9, 0, 10, 0, shanghai), 0, 10, true},
		{"SecondEntry", time.Date(2026, 5, 4, 9, 1, 5, 0, shanghai), 1, 5, true},
		{"NextCycle", time.Date(2026, 5, 4, 9, 1, 30, 0, shanghai), 0, 0, true},
		{"NothingScheduled", time.Date(2026, 5, 4, 13, 0, 0, 0, shanghai), -1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := b.Timeline(context.Background(), screen("s1"), tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if (p.Slot != nil) != tt.slot || p.Index != tt.index || p.Offset != tt.offset {
				t.Errorf("slot %v, index %d, offset %v; want slot %v, index %d, offset %v", p.Slot != nil, p.Index, p.Offset, tt.slot, tt.index, tt.offset)
			}
			if tt.slot && (p.Entry == nil || *p.Entry != p.Slot.Entries[tt.index]) {
				t.Errorf("entry = %+v, want entries[%d]", p.Entry, tt.index)
			}
			wantInts := 0
			if tt.at.Before(src.interrupts[0].Until) {
				wantInts = 1
			}
			if len(p.Interrupts) != wantInts {
				t.Errorf("interrupts = %v, want %d", p.Interrupts, wantInts)
			}
		})
	}
}
