package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hallcast/hallcast/server/app"
	"github.com/hallcast/hallcast/server/hall"
)

// TestConsoleDashboard: the console opens on the dashboard, which lists a
// monthly disclosure last published 70 days ago as overdue and a screen
// that never connected as offline, each a link to the thing itself.
func TestConsoleDashboard(t *testing.T) {
	b := newBrowser(t)
	dir := t.TempDir()
	it := pastDisclosure(t, dir, 70, &hall.Item{Category: "finance", Department: "finance", Title: "上季度财务收支公开", Body: "收支明细。"})

	env := map[string]string{"HALLCAST_DATA": dir, "HALLCAST_ADMIN_PASSWORD": "a-long-test-password", "HALLCAST_OFFLINE_ALERT_AFTER": "1s"}
	base, _, _ := startServer(t, env)
	c := adminClient(t, base, env)
	screen, _ := newScreen(c, "东门条屏", "led")
	time.Sleep(1500 * time.Millisecond) // past --offline-alert-after

	p := b.tab(1440, 1000)
	loginConsole(p, base, "admin", "a-long-test-password")
	p.waitFor(10*time.Second, "the dashboard", `document.querySelector('#dashboard')`)
	if got := eval[bool](p, `!!document.querySelector('#dash-due tr.overdue[data-id="`+it.ID+`"]')`); !got {
		t.Errorf("the dashboard does not list %s as overdue: %s", it.ID, p.text("#dashboard"))
	}
	if got := eval[bool](p, `!!document.querySelector('#dash-screens_offline tr[data-id="`+screen+`"]')`); !got {
		t.Errorf("the dashboard does not list screen %s as offline: %s", screen, p.text("#dashboard"))
	}
	if got := eval[bool](p, `!!document.querySelector('.dash-warning[data-code="calendar_missing"]')`); got != (time.Now().Month() >= time.October) {
		t.Logf("calendar warning shown: %v", got)
	}
	viewShot(p, consoleShots(t), "console-dashboard.png", "#dashboard")

	p.click(`#dash-due tr[data-id="` + it.ID + `"] a`)
	p.waitFor(10*time.Second, "the item", `location.hash === "#items/`+it.ID+`" && !!document.querySelector('#item-form')`)
}

// pastDisclosure makes a deployment in dir as it stood daysAgo days ago: the
// finance department and its monthly category, and it published through the
// workflow then. The deployment is closed again, for serve to open.
func pastDisclosure(t *testing.T, dir string, daysAgo int, it *hall.Item) *hall.Item {
	t.Helper()
	ctx := context.Background()
	past := time.Now().AddDate(0, 0, -daysAgo)
	a, err := open(ctx, &storeConfig{dataDir: dir, store: "sqlite"}, slog.New(slog.DiscardHandler), prometheus.NewRegistry(),
		func(c *app.Config) { c.Now = func() time.Time { return past } })
	if err != nil {
		t.Fatal(err)
	}
	defer a.store.Close()
	if err := a.store.PutDepartment(ctx, &hall.Department{Key: "finance", Name: hall.Text{ZH: "财政所", EN: "Finance Office"}}); err != nil {
		t.Fatal(err)
	}
	if err := a.store.PutCategory(ctx, &hall.Category{Key: "finance", Name: hall.Text{ZH: "财务公开"}, Cadence: hall.CadenceMonthly, Group: hall.GroupFinance}); err != nil {
		t.Fatal(err)
	}
	editor := &hall.User{Username: "zhang", Role: hall.RoleEditor, Departments: []string{"finance"}}
	reviewer := &hall.User{Username: "wang", Role: hall.RoleReviewer}
	if err := a.svc.Desk.CreateDraft(ctx, editor, it); err != nil {
		t.Fatal(err)
	}
	sub, err := a.svc.Desk.Submit(ctx, editor, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.Desk.Approve(ctx, reviewer, it.ID, sub.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.Desk.Publish(ctx, reviewer, it.ID, ""); err != nil {
		t.Fatal(err)
	}
	return it
}
