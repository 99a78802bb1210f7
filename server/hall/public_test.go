package hall

import (
	"strings"
	"testing"
	"time"
)

func TestReplayPublicState(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	until := t0.Add(48 * time.Hour)
	publish := func(index int64, rev int, title string, at time.Time) *ArchiveEntry {
		t.Helper()
		e, err := NewPublishEntry(&Revision{ID: "it_a", Revision: rev, Category: "finance", Department: "czs", Title: title,
			Summary: "摘要", Body: "正文", Finance: &Finance{Lines: []FinanceLine{{Code: "1", Name: "办公费"}}},
			ValidUntil: &until, Assets: []Asset{}, PublishedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		e.Index = index
		return e
	}
	state := func(index int64, kind string, rev int, at time.Time) *ArchiveEntry {
		t.Helper()
		e, err := NewStateEntry(kind, "it_a", rev, at, "原因")
		if err != nil {
			t.Fatal(err)
		}
		e.Index = index
		return e
	}
	upper := func(s string) string { return strings.ToUpper(s) }

	p, err := ReplayPublicState([]*ArchiveEntry{
		publish(3, 1, "预算", t0),
		state(5, EntryWithdraw, 1, t0.Add(time.Hour)),
		publish(8, 2, "预算（更正）", t0.Add(2*time.Hour)),
		state(9, EntryExpire, 2, until.Add(time.Minute)),
	}, upper)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case p.Revision != 2 || p.ArchiveIndex != 8 || p.Title != "预算（更正）":
		t.Errorf("revision %d at %d titled %q, want 2 at 8", p.Revision, p.ArchiveIndex, p.Title)
	case !p.FirstPublished.Equal(t0) || !p.PublishedAt.Equal(t0.Add(2*time.Hour)):
		t.Errorf("first published %s, published %s", p.FirstPublished, p.PublishedAt)
	case p.WithdrawnAt != nil:
		t.Errorf("withdrawal carried over a new revision: %v", p.WithdrawnAt)
	case p.ExpiredAt == nil || !p.ExpiredAt.Equal(until.Add(time.Minute)):
		t.Errorf("expired at %v, want the expire entry's time", p.ExpiredAt)
	case !p.HasFinance || p.SearchText != "预算（更正）\n摘要\n正文\n办公费 ":
		t.Errorf("finance %t, search text %q", p.HasFinance, p.SearchText)
	}

	for name, entries := range map[string][]*ArchiveEntry{
		"RevisionSkipped":    {publish(0, 1, "a", t0), publish(1, 3, "c", t0)},
		"StartsAtTwo":        {publish(0, 2, "b", t0)},
		"WithdrawUnknown":    {state(0, EntryWithdraw, 1, t0)},
		"WithdrawOldRev":     {publish(0, 1, "a", t0), publish(1, 2, "b", t0), state(2, EntryWithdraw, 1, t0)},
		"WithdrawnTwice":     {publish(0, 1, "a", t0), state(1, EntryWithdraw, 1, t0), state(2, EntryWithdraw, 1, t0)},
		"ExpiredTwice":       {publish(0, 1, "a", t0), state(1, EntryExpire, 1, t0), state(2, EntryExpire, 1, t0)},
		"ExpiredAfterWithdr": {publish(0, 1, "a", t0), state(1, EntryWithdraw, 1, t0), state(2, EntryExpire, 1, t0)},
	} {
		if _, err := ReplayPublicState(entries, nil); err == nil {
			t.Errorf("%s: replay accepted entries out of sequence", name)
		}
	}
}

func TestDiffPublicState(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	a := &PublicState{Revision: 1, Title: "预算", PublishedAt: at, FirstPublished: at, SearchText: "x"}
	b := *a
	b.SearchText = "y" // not compared
	if f, _, _ := DiffPublicState(a, &b); f != "" {
		t.Errorf("states differing only in search text: field %q", f)
	}
	local := at.In(time.FixedZone("CST", 8*3600))
	b.PublishedAt = local // the same instant
	if f, _, _ := DiffPublicState(a, &b); f != "" {
		t.Errorf("the same time in another zone: field %q", f)
	}
	w := at.Add(time.Hour)
	b.WithdrawnAt = &w
	if f, got, want := DiffPublicState(a, &b); f != "withdrawn_at" || got != "none" || want != "2026-11-02T10:00:00Z" {
		t.Errorf("diff = %q %q %q, want withdrawn_at", f, got, want)
	}
	if f, got, _ := DiffPublicState(nil, a); f != "revision" || got != "never published" {
		t.Errorf("diff(nil, a) = %q %q", f, got)
	}
}
