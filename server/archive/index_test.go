package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

func TestPublicIndex(t *testing.T) {
	ctx := context.Background()
	signer, _ := mustKey(t, "hallcast.archive")
	store := &memStore{}
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	until := base.Add(48 * time.Hour)
	publish := func(id string, rev int, cat, title string, at time.Time, validUntil *time.Time) {
		t.Helper()
		e, err := hall.NewPublishEntry(&hall.Revision{ID: id, Revision: rev, Category: cat, Department: "czs", Title: title,
			Body: "**正文**" + title, BodyHTML: "<p>正文</p>", Assets: []hall.Asset{}, PublishedAt: at, ValidUntil: validUntil, Page: "/p/" + id})
		if err != nil {
			t.Fatal(err)
		}
		store.add(e)
	}
	state := func(kind, id string, rev int, at time.Time) {
		t.Helper()
		e, err := hall.NewStateEntry(kind, id, rev, at, "原因")
		if err != nil {
			t.Fatal(err)
		}
		store.add(e)
	}
	publish("a", 1, "finance", "预算公开", base, nil)
	publish("b", 1, "finance", "低保名单", base.Add(time.Minute), &until)
	publish("a", 2, "finance", "预算公开（更正）", base.Add(2*time.Minute), nil)
	publish("c", 1, "works", "步道工程", base.Add(3*time.Minute), nil)
	state(hall.EntryWithdraw, "c", 1, base.Add(4*time.Minute))
	log := newLog(Config{Store: store, Signer: signer, Text: func(md string) string { return "plain:" + md }})

	ids := func(f hall.ItemFilter) []string {
		t.Helper()
		items, err := log.PublicItems(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			out = append(out, it.ID)
		}
		return out
	}
	now := base.Add(time.Hour)
	for _, tt := range []struct {
		name string
		f    hall.ItemFilter
		want []string
	}{
		{"All", hall.ItemFilter{Public: true}, []string{"c", "a", "b"}},
		{"Live", hall.ItemFilter{Public: true, LiveAt: now}, []string{"a", "b"}},
		{"LiveAfterValidUntil", hall.ItemFilter{Public: true, LiveAt: until}, []string{"a"}},
		{"Category", hall.ItemFilter{Public: true, Category: "works"}, []string{"c"}},
		{"SearchLatestRevision", hall.ItemFilter{Public: true, Q: "更正"}, []string{"a"}},
		{"SearchPlainText", hall.ItemFilter{Public: true, Q: "PLAIN:**正文**低保"}, []string{"b"}},
		{"Paged", hall.ItemFilter{Public: true, Limit: 1, Offset: 1}, []string{"a"}},
		{"Window", hall.ItemFilter{Public: true, PublishedFrom: base.Add(time.Minute), PublishedTo: base.Add(3 * time.Minute)}, []string{"a", "b"}},
	} {
		if got := ids(tt.f); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}

	it, err := log.PublicItem(ctx, "a")
	if err != nil || it.Public.Revision != 2 || it.Public.Title != "预算公开（更正）" || !it.Public.FirstPublished.Equal(base) || it.Public.ArchiveIndex != 2 {
		t.Errorf("PublicItem(a) = %+v, %v", it.Public, err)
	}
	if _, err := log.PublicItem(ctx, "nope"); !hall.IsCode(err, hall.ENotFound) {
		t.Errorf("PublicItem(nope): %v, want not found", err)
	}
	rev, err := log.Revision(ctx, "a", 1)
	if err != nil || rev.Title != "预算公开" || rev.ArchiveIndex != 0 {
		t.Errorf("Revision(a, 1) = %+v, %v", rev, err)
	}
	if _, err := log.Revision(ctx, "a", 3); !hall.IsCode(err, hall.ENotFound) {
		t.Errorf("Revision(a, 3): %v, want not found", err)
	}
	revs, entries, err := log.History(ctx, "c")
	if err != nil || len(revs) != 1 || len(entries) != 2 || entries[1].Kind != hall.EntryWithdraw {
		t.Errorf("History(c) = %d revisions, %+v, %v", len(revs), entries, err)
	}

	t.Run("RowColumnsAreNotBelieved", func(t *testing.T) {
		// The row's time of c's withdrawal is edited; the leaf's is served.
		store.entries[4].At = base.Add(-time.Hour)
		_, entries, err := log.History(ctx, "c")
		if err != nil || !entries[1].At.Equal(base.Add(4*time.Minute)) {
			t.Errorf("History(c) after a row edit: %+v, %v", entries, err)
		}
	})

	t.Run("AlteredLeafIsRefused", func(t *testing.T) {
		store.entries[0].Leaf = alterLeaf(store.entries[0], "预算公开", "预算造假")
		if _, err := log.Revision(ctx, "a", 1); !hall.IsCode(err, hall.EInternal) {
			t.Errorf("Revision(a, 1) of an altered leaf: %v, want refused", err)
		}
		if _, _, err := log.History(ctx, "a"); !hall.IsCode(err, hall.EInternal) {
			t.Errorf("History(a) with an altered leaf: %v, want refused", err)
		}
		if _, _, err := log.Entries(ctx, 0, 2); !hall.IsCode(err, hall.EInternal) {
			t.Errorf("Entries(0, 2) with an altered leaf: %v, want refused", err)
		}
		if _, err := log.Revision(ctx, "a", 2); err != nil {
			t.Errorf("Revision(a, 2), untouched: %v", err)
		}
	})

	t.Run("EntryOutOfSequenceWithholdsItem", func(t *testing.T) {
		publish("d", 1, "works", "公示", base.Add(5*time.Minute), nil)
		publish("d", 3, "works", "公示（跳号）", base.Add(6*time.Minute), nil)
		if _, err := log.PublicItem(ctx, "d"); !errors.Is(err, ErrWithheld) {
			t.Errorf("PublicItem(d): %v, want withheld", err)
		}
		if got := ids(hall.ItemFilter{Public: true, Category: "works"}); !slices.Equal(got, []string{"c"}) {
			t.Errorf("works items %v, want only c", got)
		}
	})
}

func TestCheckRows(t *testing.T) {
	ctx := context.Background()
	store := newTestStore(t, 8)
	signer, _ := mustKey(t, "hallcast.archive")
	var alarms []Alarm
	log := newLog(Config{Store: store, Signer: signer, OnAlarm: func(a Alarm) { alarms = append(alarms, a) }})
	if _, err := log.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	rows := rowStore{}
	for id, p := range log.states() {
		rows[id] = &hall.Item{ID: id, Public: p}
	}
	if ms, err := log.CheckRows(ctx, rows, 0); err != nil || len(ms) != 0 {
		t.Fatalf("CheckRows of agreeing rows = %v, %v", ms, err)
	}
	rows["item-0"].Public.Title = "伪造"
	rows["item-5"].Public = nil
	rows["forged"] = &hall.Item{ID: "forged", Public: &hall.PublicState{Revision: 1, Title: "伪造的公告"}}
	ms, err := log.CheckRows(ctx, rows, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.ItemID+"."+m.Field)
	}
	if want := []string{"item-0.title", "item-5.revision", "forged.revision"}; !slices.Equal(got, want) {
		t.Errorf("mismatches %v, want %v", got, want)
	}
	if len(alarms) != 3 {
		t.Errorf("alarms %v, want 3", alarms)
	}
	if _, err := log.CheckRows(ctx, rows, 0); err != nil || len(alarms) != 3 {
		t.Errorf("a second check raised the same alarms again: %d, %v", len(alarms), err)
	}
}

// rowStore is item rows by id, with ListItems as the SQL store's public
// listing (every row with a public state).
type rowStore map[string]*hall.Item

func (r rowStore) Item(ctx context.Context, id string) (*hall.Item, error) {
	if it, ok := r[id]; ok {
		return it, nil
	}
	return nil, hall.NotFound("item", id)
}

func (r rowStore) ListItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error) {
	var out []*hall.Item
	for _, it := range r {
		if it.Public != nil {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b *hall.Item) int { return bytes.Compare([]byte(a.ID), []byte(b.ID)) })
	if f.Offset >= len(out) {
		return nil, nil
	}
	return out[f.Offset:], nil
}

// BenchmarkPublicItems lists a page of live items of one category, and
// searches, among 10,000 published items, as a kiosk does.
func BenchmarkPublicItems(b *testing.B) {
	ctx := context.Background()
	signer, _ := mustKey(b, "hallcast.archive")
	store := &memStore{}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cats := []string{"finance", "works", "assistance", "personnel"}
	for i := range 10_000 {
		e, err := hall.NewPublishEntry(&hall.Revision{ID: fmt.Sprintf("it_%05d", i), Revision: 1, Category: cats[i%len(cats)], Department: "czs",
			Title: fmt.Sprintf("第%d号公开", i), Body: "本月收支情况如下。", Assets: []hall.Asset{}, PublishedAt: base.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			b.Fatal(err)
		}
		store.add(e)
	}
	log := New(store, signer, "")
	if _, err := log.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	now := base.Add(365 * 24 * time.Hour)
	b.Run("Category", func(b *testing.B) {
		for b.Loop() {
			items, err := log.PublicItems(ctx, hall.ItemFilter{Public: true, Category: "works", LiveAt: now, Limit: 100})
			if err != nil || len(items) != 100 {
				b.Fatal(len(items), err)
			}
		}
	})
	b.Run("Search", func(b *testing.B) {
		for b.Loop() {
			items, err := log.PublicItems(ctx, hall.ItemFilter{Public: true, Q: "第9999号", LiveAt: now})
			if err != nil || len(items) != 1 {
				b.Fatal(len(items), err)
			}
		}
	})
}
