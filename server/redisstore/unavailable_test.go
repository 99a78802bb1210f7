package redisstore

import (
	"context"
	"errors"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// storeCalls calls every method of hall.Store but Close once, with valid
// arguments.
func storeCalls() map[string]func(ctx context.Context, s *Store) error {
	t0 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	item := &hall.Item{ID: "it_x", Category: "finance", Department: "caizheng", Title: "x", Version: 1,
		Public: &hall.PublicState{Revision: 1}}
	entry, _ := hall.NewPublishEntry(&hall.Revision{ID: "it_x", Revision: 1, PublishedAt: t0})
	ev := &hall.Event{ID: "ev-1", Kind: hall.EventImpression, At: t0, ScreenID: "sc_1", ReceivedAt: t0, ItemID: "it_x"}
	err1 := func(_ any, err error) error { return err }
	return map[string]func(ctx context.Context, s *Store) error{
		"CreateUser":      func(ctx context.Context, s *Store) error { return s.CreateUser(ctx, &hall.User{Username: "u"}) },
		"UpdateUser":      func(ctx context.Context, s *Store) error { return s.UpdateUser(ctx, &hall.User{ID: "us_1"}) },
		"SetPassword":     func(ctx context.Context, s *Store) error { return s.SetPassword(ctx, "us_1", "h", "") },
		"SetUserDisabled": func(ctx context.Context, s *Store) error { return s.SetUserDisabled(ctx, "us_1", true) },
		"UserByID":        func(ctx context.Context, s *Store) error { return err1(s.UserByID(ctx, "us_1")) },
		"UserByName":      func(ctx context.Context, s *Store) error { return err1(s.UserByName(ctx, "u")) },
		"ListUsers":       func(ctx context.Context, s *Store) error { return err1(s.ListUsers(ctx)) },
		"CountUsers":      func(ctx context.Context, s *Store) error { return err1(s.CountUsers(ctx)) },
		"CreateSession": func(ctx context.Context, s *Store) error {
			return s.CreateSession(ctx, &hall.Session{TokenHash: "h", UserID: "us_1"})
		},
		"SessionByHash":         func(ctx context.Context, s *Store) error { return err1(s.SessionByHash(ctx, "h")) },
		"DeleteSession":         func(ctx context.Context, s *Store) error { return s.DeleteSession(ctx, "h") },
		"DeleteUserSessions":    func(ctx context.Context, s *Store) error { return s.DeleteUserSessions(ctx, "us_1") },
		"DeleteExpiredSessions": func(ctx context.Context, s *Store) error { return err1(s.DeleteExpiredSessions(ctx, t0)) },
		"CreateToken": func(ctx context.Context, s *Store) error {
			return s.CreateToken(ctx, &hall.APIToken{UserID: "us_1", Hash: "h"})
		},
		"TokenByHash":     func(ctx context.Context, s *Store) error { return err1(s.TokenByHash(ctx, "h")) },
		"TouchToken":      func(ctx context.Context, s *Store) error { return s.TouchToken(ctx, "tk_1", t0) },
		"ListTokens":      func(ctx context.Context, s *Store) error { return err1(s.ListTokens(ctx, "")) },
		"DeleteToken":     func(ctx context.Context, s *Store) error { return s.DeleteToken(ctx, "tk_1") },
		"PutDepartment":   func(ctx context.Context, s *Store) error { return s.PutDepartment(ctx, &hall.Department{Key: "d"}) },
		"Department":      func(ctx context.Context, s *Store) error { return err1(s.Department(ctx, "d")) },
		"ListDepartments": func(ctx context.Context, s *Store) error { return err1(s.ListDepartments(ctx)) },
		"CreateHall":      func(ctx context.Context, s *Store) error { return s.CreateHall(ctx, &hall.Hall{Name: "h"}) },
		"UpdateHall":      func(ctx context.Context, s *Store) error { return s.UpdateHall(ctx, &hall.Hall{ID: "hl_1"}) },
		"Hall":            func(ctx context.Context, s *Store) error { return err1(s.Hall(ctx, "hl_1")) },
		"ListHalls":       func(ctx context.Context, s *Store) error { return err1(s.ListHalls(ctx)) },
		"PutCategory":     func(ctx context.Context, s *Store) error { return s.PutCategory(ctx, &hall.Category{Key: "c"}) },
		"Category":        func(ctx context.Context, s *Store) error { return err1(s.Category(ctx, "c")) },
		"ListCategories":  func(ctx context.Context, s *Store) error { return err1(s.ListCategories(ctx)) },
		"CreateMatter":    func(ctx context.Context, s *Store) error { return s.CreateMatter(ctx, &hall.Matter{Title: "m"}) },
		"Matter":          func(ctx context.Context, s *Store) error { return err1(s.Matter(ctx, "mt_1")) },
		"ListMatters":     func(ctx context.Context, s *Store) error { return err1(s.ListMatters(ctx)) },
		"CreateItem":      func(ctx context.Context, s *Store) error { return s.CreateItem(ctx, &hall.Item{Title: "x"}) },
		"Item":            func(ctx context.Context, s *Store) error { return err1(s.Item(ctx, "it_x")) },
		"UpdateItem":      func(ctx context.Context, s *Store) error { c := *item; return s.UpdateItem(ctx, &c) },
		"ListItems":       func(ctx context.Context, s *Store) error { return err1(s.ListItems(ctx, hall.ItemFilter{})) },
		"SaveWithEntry":   func(ctx context.Context, s *Store) error { c, e := *item, *entry; return s.SaveWithEntry(ctx, &c, &e) },
		"RedactRevision": func(ctx context.Context, s *Store) error {
			c := *item
			e, err := hall.NewStateEntry(hall.EntryRedact, c.ID, 1, c.UpdatedAt, "x")
			if err != nil {
				return err
			}
			return s.RedactRevision(ctx, &c, e)
		},
		"ArchiveSize":      func(ctx context.Context, s *Store) error { return err1(s.ArchiveSize(ctx)) },
		"ArchiveEntries":   func(ctx context.Context, s *Store) error { return err1(s.ArchiveEntries(ctx, 0, 10)) },
		"ItemEntries":      func(ctx context.Context, s *Store) error { return err1(s.ItemEntries(ctx, "it_x")) },
		"RevisionEntry":    func(ctx context.Context, s *Store) error { return err1(s.RevisionEntry(ctx, "it_x", 1)) },
		"SaveCheckpoint":   func(ctx context.Context, s *Store) error { return s.SaveCheckpoint(ctx, &hall.Checkpoint{Size: 1}) },
		"Checkpoints":      func(ctx context.Context, s *Store) error { return err1(s.Checkpoints(ctx)) },
		"LatestCheckpoint": func(ctx context.Context, s *Store) error { return err1(s.LatestCheckpoint(ctx)) },
		"CalendarYear":     func(ctx context.Context, s *Store) error { return err1(s.CalendarYear(ctx, 2026)) },
		"PutCalendarYear":  func(ctx context.Context, s *Store) error { return s.PutCalendarYear(ctx, 2026, []byte("{}")) },
		"CalendarYears":    func(ctx context.Context, s *Store) error { return err1(s.CalendarYears(ctx)) },
		"Setting":          func(ctx context.Context, s *Store) error { return err1(s.Setting(ctx, "k")) },
		"PutSetting":       func(ctx context.Context, s *Store) error { return s.PutSetting(ctx, "k", []byte("{}")) },
		"Settings":         func(ctx context.Context, s *Store) error { return err1(s.Settings(ctx)) },
		"AppendAudit": func(ctx context.Context, s *Store) error {
			return s.AppendAudit(ctx, &hall.AuditEntry{At: t0, Actor: "a", Action: "x"})
		},
		"ListAudit": func(ctx context.Context, s *Store) error { return err1(s.ListAudit(ctx, hall.AuditFilter{})) },
		"CreateScreen": func(ctx context.Context, s *Store) error {
			return s.CreateScreen(ctx, &hall.Screen{Name: "s", Kind: hall.KindLED, HallID: "hl_1", TokenHash: "t"})
		},
		"Screen":            func(ctx context.Context, s *Store) error { return err1(s.Screen(ctx, "sc_1")) },
		"ScreenByTokenHash": func(ctx context.Context, s *Store) error { return err1(s.ScreenByTokenHash(ctx, "t")) },
		"ListScreens":       func(ctx context.Context, s *Store) error { return err1(s.ListScreens(ctx)) },
		"UpdateScreen":      func(ctx context.Context, s *Store) error { return s.UpdateScreen(ctx, &hall.Screen{ID: "sc_1"}) },
		"RevokeScreen":      func(ctx context.Context, s *Store) error { return s.RevokeScreen(ctx, "sc_1", t0) },
		"SaveScreenStatus":  func(ctx context.Context, s *Store) error { return s.SaveScreenStatus(ctx, "sc_1", t0, "1", nil) },
		"CreatePairing": func(ctx context.Context, s *Store) error {
			return s.CreatePairing(ctx, &hall.Pairing{Code: "123456", ExpiresAt: time.Now().Add(time.Minute)})
		},
		"Pairing":               func(ctx context.Context, s *Store) error { return err1(s.Pairing(ctx, "pr_1")) },
		"PairingByCode":         func(ctx context.Context, s *Store) error { return err1(s.PairingByCode(ctx, "123456", t0)) },
		"ClaimPairing":          func(ctx context.Context, s *Store) error { return s.ClaimPairing(ctx, "pr_1", &hall.Screen{}, "t", t0) },
		"DeletePairing":         func(ctx context.Context, s *Store) error { return s.DeletePairing(ctx, "pr_1") },
		"DeleteExpiredPairings": func(ctx context.Context, s *Store) error { return err1(s.DeleteExpiredPairings(ctx, t0)) },
		"PutPlaylist":           func(ctx context.Context, s *Store) error { return s.PutPlaylist(ctx, &hall.Playlist{ID: "p"}) },
		"Playlist":              func(ctx context.Context, s *Store) error { return err1(s.Playlist(ctx, "p")) },
		"ListPlaylists":         func(ctx context.Context, s *Store) error { return err1(s.ListPlaylists(ctx)) },
		"DeletePlaylist":        func(ctx context.Context, s *Store) error { return s.DeletePlaylist(ctx, "p") },
		"PutSchedule":           func(ctx context.Context, s *Store) error { return s.PutSchedule(ctx, &hall.Schedule{ID: "s"}) },
		"Schedule":              func(ctx context.Context, s *Store) error { return err1(s.Schedule(ctx, "s")) },
		"ListSchedules":         func(ctx context.Context, s *Store) error { return err1(s.ListSchedules(ctx)) },
		"DeleteSchedule":        func(ctx context.Context, s *Store) error { return s.DeleteSchedule(ctx, "s") },
		"CreateInterrupt":       func(ctx context.Context, s *Store) error { return s.CreateInterrupt(ctx, &hall.Interrupt{Until: t0}) },
		"Interrupt":             func(ctx context.Context, s *Store) error { return err1(s.Interrupt(ctx, "ir_1")) },
		"ListInterrupts":        func(ctx context.Context, s *Store) error { return err1(s.ListInterrupts(ctx, t0)) },
		"ClearInterrupt":        func(ctx context.Context, s *Store) error { return s.ClearInterrupt(ctx, "ir_1", t0) },
		"PutMedia":              func(ctx context.Context, s *Store) error { return s.PutMedia(ctx, &hall.Media{SHA256: "ab"}) },
		"Media":                 func(ctx context.Context, s *Store) error { return err1(s.Media(ctx, "ab")) },
		"InsertEvents":          func(ctx context.Context, s *Store) error { return err1(s.InsertEvents(ctx, []*hall.Event{ev})) },
		"CountEvents":           func(ctx context.Context, s *Store) error { return err1(s.CountEvents(ctx, "")) },
		"ListEvents": func(ctx context.Context, s *Store) error {
			return err1(s.ListEvents(ctx, "", time.Time{}, time.Time{}, 10))
		},
		"ListFeedback":      func(ctx context.Context, s *Store) error { return err1(s.ListFeedback(ctx, "", 10)) },
		"Feedback":          func(ctx context.Context, s *Store) error { return err1(s.Feedback(ctx, "ev-1")) },
		"FeedbackByReceipt": func(ctx context.Context, s *Store) error { return err1(s.FeedbackByReceipt(ctx, "FK1")) },
		"ReplyFeedback": func(ctx context.Context, s *Store) error {
			return s.ReplyFeedback(ctx, "ev-1", &hall.Reply{Text: "ok"})
		},
		"PublicReplies": func(ctx context.Context, s *Store) error { return err1(s.PublicReplies(ctx, 10)) },
		"ListCases":     func(ctx context.Context, s *Store) error { return err1(s.ListCases(ctx, "", 10)) },
		"Case":          func(ctx context.Context, s *Store) error { return err1(s.Case(ctx, "ev-1")) },
		"ResolveCase":   func(ctx context.Context, s *Store) error { return s.ResolveCase(ctx, "ev-1", "li", "ok", t0) },
		"Engagement": func(ctx context.Context, s *Store) error {
			return err1(s.Engagement(ctx, t0, t0.Add(time.Hour), hall.ByItem, 0))
		},
		"Hit":                   func(ctx context.Context, s *Store) error { return err1(s.Hit(ctx, "k", 1, t0, time.Minute)) },
		"Count":                 func(ctx context.Context, s *Store) error { return err1(s.Count(ctx, "k", t0)) },
		"ResetCount":            func(ctx context.Context, s *Store) error { return s.ResetCount(ctx, "k") },
		"DeleteExpiredCounters": func(ctx context.Context, s *Store) error { return err1(s.DeleteExpiredCounters(ctx, t0)) },
		"Ping":                  func(ctx context.Context, s *Store) error { return s.Ping(ctx) },
	}
}

// TestStoreCallsCoverStore keeps storeCalls complete.
func TestStoreCallsCoverStore(t *testing.T) {
	calls := storeCalls()
	st := reflect.TypeFor[hall.Store]()
	for i := range st.NumMethod() {
		if name := st.Method(i).Name; name != "Close" && calls[name] == nil {
			t.Errorf("storeCalls has no call of %s", name)
		}
	}
}

// TestUnavailable stops the Redis a store uses: every method fails with
// EUnavailable, wrapping the cause; when Redis is back, the same store
// works again.
func TestUnavailable(t *testing.T) {
	srv := startChild(t)
	// A small pool: once as many dials as it holds have failed, the pool
	// answers with the last dial error at once (and probes the server
	// every second in the background).
	s := openTest(t, srv.URL()+"?max_retries=1&pool_size=2", "")
	ctx := t.Context()
	mustOK(t, s.PutDepartment(ctx, &hall.Department{Key: "caizheng", Name: hall.Text{ZH: "财政所"}}))

	srv.Stop()
	for name, call := range storeCalls() {
		err := call(ctx, s)
		if !hall.IsCode(err, hall.EUnavailable) {
			t.Errorf("%s with Redis stopped: got %v (code %q), want code unavailable", name, err, hall.ErrorCode(err))
			continue
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("%s with Redis stopped: %v does not wrap the cause (connection refused)", name, err)
		}
	}

	mustOK(t, srv.Start()) // an empty Redis: it kept nothing
	for deadline := time.Now().Add(time.Minute); s.Ping(ctx) != nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Ping a minute after Redis came back: %v", s.Ping(ctx))
		}
	}
	mustOK(t, s.PutDepartment(ctx, &hall.Department{Key: "minzheng", Name: hall.Text{ZH: "民政办"}}))
	d, err := s.Department(ctx, "minzheng")
	mustOK(t, err)
	if d.Name.ZH != "民政办" {
		t.Errorf("Department after Redis came back: %+v", d)
	}
	n, err := s.InsertEvents(ctx, []*hall.Event{{ID: "ev-back", Kind: hall.EventFeedback, At: time.Now(),
		ScreenID: "sc_1", ReceivedAt: time.Now(), Text: "好"}})
	if err != nil || n != 1 {
		t.Fatalf("InsertEvents after Redis came back: %d, %v", n, err)
	}
	if _, err := s.Feedback(ctx, "ev-back"); err != nil {
		t.Errorf("feedback of an event stored after Redis came back: %v", err)
	}
}
