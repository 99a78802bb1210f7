package playlists

import (
	"slices"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// catalog is a Catalog held in maps.
type catalog struct {
	items      map[string]int
	categories map[string][]PublishedItem
}

func (c catalog) Published(id string) (int, bool) {
	rev, ok := c.items[id]
	return rev, ok
}

func (c catalog) CategoryItems(category string) []PublishedItem { return c.categories[category] }

func TestExpand(t *testing.T) {
	p := hall.Playlist{ID: "p", Name: "大厅轮播", Entries: []hall.PlaylistEntry{
		{ItemID: "budget", DurationS: 30},
		{Category: "relief", DurationS: 15},
		{MediaURL: "/media/ab12", MediaType: "image", DurationS: 10},
		{ItemID: "withdrawn", DurationS: 20},
	}}
	tests := []struct {
		name string
		cat  catalog
		want []Cue
	}{
		{
			name: "Initial",
			cat: catalog{
				items: map[string]int{"budget": 3},
				categories: map[string][]PublishedItem{
					"relief": {{ID: "r2", Revision: 1}, {ID: "r1", Revision: 4}},
				},
			},
			want: []Cue{
				{ItemID: "budget", Revision: 3, DurationS: 30},
				{ItemID: "r2", Revision: 1, DurationS: 15},
				{ItemID: "r1", Revision: 4, DurationS: 15},
				{MediaURL: "/media/ab12", Type: "image", DurationS: 10},
			},
		},
		{
			name: "CategoryGainsItemAndItemIsRepublished",
			cat: catalog{
				items: map[string]int{"budget": 4, "withdrawn": 2},
				categories: map[string][]PublishedItem{
					"relief": {{ID: "r3", Revision: 1}, {ID: "r2", Revision: 2}, {ID: "r1", Revision: 4}},
				},
			},
			want: []Cue{
				{ItemID: "budget", Revision: 4, DurationS: 30},
				{ItemID: "r3", Revision: 1, DurationS: 15},
				{ItemID: "r2", Revision: 2, DurationS: 15},
				{ItemID: "r1", Revision: 4, DurationS: 15},
				{MediaURL: "/media/ab12", Type: "image", DurationS: 10},
				{ItemID: "withdrawn", Revision: 2, DurationS: 20},
			},
		},
		{
			name: "NothingPublished",
			cat:  catalog{},
			want: []Cue{
				{MediaURL: "/media/ab12", Type: "image", DurationS: 10},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Expand(p, tt.cat)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestPosition(t *testing.T) {
	cues := []Cue{{ItemID: "a", DurationS: 10}, {ItemID: "b", DurationS: 20}, {MediaURL: "/m", DurationS: 30}}
	anchor := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		cues       []Cue
		t          time.Duration // after anchor
		wantIndex  int
		wantOffset time.Duration
		wantOK     bool
	}{
		{"AtAnchor", cues, 0, 0, 0, true},
		{"InsideFirst", cues, 9*time.Second + 999*time.Millisecond, 0, 9*time.Second + 999*time.Millisecond, true},
		{"ExactBoundaryStartsNext", cues, 10 * time.Second, 1, 0, true},
		{"LastInstantOfCycle", cues, 60*time.Second - time.Nanosecond, 2, 30*time.Second - time.Nanosecond, true},
		{"FullCycleWraps", cues, 60 * time.Second, 0, 0, true},
		{"ManyCycles", cues, 1000*60*time.Second + 35*time.Second, 2, 5 * time.Second, true},
		{"OneSecondBeforeAnchor", cues, -time.Second, 2, 29 * time.Second, true},
		{"ExactCycleBeforeAnchor", cues, -60 * time.Second, 0, 0, true},
		{"BoundaryBeforeAnchor", cues, -30 * time.Second, 2, 0, true},
		{"NanosecondBeforeAnchor", cues, -time.Nanosecond, 2, 30*time.Second - time.Nanosecond, true},
		{"FarBeforeAnchor", cues, -(26*365*24*time.Hour + 61*time.Second), 2, 29 * time.Second, true},
		{"ZeroDurationNeverPlays", []Cue{{ItemID: "a", DurationS: 5}, {ItemID: "z"}, {ItemID: "b", DurationS: 5}}, 5 * time.Second, 2, 0, true},
		{"Empty", nil, 0, 0, 0, false},
		{"AllZero", []Cue{{ItemID: "z"}}, time.Second, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, off, ok := Position(tt.cues, anchor, anchor.Add(tt.t))
			if i != tt.wantIndex || off != tt.wantOffset || ok != tt.wantOK {
				t.Errorf("got (%d, %s, %t), want (%d, %s, %t)", i, off, ok, tt.wantIndex, tt.wantOffset, tt.wantOK)
			}
		})
	}
}

func TestCycle(t *testing.T) {
	if got, want := Cycle([]Cue{{DurationS: 10}, {DurationS: 0}, {DurationS: 3600}}), 3610*time.Second; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
