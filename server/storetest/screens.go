package storetest

import (
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// mustHall creates a hall for screens to belong to.
func mustHall(t *testing.T, s hall.Store, id string) *hall.Hall {
	t.Helper()
	h := &hall.Hall{ID: id, Name: "便民服务中心 " + id, TZ: "Asia/Shanghai", CreatedAt: t0}
	mustOK(t, s.CreateHall(t.Context(), h), "CreateHall "+id)
	return h
}

// mustScreen creates a screen in the hall with the token hash "hash-<name>".
func mustScreen(t *testing.T, s hall.Store, hallID, name string) *hall.Screen {
	t.Helper()
	sc := &hall.Screen{Name: name, Kind: hall.KindLED, HallID: hallID, Groups: []string{"lobby"},
		TokenHash: "hash-" + name, CreatedAt: t0}
	mustOK(t, s.CreateScreen(t.Context(), sc), "CreateScreen "+name)
	return sc
}

func testScreens(t *testing.T, s hall.Store) {
	ctx := t.Context()
	h := mustHall(t, s, "hl_east")

	list, err := s.ListScreens(ctx)
	mustOK(t, err, "ListScreens")
	if len(list) != 0 {
		t.Errorf("ListScreens of an empty store: got %d, want 0", len(list))
	}

	wall := &hall.Screen{Name: "大厅LED屏", Kind: hall.KindLED, HallID: h.ID, Groups: []string{"lobby", "entrance"},
		TokenHash: "hash-wall", CreatedAt: t0.In(cst)}
	mustOK(t, s.CreateScreen(ctx, wall), "CreateScreen")
	wantPrefix(t, "CreateScreen", wall.ID, "sc_")
	wall.CreatedAt = t0
	kiosk := &hall.Screen{ID: "sc_kiosk", Name: "查询机", Kind: hall.KindKiosk, HallID: h.ID,
		TokenHash: "hash-kiosk", CreatedAt: at(time.Minute)}
	mustOK(t, s.CreateScreen(ctx, kiosk), "CreateScreen with an id (nil groups)")
	twin := &hall.Screen{ID: "sc_a_twin", Name: "查询机", Kind: hall.KindKiosk, HallID: h.ID, Groups: []string{},
		TokenHash: "hash-twin", CreatedAt: at(2 * time.Minute)}
	mustOK(t, s.CreateScreen(ctx, twin), "CreateScreen with a shared name (empty groups)")

	t.Run("Get", func(t *testing.T) {
		got, err := s.Screen(ctx, wall.ID)
		mustOK(t, err, "Screen")
		same(t, "Screen", got, wall)
		wantUTC(t, "CreatedAt", got.CreatedAt)
		got, err = s.Screen(ctx, kiosk.ID)
		mustOK(t, err, "Screen")
		same(t, "Screen with nil groups", got, kiosk)
		got, err = s.Screen(ctx, twin.ID)
		mustOK(t, err, "Screen")
		same(t, "Screen with empty groups", got, twin)
		_, err = s.Screen(ctx, "sc_missing")
		wantCode(t, err, hall.ENotFound, "Screen of a missing id")
	})
	t.Run("ByTokenHash", func(t *testing.T) {
		got, err := s.ScreenByTokenHash(ctx, "hash-kiosk")
		mustOK(t, err, "ScreenByTokenHash")
		same(t, "ScreenByTokenHash", got, kiosk)
		_, err = s.ScreenByTokenHash(ctx, "hash-nobody")
		wantCode(t, err, hall.ENotFound, "ScreenByTokenHash of an unknown hash")
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		err := s.CreateScreen(ctx, &hall.Screen{ID: "sc_kiosk", Name: "x", Kind: hall.KindLED, HallID: h.ID,
			TokenHash: "hash-other", CreatedAt: t0})
		wantCode(t, err, hall.EConflict, "CreateScreen with a taken id")
		err = s.CreateScreen(ctx, &hall.Screen{Name: "x", Kind: hall.KindLED, HallID: h.ID,
			TokenHash: "hash-wall", CreatedAt: t0})
		wantCode(t, err, hall.EConflict, "CreateScreen with a taken token hash")
	})
	t.Run("List", func(t *testing.T) {
		got, err := s.ListScreens(ctx)
		mustOK(t, err, "ListScreens")
		same(t, "ListScreens (by name, then id)", got, []*hall.Screen{wall, twin, kiosk})
	})
	t.Run("Status", func(t *testing.T) {
		showing := &hall.Showing{ItemID: "it_budget", Revision: 3}
		mustOK(t, s.SaveScreenStatus(ctx, wall.ID, at(time.Hour).In(cst), "1.4.2", showing), "SaveScreenStatus")
		got, err := s.Screen(ctx, wall.ID)
		mustOK(t, err, "Screen")
		want := *wall
		want.LastSeen, want.Version, want.Showing = ptr(at(time.Hour)), "1.4.2", showing
		same(t, "Screen after SaveScreenStatus", got, &want)

		mustOK(t, s.SaveScreenStatus(ctx, wall.ID, at(2*time.Hour), "1.5.0", &hall.Showing{MediaURL: "/media/ab12"}),
			"SaveScreenStatus again")
		mustOK(t, s.SaveScreenStatus(ctx, wall.ID, at(3*time.Hour), "1.5.0", nil), "SaveScreenStatus showing nothing")
		got, err = s.Screen(ctx, wall.ID)
		mustOK(t, err, "Screen")
		want.LastSeen, want.Version, want.Showing = ptr(at(3*time.Hour)), "1.5.0", nil
		same(t, "Screen after showing nothing", got, &want)

		wantCode(t, s.SaveScreenStatus(ctx, "sc_missing", t0, "1", nil), hall.ENotFound, "SaveScreenStatus of a missing screen")
	})
	t.Run("Revoke", func(t *testing.T) {
		mustOK(t, s.RevokeScreen(ctx, kiosk.ID, at(4*time.Hour).In(cst)), "RevokeScreen")
		list, err := s.ListScreens(ctx)
		mustOK(t, err, "ListScreens")
		if len(list) != 2 || list[0].ID != wall.ID || list[1].ID != twin.ID {
			t.Errorf("ListScreens after revoking %s: got %s, want the other two", kiosk.ID, dump(list))
		}
		want := *kiosk
		want.RevokedAt = ptr(at(4 * time.Hour))
		got, err := s.ScreenByTokenHash(ctx, "hash-kiosk")
		mustOK(t, err, "ScreenByTokenHash of a revoked screen")
		same(t, "ScreenByTokenHash of a revoked screen", got, &want)
		got, err = s.Screen(ctx, kiosk.ID)
		mustOK(t, err, "Screen of a revoked screen")
		same(t, "Screen of a revoked screen", got, &want)

		wantCode(t, s.RevokeScreen(ctx, kiosk.ID, at(5*time.Hour)), hall.ENotFound, "RevokeScreen of a revoked screen")
		got, err = s.Screen(ctx, kiosk.ID)
		mustOK(t, err, "Screen")
		same(t, "RevokedAt after revoking twice", got.RevokedAt, want.RevokedAt)
		wantCode(t, s.RevokeScreen(ctx, "sc_missing", t0), hall.ENotFound, "RevokeScreen of a missing screen")
	})
}

func testPairings(t *testing.T, s hall.Store) {
	ctx := t.Context()
	h := mustHall(t, s, "hl_east")
	// CreatePairing tells live from expired pairings by the wall clock, so
	// this test's times are taken from it.
	now := time.Now().UTC()
	live := func(code string) *hall.Pairing {
		return &hall.Pairing{Code: code, SecretHash: "secret-" + code, ExpiresAt: now.Add(10 * time.Minute)}
	}
	expired := func(code string) *hall.Pairing {
		return &hall.Pairing{Code: code, SecretHash: "old-" + code, ExpiresAt: now.Add(-time.Minute)}
	}
	var expiredIDs []string // expired pairings created, in case any remain
	exists := func(id string) bool {
		t.Helper()
		_, err := s.Pairing(ctx, id)
		if err != nil && !hall.IsCode(err, hall.ENotFound) {
			t.Fatalf("Pairing %s: %v", id, err)
		}
		return err == nil
	}

	p1 := live("123456")
	p1.ExpiresAt = p1.ExpiresAt.In(cst)
	mustOK(t, s.CreatePairing(ctx, p1), "CreatePairing")
	wantPrefix(t, "CreatePairing", p1.ID, "pr_")
	p1.ExpiresAt = p1.ExpiresAt.UTC()

	t.Run("Get", func(t *testing.T) {
		got, err := s.Pairing(ctx, p1.ID)
		mustOK(t, err, "Pairing")
		same(t, "Pairing", got, p1)
		wantUTC(t, "ExpiresAt", got.ExpiresAt)
		got, err = s.PairingByCode(ctx, "123456", now)
		mustOK(t, err, "PairingByCode")
		same(t, "PairingByCode", got, p1)
		_, err = s.Pairing(ctx, "pr_missing")
		wantCode(t, err, hall.ENotFound, "Pairing of a missing id")
		_, err = s.PairingByCode(ctx, "000000", now)
		wantCode(t, err, hall.ENotFound, "PairingByCode of an unknown code")
	})
	t.Run("ErrLiveCodeClash", func(t *testing.T) {
		p := live("123456")
		wantCode(t, s.CreatePairing(ctx, p), hall.EConflict, "CreatePairing with the code of a live pairing")
		got, err := s.PairingByCode(ctx, "123456", now)
		mustOK(t, err, "PairingByCode")
		same(t, "PairingByCode after a refused clash", got, p1)
		wantCode(t, s.CreatePairing(ctx, &hall.Pairing{ID: p1.ID, Code: "999999", SecretHash: "x", ExpiresAt: now.Add(time.Minute)}),
			hall.EConflict, "CreatePairing with a taken id")
	})
	t.Run("ExpiredCodeReusable", func(t *testing.T) {
		old := expired("654321")
		mustOK(t, s.CreatePairing(ctx, old), "CreatePairing of an expired pairing")
		expiredIDs = append(expiredIDs, old.ID)
		_, err := s.PairingByCode(ctx, "654321", now)
		wantCode(t, err, hall.ENotFound, "PairingByCode of an expired code")
		got, err := s.PairingByCode(ctx, "654321", now.Add(-2*time.Minute))
		mustOK(t, err, "PairingByCode before it expired")
		same(t, "PairingByCode before it expired", got, old)

		fresh := live("654321")
		mustOK(t, s.CreatePairing(ctx, fresh), "CreatePairing with the code of an expired pairing")
		got, err = s.PairingByCode(ctx, "654321", now)
		mustOK(t, err, "PairingByCode")
		same(t, "PairingByCode of the reused code", got, fresh)
	})

	newScreen := func(name string) *hall.Screen {
		return &hall.Screen{Name: name, Kind: hall.KindLED, HallID: h.ID, Groups: []string{"lobby"},
			TokenHash: "hash-" + name, CreatedAt: t0}
	}
	screenExists := func(name string) bool {
		_, err := s.ScreenByTokenHash(ctx, "hash-"+name)
		return err == nil
	}
	t.Run("Claim", func(t *testing.T) {
		sc := newScreen("lobby-wall")
		mustOK(t, s.ClaimPairing(ctx, p1.ID, sc, "token-1", now), "ClaimPairing")
		wantPrefix(t, "claimed screen", sc.ID, "sc_")
		stored, err := s.Screen(ctx, sc.ID)
		mustOK(t, err, "Screen made by ClaimPairing")
		same(t, "Screen made by ClaimPairing", stored, sc)
		got, err := s.Pairing(ctx, p1.ID)
		mustOK(t, err, "Pairing")
		want := *p1
		want.ScreenID, want.Token = sc.ID, "token-1"
		same(t, "claimed Pairing", got, &want)
		got, err = s.PairingByCode(ctx, "123456", now)
		mustOK(t, err, "PairingByCode of a claimed pairing")
		same(t, "PairingByCode of a claimed pairing", got, &want)

		wantCode(t, s.ClaimPairing(ctx, p1.ID, newScreen("other"), "token-2", now), hall.EConflict, "ClaimPairing twice")
		got, err = s.Pairing(ctx, p1.ID)
		mustOK(t, err, "Pairing")
		same(t, "Pairing after a second claim", got, &want)
		if screenExists("other") {
			t.Errorf("a refused claim left its screen behind")
		}

		old := expired("222222")
		mustOK(t, s.CreatePairing(ctx, old), "CreatePairing")
		expiredIDs = append(expiredIDs, old.ID)
		wantCode(t, s.ClaimPairing(ctx, old.ID, newScreen("other"), "token-3", now), hall.EConflict, "ClaimPairing of an expired pairing")
		got, err = s.Pairing(ctx, old.ID)
		mustOK(t, err, "Pairing")
		same(t, "expired Pairing after a refused claim", got, old)

		late := live("333333")
		mustOK(t, s.CreatePairing(ctx, late), "CreatePairing")
		wantCode(t, s.ClaimPairing(ctx, late.ID, newScreen("other"), "token-4", late.ExpiresAt), hall.EConflict,
			"ClaimPairing at the moment it expires")

		wantCode(t, s.ClaimPairing(ctx, "pr_missing", newScreen("other"), "token-5", now), hall.ENotFound, "ClaimPairing of a missing pairing")
		lost := newScreen("other")
		lost.HallID = "hl_missing"
		wantCode(t, s.ClaimPairing(ctx, late.ID, lost, "token-6", now), hall.ENotFound, "ClaimPairing into a missing hall")
		if screenExists("other") {
			t.Errorf("a refused claim left its screen behind")
		}
		got, err = s.Pairing(ctx, late.ID)
		mustOK(t, err, "Pairing")
		same(t, "Pairing after a claim into a missing hall", got, late)
	})
	t.Run("Delete", func(t *testing.T) {
		mustOK(t, s.DeletePairing(ctx, p1.ID), "DeletePairing")
		if exists(p1.ID) {
			t.Errorf("pairing %s still there after DeletePairing", p1.ID)
		}
		wantCode(t, s.DeletePairing(ctx, p1.ID), hall.ENotFound, "DeletePairing of a deleted pairing")
		if _, err := s.PairingByCode(ctx, "123456", now); !hall.IsCode(err, hall.ENotFound) {
			t.Errorf("PairingByCode of a deleted pairing: got %v, want not_found", err)
		}
	})
	t.Run("DeleteExpired", func(t *testing.T) {
		all, err := s.DeleteExpiredPairings(ctx, now.Add(-time.Hour))
		mustOK(t, err, "DeleteExpiredPairings before any expired")
		if all != 0 {
			t.Errorf("DeleteExpiredPairings an hour ago: got %d removed, want 0", all)
		}
		edge := &hall.Pairing{Code: "444444", SecretHash: "x", ExpiresAt: now}
		mustOK(t, s.CreatePairing(ctx, edge), "CreatePairing")
		expiredIDs = append(expiredIDs, edge.ID)
		// An expired pairing may have gone already when its code was reused.
		var ids []string
		for _, id := range expiredIDs {
			if exists(id) {
				ids = append(ids, id)
			}
		}
		if len(ids) < 2 {
			t.Fatalf("expired pairings %v: only %v left, want at least the two whose codes were not reused", expiredIDs, ids)
		}
		n, err := s.DeleteExpiredPairings(ctx, now)
		mustOK(t, err, "DeleteExpiredPairings")
		if n != len(ids) {
			t.Errorf("DeleteExpiredPairings: got %d removed, want %d (expiring at or before now)", n, len(ids))
		}
		for _, id := range ids {
			if exists(id) {
				t.Errorf("expired pairing %s still there", id)
			}
		}
		for _, code := range []string{"654321", "333333"} {
			if _, err := s.PairingByCode(ctx, code, now); err != nil {
				t.Errorf("live pairing %s after DeleteExpiredPairings: %v", code, err)
			}
		}
	})
}

func testPlaylists(t *testing.T, s hall.Store) {
	ctx := t.Context()
	_, err := s.Playlist(ctx, "morning")
	wantCode(t, err, hall.ENotFound, "Playlist of a missing id")
	wantCode(t, s.DeletePlaylist(ctx, "morning"), hall.ENotFound, "DeletePlaylist of a missing id")

	morning := &hall.Playlist{ID: "morning", Name: "早间轮播", UpdatedAt: t0, Entries: []hall.PlaylistEntry{
		{ItemID: "it_budget", DurationS: 20},
		{Category: "finance", DurationS: 15},
		{MediaURL: "/media/9f86d081884c7d65", MediaType: "video", DurationS: 30},
	}}
	empty := &hall.Playlist{ID: "pl_empty", Name: "空", Entries: []hall.PlaylistEntry{}, UpdatedAt: at(time.Minute)}
	bare := &hall.Playlist{ID: "bare", Name: "空", UpdatedAt: at(2 * time.Minute)} // nil entries
	for _, p := range []*hall.Playlist{morning, empty, bare} {
		mustOK(t, s.PutPlaylist(ctx, p), "PutPlaylist "+p.ID)
	}
	for _, p := range []*hall.Playlist{morning, empty, bare} {
		got, err := s.Playlist(ctx, p.ID)
		mustOK(t, err, "Playlist "+p.ID)
		same(t, "Playlist "+p.ID, got, p)
	}

	changed := &hall.Playlist{ID: "morning", Name: "全天轮播", UpdatedAt: at(time.Hour).In(cst), Entries: []hall.PlaylistEntry{
		{Category: "policy", DurationS: 10},
	}}
	mustOK(t, s.PutPlaylist(ctx, changed), "PutPlaylist of an existing id")
	changed.UpdatedAt = at(time.Hour)
	got, err := s.Playlist(ctx, "morning")
	mustOK(t, err, "Playlist")
	same(t, "replaced Playlist", got, changed)
	wantUTC(t, "UpdatedAt", got.UpdatedAt)

	list, err := s.ListPlaylists(ctx)
	mustOK(t, err, "ListPlaylists")
	same(t, "ListPlaylists (by name, then id)", list, []*hall.Playlist{changed, bare, empty})

	sched := &hall.Schedule{ID: "weekdays", PlaylistID: "bare", UpdatedAt: t0}
	mustOK(t, s.PutSchedule(ctx, sched), "PutSchedule")
	mustOK(t, s.DeletePlaylist(ctx, "bare"), "DeletePlaylist")
	_, err = s.Playlist(ctx, "bare")
	wantCode(t, err, hall.ENotFound, "Playlist after DeletePlaylist")
	wantCode(t, s.DeletePlaylist(ctx, "bare"), hall.ENotFound, "DeletePlaylist twice")
	gotSched, err := s.Schedule(ctx, "weekdays")
	mustOK(t, err, "Schedule of a deleted playlist (the store leaves it)")
	same(t, "Schedule of a deleted playlist", gotSched, sched)
	list, err = s.ListPlaylists(ctx)
	mustOK(t, err, "ListPlaylists")
	same(t, "ListPlaylists after DeletePlaylist", list, []*hall.Playlist{changed, empty})
}

func testSchedules(t *testing.T, s hall.Store) {
	ctx := t.Context()
	_, err := s.Schedule(ctx, "weekdays")
	wantCode(t, err, hall.ENotFound, "Schedule of a missing id")
	wantCode(t, s.DeleteSchedule(ctx, "weekdays"), hall.ENotFound, "DeleteSchedule of a missing id")

	weekdays := &hall.Schedule{ID: "weekdays", PlaylistID: "morning",
		Target: hall.Target{Groups: []string{"lobby", "entrance"}, Kinds: []string{hall.KindLED}},
		Days:   []int{1, 2, 3, 4, 5}, Start: "08:30", End: "17:30", From: "2025-03-01", Until: "2025-12-31",
		Priority: 5, UpdatedAt: t0, DayType: hall.DayTypeWorkdays}
	always := &hall.Schedule{ID: "always", PlaylistID: "pl_missing", UpdatedAt: at(time.Minute)} // no playlist check
	night := &hall.Schedule{ID: "night", PlaylistID: "quiet",
		Target: hall.Target{Screens: []string{"sc_1"}, Groups: []string{}, Halls: []string{"hl_east"}},
		Days:   []int{}, Start: "22:00", End: "06:00", Priority: -1, UpdatedAt: at(2 * time.Minute)}
	for _, sc := range []*hall.Schedule{weekdays, always, night} {
		mustOK(t, s.PutSchedule(ctx, sc), "PutSchedule "+sc.ID)
	}
	for _, sc := range []*hall.Schedule{weekdays, always, night} {
		got, err := s.Schedule(ctx, sc.ID)
		mustOK(t, err, "Schedule "+sc.ID)
		same(t, "Schedule "+sc.ID, got, sc)
	}

	changed := &hall.Schedule{ID: "weekdays", PlaylistID: "evening",
		Target: hall.Target{Halls: []string{"hl_west"}}, Days: []int{6, 7}, End: "24:00",
		Priority: 9, UpdatedAt: at(time.Hour).In(cst)}
	mustOK(t, s.PutSchedule(ctx, changed), "PutSchedule of an existing id")
	changed.UpdatedAt = at(time.Hour)
	got, err := s.Schedule(ctx, "weekdays")
	mustOK(t, err, "Schedule")
	same(t, "replaced Schedule", got, changed)
	wantUTC(t, "UpdatedAt", got.UpdatedAt)

	list, err := s.ListSchedules(ctx)
	mustOK(t, err, "ListSchedules")
	same(t, "ListSchedules (by id)", list, []*hall.Schedule{always, night, changed})

	mustOK(t, s.DeleteSchedule(ctx, "night"), "DeleteSchedule")
	_, err = s.Schedule(ctx, "night")
	wantCode(t, err, hall.ENotFound, "Schedule after DeleteSchedule")
	wantCode(t, s.DeleteSchedule(ctx, "night"), hall.ENotFound, "DeleteSchedule twice")
	list, err = s.ListSchedules(ctx)
	mustOK(t, err, "ListSchedules")
	same(t, "ListSchedules after DeleteSchedule", list, []*hall.Schedule{always, changed})
}

func testInterrupts(t *testing.T, s hall.Store) {
	ctx := t.Context()
	_, err := s.Interrupt(ctx, "ir_missing")
	wantCode(t, err, hall.ENotFound, "Interrupt of a missing id")
	list, err := s.ListInterrupts(ctx, time.Time{})
	mustOK(t, err, "ListInterrupts")
	if len(list) != 0 {
		t.Errorf("ListInterrupts of an empty store: got %d, want 0", len(list))
	}

	closing := &hall.Interrupt{Target: hall.Target{Halls: []string{"hl_east"}}, Level: hall.LevelUrgent,
		Text: "系统升级，暂停办理不动产业务", Until: at(time.Hour).In(cst), CreatedBy: "admin", CreatedAt: t0.In(cst)}
	mustOK(t, s.CreateInterrupt(ctx, closing), "CreateInterrupt")
	wantPrefix(t, "CreateInterrupt", closing.ID, "ir_")
	closing.Until, closing.CreatedAt = at(time.Hour), t0
	notice := &hall.Interrupt{ID: "ir_notice", Target: hall.Target{Kinds: []string{hall.KindKiosk}, Groups: []string{}},
		Level: hall.LevelInfo, ItemID: "it_conscription", Until: at(2 * time.Hour), CreatedBy: "li", CreatedAt: at(10 * time.Minute)}
	past := &hall.Interrupt{ID: "ir_past", Level: hall.LevelInfo, Text: "午休", Until: at(30 * time.Minute),
		CreatedBy: "li", CreatedAt: at(20 * time.Minute)}
	cleared := &hall.Interrupt{ID: "ir_cleared", Level: hall.LevelUrgent, Text: "停电", Until: at(3 * time.Hour),
		CreatedBy: "admin", CreatedAt: at(30 * time.Minute)}
	for _, i := range []*hall.Interrupt{notice, past, cleared} {
		mustOK(t, s.CreateInterrupt(ctx, i), "CreateInterrupt "+i.ID)
	}
	wantCode(t, s.CreateInterrupt(ctx, &hall.Interrupt{ID: "ir_past", Level: hall.LevelInfo, Text: "x", Until: t0, CreatedAt: t0}),
		hall.EConflict, "CreateInterrupt with a taken id")

	got, err := s.Interrupt(ctx, closing.ID)
	mustOK(t, err, "Interrupt")
	same(t, "Interrupt", got, closing)
	wantUTC(t, "Until", got.Until)
	got, err = s.Interrupt(ctx, notice.ID)
	mustOK(t, err, "Interrupt")
	same(t, "Interrupt with an item", got, notice)

	mustOK(t, s.ClearInterrupt(ctx, cleared.ID, at(40*time.Minute).In(cst)), "ClearInterrupt")
	cleared.ClearedAt = ptr(at(40 * time.Minute))
	got, err = s.Interrupt(ctx, cleared.ID)
	mustOK(t, err, "Interrupt")
	same(t, "cleared Interrupt", got, cleared)
	wantCode(t, s.ClearInterrupt(ctx, cleared.ID, at(50*time.Minute)), hall.ENotFound, "ClearInterrupt twice")
	wantCode(t, s.ClearInterrupt(ctx, "ir_missing", t0), hall.ENotFound, "ClearInterrupt of a missing id")
	got, err = s.Interrupt(ctx, cleared.ID)
	mustOK(t, err, "Interrupt")
	same(t, "ClearedAt after clearing twice", got.ClearedAt, cleared.ClearedAt)

	for _, tc := range []struct {
		name     string
		activeAt time.Time
		want     []*hall.Interrupt
	}{
		{"All", time.Time{}, []*hall.Interrupt{cleared, past, notice, closing}},
		{"BeforeAny", at(-time.Hour), []*hall.Interrupt{past, notice, closing}}, // created later, still active then
		{"Active", at(45 * time.Minute).In(cst), []*hall.Interrupt{notice, closing}},
		{"UntilIsExclusive", at(time.Hour), []*hall.Interrupt{notice}},
		{"NoneLeft", at(2 * time.Hour), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListInterrupts(ctx, tc.activeAt)
			mustOK(t, err, "ListInterrupts")
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			same(t, "ListInterrupts (newest first)", got, tc.want)
		})
	}
}

func testMedia(t *testing.T, s hall.Store) {
	ctx := t.Context()
	const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	_, err := s.Media(ctx, sha)
	wantCode(t, err, hall.ENotFound, "Media of a missing hash")

	m := &hall.Media{SHA256: sha, Type: "image", MIME: "image/png", Size: 48213, Name: "预算表.png",
		CreatedBy: "wang", CreatedAt: t0.In(cst)}
	mustOK(t, s.PutMedia(ctx, m), "PutMedia")
	m.CreatedAt = t0
	got, err := s.Media(ctx, sha)
	mustOK(t, err, "Media")
	same(t, "Media", got, m)
	wantUTC(t, "CreatedAt", got.CreatedAt)

	again := &hall.Media{SHA256: sha, Type: "image", MIME: "image/png", Size: 48213, Name: "copy.png",
		CreatedBy: "li", CreatedAt: at(time.Hour)}
	mustOK(t, s.PutMedia(ctx, again), "PutMedia of a stored hash")
	got, err = s.Media(ctx, sha)
	mustOK(t, err, "Media")
	same(t, "Media after a second PutMedia (the first kept)", got, m)

	pdf := &hall.Media{SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Type: "pdf",
		MIME: "application/pdf", Size: 0, CreatedAt: t0}
	mustOK(t, s.PutMedia(ctx, pdf), "PutMedia with no name")
	got, err = s.Media(ctx, pdf.SHA256)
	mustOK(t, err, "Media")
	same(t, "Media with no name", got, pdf)
}
