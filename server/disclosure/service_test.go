package disclosure_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/disclosure"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/markdown"
	"github.com/hallcast/hallcast/server/sqlite"
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

type fixture struct {
	desk  *disclosure.Service
	store *sqlite.Store
	clock *clock
	admin *hall.User
	seen  []hall.Change
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "hallcast.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	signer, _, _, err := archive.LoadOrCreateKey(dir, "hallcast.test")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, clock: &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}}
	f.desk = &disclosure.Service{Store: store, Renderer: markdown.New(), Archive: archive.New(store, signer, "test"),
		Now: f.clock.Now, Logger: slog.New(slog.DiscardHandler), Notifier: hall.NotifyFunc(func(_ context.Context, c hall.Change) { f.seen = append(f.seen, c) })}
	if err := store.PutDepartment(ctx, &hall.Department{Key: "armed", Name: hall.Text{ZH: "武装部"}}); err != nil {
		t.Fatal(err)
	}
	if err := store.PutCategory(ctx, &hall.Category{Key: "conscription", Name: hall.Text{ZH: "征兵工作"}, Cadence: hall.CadenceOnce}); err != nil {
		t.Fatal(err)
	}
	f.admin = &hall.User{ID: "us_admin", Username: "admin", Role: hall.RoleAdmin}
	return f
}

func (f *fixture) publish(t *testing.T, it *hall.Item) *hall.Revision {
	t.Helper()
	ctx := context.Background()
	if err := f.desk.CreateDraft(ctx, f.admin, it); err != nil {
		t.Fatal(err)
	}
	sub, err := f.desk.Submit(ctx, f.admin, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	second := &hall.User{ID: "us_admin2", Username: "admin2", Role: hall.RoleAdmin}
	if _, err := f.desk.Approve(ctx, second, it.ID, sub.Version); err != nil {
		t.Fatal(err)
	}
	rev, err := f.desk.Publish(ctx, f.admin, it.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

func TestExpiryIsRecordedOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	until := f.clock.t.Add(48 * time.Hour)
	rev := f.publish(t, &hall.Item{Category: "conscription", Department: "armed", Title: "2026年征兵公告", ValidUntil: &until})
	if n, err := f.desk.ExpireDue(ctx); err != nil || n != 0 {
		t.Fatalf("ExpireDue before valid_until = %d, %v", n, err)
	}
	sweep := until.Add(time.Minute)
	f.clock.t = sweep
	if n, err := f.desk.ExpireDue(ctx); err != nil || n != 1 {
		t.Fatalf("ExpireDue after valid_until = %d, %v; want 1", n, err)
	}
	if n, err := f.desk.ExpireDue(ctx); err != nil || n != 0 {
		t.Fatalf("second ExpireDue = %d, %v; want 0 (recorded once)", n, err)
	}
	entries, err := f.store.ItemEntries(ctx, rev.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The expiry is dated when the server saw it, never back-dated to
	// valid_until.
	if len(entries) != 2 || entries[1].Kind != hall.EntryExpire || !entries[1].At.Equal(sweep) {
		t.Fatalf("archive entries %+v, want publish then expire at the sweep's time %s", entries, sweep)
	}
	if len(f.seen) != 2 || f.seen[1].Entry != hall.EntryExpire {
		t.Errorf("push notifications %+v, want publish and expire", f.seen)
	}
	live, err := f.store.ListItems(ctx, hall.ItemFilter{Public: true, LiveAt: f.clock.t})
	if err != nil || len(live) != 0 {
		t.Errorf("live items after expiry: %d, %v", len(live), err)
	}
}

func TestWithdrawKeepsRevisions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rev := f.publish(t, &hall.Item{Category: "conscription", Department: "armed", Title: "征兵体检通知", Body: "体检安排如下。"})
	if _, err := f.desk.Withdraw(ctx, f.admin, rev.ID, "时间调整，另行通知"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Withdraw(ctx, f.admin, rev.ID, "again"); !hall.IsCode(err, hall.EConflict) {
		t.Errorf("second withdraw: %v, want conflict", err)
	}
	got, err := f.desk.Revision(ctx, rev.ID, 1)
	if err != nil || got.Title != "征兵体检通知" || got.ArchiveIndex != rev.ArchiveIndex {
		t.Fatalf("revision 1 after withdraw = %+v, %v", got, err)
	}
	revs, entries, err := f.desk.Revisions(ctx, rev.ID)
	if err != nil || len(revs) != 1 || len(entries) != 2 || entries[1].Kind != hall.EntryWithdraw {
		t.Errorf("history after withdraw: %d revisions, %+v, %v", len(revs), entries, err)
	}
	cp, err := f.desk.Archive.Checkpoint(ctx)
	if err != nil || cp.Size != 2 {
		t.Errorf("checkpoint after withdraw: %+v, %v", cp, err)
	}
}

func TestApproverMustDiffer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	editor := &hall.User{ID: "us_e", Username: "zhang", Role: hall.RoleEditor, Departments: []string{"armed"}}
	reviewer := &hall.User{ID: "us_r", Username: "li", Role: hall.RoleReviewer}
	it := &hall.Item{Category: "conscription", Department: "armed", Title: "征兵宣传"}
	if err := f.desk.CreateDraft(ctx, editor, it); err != nil {
		t.Fatal(err)
	}
	if err := f.desk.CreateDraft(ctx, reviewer, &hall.Item{Category: "conscription", Department: "armed", Title: "x"}); !hall.IsCode(err, hall.EForbidden) {
		t.Errorf("reviewer drafting: %v, want forbidden", err)
	}
	sub, err := f.desk.Submit(ctx, editor, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Approve(ctx, editor, it.ID, 0); !hall.IsCode(err, hall.EForbidden) {
		t.Errorf("editor approving: %v, want forbidden", err)
	}
	if _, err := f.desk.Approve(ctx, reviewer, it.ID, sub.Version-1); !hall.IsCode(err, hall.EConflict) {
		t.Errorf("approving an older version than the item's: %v, want conflict", err)
	}
	if _, err := f.desk.Approve(ctx, reviewer, it.ID, sub.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Publish(ctx, editor, it.ID, ""); !hall.IsCode(err, hall.EForbidden) {
		t.Errorf("editor publishing: %v, want forbidden", err)
	}
	if _, err := f.desk.Publish(ctx, reviewer, it.ID, ""); err != nil {
		t.Errorf("reviewer publishing: %v", err)
	}
}

// TestNoSelfApproval: whoever submits an item never approves it, admins
// included, unless the deployment allows it; then the archive says so.
func TestNoSelfApproval(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	it := &hall.Item{Category: "conscription", Department: "armed", Title: "征兵体检通知"}
	if err := f.desk.CreateDraft(ctx, f.admin, it); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Submit(ctx, f.admin, it.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Approve(ctx, f.admin, it.ID, 0); !hall.IsCode(err, hall.EForbidden) {
		t.Fatalf("admin approving their own submission: %v, want forbidden", err)
	}
	f.desk.AllowSelfApproval = true
	if _, err := f.desk.Approve(ctx, f.admin, it.ID, 0); err != nil {
		t.Fatalf("self-approval when allowed: %v", err)
	}
	rev, err := f.desk.Publish(ctx, f.admin, it.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := f.desk.Revision(ctx, it.ID, rev.Revision)
	if err != nil || !stored.SelfApproved {
		t.Errorf("archived revision: self_approved %v (%v), want true", stored != nil && stored.SelfApproved, err)
	}
	normal := f.publish(t, &hall.Item{Category: "conscription", Department: "armed", Title: "征兵结果"})
	if normal.SelfApproved {
		t.Errorf("a revision approved by a second person says self_approved")
	}
}

// TestExpiryComesFromTheArchive edits the listing columns of an item row
// directly in the database: the expiry sweep must go by the valid_until of
// the revision's own publish entry and the server clock, and neither skip
// the item nor date its expiry before its publication.
func TestExpiryComesFromTheArchive(t *testing.T) {
	ctx := context.Background()
	exec := func(t *testing.T, f *fixture, query string, args ...any) {
		t.Helper()
		if _, err := f.store.DB().ExecContext(ctx, query, args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	expires := func(t *testing.T, f *fixture, id string) []*hall.ArchiveEntry {
		t.Helper()
		entries, err := f.store.ItemEntries(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var out []*hall.ArchiveEntry
		for _, e := range entries {
			if e.Kind == hall.EntryExpire {
				out = append(out, e)
			}
		}
		return out
	}

	t.Run("RowValidUntilBackdated", func(t *testing.T) {
		f := newFixture(t)
		published := f.clock.t
		until := published.Add(48 * time.Hour)
		rev := f.publish(t, &hall.Item{Category: "conscription", Department: "armed", Title: "2026年征兵公告", ValidUntil: &until})
		// A valid_until a year before the publication, in the row only.
		exec(t, f, "UPDATE items SET pub_valid_until = ?, valid_until = ? WHERE id = ?",
			"2025-11-02T09:00:00.000000000Z", "2025-11-02T09:00:00.000000000Z", rev.ID)
		f.clock.t = published.Add(time.Hour)
		if n, err := f.desk.ExpireDue(ctx); err != nil || n != 0 {
			t.Fatalf("ExpireDue an hour after publishing = %d, %v; want 0 (the archived valid_until is two days on)", n, err)
		}
		if got := expires(t, f, rev.ID); len(got) != 0 {
			t.Fatalf("expire entries %+v, want none", got)
		}
		sweep := until.Add(30 * time.Second)
		f.clock.t = sweep
		if n, err := f.desk.ExpireDue(ctx); err != nil || n != 1 {
			t.Fatalf("ExpireDue after the archived valid_until = %d, %v; want 1", n, err)
		}
		got := expires(t, f, rev.ID)
		if len(got) != 1 || !got[0].At.Equal(sweep) {
			t.Fatalf("expire entries %+v, want one dated %s", got, sweep)
		}
		if got[0].At.Before(published) {
			t.Errorf("expiry dated %s, before the publication at %s", got[0].At, published)
		}
		// The expiry's save corrected the row from the archive.
		it, err := f.store.Item(ctx, rev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if it.Public.ValidUntil == nil || !it.Public.ValidUntil.Equal(until) || it.Public.ExpiredAt == nil || !it.Public.ExpiredAt.Equal(sweep) {
			t.Errorf("row after expiry: valid_until %v, expired_at %v; want %s and %s", it.Public.ValidUntil, it.Public.ExpiredAt, until, sweep)
		}
	})

	t.Run("RowValidUntilRemoved", func(t *testing.T) {
		f := newFixture(t)
		until := f.clock.t.Add(24 * time.Hour)
		rev := f.publish(t, &hall.Item{Category: "conscription", Department: "armed", Title: "征兵体检通知", ValidUntil: &until})
		exec(t, f, "UPDATE items SET pub_valid_until = NULL WHERE id = ?", rev.ID)
		f.clock.t = until.Add(time.Minute)
		if n, err := f.desk.ExpireDue(ctx); err != nil || n != 1 {
			t.Fatalf("ExpireDue = %d, %v; want 1: the archived revision has a valid_until", n, err)
		}
	})

	t.Run("RowMarkedExpired", func(t *testing.T) {
		f := newFixture(t)
		until := f.clock.t.Add(24 * time.Hour)
		rev := f.publish(t, &hall.Item{Category: "conscription", Department: "armed", Title: "兵役登记通知", ValidUntil: &until})
		exec(t, f, "UPDATE items SET pub_expired_at = ? WHERE id = ?", "2026-11-02T10:00:00.000000000Z", rev.ID)
		f.clock.t = until.Add(time.Minute)
		if n, err := f.desk.ExpireDue(ctx); err != nil || n != 1 {
			t.Fatalf("ExpireDue = %d, %v; want 1: the archive has no expiry yet", n, err)
		}
	})
}

// TestPublishBuildsOnTheArchive edits an item row's public columns and
// publishes again: the new revision's number and first publication come
// from the archive, and the row is rewritten from it.
func TestPublishBuildsOnTheArchive(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	first := f.clock.t
	rev := f.publish(t, &hall.Item{Category: "conscription", Department: "armed", Title: "征兵公告"})
	if _, err := f.store.DB().ExecContext(ctx, "UPDATE items SET pub_revision = 7, pub_first_published = ?, pub_title = ? WHERE id = ?",
		"2020-01-01T00:00:00.000000000Z", "伪造的标题", rev.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.t = first.Add(time.Hour)
	it, err := f.store.Item(ctx, rev.ID)
	if err != nil {
		t.Fatal(err)
	}
	it.Title = "征兵公告（更正）"
	if _, err := f.desk.UpdateDraft(ctx, f.admin, it.ID, it); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Submit(ctx, f.admin, it.ID); err != nil {
		t.Fatal(err)
	}
	second := &hall.User{ID: "us_admin2", Username: "admin2", Role: hall.RoleAdmin}
	if _, err := f.desk.Approve(ctx, second, it.ID, 0); err != nil {
		t.Fatal(err)
	}
	rev2, err := f.desk.Publish(ctx, f.admin, it.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if rev2.Revision != 2 {
		t.Errorf("revision = %d, want 2", rev2.Revision)
	}
	got, err := f.store.Item(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Public; p.Revision != 2 || !p.FirstPublished.Equal(first) || p.Title != "征兵公告（更正）" {
		t.Errorf("row after publish: revision %d, first published %s, title %q; want 2, %s, the new title", p.Revision, p.FirstPublished, p.Title, first)
	}
}

func TestFullWidthNumbersAreRefused(t *testing.T) {
	cases := []struct {
		name  string
		item  hall.Item
		field string
		kind  string
	}{
		{"IDInBody", hall.Item{Title: "低保公示", Body: "申请人 张三，身份证 １１０１０５１９４９１２３１００２Ｘ"}, "body", "id_card"},
		{"MobileInTitle", hall.Item{Title: "联系电话１３８ ００１３ ８０００"}, "title", "mobile"},
		{"IDInFinanceLine", hall.Item{Title: "救助金发放", Finance: &hall.Finance{Currency: "CNY", Unit: "yuan",
			Lines: []hall.FinanceLine{{Code: "1", Name: "张三 １１０１０５１９４９１２３１００２Ｘ", Amount: 100}}}}, "finance.lines[0].name", "id_card"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			it := tc.item
			it.Category, it.Department = "conscription", "armed"
			if err := f.desk.CreateDraft(ctx, f.admin, &it); err != nil {
				t.Fatal(err)
			}
			sub, err := f.desk.Submit(ctx, f.admin, it.ID)
			if err != nil {
				t.Fatal(err)
			}
			second := &hall.User{ID: "us_admin2", Username: "admin2", Role: hall.RoleAdmin}
			if _, err := f.desk.Approve(ctx, second, it.ID, sub.Version); err != nil {
				t.Fatal(err)
			}
			_, err = f.desk.Publish(ctx, f.admin, it.ID, "")
			var herr *hall.Error
			if !errors.As(err, &herr) || herr.Code != hall.EValidation || herr.Field != tc.field {
				t.Fatalf("publish = %v, want a validation error on field %s", err, tc.field)
			}
			findings, _ := herr.Details.([]disclosure.PrivacyFinding)
			if len(findings) != 1 || findings[0].Kind != tc.kind {
				t.Errorf("findings %+v, want one %s", findings, tc.kind)
			}
			if n, err := f.store.ArchiveSize(ctx); err != nil || n != 0 {
				t.Errorf("archive size after refused publish = %d, %v; want 0", n, err)
			}
		})
	}
}

func TestRedactEarlierRevision(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	it := &hall.Item{Category: "conscription", Department: "armed", Title: "征兵体检名单", Body: "联系 13812345678"}
	if err := f.desk.CreateDraft(ctx, f.admin, it); err != nil {
		t.Fatal(err)
	}
	first, err := f.desk.Submit(ctx, f.admin, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Approve(ctx, &hall.User{ID: "us_admin2", Username: "admin2", Role: hall.RoleAdmin}, it.ID, first.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Publish(ctx, f.admin, it.ID, "误操作"); err != nil {
		t.Fatal(err)
	}
	if it, err = f.store.Item(ctx, it.ID); err != nil {
		t.Fatal(err)
	}
	it.Title, it.Body = "征兵体检名单（更正）", "联系 138****5678"
	if _, err := f.desk.UpdateDraft(ctx, f.admin, it.ID, it); err != nil {
		t.Fatal(err)
	}
	sub, err := f.desk.Submit(ctx, f.admin, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Approve(ctx, &hall.User{ID: "us_admin2", Username: "admin2", Role: hall.RoleAdmin}, it.ID, sub.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Publish(ctx, f.admin, it.ID, ""); err != nil {
		t.Fatal(err)
	}
	reviewer := &hall.User{ID: "us_r", Username: "li", Role: hall.RoleReviewer}
	if _, err := f.desk.Redact(ctx, reviewer, it.ID, 1, "含手机号码"); !hall.IsCode(err, hall.EForbidden) {
		t.Errorf("reviewer redacts: %v, want forbidden", err)
	}
	got, err := f.desk.Redact(ctx, f.admin, it.ID, 1, "含手机号码")
	if err != nil {
		t.Fatal(err)
	}
	// Revision 2 stays on show.
	if got.Status != hall.StatusPublished || got.Public.Revision != 2 || got.Public.Redacted || !got.Public.Live(f.clock.t) {
		t.Errorf("item after redacting revision 1: %+v %+v", got, got.Public)
	}
	if _, err := f.desk.Revision(ctx, it.ID, 1); !hall.IsCode(err, hall.EGone) || !strings.Contains(err.Error(), "含手机号码") {
		t.Errorf("revision 1: %v, want gone with the reason", err)
	}
	revs, _, err := f.desk.Revisions(ctx, it.ID)
	if err != nil || len(revs) != 2 || revs[0].Redacted == nil || revs[0].Body != "" || revs[1].Title != "征兵体检名单（更正）" {
		t.Errorf("revisions: %+v, %v", revs, err)
	}
	live, err := f.desk.Archive.PublicItems(ctx, hall.ItemFilter{LiveAt: f.clock.t})
	if err != nil || len(live) != 1 || live[0].Public.Title != "征兵体检名单（更正）" {
		t.Errorf("live items: %+v, %v", live, err)
	}
	if f.seen[len(f.seen)-1].Entry != hall.EntryRedact {
		t.Errorf("last change %+v, want a redact", f.seen[len(f.seen)-1])
	}
}

func TestRedactFormatOneRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	it := &hall.Item{Category: "conscription", Department: "armed", Title: "旧公告", Status: hall.StatusApproved}
	if err := f.desk.CreateDraft(ctx, f.admin, it); err != nil {
		t.Fatal(err)
	}
	at := f.clock.t.UTC()
	leaf := fmt.Sprintf(`{"v":1,"kind":"publish","item_id":%q,"revision":1,"at":%q,"content":{"id":%q,"revision":1,"category":"conscription","department":"armed","title":"旧公告","summary":"","body":"","body_html":"","assets":[],"published_at":%q,"page":"/p/%s","archive_index":0}}`,
		it.ID, at.Format(time.RFC3339Nano), it.ID, at.Format(time.RFC3339Nano), it.ID)
	e, err := hall.EntryFromLeaf(0, []byte(leaf))
	if err != nil {
		t.Fatal(err)
	}
	if it.Public, err = hall.NextPublicState(nil, e, nil); err != nil {
		t.Fatal(err)
	}
	it.Status = hall.StatusPublished
	if err := f.store.SaveWithEntry(ctx, it, e); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Redact(ctx, f.admin, it.ID, 1, "含个人信息"); !hall.IsCode(err, hall.EConflict) || !strings.Contains(err.Error(), "format 1") {
		t.Errorf("redact a format-1 revision: %v, want conflict", err)
	}
	if n, _ := f.store.ArchiveSize(ctx); n != 1 {
		t.Errorf("archive size %d after a refused redaction, want 1", n)
	}
}
