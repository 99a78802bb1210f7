package dashboard_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/app"
	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/dashboard"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/poll"
	"github.com/hallcast/hallcast/server/signage"
	"github.com/hallcast/hallcast/server/sqlite"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

type fixture struct {
	store *sqlite.Store
	svc   *app.Services
	clock *clock
	hall  string
}

var (
	cst      = time.FixedZone("CST", 8*3600)
	admin    = &hall.User{Username: "admin", Role: hall.RoleAdmin}
	drafter  = &hall.User{Username: "zhang", Role: hall.RoleEditor, Departments: []string{"finance"}}
	builder  = &hall.User{Username: "li", Role: hall.RoleEditor, Departments: []string{"construction"}}
	reviewer = &hall.User{Username: "wang", Role: hall.RoleReviewer}
)

func newFixture(t *testing.T, start time.Time) *fixture {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "hallcast.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	signer, verifier, _, err := archive.LoadOrCreateKey(dir, "hallcast.test")
	if err != nil {
		t.Fatal(err)
	}
	alog, err := archive.Open(ctx, archive.Config{Store: store, Signer: signer, Verifier: verifier, Origin: "hallcast.test"})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: start}
	svc := app.New(app.Config{Store: store, Archive: alog, Hasher: auth.Hasher{Memory: 64, Time: 1, Threads: 1},
		MediaDir: filepath.Join(dir, "media"), Now: c.Now, OfflineAfter: 10 * time.Minute})
	for _, d := range []string{"finance", "construction"} {
		if err := store.PutDepartment(ctx, &hall.Department{Key: d, Name: hall.Text{ZH: d}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, cat := range []hall.Category{{Key: "finance", Name: hall.Text{ZH: "财务公开"}, Cadence: hall.CadenceMonthly},
		{Key: "construction", Name: hall.Text{ZH: "城镇建设"}, Cadence: hall.CadenceOnce}} {
		if err := store.PutCategory(ctx, &cat); err != nil {
			t.Fatal(err)
		}
	}
	h, err := svc.Signage.CreateHall(ctx, admin, signage.HallInput{Name: "城关镇便民服务中心"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{store: store, svc: svc, clock: c, hall: h.ID}
}

// draft creates an item as the editor and takes it to status.
func (f *fixture) draft(t *testing.T, editor *hall.User, category, title string, to hall.Status) string {
	t.Helper()
	ctx := t.Context()
	it := &hall.Item{Category: category, Department: editor.Departments[0], Title: title, Body: "正文"}
	if err := f.svc.Desk.CreateDraft(ctx, editor, it); err != nil {
		t.Fatal(err)
	}
	if to == hall.StatusDraft {
		return it.ID
	}
	sub, err := f.svc.Desk.Submit(ctx, editor, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if to == hall.StatusSubmitted {
		return it.ID
	}
	if _, err := f.svc.Desk.Approve(ctx, reviewer, it.ID, sub.Version); err != nil {
		t.Fatal(err)
	}
	if to == hall.StatusApproved {
		return it.ID
	}
	if _, err := f.svc.Desk.Publish(ctx, reviewer, it.ID, ""); err != nil {
		t.Fatal(err)
	}
	return it.ID
}

// TestDashboard: a monthly disclosure published on 1 October is overdue on
// 20 November; a draft submitted for review waits; a screen that never
// connected is offline; the calendar lacks 2027. Each list is scoped to the
// caller: another department's editor sees none of these items, and
// editors do not see screens, feedback or cases.
func TestDashboard(t *testing.T) {
	f := newFixture(t, time.Date(2026, 10, 1, 9, 0, 0, 0, cst))
	ctx := t.Context()
	monthly := f.draft(t, drafter, "finance", "2026年9月财务收支", hall.StatusPublished)
	once := f.draft(t, builder, "construction", "道路硬化工程", hall.StatusPublished) // once: never due again

	f.clock.Set(time.Date(2026, 11, 20, 9, 0, 0, 0, cst))
	waiting := f.draft(t, drafter, "finance", "2026年10月财务收支", hall.StatusSubmitted)
	sc, _, err := f.svc.Signage.CreateScreen(ctx, admin, signage.ScreenInput{Name: "大厅LED主屏", Kind: hall.KindLED, HallID: f.hall})
	if err != nil {
		t.Fatal(err)
	}
	fresh := f.clock.Now()

	f.clock.Set(fresh.Add(5 * time.Minute))
	d, err := f.svc.Dashboard.Get(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.ScreensOffline) != 0 {
		t.Errorf("a screen created 5 minutes ago is listed offline (threshold 10 min): %+v", d.ScreensOffline)
	}

	f.clock.Set(fresh.Add(time.Hour))
	d, err = f.svc.Dashboard.Get(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.ScreensOffline) != 1 || d.ScreensOffline[0].ID != sc.ID || d.ScreensOffline[0].OfflineS != 3600 || d.ScreensOffline[0].LastSeen != nil {
		t.Errorf("offline screens: %+v, want %s offline for 3600 s, never seen", d.ScreensOffline, sc.ID)
	}
	if len(d.Due) != 1 || d.Due[0].ID != monthly || !d.Due[0].Overdue || d.Due[0].Href != "#items/"+monthly {
		t.Errorf("due: %+v, want only %s, overdue (not %s, a one-off)", d.Due, monthly, once)
	}
	if len(d.Review) != 1 || d.Review[0].ID != waiting || d.Review[0].Status != hall.StatusSubmitted {
		t.Errorf("review: %+v, want %s submitted", d.Review, waiting)
	}
	var warned bool
	for _, w := range d.Warnings {
		warned = warned || (w.Code == "calendar_missing" && w.Year == 2027)
	}
	if !warned {
		t.Errorf("warnings %+v: want calendar_missing for 2027 in November 2026", d.Warnings)
	}

	other, err := f.svc.Dashboard.Get(ctx, builder)
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Due) != 0 || len(other.Review) != 0 || len(other.ScreensOffline) != 0 {
		t.Errorf("the construction editor sees finance's items or the screens: due %+v review %+v screens %+v", other.Due, other.Review, other.ScreensOffline)
	}
	if strings.Join(other.Hidden, ",") != "screens_offline,cases,feedback" {
		t.Errorf("hidden for an editor: %q", other.Hidden)
	}
	mine, err := f.svc.Dashboard.Get(ctx, drafter)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine.Due) != 1 || len(mine.Review) != 1 {
		t.Errorf("the finance editor's dashboard: due %+v review %+v", mine.Due, mine.Review)
	}
	if _, err := f.svc.Dashboard.Get(ctx, &hall.User{Username: "x"}); !hall.IsCode(err, hall.EForbidden) {
		t.Errorf("a user without a staff role: %v, want forbidden", err)
	}
}

// TestWebhook: a screen offline too long is posted once, retried after a
// failure, the delivery audited; checking again (as a second replica would)
// posts nothing more.
func TestWebhook(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 20, 9, 0, 0, 0, cst))
	ctx := t.Context()
	sc, _, err := f.svc.Signage.CreateScreen(ctx, admin, signage.ScreenInput{Name: "东门条屏", Kind: hall.KindLED, HallID: f.hall})
	if err != nil {
		t.Fatal(err)
	}
	var (
		calls atomic.Int32
		mu    sync.Mutex
		got   []dashboard.OfflineEvent
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var ev dashboard.OfflineEvent
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("webhook body: %v", err)
		}
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	}))
	defer srv.Close()
	hook := func() *dashboard.Webhook {
		return &dashboard.Webhook{URL: srv.URL, After: 10 * time.Minute, Screens: f.svc.Signage, Limits: f.store, Audit: f.store,
			Now: f.clock.Now, Backoff: 10 * time.Millisecond, Attempts: 3}
	}
	if err := hook().Check(ctx); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(f.clock.Now().Add(11 * time.Minute))
	for range 2 { // two replicas notice it
		if err := hook().Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	poll.Until(t, 5*time.Second, "the delivery audited", func() (bool, string) {
		entries, err := f.store.ListAudit(ctx, hall.AuditFilter{Action: "webhook.screen_offline"})
		if err != nil || len(entries) == 0 {
			return false, "no audit entry"
		}
		return strings.Contains(entries[0].Detail, "HTTP 200, attempt 2") && entries[0].Target == sc.ID, entries[0].Detail
	})
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Event != "screen_offline" || got[0].Screen.ID != sc.ID || got[0].OfflineS != 660 {
		t.Errorf("delivered %+v, want one screen_offline of %s, 660 s", got, sc.ID)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d requests, want 2 (a failure, then the delivery)", n)
	}
}
