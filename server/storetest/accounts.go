package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// testCredentials checks the steps that end a user's access at once.
func testCredentials(t *testing.T, s hall.Store) {
	ctx := t.Context()
	u := mustUser(t, s, "ma")
	other := mustUser(t, s, "niu")
	session := func(hash string, u *hall.User) {
		t.Helper()
		mustOK(t, s.CreateSession(ctx, &hall.Session{TokenHash: hash, UserID: u.ID, CSRFToken: "c", CreatedAt: t0, ExpiresAt: at(time.Hour)}), "CreateSession")
	}
	token := func(hash string, u *hall.User) {
		t.Helper()
		mustOK(t, s.CreateToken(ctx, &hall.APIToken{UserID: u.ID, Name: hash, Hash: hash, CreatedAt: t0}), "CreateToken")
	}
	has := func(hash string) bool {
		_, err := s.SessionByHash(ctx, hash)
		return err == nil
	}
	hasToken := func(hash string) bool {
		_, err := s.TokenByHash(ctx, hash)
		return err == nil
	}
	session("ma-1", u)
	session("ma-2", u)
	session("niu-1", other)
	token("ma-tok", u)
	token("niu-tok", other)

	t.Run("SetPassword", func(t *testing.T) {
		mustOK(t, s.SetPassword(ctx, u.ID, "hash-2", "ma-2"), "SetPassword")
		got, err := s.UserByID(ctx, u.ID)
		mustOK(t, err, "UserByID")
		if got.PasswordHash != "hash-2" {
			t.Errorf("PasswordHash: got %q, want hash-2", got.PasswordHash)
		}
		if has("ma-1") || !has("ma-2") || !has("niu-1") {
			t.Errorf("sessions after SetPassword keeping ma-2: ma-1 %t, ma-2 %t, niu-1 %t; want false, true, true", has("ma-1"), has("ma-2"), has("niu-1"))
		}
		if !hasToken("ma-tok") {
			t.Errorf("SetPassword deleted the user's API token")
		}
		wantCode(t, s.SetPassword(ctx, "us_missing", "x", ""), hall.ENotFound, "SetPassword of a missing user")
	})
	t.Run("Disable", func(t *testing.T) {
		mustOK(t, s.SetUserDisabled(ctx, u.ID, true), "SetUserDisabled")
		got, err := s.UserByID(ctx, u.ID)
		mustOK(t, err, "UserByID")
		if !got.Disabled {
			t.Errorf("Disabled: got false after SetUserDisabled(true)")
		}
		if has("ma-2") || hasToken("ma-tok") {
			t.Errorf("after disabling: session %t, token %t; want both gone", has("ma-2"), hasToken("ma-tok"))
		}
		if !has("niu-1") || !hasToken("niu-tok") {
			t.Errorf("disabling one user ended another's session or token")
		}
		mustOK(t, s.SetUserDisabled(ctx, u.ID, false), "SetUserDisabled(false)")
		got, err = s.UserByID(ctx, u.ID)
		mustOK(t, err, "UserByID")
		if got.Disabled {
			t.Errorf("Disabled: got true after SetUserDisabled(false)")
		}
		wantCode(t, s.SetUserDisabled(ctx, "us_missing", true), hall.ENotFound, "SetUserDisabled of a missing user")
	})
	t.Run("TokenExpiry", func(t *testing.T) {
		exp := at(24 * time.Hour)
		tk := &hall.APIToken{UserID: other.ID, Name: "expiring", Hash: "exp-tok", CreatedAt: t0, ExpiresAt: ptr(exp.In(cst))}
		mustOK(t, s.CreateToken(ctx, tk), "CreateToken")
		got, err := s.TokenByHash(ctx, "exp-tok")
		mustOK(t, err, "TokenByHash")
		if got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) {
			t.Fatalf("ExpiresAt: got %v, want %v", got.ExpiresAt, exp)
		}
		wantUTC(t, "ExpiresAt", *got.ExpiresAt)
	})
}

// testLimits checks the shared counters: fixed windows from the first hit.
func testLimits(t *testing.T, s hall.Store) {
	ctx := t.Context()
	const ttl = time.Minute
	hit := func(key string, n int64, when time.Duration) int64 {
		t.Helper()
		got, err := s.Hit(ctx, key, n, at(when), ttl)
		mustOK(t, err, "Hit")
		return got
	}
	count := func(key string, when time.Duration) int64 {
		t.Helper()
		got, err := s.Count(ctx, key, at(when))
		mustOK(t, err, "Count")
		return got
	}
	if got := count("login:wang", 0); got != 0 {
		t.Errorf("Count of a new key: got %d, want 0", got)
	}
	if got := hit("login:wang", 1, 0); got != 1 {
		t.Errorf("first Hit: got %d, want 1", got)
	}
	if got := hit("login:wang", 2, 30*time.Second); got != 3 {
		t.Errorf("second Hit in the window: got %d, want 3", got)
	}
	if got := count("login:wang", 59*time.Second); got != 3 {
		t.Errorf("Count before the window ends: got %d, want 3", got)
	}
	if got := count("login:wang", time.Minute); got != 0 {
		t.Errorf("Count when the window ends: got %d, want 0", got)
	}
	if got := hit("login:wang", 1, time.Minute); got != 1 {
		t.Errorf("Hit when the window ended: got %d, want 1 (a new window)", got)
	}
	if got := count("login:wang", 90*time.Second); got != 1 {
		t.Errorf("Count in the new window: got %d, want 1", got)
	}
	if got := hit("login:li", 1, time.Minute); got != 1 {
		t.Errorf("Hit of another key: got %d, want 1", got)
	}
	mustOK(t, s.ResetCount(ctx, "login:wang"), "ResetCount")
	if got := count("login:wang", 90*time.Second); got != 0 {
		t.Errorf("Count after ResetCount: got %d, want 0", got)
	}
	mustOK(t, s.ResetCount(ctx, "login:none"), "ResetCount of a missing key")
	if _, err := s.DeleteExpiredCounters(ctx, at(time.Hour)); err != nil {
		t.Errorf("DeleteExpiredCounters: %v", err)
	}
	if got := count("login:li", 90*time.Second); got != 0 && got != 1 {
		t.Errorf("Count after DeleteExpiredCounters: got %d", got)
	}
}

// testUpdateScreen checks that a screen's placement can change.
func testUpdateScreen(t *testing.T, s hall.Store) {
	ctx := t.Context()
	h := mustHall(t, s, "hl_a")
	h2 := mustHall(t, s, "hl_b")
	sc := mustScreen(t, s, h.ID, "wall")
	sc.Name, sc.Kind, sc.HallID, sc.Groups = "厅内触摸屏", hall.KindKiosk, h2.ID, []string{"east", "touch"}
	mustOK(t, s.UpdateScreen(ctx, sc), "UpdateScreen")
	got, err := s.Screen(ctx, sc.ID)
	mustOK(t, err, "Screen")
	same(t, "updated screen", got, sc)

	moved := *sc
	moved.HallID = "hl_missing"
	wantCode(t, s.UpdateScreen(ctx, &moved), hall.ENotFound, "UpdateScreen into a missing hall")
	wantCode(t, s.UpdateScreen(ctx, &hall.Screen{ID: "sc_missing", Name: "x", Kind: hall.KindLED, HallID: h.ID, Groups: []string{}}),
		hall.ENotFound, "UpdateScreen of a missing screen")
	mustOK(t, s.RevokeScreen(ctx, sc.ID, t0), "RevokeScreen")
	wantCode(t, s.UpdateScreen(ctx, sc), hall.ENotFound, "UpdateScreen of a revoked screen")
}

// testAuditWithChange checks that the audit entry a context carries is
// written with the change, and not at all when the change fails.
func testAuditWithChange(t *testing.T, s hall.Store) {
	h := mustHall(t, s, "hl_audit")
	u := mustUser(t, s, "auditee")
	it := mustItem(t, s, "it_audit", "审计")
	sc := mustScreen(t, s, h.ID, "audited")
	pl := &hall.Playlist{ID: "pl_a", Name: "轮播", Entries: []hall.PlaylistEntry{}, UpdatedAt: t0}
	mustOK(t, s.PutPlaylist(t.Context(), pl), "PutPlaylist")

	n := 0
	step := func(name string, wantOK bool, write func(ctx context.Context) error) {
		t.Helper()
		n++
		e := &hall.AuditEntry{At: at(time.Duration(n) * time.Second), Actor: "tester", Action: name, Target: "t"}
		err := write(hall.WithAudit(t.Context(), e))
		if wantOK {
			mustOK(t, err, name)
		} else if err == nil {
			t.Fatalf("%s: succeeded, want an error", name)
		}
		list, lerr := s.ListAudit(t.Context(), hall.AuditFilter{Action: name})
		mustOK(t, lerr, "ListAudit")
		switch {
		case wantOK && (len(list) != 1 || list[0].Actor != "tester"):
			t.Errorf("%s succeeded: %d audit entries, want 1 by tester", name, len(list))
		case wantOK && e.ID == 0:
			t.Errorf("%s: the audit entry got no id", name)
		case !wantOK && len(list) != 0:
			t.Errorf("%s failed: %d audit entries, want none", name, len(list))
		}
	}
	step("user.create", true, func(ctx context.Context) error {
		return s.CreateUser(ctx, &hall.User{Username: "newbie", Role: hall.RoleEditor, CreatedAt: t0})
	})
	step("user.create.taken", false, func(ctx context.Context) error {
		return s.CreateUser(ctx, &hall.User{Username: "newbie", Role: hall.RoleEditor, CreatedAt: t0})
	})
	step("user.disable", true, func(ctx context.Context) error { return s.SetUserDisabled(ctx, u.ID, true) })
	step("user.password.missing", false, func(ctx context.Context) error { return s.SetPassword(ctx, "us_missing", "h", "") })
	step("hall.update.missing", false, func(ctx context.Context) error {
		return s.UpdateHall(ctx, &hall.Hall{ID: "hl_missing", Name: "x", TZ: hall.DefaultTZ, CreatedAt: t0})
	})
	step("playlist.put", true, func(ctx context.Context) error { return s.PutPlaylist(ctx, pl) })
	step("schedule.delete.missing", false, func(ctx context.Context) error { return s.DeleteSchedule(ctx, "missing") })
	step("screen.update", true, func(ctx context.Context) error { return s.UpdateScreen(ctx, sc) })
	step("screen.revoke", true, func(ctx context.Context) error { return s.RevokeScreen(ctx, sc.ID, t0) })
	step("screen.revoke.again", false, func(ctx context.Context) error { return s.RevokeScreen(ctx, sc.ID, t0) })
	step("calendar.put", true, func(ctx context.Context) error { return s.PutCalendarYear(ctx, 2031, []byte(`{"year":2031}`)) })
	step("settings.put", true, func(ctx context.Context) error { return s.PutSetting(ctx, "audited", []byte(`{}`)) })
	step("item.update", true, func(ctx context.Context) error { it.Title = "审计二"; return s.UpdateItem(ctx, it) })
	step("item.update.stale", false, func(ctx context.Context) error {
		stale := *it
		stale.Version--
		return s.UpdateItem(ctx, &stale)
	})
	step("item.publish", true, func(ctx context.Context) error {
		return s.SaveWithEntry(ctx, it, publishEntry(t, it, 1, t0))
	})
	step("case.resolve.missing", false, func(ctx context.Context) error { return s.ResolveCase(ctx, "missing", "li", "ok", t0) })
	step("feedback.reply.missing", false, func(ctx context.Context) error {
		return s.ReplyFeedback(ctx, "missing", &hall.Reply{Text: "好", By: "li", At: t0})
	})
}

// testMissingOwners checks that records naming a missing owner are
// refused: a session or token of a missing user, a screen of a missing
// hall.
func testMissingOwners(t *testing.T, s hall.Store) {
	ctx := t.Context()
	wantCode(t, s.CreateSession(ctx, &hall.Session{TokenHash: "orphan", UserID: "us_missing", CreatedAt: t0, ExpiresAt: at(time.Hour)}),
		hall.ENotFound, "CreateSession for a missing user")
	if _, err := s.SessionByHash(ctx, "orphan"); !hall.IsCode(err, hall.ENotFound) {
		t.Errorf("session of a missing user stored: SessionByHash: %v", err)
	}
	wantCode(t, s.CreateToken(ctx, &hall.APIToken{UserID: "us_missing", Name: "x", Hash: "orphan", CreatedAt: t0}),
		hall.ENotFound, "CreateToken for a missing user")
	if _, err := s.TokenByHash(ctx, "orphan"); !hall.IsCode(err, hall.ENotFound) {
		t.Errorf("token of a missing user stored: TokenByHash: %v", err)
	}
	wantCode(t, s.CreateScreen(ctx, &hall.Screen{Name: "无主", Kind: hall.KindLED, HallID: "hl_missing", Groups: []string{},
		TokenHash: "orphan", CreatedAt: t0}), hall.ENotFound, "CreateScreen in a missing hall")
	if _, err := s.ScreenByTokenHash(ctx, "orphan"); !hall.IsCode(err, hall.ENotFound) {
		t.Errorf("screen of a missing hall stored: ScreenByTokenHash: %v", err)
	}
}
