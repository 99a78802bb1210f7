package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/storecopy"
)

// DumpStore is a store that can be dumped and loaded (every backend).
type DumpStore interface {
	hall.Store
	hall.Dumper
	hall.Loader
}

// RunDumpLoad fills a store from newSource with a record of every kind,
// copies it with storecopy.Copy into an empty store from newTarget, and
// checks that the target reads back the same through hall.Store: every
// listing and every record, the archive leaf by leaf, the audit log with
// its ids. It also checks that a target that is not empty is refused with
// nothing written.
func RunDumpLoad(t *testing.T, newSource, newTarget func(t *testing.T) DumpStore) {
	ctx := t.Context()
	src := newSource(t)
	fillDeployment(t, src)

	dst := newTarget(t)
	counts, err := storecopy.Copy(ctx, src, dst, nil)
	mustOK(t, err, "Copy")
	for kind, want := range map[string]int{
		hall.KindUsers: 2, hall.KindTokens: 1, hall.KindDepartments: 1, hall.KindHalls: 2, hall.KindCategories: 1,
		hall.KindMatters: 1, hall.KindCalendar: 1, hall.KindSettings: 2, hall.KindItems: 4, hall.KindArchive: 6, hall.KindCheckpoints: 1,
		hall.KindScreens: 3, hall.KindPairings: 1, hall.KindPlaylists: 1, hall.KindSchedules: 1,
		hall.KindInterrupts: 2, hall.KindMedia: 1, hall.KindEvents: 2506, hall.KindFeedback: 3, hall.KindCases: 2,
	} {
		if counts[kind] != want {
			t.Errorf("copied %d %s, want %d", counts[kind], kind, want)
		}
	}
	if counts[hall.KindAudit] < 5 {
		t.Errorf("copied %d audit entries, want at least 5", counts[hall.KindAudit])
	}
	sameDeployment(t, src, dst)

	// A second copy into the now full target is refused and writes nothing.
	before, err := dst.CountEvents(ctx, "")
	mustOK(t, err, "CountEvents")
	_, err = storecopy.Copy(ctx, src, dst, nil)
	wantCode(t, err, hall.EConflict, "Copy into a store that is not empty")
	after, err := dst.CountEvents(ctx, "")
	mustOK(t, err, "CountEvents")
	if after != before {
		t.Errorf("refused copy changed the events: %d, then %d", before, after)
	}

	// Any record makes a store not empty, a lone audit entry too.
	lone := newTarget(t)
	mustOK(t, lone.AppendAudit(ctx, &hall.AuditEntry{At: t0, Actor: "system", Action: "test"}), "AppendAudit")
	wantCode(t, lone.CheckEmpty(ctx), hall.EConflict, "CheckEmpty with an audit entry")
	mustOK(t, newTarget(t).CheckEmpty(ctx), "CheckEmpty of a new store")
}

// fillDeployment writes a small deployment with every kind of record.
func fillDeployment(t *testing.T, s hall.Store) {
	ctx := t.Context()
	audited := func(action, target string) contextLike {
		return hall.WithAudit(ctx, &hall.AuditEntry{At: t0, Actor: "admin", Action: action, Target: target, RemoteIP: "10.0.0.1"})
	}
	admin := &hall.User{ID: "us_admin", Username: "admin", Role: hall.RoleAdmin, PasswordHash: "$argon2id$admin", CreatedAt: t0.In(cst)}
	mustOK(t, s.CreateUser(audited("user.add", "us_admin"), admin), "CreateUser")
	gone := &hall.User{ID: "us_gone", Username: "gone", Role: hall.RoleEditor, Departments: []string{"caizheng"},
		PasswordHash: "$argon2id$gone", CreatedAt: t0}
	mustOK(t, s.CreateUser(ctx, gone), "CreateUser")
	mustOK(t, s.SetUserDisabled(ctx, gone.ID, true), "SetUserDisabled")
	mustOK(t, s.CreateToken(ctx, &hall.APIToken{ID: "tk_1", UserID: admin.ID, Name: "import", Hash: "tokhash",
		CreatedAt: t0, LastUsed: ptr(at(time.Hour)), ExpiresAt: ptr(at(90 * 24 * time.Hour))}), "CreateToken")
	mustOK(t, s.CreateSession(ctx, &hall.Session{TokenHash: "sess", UserID: admin.ID, CreatedAt: t0, ExpiresAt: at(time.Hour)}), "CreateSession")

	mustOK(t, s.PutDepartment(ctx, &hall.Department{Key: "caizheng", Name: hall.Text{ZH: "财政所", EN: "Finance"}}), "PutDepartment")
	h := mustHall(t, s, "hl_main")
	mustOK(t, s.CreateHall(ctx, &hall.Hall{ID: "hl_village", Name: "河西村", TZ: "Asia/Shanghai", Kind: hall.HallVillage,
		Parent: h.ID, CreatedAt: t0}), "CreateHall village")
	mustOK(t, s.PutCategory(ctx, &hall.Category{Key: "finance", Name: hall.Text{ZH: "财务公开"}, Cadence: hall.CadenceMonthly,
		Sort: 2, Departments: []string{"caizheng"}}), "PutCategory")
	mustOK(t, s.CreateMatter(ctx, &hall.Matter{ID: "mt_budget", Title: "预算", CreatedAt: t0}), "CreateMatter")
	mustOK(t, s.PutCalendarYear(ctx, 2025, []byte(`{"year":2025,"holidays":["2025-10-01"]}`)), "PutCalendarYear")
	mustOK(t, s.PutSetting(ctx, "scorecard.rules", []byte(`{"on_time":40,"feedback":30}`)), "PutSetting")
	mustOK(t, s.PutSetting(ctx, "hall.motto", []byte(`"为民服务"`)), "PutSetting")

	// Items: one published twice then withdrawn, one published, one draft.
	it := fullItem()
	it.ID = "it_a"
	it.CreatedAt, it.UpdatedAt = t0, t0
	mustOK(t, s.CreateItem(audited("item.create", "it_a"), it), "CreateItem")
	for rev := 1; rev <= 2; rev++ {
		e := publishEntry(t, it, rev, at(time.Duration(rev)*time.Hour))
		it.Public.Index = index(it.Title, "财政 收支", fmt.Sprint(rev))
		mustOK(t, s.SaveWithEntry(ctx, it, e), "SaveWithEntry")
	}
	e, err := hall.NewStateEntry(hall.EntryWithdraw, it.ID, 2, at(3*time.Hour), "superseded")
	mustOK(t, err, "NewStateEntry")
	it.Status, it.Public.WithdrawnAt, it.Public.WithdrawReason = hall.StatusWithdrawn, ptr(at(3*time.Hour)), "superseded"
	mustOK(t, s.SaveWithEntry(ctx, it, e), "SaveWithEntry withdraw")
	b := mustItem(t, s, "it_b", "低保名单公示")
	b.Hall = "hl_village"
	mustOK(t, s.UpdateItem(ctx, b), "UpdateItem it_b")
	e = publishEntry(t, b, 1, at(4*time.Hour))
	b.Public.Index = index("低保 名单 公示", "dibao")
	b.Public.Hall = "hl_village"
	mustOK(t, s.SaveWithEntry(ctx, b, e), "SaveWithEntry it_b")
	c := mustItem(t, s, "it_c", "草稿")
	c.Status, c.Returned = hall.StatusDraft, &hall.ReturnNote{By: "admin", At: at(time.Hour), Comment: "请补充附件"}
	mustOK(t, s.UpdateItem(ctx, c), "UpdateItem it_c")
	mustOK(t, s.SaveCheckpoint(ctx, &hall.Checkpoint{Size: 4, Root: "cm9vdA==", Note: "hallcast.archive\n4\nroot\n", At: at(5 * time.Hour)}), "SaveCheckpoint")
	// One redacted: its leaf stays, its content and salt are gone.
	d := mustItem(t, s, "it_d", "误发名单")
	pd := publishEntry(t, d, 1, at(6*time.Hour))
	mustOK(t, s.SaveWithEntry(ctx, d, pd), "SaveWithEntry it_d")
	red, err := hall.NewStateEntry(hall.EntryRedact, d.ID, 1, at(7*time.Hour), "个人信息")
	mustOK(t, err, "NewStateEntry redact")
	redacted := at(7 * time.Hour)
	d.Status = hall.StatusWithdrawn
	d.Public = &hall.PublicState{Revision: 1, ArchiveIndex: pd.Index, PublishedAt: at(6 * time.Hour), FirstPublished: at(6 * time.Hour),
		Redacted: true, RedactReason: "个人信息", WithdrawnAt: &redacted, WithdrawReason: "个人信息"}
	mustOK(t, s.RedactRevision(ctx, d, red), "RedactRevision it_d")

	// Screens: one live, one revoked, one from a pairing.
	sc := mustScreen(t, s, h.ID, "lobby-led")
	mustOK(t, s.SaveScreenStatus(ctx, sc.ID, at(time.Minute), "v1.2", &hall.Showing{ItemID: "it_b", Revision: 1}), "SaveScreenStatus")
	old := mustScreen(t, s, h.ID, "old-led")
	mustOK(t, s.RevokeScreen(ctx, old.ID, at(2*time.Minute)), "RevokeScreen")
	p := &hall.Pairing{ID: "pr_1", Code: "123456", SecretHash: "secret", ExpiresAt: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
	mustOK(t, s.CreatePairing(ctx, p), "CreatePairing")
	kiosk := &hall.Screen{ID: "sc_kiosk", Name: "kiosk", Kind: hall.KindKiosk, HallID: h.ID, TokenHash: "hash-kiosk", CreatedAt: t0}
	mustOK(t, s.ClaimPairing(ctx, p.ID, kiosk, "screen-token", time.Now()), "ClaimPairing")
	mustOK(t, s.PutPlaylist(ctx, &hall.Playlist{ID: "pl_1", Name: "默认", Entries: []hall.PlaylistEntry{{ItemID: "it_b", DurationS: 20}}, UpdatedAt: t0}), "PutPlaylist")
	mustOK(t, s.PutSchedule(ctx, &hall.Schedule{ID: "sd_1", PlaylistID: "pl_1", Target: hall.Target{Halls: []string{h.ID}},
		Days: []int{1, 2, 3}, Start: "08:00", End: "17:30", Priority: 1, UpdatedAt: t0}), "PutSchedule")
	mustOK(t, s.CreateInterrupt(ctx, &hall.Interrupt{ID: "ir_1", Target: hall.Target{}, Level: hall.LevelUrgent, Text: "停电",
		Until: at(time.Hour), CreatedBy: "admin", CreatedAt: t0}), "CreateInterrupt")
	mustOK(t, s.CreateInterrupt(ctx, &hall.Interrupt{ID: "ir_2", Target: hall.Target{Screens: []string{sc.ID}}, Level: hall.LevelInfo,
		ItemID: "it_b", Until: at(2 * time.Hour), CreatedBy: "admin", CreatedAt: at(time.Minute)}), "CreateInterrupt")
	mustOK(t, s.ClearInterrupt(ctx, "ir_2", at(3*time.Minute)), "ClearInterrupt")
	mustOK(t, s.PutMedia(ctx, &hall.Media{SHA256: "ab12", Type: "image", MIME: "image/png", Size: 1234, Name: "map.png",
		CreatedBy: "admin", CreatedAt: t0}), "PutMedia")

	// Events: more than a batch of impressions, feedback, ratings.
	var events []*hall.Event
	for i := range 2500 {
		e := impression(fmt.Sprintf("ev_%05d", i), i)
		e.ItemID, e.Revision = "it_b", 1
		events = append(events, e)
	}
	events = append(events,
		feedbackEvent("fb_1", 1, "it_b", "窗口太少"), feedbackEvent("fb_2", 2, "", "谢谢"), feedbackEvent("fb_3", 3, "", "建议"),
		ratingEvent("rt_1", 4, "item:it_b", 1, false, `{"aspects":["wait"]}`), ratingEvent("rt_2", 5, "window:3", 2, false, ""),
		ratingEvent("rt_3", 6, "window:3", 5, false, ""))
	_, err = s.InsertEvents(ctx, events)
	mustOK(t, err, "InsertEvents")
	mustOK(t, s.ReplyFeedback(ctx, "fb_1", &hall.Reply{Text: "已增开窗口", Public: true, By: "admin", At: at(time.Hour)}), "ReplyFeedback")
	mustOK(t, s.ReplyFeedback(ctx, "fb_2", &hall.Reply{Text: "不客气", By: "admin", At: at(time.Hour)}), "ReplyFeedback")
	mustOK(t, s.ResolveCase(ctx, "rt_1", "admin", "已处理", at(2*time.Hour)), "ResolveCase")
	for i := range 3 {
		mustOK(t, s.AppendAudit(ctx, &hall.AuditEntry{At: at(time.Duration(i) * time.Second), Actor: "system",
			Action: "archive.checkpoint", Detail: fmt.Sprint(i)}), "AppendAudit")
	}
}

// sameDeployment checks that b reads back everything a holds.
func sameDeployment(t *testing.T, a, b hall.Store) {
	ctx := t.Context()
	check := func(what string, read func(s hall.Store) (any, error)) {
		t.Helper()
		want, err := read(a)
		mustOK(t, err, what+" on the source")
		got, err := read(b)
		mustOK(t, err, what+" on the target")
		same(t, what, got, want)
	}
	check("ListUsers", func(s hall.Store) (any, error) { return s.ListUsers(ctx) })
	check("UserByName gone", func(s hall.Store) (any, error) { return s.UserByName(ctx, "gone") })
	check("ListTokens", func(s hall.Store) (any, error) { return s.ListTokens(ctx, "") })
	check("TokenByHash", func(s hall.Store) (any, error) { return s.TokenByHash(ctx, "tokhash") })
	check("ListDepartments", func(s hall.Store) (any, error) { return s.ListDepartments(ctx) })
	check("ListHalls", func(s hall.Store) (any, error) { return s.ListHalls(ctx) })
	check("ListCategories", func(s hall.Store) (any, error) { return s.ListCategories(ctx) })
	check("ListMatters", func(s hall.Store) (any, error) { return s.ListMatters(ctx) })
	check("CalendarYears", func(s hall.Store) (any, error) { return s.CalendarYears(ctx) })
	check("Settings", func(s hall.Store) (any, error) { return s.Settings(ctx) })
	for _, id := range []string{"it_a", "it_b", "it_c"} {
		check("Item "+id, func(s hall.Store) (any, error) { return s.Item(ctx, id) })
		check("ItemEntries "+id, func(s hall.Store) (any, error) { return s.ItemEntries(ctx, id) })
	}
	check("ListItems", func(s hall.Store) (any, error) { return s.ListItems(ctx, hall.ItemFilter{}) })
	check("ListItems public", func(s hall.Store) (any, error) { return s.ListItems(ctx, hall.ItemFilter{Public: true}) })
	check("ListItems search", func(s hall.Store) (any, error) {
		return s.ListItems(ctx, hall.ItemFilter{Public: true, Q: "低保"})
	})
	if got, err := b.ListItems(ctx, hall.ItemFilter{Public: true, Q: "低保"}); err != nil || len(got) != 1 {
		t.Errorf("public search on the target: got %d items, %v; want 1", len(got), err)
	}
	check("RevisionEntry", func(s hall.Store) (any, error) { return s.RevisionEntry(ctx, "it_a", 2) })
	check("RevisionEntry redacted", func(s hall.Store) (any, error) { return s.RevisionEntry(ctx, "it_d", 1) })
	check("Item redacted", func(s hall.Store) (any, error) { return s.Item(ctx, "it_d") })
	check("ArchiveSize", func(s hall.Store) (any, error) { return s.ArchiveSize(ctx) })
	check("ArchiveEntries", func(s hall.Store) (any, error) { return s.ArchiveEntries(ctx, 0, 100) })
	check("Checkpoints", func(s hall.Store) (any, error) { return s.Checkpoints(ctx) })
	check("ListScreens", func(s hall.Store) (any, error) { return s.ListScreens(ctx) })
	check("revoked screen", func(s hall.Store) (any, error) { return s.ScreenByTokenHash(ctx, "hash-old-led") })
	check("Pairing", func(s hall.Store) (any, error) { return s.Pairing(ctx, "pr_1") })
	check("ListPlaylists", func(s hall.Store) (any, error) { return s.ListPlaylists(ctx) })
	check("ListSchedules", func(s hall.Store) (any, error) { return s.ListSchedules(ctx) })
	check("ListInterrupts", func(s hall.Store) (any, error) { return s.ListInterrupts(ctx, time.Time{}) })
	check("Media", func(s hall.Store) (any, error) { return s.Media(ctx, "ab12") })
	check("CountEvents", func(s hall.Store) (any, error) { return s.CountEvents(ctx, "") })
	check("CountEvents rating", func(s hall.Store) (any, error) { return s.CountEvents(ctx, hall.EventRating) })
	check("ListEvents", func(s hall.Store) (any, error) {
		return s.ListEvents(ctx, hall.EventImpression, time.Time{}, time.Time{}, 1000)
	})
	check("ListFeedback", func(s hall.Store) (any, error) { return s.ListFeedback(ctx, "", 100) })
	check("ListFeedback open", func(s hall.Store) (any, error) { return s.ListFeedback(ctx, "open", 100) })
	check("PublicReplies", func(s hall.Store) (any, error) { return s.PublicReplies(ctx, 100) })
	check("FeedbackByReceipt", func(s hall.Store) (any, error) { return s.FeedbackByReceipt(ctx, hall.Receipt("fb_2")) })
	check("ListCases", func(s hall.Store) (any, error) { return s.ListCases(ctx, "", 100) })
	check("ListCases open", func(s hall.Store) (any, error) { return s.ListCases(ctx, "open", 100) })
	check("Engagement", func(s hall.Store) (any, error) {
		return s.Engagement(ctx, time.Time{}, time.Time{}, hall.ByItem, 8*3600)
	})
	check("ListAudit", func(s hall.Store) (any, error) { return s.ListAudit(ctx, hall.AuditFilter{Limit: 1000}) })
	check("ListAudit by actor", func(s hall.Store) (any, error) { return s.ListAudit(ctx, hall.AuditFilter{Actor: "system"}) })
	if _, err := b.SessionByHash(ctx, "sess"); hall.ErrorCode(err) != hall.ENotFound {
		t.Errorf("session on the target: got %v, want ENotFound (sessions are not copied)", err)
	}
	// The target keeps counting audit ids after the copied ones.
	list, err := a.ListAudit(ctx, hall.AuditFilter{Limit: 1000})
	mustOK(t, err, "ListAudit")
	e := &hall.AuditEntry{At: at(time.Hour), Actor: "system", Action: "after"}
	mustOK(t, b.AppendAudit(ctx, e), "AppendAudit on the target")
	if e.ID != int64(len(list))+1 {
		t.Errorf("audit id after the copy: got %d, want %d", e.ID, len(list)+1)
	}
}
