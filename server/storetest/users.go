package storetest

import (
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

func mustUser(t *testing.T, s hall.Store, username string) *hall.User {
	t.Helper()
	u := &hall.User{Username: username, Role: hall.RoleEditor, PasswordHash: "hash-" + username, CreatedAt: t0}
	mustOK(t, s.CreateUser(t.Context(), u), "CreateUser "+username)
	return u
}

func testUsers(t *testing.T, s hall.Store) {
	ctx := t.Context()

	n, err := s.CountUsers(ctx)
	mustOK(t, err, "CountUsers")
	if n != 0 {
		t.Errorf("CountUsers of an empty store: got %d, want 0", n)
	}
	list, err := s.ListUsers(ctx)
	mustOK(t, err, "ListUsers")
	if len(list) != 0 {
		t.Errorf("ListUsers of an empty store: got %d users, want 0", len(list))
	}

	wang := &hall.User{
		Username:     "wang",
		Role:         hall.RoleEditor,
		Departments:  []string{"caizheng", "minzheng"},
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA",
		CreatedAt:    t0.In(cst),
	}
	mustOK(t, s.CreateUser(ctx, wang), "CreateUser")
	wantPrefix(t, "CreateUser", wang.ID, "us_")
	want := *wang
	want.CreatedAt = t0

	t.Run("ByID", func(t *testing.T) {
		got, err := s.UserByID(ctx, wang.ID)
		mustOK(t, err, "UserByID")
		same(t, "UserByID", got, &want)
		wantUTC(t, "CreatedAt", got.CreatedAt)
		if got.PasswordHash != want.PasswordHash {
			t.Errorf("PasswordHash: got %q, want %q", got.PasswordHash, want.PasswordHash)
		}
	})
	t.Run("ByName", func(t *testing.T) {
		got, err := s.UserByName(ctx, "wang")
		mustOK(t, err, "UserByName")
		same(t, "UserByName", got, &want)
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := s.UserByID(ctx, "us_missing")
		wantCode(t, err, hall.ENotFound, "UserByID of a missing id")
		_, err = s.UserByName(ctx, "nobody")
		wantCode(t, err, hall.ENotFound, "UserByName of a missing name")
		err = s.UpdateUser(ctx, &hall.User{ID: "us_missing", Username: "ghost", Role: hall.RoleAdmin})
		wantCode(t, err, hall.ENotFound, "UpdateUser of a missing id")
	})
	t.Run("ErrDuplicateUsername", func(t *testing.T) {
		err := s.CreateUser(ctx, &hall.User{Username: "wang", Role: hall.RoleAdmin, CreatedAt: t0})
		wantCode(t, err, hall.EConflict, "CreateUser with a taken username")
	})

	admin := &hall.User{ID: "us_admin", Username: "admin", Role: hall.RoleAdmin, CreatedAt: at(time.Minute)}
	mustOK(t, s.CreateUser(ctx, admin), "CreateUser with an id")
	t.Run("GivenID", func(t *testing.T) {
		if admin.ID != "us_admin" {
			t.Errorf("CreateUser replaced the given id: got %q", admin.ID)
		}
		got, err := s.UserByID(ctx, "us_admin")
		mustOK(t, err, "UserByID")
		same(t, "admin (nil departments)", got, admin)
		err = s.CreateUser(ctx, &hall.User{ID: "us_admin", Username: "other", Role: hall.RoleAdmin, CreatedAt: t0})
		wantCode(t, err, hall.EConflict, "CreateUser with a taken id")
	})

	t.Run("Update", func(t *testing.T) {
		u := *wang
		u.Username = "wang.li"
		u.Role = hall.RoleReviewer
		u.Departments = []string{"jianshe"}
		u.Disabled = true
		u.PasswordHash = "new-hash"
		mustOK(t, s.UpdateUser(ctx, &u), "UpdateUser")
		got, err := s.UserByID(ctx, wang.ID)
		mustOK(t, err, "UserByID")
		want := u
		want.CreatedAt = t0
		want.Disabled = false // SetUserDisabled's alone
		same(t, "updated user", got, &want)
		if _, err := s.UserByName(ctx, "wang"); !hall.IsCode(err, hall.ENotFound) {
			t.Errorf("UserByName of the old name: got %v, want not_found", err)
		}
		if _, err := s.UserByName(ctx, "wang.li"); err != nil {
			t.Errorf("UserByName of the new name: %v", err)
		}

		clash := u
		clash.Username = "admin"
		wantCode(t, s.UpdateUser(ctx, &clash), hall.EConflict, "UpdateUser to a taken username")
		got, err = s.UserByID(ctx, wang.ID)
		mustOK(t, err, "UserByID")
		if got.Username != "wang.li" {
			t.Errorf("after a refused rename: username %q, want %q", got.Username, "wang.li")
		}
	})

	t.Run("List", func(t *testing.T) {
		mustUser(t, s, "li")
		users, err := s.ListUsers(ctx)
		mustOK(t, err, "ListUsers")
		var names []string
		for _, u := range users {
			names = append(names, u.Username)
		}
		same(t, "ListUsers usernames", names, []string{"admin", "li", "wang.li"})
		n, err := s.CountUsers(ctx)
		mustOK(t, err, "CountUsers")
		if n != 3 {
			t.Errorf("CountUsers: got %d, want 3", n)
		}
	})
}

func testSessions(t *testing.T, s hall.Store) {
	ctx := t.Context()
	u1 := mustUser(t, s, "zhao")
	u2 := mustUser(t, s, "qian")

	newSession := func(hash string, u *hall.User, expires time.Duration) *hall.Session {
		t.Helper()
		ss := &hall.Session{TokenHash: hash, UserID: u.ID, CSRFToken: "csrf-" + hash,
			CreatedAt: t0, ExpiresAt: at(expires), RemoteIP: "10.0.0.7"}
		mustOK(t, s.CreateSession(ctx, ss), "CreateSession "+hash)
		return ss
	}
	exists := func(hash string) bool {
		t.Helper()
		_, err := s.SessionByHash(ctx, hash)
		if err != nil && !hall.IsCode(err, hall.ENotFound) {
			t.Fatalf("SessionByHash %s: %v", hash, err)
		}
		return err == nil
	}

	first := &hall.Session{TokenHash: "h1", UserID: u1.ID, CSRFToken: "csrf-h1",
		CreatedAt: t0.In(cst), ExpiresAt: at(time.Hour).In(cst), RemoteIP: "2001:db8::1"}
	mustOK(t, s.CreateSession(ctx, first), "CreateSession")

	t.Run("ByHash", func(t *testing.T) {
		got, err := s.SessionByHash(ctx, "h1")
		mustOK(t, err, "SessionByHash")
		want := *first
		want.CreatedAt, want.ExpiresAt = t0, at(time.Hour)
		same(t, "SessionByHash", got, &want)
		wantUTC(t, "ExpiresAt", got.ExpiresAt)
		_, err = s.SessionByHash(ctx, "nope")
		wantCode(t, err, hall.ENotFound, "SessionByHash of a missing hash")
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		err := s.CreateSession(ctx, &hall.Session{TokenHash: "h1", UserID: u2.ID, CreatedAt: t0, ExpiresAt: at(time.Hour)})
		wantCode(t, err, hall.EConflict, "CreateSession with a taken hash")
	})

	newSession("h2", u1, 2*time.Hour)
	newSession("h3", u2, 30*time.Minute)
	newSession("h4", u1, 3*time.Hour)
	newSession("h5", u2, 3*time.Hour)

	t.Run("DeleteExpired", func(t *testing.T) {
		n, err := s.DeleteExpiredSessions(ctx, at(time.Hour))
		mustOK(t, err, "DeleteExpiredSessions")
		if n != 2 {
			t.Errorf("DeleteExpiredSessions: got %d removed, want 2 (h1 expiring at now, h3 before)", n)
		}
		for hash, want := range map[string]bool{"h1": false, "h2": true, "h3": false, "h4": true, "h5": true} {
			if got := exists(hash); got != want {
				t.Errorf("after DeleteExpiredSessions, session %s exists: got %v, want %v", hash, got, want)
			}
		}
		n, err = s.DeleteExpiredSessions(ctx, at(time.Hour))
		mustOK(t, err, "DeleteExpiredSessions again")
		if n != 0 {
			t.Errorf("DeleteExpiredSessions again: got %d removed, want 0", n)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		mustOK(t, s.DeleteSession(ctx, "h2"), "DeleteSession")
		if exists("h2") {
			t.Errorf("session h2 still there after DeleteSession")
		}
		wantCode(t, s.DeleteSession(ctx, "h2"), hall.ENotFound, "DeleteSession of a deleted session")
	})
	t.Run("DeleteUserSessions", func(t *testing.T) {
		mustOK(t, s.DeleteUserSessions(ctx, u1.ID), "DeleteUserSessions")
		if exists("h4") {
			t.Errorf("session h4 of %s still there after DeleteUserSessions", u1.Username)
		}
		if !exists("h5") {
			t.Errorf("session h5 of another user removed by DeleteUserSessions")
		}
		mustOK(t, s.DeleteUserSessions(ctx, "us_nobody"), "DeleteUserSessions of a user without sessions")
	})
}

func testTokens(t *testing.T, s hall.Store) {
	ctx := t.Context()
	u1 := mustUser(t, s, "sun")
	u2 := mustUser(t, s, "zhou")

	newToken := func(u *hall.User, name, hash string, created time.Duration) *hall.APIToken {
		t.Helper()
		tk := &hall.APIToken{UserID: u.ID, Name: name, Hash: hash, CreatedAt: at(created).In(cst)}
		mustOK(t, s.CreateToken(ctx, tk), "CreateToken "+name)
		wantPrefix(t, "CreateToken", tk.ID, "tk_")
		tk.CreatedAt = at(created)
		return tk
	}
	tk1 := newToken(u1, "导入脚本", "th1", 0)
	tk2 := newToken(u1, "backup", "th2", time.Minute)
	tk3 := newToken(u2, "report", "th3", 2*time.Minute)

	t.Run("ByHash", func(t *testing.T) {
		got, err := s.TokenByHash(ctx, "th1")
		mustOK(t, err, "TokenByHash")
		same(t, "TokenByHash", got, tk1)
		if got.Hash != "th1" {
			t.Errorf("Hash: got %q, want %q", got.Hash, "th1")
		}
		_, err = s.TokenByHash(ctx, "nope")
		wantCode(t, err, hall.ENotFound, "TokenByHash of a missing hash")
	})
	t.Run("ErrDuplicateHash", func(t *testing.T) {
		err := s.CreateToken(ctx, &hall.APIToken{UserID: u2.ID, Name: "dup", Hash: "th1", CreatedAt: t0})
		wantCode(t, err, hall.EConflict, "CreateToken with a taken hash")
	})
	t.Run("Touch", func(t *testing.T) {
		mustOK(t, s.TouchToken(ctx, tk1.ID, at(5*time.Minute).In(cst)), "TouchToken")
		got, err := s.TokenByHash(ctx, "th1")
		mustOK(t, err, "TokenByHash")
		if got.LastUsed == nil || !sameTime(*got.LastUsed, at(5*time.Minute)) {
			t.Errorf("LastUsed: got %v, want %v in UTC", got.LastUsed, at(5*time.Minute))
		}
		tk1.LastUsed = ptr(at(5 * time.Minute))
		wantCode(t, s.TouchToken(ctx, "tk_missing", t0), hall.ENotFound, "TouchToken of a missing id")
	})
	t.Run("List", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			userID string
			want   []*hall.APIToken
		}{
			{"OneUser", u1.ID, []*hall.APIToken{tk1, tk2}},
			{"OtherUser", u2.ID, []*hall.APIToken{tk3}},
			{"Everyone", "", []*hall.APIToken{tk1, tk2, tk3}},
			{"NoTokens", "us_nobody", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ListTokens(ctx, tc.userID)
				mustOK(t, err, "ListTokens")
				if len(got) == 0 && len(tc.want) == 0 {
					return
				}
				same(t, "ListTokens", got, tc.want)
			})
		}
	})
	t.Run("Delete", func(t *testing.T) {
		mustOK(t, s.DeleteToken(ctx, tk1.ID), "DeleteToken")
		_, err := s.TokenByHash(ctx, "th1")
		wantCode(t, err, hall.ENotFound, "TokenByHash of a deleted token")
		wantCode(t, s.DeleteToken(ctx, tk1.ID), hall.ENotFound, "DeleteToken of a deleted token")
		if _, err := s.TokenByHash(ctx, "th2"); err != nil {
			t.Errorf("DeleteToken removed another token: %v", err)
		}
	})
}

// sameTime reports whether a and b are the same instant in the same location.
func sameTime(a, b time.Time) bool { return a.Equal(b) && a.Location() == b.Location() }
