package disclosure_test

import (
	"context"
	"log/slog"
	"path/filepath"
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
	f.clock.t = until.Add(time.Minute)
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
	if len(entries) != 2 || entries[1].Kind != hall.EntryExpire || !entries[1].At.Equal(until) {
		t.Fatalf("archive entries %+v, want publish then expire at valid_until", entries)
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
