package archive

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// legacyLeaf is a publish leaf as the first deployments wrote it (format 1,
// the revision inline), byte for byte.
const legacyLeaf = `{"v":1,"kind":"publish","item_id":"item-old","revision":1,"at":"2026-03-01T08:00:00Z","content":{"id":"item-old","revision":1,"category":"finance","department":"czs","title":"2025年决算公开","summary":"","body":"决算如下。","body_html":"<p>决算如下。</p>","assets":[],"published_at":"2026-03-01T08:00:00Z","page":"/p/item-old","archive_index":0}}`

// TestLeafFormatsAndRedaction: format-1 leaves of older deployments verify
// beside format-2 ones; a redacted revision verifies when a later redact
// entry names it, and only then.
func TestLeafFormatsAndRedaction(t *testing.T) {
	ctx := context.Background()
	signer, verifier := mustKey(t, "hallcast.archive")
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	publish := func(t *testing.T, rev int, title string) *hall.ArchiveEntry {
		e, err := hall.NewPublishEntry(&hall.Revision{ID: "item-new", Revision: rev, Category: "finance", Department: "czs",
			Title: title, Body: "联系电话 13812345678", Assets: []hall.Asset{}, PublishedAt: at.Add(time.Duration(rev) * time.Hour), Page: "/p/item-new"})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	// build: item-old (format 1); item-new revisions 1 and 2; revision 1
	// redacted (content deleted unless keep); a checkpoint after each.
	build := func(t *testing.T, redact bool, keep bool) (*memStore, *Log) {
		store := &memStore{}
		log := New(store, signer, "")
		old, err := hall.EntryFromLeaf(0, []byte(legacyLeaf))
		if err != nil {
			t.Fatal(err)
		}
		entries := []*hall.ArchiveEntry{old, publish(t, 1, "低保名单"), publish(t, 2, "低保名单（更正）")}
		if redact {
			r, err := hall.NewStateEntry(hall.EntryRedact, "item-new", 1, at.Add(3*time.Hour), "含个人手机号码")
			if err != nil {
				t.Fatal(err)
			}
			entries = append(entries, r)
		}
		for _, e := range entries {
			store.add(e)
			if _, err := log.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if redact && !keep {
			store.entries[1].Content, store.entries[1].Salt = nil, nil
		}
		return store, log
	}

	t.Run("Intact", func(t *testing.T) {
		store, log := build(t, true, false)
		rep, err := VerifyLog(ctx, store, verifier, "")
		if err != nil || !rep.OK {
			t.Fatalf("VerifyLog = %+v, %v", rep, err)
		}
		if rev, err := log.Revision(ctx, "item-old", 1); err != nil || rev.Title != "2025年决算公开" {
			t.Errorf("format-1 revision = %+v, %v", rev, err)
		}
		if rev, err := log.Revision(ctx, "item-new", 2); err != nil || rev.Title != "低保名单（更正）" {
			t.Errorf("revision 2 = %+v, %v", rev, err)
		}
		_, err = log.Revision(ctx, "item-new", 1)
		if !hall.IsCode(err, hall.EGone) || !strings.Contains(err.Error(), "含个人手机号码") {
			t.Errorf("redacted revision: %v, want gone with the reason", err)
		}
		revs, _, err := log.History(ctx, "item-new")
		if err != nil || len(revs) != 2 || revs[0].Redacted == nil || revs[0].Title != "" || revs[1].Redacted != nil {
			t.Errorf("history = %+v, %v", revs, err)
		}
		items, err := log.PublicItems(ctx, hall.ItemFilter{})
		if err != nil || len(items) != 2 {
			t.Errorf("public items = %d, %v; want both (item-new's current revision is not redacted)", len(items), err)
		}
	})
	t.Run("ErrContentGoneWithoutRedact", func(t *testing.T) {
		store, _ := build(t, false, false)
		store.entries[2].Content, store.entries[2].Salt = nil, nil
		rep, err := VerifyLog(ctx, store, verifier, "")
		if err != nil || rep.OK || rep.BadIndex != 2 {
			t.Errorf("VerifyLog = %+v, %v; want entry 2 at fault", rep, err)
		}
	})
	t.Run("ErrRedactedContentStillStored", func(t *testing.T) {
		store, _ := build(t, true, true)
		rep, err := VerifyLog(ctx, store, verifier, "")
		if err != nil || rep.OK || rep.BadIndex != 3 || !strings.Contains(rep.Problem, "still stored") {
			t.Errorf("VerifyLog = %+v, %v; want entry 3 at fault", rep, err)
		}
	})
	t.Run("ErrContentAltered", func(t *testing.T) {
		store, _ := build(t, true, false)
		store.entries[2].Content = []byte(strings.Replace(string(store.entries[2].Content), "更正", "伪造", 1))
		rep, err := VerifyLog(ctx, store, verifier, "")
		if err != nil || rep.OK || rep.BadIndex != 2 {
			t.Errorf("VerifyLog = %+v, %v; want entry 2 at fault", rep, err)
		}
	})
	t.Run("RedactCurrentWithdraws", func(t *testing.T) {
		e := publish(t, 1, "x")
		p, err := hall.NextPublicState(nil, e, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := hall.NewStateEntry(hall.EntryRedact, "item-new", 1, at.Add(time.Hour), "why")
		q, err := hall.NextPublicState(p, r, nil)
		if err != nil || !q.Redacted || q.WithdrawnAt == nil || q.Title != "" || q.Live(at.Add(2*time.Hour)) {
			t.Errorf("state after redacting the current revision = %+v, %v", q, err)
		}
		e.Content = nil
		g, err := hall.NextPublicState(nil, e, nil)
		if err != nil || !g.Redacted || g.Live(at.Add(2*time.Hour)) {
			t.Errorf("state of a publish whose content is gone = %+v, %v", g, err)
		}
	})
}
