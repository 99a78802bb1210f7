package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/sqlite"
)

// eventDay is where the generated events start.
var eventDay = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// randomEvents makes n events over three days from a dozen screens (so
// every shard gets some), of every kind the reports count and one they do
// not, with times to the nanosecond.
func randomEvents(r *rand.Rand, n int) []*hall.Event {
	kinds := []string{hall.EventImpression, hall.EventImpression, hall.EventView, hall.EventRating, hall.EventFeedback, "heartbeat"}
	items := []string{"it_0", "it_1", "it_2", "it_3", "it_draft", ""}
	out := make([]*hall.Event, n)
	for i := range out {
		at := eventDay.Add(time.Duration(r.Int64N(int64(72 * time.Hour))))
		if r.IntN(10) == 0 { // some on exact quarter hours
			at = at.Truncate(15 * time.Minute)
		}
		e := &hall.Event{ID: fmt.Sprintf("ev-%05d", i), Kind: kinds[r.IntN(len(kinds))], At: at,
			ScreenID: fmt.Sprintf("sc_%02d", r.IntN(12)), ReceivedAt: at.Add(time.Duration(r.IntN(5000)) * time.Millisecond),
			ItemID: items[r.IntN(len(items))]}
		switch e.Kind {
		case hall.EventImpression:
			e.DurationMS = r.Int64N(60000)
		case hall.EventView:
			e.DwellMS = r.Int64N(120000)
		case hall.EventRating:
			e.Level = r.IntN(6)
			e.Misuse = r.IntN(5) == 0
			e.Subject = hall.SubjectHall
			if it := items[r.IntN(len(items))]; it != "" {
				e.Subject = hall.ItemSubject(it)
			}
			if r.IntN(2) == 0 {
				e.Data = json.RawMessage(`{"aspects": {"speed":` + strconv.Itoa(r.IntN(5)+1) + `}}`)
			}
		case hall.EventFeedback:
			e.Topic, e.Text = "service", fmt.Sprintf("意见 %d", i)
		}
		out[i] = e
	}
	return out
}

// fillBoth stores the same items and events in both stores.
func fillBoth(t *testing.T, stores []hall.Store, events []*hall.Event) {
	ctx := t.Context()
	for _, s := range stores {
		for i, id := range []string{"it_0", "it_1", "it_2", "it_3", "it_draft"} {
			it := &hall.Item{ID: id, Category: []string{"finance", "personnel"}[i%2], Department: []string{"caizheng", "zuzhi", "jianshe"}[i%3],
				Title: id, Status: hall.StatusApproved, CreatedAt: eventDay, UpdatedAt: eventDay}
			mustOK(t, s.CreateItem(ctx, it))
			if id == "it_draft" {
				continue
			}
			it.Public = &hall.PublicState{Revision: 1, Category: it.Category, Department: it.Department, Title: id,
				PublishedAt: eventDay, FirstPublished: eventDay}
			e, err := hall.NewPublishEntry(&hall.Revision{ID: id, Revision: 1, PublishedAt: eventDay})
			mustOK(t, err)
			mustOK(t, s.SaveWithEntry(ctx, it, e))
		}
		for start := 0; start < len(events); start += 250 {
			_, err := s.InsertEvents(ctx, events[start:min(start+250, len(events))])
			mustOK(t, err)
		}
	}
}

func openSQLite(t *testing.T) *sqlite.Store {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "hallcast.db"))
	mustOK(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestEngagementMatchesSQLite compares the report made from counters with
// SQLite's, made from the events, over random windows and zone offsets.
func TestEngagementMatchesSQLite(t *testing.T) {
	t.Run("Standalone", func(t *testing.T) { testEngagementMatchesSQLite(t, standaloneURL(t)) })
	t.Run("Cluster", func(t *testing.T) { testEngagementMatchesSQLite(t, clusterURL(t)) })
}

func testEngagementMatchesSQLite(t *testing.T, url string) {
	r := rand.New(rand.NewPCG(1, 2))
	rs, lite := openTest(t, url, ""), openSQLite(t)
	fillBoth(t, []hall.Store{rs, lite}, randomEvents(r, 1500))

	type window struct{ from, to time.Time }
	windows := []window{
		{},
		{eventDay, eventDay.Add(72 * time.Hour)},
		{eventDay.Add(-8 * time.Hour), eventDay.Add(64 * time.Hour)}, // local days in UTC+8
		{eventDay.Add(time.Hour), time.Time{}},
		{time.Time{}, eventDay.Add(30*time.Hour + 7*time.Minute)},
		{eventDay.Add(10 * time.Minute), eventDay.Add(12 * time.Minute)},                        // inside one quarter hour
		{eventDay.Add(15*time.Minute + 1), eventDay.Add(45 * time.Minute)},                      // one nanosecond past a boundary
		{eventDay.Add(24 * time.Hour), eventDay.Add(24 * time.Hour)},                            // empty
		{eventDay.Add(50 * time.Hour), eventDay.Add(20 * time.Hour)},                            // reversed
		{eventDay.Add(-48 * time.Hour), eventDay.Add(-24 * time.Hour)},                          // before every event
		{eventDay.Add(23*time.Hour + 59*time.Minute), eventDay.Add(48*time.Hour + time.Minute)}, // whole day inside
	}
	for range 25 {
		a := eventDay.Add(time.Duration(r.Int64N(int64(80*time.Hour))) - 4*time.Hour)
		windows = append(windows, window{a, a.Add(time.Duration(r.Int64N(int64(40 * time.Hour))))})
	}
	offsets := []int{0, 8 * 3600, -5 * 3600, 5*3600 + 1800, 5*3600 + 2700, 1234, -86399}
	bys := []string{hall.ByItem, hall.ByCategory, hall.ByDepartment, hall.ByScreen, hall.ByDay}
	ctx := t.Context()
	compared := 0
	for wi, w := range windows {
		for _, by := range bys {
			offs := []int{0}
			if by == hall.ByDay {
				offs = offsets
			}
			for _, off := range offs {
				want, err := lite.Engagement(ctx, w.from, w.to, by, off)
				mustOK(t, err)
				got, err := rs.Engagement(ctx, w.from, w.to, by, off)
				mustOK(t, err)
				if len(got) == 0 && len(want) == 0 {
					continue
				}
				compared++
				if !reflect.DeepEqual(got, want) {
					t.Errorf("window %d [%v, %v) by %s offset %d:\n got %s\nwant %s", wi, w.from, w.to, by, off, dumpJSON(got), dumpJSON(want))
				}
			}
		}
	}
	if compared < 200 {
		t.Errorf("only %d reports had rows to compare", compared)
	}
}

func dumpJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestEngagementReadsCounters deletes the events themselves: a report whose
// window starts and ends on quarter hours is answered all the same, from
// the counters alone.
func TestEngagementReadsCounters(t *testing.T) {
	url := standaloneURL(t)
	s := openTest(t, url, "")
	ctx := t.Context()
	fillBoth(t, []hall.Store{s}, randomEvents(rand.New(rand.NewPCG(3, 4)), 600))
	from, to := eventDay.Add(-8*time.Hour), eventDay.Add(64*time.Hour)
	type query struct {
		by  string
		off int
	}
	queries := []query{{hall.ByItem, 0}, {hall.ByCategory, 0}, {hall.ByScreen, 0}, {hall.ByDay, 8 * 3600}, {hall.ByDay, 0}}
	before := make([][]*hall.EngagementRow, len(queries))
	for i, q := range queries {
		rows, err := s.Engagement(ctx, from, to, q.by, q.off)
		mustOK(t, err)
		if len(rows) == 0 {
			t.Fatalf("Engagement by %s: no rows", q.by)
		}
		before[i] = rows
	}
	for shard := range eventShards {
		mustOK(t, s.rdb.Del(ctx, s.ekey(shard, "ev"), s.ekey(shard, "at")).Err())
	}
	for i, q := range queries {
		rows, err := s.Engagement(ctx, from, to, q.by, q.off)
		mustOK(t, err)
		if !reflect.DeepEqual(rows, before[i]) {
			t.Errorf("Engagement by %s offset %d without the events:\n got %s\nwant %s", q.by, q.off, dumpJSON(rows), dumpJSON(before[i]))
		}
	}
}

// TestListEventsMatchesSQLite lists events with many equal and nearly equal
// times received, spread over every shard, in random windows and pages.
func TestListEventsMatchesSQLite(t *testing.T) {
	url := standaloneURL(t)
	r := rand.New(rand.NewPCG(5, 6))
	rs, lite := openTest(t, url, ""), openSQLite(t)
	events := randomEvents(r, 1200)
	for _, e := range events { // times received on a few instants, a nanosecond apart
		e.ReceivedAt = eventDay.Add(time.Duration(r.IntN(40))*time.Second + time.Duration(r.IntN(3)))
	}
	fillBoth(t, []hall.Store{rs, lite}, events)
	ctx := t.Context()
	compared := 0
	for i := range 60 {
		kind := []string{"", hall.EventImpression, hall.EventRating, "heartbeat"}[i%4]
		var from, to time.Time
		if i%3 != 0 {
			from = eventDay.Add(time.Duration(r.IntN(20))*time.Second + time.Duration(r.IntN(3)))
			to = from.Add(time.Duration(r.IntN(25)) * time.Second)
		}
		limit := []int{0, 1, 7, 50, 5000}[i%5]
		want, err := lite.ListEvents(ctx, kind, from, to, limit)
		mustOK(t, err)
		got, err := rs.ListEvents(ctx, kind, from, to, limit)
		mustOK(t, err)
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		compared++
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ListEvents(%q, %v, %v, %d): got %d events, want %d; first difference at %d", kind, from, to, limit,
				len(got), len(want), firstDiff(got, want))
		}
	}
	if compared < 30 {
		t.Errorf("only %d lists had events to compare", compared)
	}
	for _, kind := range []string{"", hall.EventView, "heartbeat", "none"} {
		a, err := lite.CountEvents(ctx, kind)
		mustOK(t, err)
		b, err := rs.CountEvents(ctx, kind)
		mustOK(t, err)
		if a != b {
			t.Errorf("CountEvents(%q): got %d, want %d", kind, b, a)
		}
	}
}

func firstDiff(a, b []*hall.Event) int {
	for i := range min(len(a), len(b)) {
		if !reflect.DeepEqual(a[i], b[i]) {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestOutboxRecovery stops an insert between its two steps: the events are
// in their shard, their feedback and case are not. A resend of the events,
// or the next Open, finishes the second step.
func TestOutboxRecovery(t *testing.T) {
	url := standaloneURL(t)
	ctx := t.Context()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	fb := &hall.Event{ID: "k1-fb", Kind: hall.EventFeedback, At: at, ScreenID: "sc_kiosk", ReceivedAt: at, Text: "太慢", Topic: "service"}
	poor := &hall.Event{ID: "k1-poor", Kind: hall.EventRating, At: at, ScreenID: "sc_kiosk", ReceivedAt: at,
		Subject: hall.SubjectHall, Level: 1, Data: json.RawMessage(`{"aspects":{"speed":1}}`)}
	firstStepOnly := func(s *Store, events ...*hall.Event) {
		t.Helper()
		c := s.newShardCall(shardOf("sc_kiosk"))
		for _, e := range events {
			ob, err := outboxOf(e)
			mustOK(t, err)
			s.addEvent(c, e, ob)
		}
		_, err := s.runScripts(ctx, s.insertScript(), []*shardCall{c})
		mustOK(t, err)
		if _, err := s.Feedback(ctx, fb.ID); !hall.IsCode(err, hall.ENotFound) {
			t.Fatalf("feedback after the first step only: %v, want not found", err)
		}
	}
	wantMade := func(s *Store) {
		t.Helper()
		f, err := s.Feedback(ctx, fb.ID)
		mustOK(t, err)
		if f.Receipt != hall.Receipt(fb.ID) || f.Text != "太慢" {
			t.Errorf("feedback made on recovery: %+v", f)
		}
		c, err := s.Case(ctx, poor.ID)
		mustOK(t, err)
		if string(c.Aspects) != `{"speed":1}` {
			t.Errorf("case made on recovery: %+v", c)
		}
		for shard := range eventShards {
			if n, err := s.rdb.HLen(ctx, s.ekey(shard, "outbox")).Result(); err != nil || n != 0 {
				t.Errorf("shard %d outbox after recovery: %d entries (%v)", shard, n, err)
			}
		}
	}

	t.Run("Resend", func(t *testing.T) {
		s := openTest(t, url, "")
		firstStepOnly(s, fb, poor)
		n, err := s.InsertEvents(ctx, []*hall.Event{fb, poor})
		mustOK(t, err)
		if n != 0 {
			t.Errorf("InsertEvents of events stored by the first step: %d new, want 0", n)
		}
		wantMade(s)
	})
	t.Run("Open", func(t *testing.T) {
		prefix := testPrefix()
		s := openTest(t, url, prefix)
		firstStepOnly(s, fb, poor)
		wantMade(openTest(t, url, prefix))
	})
}

func TestInsertEventsRejectsTimes(t *testing.T) {
	s := openTest(t, standaloneURL(t), "")
	ctx := t.Context()
	ok := &hall.Event{ID: "ok", Kind: hall.EventView, At: eventDay, ScreenID: "sc_1", ReceivedAt: eventDay}
	bad := &hall.Event{ID: "bad", Kind: hall.EventView, At: time.Date(1492, 10, 12, 0, 0, 0, 0, time.UTC), ScreenID: "sc_2", ReceivedAt: eventDay}
	if _, err := s.InsertEvents(ctx, []*hall.Event{ok, bad}); !hall.IsCode(err, hall.EValidation) {
		t.Errorf("InsertEvents with an event of 1492: %v, want a validation error", err)
	}
	if n, err := s.CountEvents(ctx, ""); err != nil || n != 0 {
		t.Errorf("after a refused batch: %d events (%v), want 0", n, err)
	}
	if _, err := s.InsertEvents(ctx, []*hall.Event{ok, nil}); err == nil {
		t.Error("InsertEvents with a nil event: no error")
	}
}

// TestKeyLayout runs a little of everything and checks where the keys
// went: all under the prefix, each in the metadata slot, an event shard or
// the presence slot; and that the test's clean-up deletes only its own.
func TestKeyLayout(t *testing.T) {
	t.Run("Standalone", func(t *testing.T) { testKeyLayout(t, standaloneURL(t)) })
	t.Run("Cluster", func(t *testing.T) { testKeyLayout(t, clusterURL(t)) })
}

func testKeyLayout(t *testing.T, url string) {
	ctx := t.Context()
	prefix := testPrefix()
	s, err := Open(ctx, Options{URL: url, Prefix: prefix, AllowVolatile: true, Logger: slog.New(slog.DiscardHandler)})
	mustOK(t, err)
	defer s.Close()
	neighbour := openTest(t, url, "")
	mustOK(t, neighbour.PutDepartment(ctx, &hall.Department{Key: "x", Name: hall.Text{ZH: "邻居"}}))

	audited := hall.WithAudit(ctx, &hall.AuditEntry{At: eventDay, Actor: "wang", Action: "hall.create", Target: "hl_1"})
	mustOK(t, s.CreateHall(audited, &hall.Hall{ID: "hl_1", Name: "大厅", TZ: hall.DefaultTZ}))
	mustOK(t, s.CreateUser(ctx, &hall.User{Username: "wang", Role: hall.RoleAdmin}))
	_, err = s.Hit(ctx, "login:wang", 1, eventDay, time.Minute)
	mustOK(t, err)
	mustOK(t, s.PutPresence(ctx, "replica-a", []Presence{{ScreenID: "sc_1"}}, time.Minute))
	fillBoth(t, []hall.Store{s}, randomEvents(rand.New(rand.NewPCG(7, 8)), 300))

	layout := regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `\{(m|p|e[0-7])\}:`)
	var keys []string
	scan := func(ctx context.Context, n *goredis.Client) error {
		iter := n.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		return iter.Err()
	}
	switch c := s.Client().(type) {
	case *goredis.ClusterClient:
		// One master at a time: ForEachMaster calls back concurrently.
		nodes, err := c.ClusterSlots(ctx).Result()
		mustOK(t, err)
		for _, n := range nodes {
			cl := goredis.NewClient(&goredis.Options{Addr: n.Nodes[0].Addr})
			mustOK(t, scan(ctx, cl))
			cl.Close()
		}
	case *goredis.Client:
		mustOK(t, scan(ctx, c))
	}
	tags := map[string]bool{}
	for _, k := range keys {
		m := layout.FindStringSubmatch(k)
		if m == nil {
			t.Errorf("key %q is outside the layout", k)
			continue
		}
		tags[m[1]] = true
	}
	for _, tag := range []string{"m", "p"} {
		if !tags[tag] {
			t.Errorf("no key in slot {%s}", tag)
		}
	}
	for shard := range eventShards {
		if !tags["e"+strconv.Itoa(shard)] {
			t.Errorf("no key in event shard {e%d}: twelve screens should reach all", shard)
		}
	}

	mustOK(t, deleteKeys(ctx, s.Client(), prefix))
	if n := countKeys(t, s.Client(), prefix); n != 0 {
		t.Errorf("%d keys left under the prefix after deleting them", n)
	}
	if _, err := neighbour.Department(ctx, "x"); err != nil {
		t.Errorf("deleting one prefix's keys touched another's: %v", err)
	}
}

// TestShardCountRecorded refuses data written with another shard count.
func TestShardCountRecorded(t *testing.T) {
	url := standaloneURL(t)
	prefix := testPrefix()
	s := openTest(t, url, prefix)
	mustOK(t, s.rdb.HSet(t.Context(), s.mkey("settings"), "event_shards", "4").Err())
	if other, err := Open(t.Context(), Options{URL: url, Prefix: prefix, AllowVolatile: true}); err == nil {
		other.Close()
		t.Error("Open of data written with 4 event shards: no error")
	}
}

func TestOpenBadOptions(t *testing.T) {
	for _, o := range []Options{
		{URL: "http://127.0.0.1:6379"},
		{URL: "redis://127.0.0.1:6379/0", Prefix: "bad{prefix}:"},
		{URL: "redis+cluster://127.0.0.1:7000?nonsense=1"},
	} {
		if s, err := Open(context.Background(), o); err == nil {
			s.Close()
			t.Errorf("Open(%+v): no error", o)
		}
	}
}
