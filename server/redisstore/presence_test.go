package redisstore

import (
	"reflect"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

func TestPresence(t *testing.T) {
	t.Run("Standalone", func(t *testing.T) { testPresence(t, standaloneURL(t)) })
	t.Run("Cluster", func(t *testing.T) { testPresence(t, clusterURL(t)) })
}

func testPresence(t *testing.T, url string) {
	s := openTest(t, url, "")
	ctx := t.Context()
	list, err := s.ListPresence(ctx)
	mustOK(t, err)
	if len(list) != 0 {
		t.Fatalf("ListPresence of an empty store: %v", list)
	}
	cst := time.FixedZone("CST", 8*3600)
	at := time.Date(2026, 6, 1, 9, 0, 0, 123, cst)
	wall := Presence{ScreenID: "sc_wall", Connections: 1, ConnectedAt: at, LastSeen: at.Add(time.Minute),
		Version: "1.4.2", Showing: &hall.Showing{ItemID: "it_budget", Revision: 3}}
	kiosk := Presence{ScreenID: "sc_kiosk", Connections: 2, ConnectedAt: at, LastSeen: at}
	mustOK(t, s.PutPresence(ctx, "replica-a", []Presence{wall, kiosk}, time.Hour))
	mustOK(t, s.PutPresence(ctx, "replica-b", []Presence{{ScreenID: "sc_wall", Replica: "ignored", Connections: 1,
		ConnectedAt: at, LastSeen: at}}, time.Hour))

	utc := func(p Presence, replica string) Presence {
		p.Replica, p.ConnectedAt, p.LastSeen = replica, p.ConnectedAt.UTC(), p.LastSeen.UTC()
		return p
	}
	wantList := func(what string, want ...Presence) {
		t.Helper()
		got, err := s.ListPresence(ctx)
		mustOK(t, err)
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
		}
	}
	bWall := utc(Presence{ScreenID: "sc_wall", Connections: 1, ConnectedAt: at, LastSeen: at}, "replica-b")
	wantList("ListPresence (by screen, then replica)", utc(kiosk, "replica-a"), utc(wall, "replica-a"), bWall)

	mustOK(t, s.PutPresence(ctx, "replica-a", []Presence{kiosk}, time.Hour))
	wantList("after replica-a replaced its list", utc(kiosk, "replica-a"), bWall)

	mustOK(t, s.PutPresence(ctx, "replica-a", nil, time.Hour))
	wantList("after replica-a reported no screens", bWall)

	// A replica that stops renewing drops out when its list expires.
	mustOK(t, s.PutPresence(ctx, "replica-b", []Presence{{ScreenID: "sc_wall", ConnectedAt: at, LastSeen: at}}, 50*time.Millisecond))
	eventually(t, 30*time.Second, "replica-b's list expired", func() bool {
		got, err := s.ListPresence(ctx)
		return err == nil && len(got) == 0
	})
	if n, err := s.rdb.SCard(ctx, s.pkey("replicas")).Result(); err != nil || n != 1 {
		t.Errorf("replica names after one list expired: %d (%v), want 1 (replica-a)", n, err)
	}

	wantCode := func(err error, what string) {
		t.Helper()
		if !hall.IsCode(err, hall.EValidation) {
			t.Errorf("%s: got %v, want a validation error", what, err)
		}
	}
	wantCode(s.PutPresence(ctx, "", nil, time.Hour), "PutPresence without a replica")
	wantCode(s.PutPresence(ctx, "replica-a", nil, 0), "PutPresence without a time to live")
}
