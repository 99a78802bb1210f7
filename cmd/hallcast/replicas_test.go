package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/poll"
	"github.com/hallcast/hallcast/server/redisstore"
)

// Replicas on one Redis, proved end to end: every replica is a whole
// "hallcast serve" started through run, screens speak the device protocol
// over real websockets, and the Redis is a real one.

// needRedisHere fails (under CI=true) or skips the test when what it needs
// is missing.
func needRedisHere(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...) + " (install with: apt-get install redis-server)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// sharedRedis returns the URL of the shared test Redis (REDIS_URL, default
// redis://127.0.0.1:6379/0).
func sharedRedis(t *testing.T) string {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL %q: %v", url, err)
	}
	c := goredis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		needRedisHere(t, "no Redis at %s: %v", url, err)
	}
	return url
}

// uniquePrefix returns a fresh key prefix whose keys are deleted when the
// test ends (after the servers it starts later have stopped).
func uniquePrefix(t *testing.T, url string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	prefix := "hallcast-test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		opt, err := goredis.ParseURL(url)
		if err != nil {
			t.Error(err)
			return
		}
		c := goredis.NewClient(opt)
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("scan test keys %s*: %v", prefix, err)
			return
		}
		for k := range slices.Chunk(keys, 500) {
			if err := c.Unlink(ctx, k...).Err(); err != nil {
				t.Errorf("delete test keys %s*: %v", prefix, err)
				return
			}
		}
	})
	return prefix
}

// replicaEnv is the environment of a replica named name on the Redis at url
// under prefix. Every replica shares one data directory, which holds the
// archive signing key (and, here, the media).
func replicaEnv(dir, url, prefix, name string, volatile bool) map[string]string {
	env := map[string]string{"HALLCAST_DATA": dir, "HALLCAST_STORE": url, "HALLCAST_REDIS_PREFIX": prefix,
		"HALLCAST_REPLICA": name, "HALLCAST_ADMIN_PASSWORD": "a-long-test-password", "HALLCAST_LOG_LEVEL": "warn"}
	if volatile {
		// The shared test Redis keeps no append-only file.
		env["HALLCAST_REDIS_ALLOW_VOLATILE"] = "true"
	}
	return env
}

// liveScreen is a screen whose frames a goroutine reads as they come, so
// that a test can wait for a frame without timing out the connection.
type liveScreen struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan map[string]any
	done   chan struct{}
	err    error // why the connection ended, once done is closed
	wmu    sync.Mutex
}

// dialLive connects a screen to base and returns it after its welcome.
func dialLive(t *testing.T, base, token string) (*liveScreen, error) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(base, "http", "ws", 1)+"/ws", nil)
	if err != nil {
		return nil, err
	}
	s := &liveScreen{t: t, ws: ws, frames: make(chan map[string]any, 1024), done: make(chan struct{})}
	t.Cleanup(func() { ws.Close() })
	if err := s.write(map[string]any{"type": "hello", "token": token, "kind": "led", "version": "test", "screen": map[string]int{"w": 1920, "h": 1080}}); err != nil {
		return nil, err
	}
	go func() {
		defer close(s.done)
		for {
			var m map[string]any
			if err := ws.ReadJSON(&m); err != nil {
				s.err = err
				return
			}
			select {
			case s.frames <- m:
			default:
				s.err = errors.New("test screen: too many frames unread")
				ws.Close()
				return
			}
		}
	}()
	if w := s.await(10*time.Second, "welcome", func(m map[string]any) bool { return true }); w["type"] != "welcome" {
		return nil, fmt.Errorf("first frame %v, want welcome", w)
	}
	return s, nil
}

// mustDialLive is dialLive failing the test on an error.
func mustDialLive(t *testing.T, base, token string) *liveScreen {
	t.Helper()
	s, err := dialLive(t, base, token)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *liveScreen) write(v any) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.ws.WriteJSON(v)
}

// await returns the first frame that matches, skipping the others; it
// fails the test when none comes within d or the connection ends.
func (s *liveScreen) await(d time.Duration, what string, match func(map[string]any) bool) map[string]any {
	s.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case m := <-s.frames:
			if match(m) {
				return m
			}
			if os.Getenv("HALLCAST_TEST_TRACE") != "" {
				s.t.Logf("skipped %v", m)
			}
		case <-s.done:
			// Frames read before the end still count.
			for {
				select {
				case m := <-s.frames:
					if match(m) {
						return m
					}
				default:
					s.t.Fatalf("waiting for %s: connection ended: %v", what, s.err)
				}
			}
		case <-timeout:
			s.t.Fatalf("no %s within %s", what, d)
		}
	}
}

// manifestWith waits for a manifest frame for which has(manifest JSON)
// holds, and returns its etag.
func (s *liveScreen) manifestWith(what string, has func(string) bool) string {
	s.t.Helper()
	m := s.await(10*time.Second, what, func(m map[string]any) bool {
		if m["type"] != "manifest" {
			return false
		}
		b, _ := json.Marshal(m["manifest"])
		return has(string(b))
	})
	etag, _ := m["etag"].(string)
	return etag
}

// closeCode waits for the connection to end and returns its close code (0
// when it ended without a close frame).
func (s *liveScreen) closeCode(d time.Duration) int {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(d):
		s.t.Fatalf("connection still open after %s", d)
	}
	var ce *websocket.CloseError
	if errors.As(s.err, &ce) {
		return ce.Code
	}
	return 0
}

// open reports whether the connection is still open.
func (s *liveScreen) open() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// sendEvents sends one frame of impression events and returns the ids
// acknowledged, or an error when the server answered with an error frame
// (events not stored) or the connection ended.
func (s *liveScreen) sendEvents(ids []string) ([]string, error) {
	s.t.Helper()
	now := time.Now().UTC().Format(time.RFC3339)
	evs := make([]map[string]any, len(ids))
	for i, id := range ids {
		evs[i] = map[string]any{"id": id, "kind": "impression", "at": now, "item_id": "x", "revision": 1, "duration_ms": 15000, "playlist_id": "repl"}
	}
	if err := s.write(map[string]any{"type": "events", "events": evs}); err != nil {
		return nil, err
	}
	timeout := time.After(60 * time.Second)
	for {
		select {
		case m := <-s.frames:
			switch m["type"] {
			case "ack":
				var acked []string
				for _, id := range m["ids"].([]any) {
					acked = append(acked, id.(string))
				}
				return acked, nil
			case "error":
				return nil, fmt.Errorf("error frame: %v", m)
			}
		case <-s.done:
			return nil, fmt.Errorf("connection ended: %v", s.err)
		case <-timeout:
			return nil, errors.New("no answer to events in 60 s")
		}
	}
}

// apiCall is client.call for goroutines: it returns errors instead of
// failing the test.
func apiCall(base, token, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// publishVia drafts, submits, approves and publishes a policy item through
// the server at base, and returns its id.
func publishVia(c *client, base, title string) (string, error) {
	var created struct{ Item struct{ ID string } }
	if err := apiCall(base, c.token, "POST", "/api/v1/items", map[string]any{"category": "policy", "department": "service-center", "title": title, "summary": "要点"}, &created); err != nil {
		return "", err
	}
	id := created.Item.ID
	for _, step := range []struct{ token, action string }{{c.token, "submit"}, {c.reviewerToken, "approve"}, {c.token, "publish"}} {
		if err := apiCall(base, step.token, "POST", "/api/v1/items/"+id+"/"+step.action, nil, nil); err != nil {
			return id, err
		}
	}
	return id, nil
}

// onlineScreens returns which screens the server at base lists as online.
func onlineScreens(c *client, base string) map[string]bool {
	c.t.Helper()
	var list struct {
		Screens []struct {
			ID     string
			Online bool
		}
	}
	if err := apiCall(base, c.token, "GET", "/api/v1/screens", nil, &list); err != nil {
		c.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, s := range list.Screens {
		out[s.ID] = s.Online
	}
	return out
}

// on returns a copy of c calling the server at base.
func (c *client) on(base string) *client {
	d := *c
	d.base = base
	return &d
}

// TestReplicas runs two replicas on one Redis and checks that they act as
// one hall system: whatever is changed through one reaches the screens of
// the other, each lists the other's screens, and publishes through both at
// once leave one gapless archive.
func TestReplicas(t *testing.T) {
	url := sharedRedis(t)
	prefix := uniquePrefix(t, url)
	dir := t.TempDir()
	envA := replicaEnv(dir, url, prefix, "replica-a", true)
	envB := replicaEnv(dir, url, prefix, "replica-b", true)
	// A starts first and seeds the demo content; B starts on what A made.
	baseA, _, _ := startServer(t, envA)
	baseB, _, _ := startServer(t, envB)
	a := adminClient(t, baseA, envA)

	a.must("PUT", "/api/v1/playlists/repl", map[string]any{"name": "跨副本", "entries": []map[string]any{{"category": "policy", "duration_s": 15}}}, nil)
	a.must("PUT", "/api/v1/schedules/repl", map[string]any{"playlist_id": "repl", "target": map[string]any{"groups": []string{"repl"}}, "priority": 10}, nil)
	idA, tokA := newScreen(a, "一楼LED", "led", "repl")
	idB, tokB := newScreen(a, "二楼LED", "led", "repl")
	// One policy stays published, so that the playlist plays something.
	kept, err := publishVia(a, baseA, "常驻的政策公告")
	if err != nil {
		t.Fatal(err)
	}
	onA := mustDialLive(t, baseA, tokA)
	onB := mustDialLive(t, baseB, tokB)
	first := onB.manifestWith("first manifest on B", func(m string) bool { return strings.Contains(m, kept) })

	t.Run("PublishOnAReachesB", func(t *testing.T) {
		onB.t, onA.t = t, t
		a := a.in(t)
		id, err := publishVia(a, baseA, "跨副本发布的公告")
		if err != nil {
			t.Fatal(err)
		}
		onB.manifestWith("manifest with "+id+" on B", func(m string) bool { return strings.Contains(m, id) })
		onA.manifestWith("manifest with "+id+" on A", func(m string) bool { return strings.Contains(m, id) })

		a.must("POST", "/api/v1/items/"+id+"/withdraw", map[string]string{"reason": "跨副本撤回"}, nil)
		onB.manifestWith("manifest without "+id+" on B", func(m string) bool { return !strings.Contains(m, id) })
	})

	t.Run("PlaylistAndScheduleEditsOnAReachB", func(t *testing.T) {
		onB.t = t
		a := a.in(t)
		// Each policy now plays 17 s: the manifest's cues say so.
		a.must("PUT", "/api/v1/playlists/repl", map[string]any{"name": "跨副本", "entries": []map[string]any{{"category": "policy", "duration_s": 17}}}, nil)
		afterPlaylist := onB.manifestWith("manifest after the playlist edit", func(m string) bool { return strings.Contains(m, `"duration_s":17`) })
		if afterPlaylist == first {
			t.Errorf("etag unchanged after a playlist edit: %s", first)
		}
		// Another playlist scheduled over it: the manifest names it.
		a.must("PUT", "/api/v1/playlists/repl2", map[string]any{"name": "跨副本二", "entries": []map[string]any{{"category": "policy", "duration_s": 20}}}, nil)
		a.must("PUT", "/api/v1/schedules/repl2", map[string]any{"playlist_id": "repl2", "target": map[string]any{"groups": []string{"repl"}}, "priority": 20}, nil)
		onB.manifestWith("manifest after the schedule edit", func(m string) bool { return strings.Contains(m, `"repl2"`) })
		if code := a.call("DELETE", "/api/v1/schedules/repl2", nil, nil); code != http.StatusNoContent {
			t.Fatalf("delete schedule: %d", code)
		}
		onB.manifestWith("manifest after the schedule was removed", func(m string) bool { return !strings.Contains(m, `"repl2"`) })
	})

	t.Run("InterruptOnAReachesB", func(t *testing.T) {
		onB.t = t
		a := a.in(t)
		var made struct{ Interrupt struct{ ID string } }
		until := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		a.must("POST", "/api/v1/interrupts", map[string]any{"target": map[string]any{"groups": []string{"repl"}}, "level": "urgent",
			"text": "因系统升级，今日下午暂停办理", "until": until}, &made)
		onB.await(10*time.Second, "interrupt on B", func(m map[string]any) bool { return m["type"] == "interrupt" && m["id"] == made.Interrupt.ID })
		if code := a.call("DELETE", "/api/v1/interrupts/"+made.Interrupt.ID, nil, nil); code != http.StatusNoContent {
			t.Fatalf("clear interrupt: %d", code)
		}
		onB.await(10*time.Second, "interrupt_clear on B", func(m map[string]any) bool {
			return m["type"] == "interrupt_clear" && m["id"] == made.Interrupt.ID
		})
	})

	t.Run("PairingClaimedOnAReachesB", func(t *testing.T) {
		a := a.in(t)
		anonB := &client{t: t, base: baseB}
		var p struct{ ID, Code, Secret string }
		anonB.must("POST", "/api/v1/pairings", map[string]any{}, &p)
		var halls struct{ Halls []struct{ ID string } }
		a.must("GET", "/api/v1/halls", nil, &halls)
		a.must("POST", "/api/v1/pairings/"+p.Code+"/claim", map[string]any{"name": "配对屏", "kind": "led", "hall_id": halls.Halls[0].ID, "groups": []string{"repl"}}, nil)
		var got map[string]any
		anonB.must("GET", "/api/v1/pairings/"+p.ID+"?secret="+p.Secret, nil, &got)
		token, _ := got["token"].(string)
		if got["status"] != "claimed" || token == "" {
			t.Fatalf("poll on B after the claim on A: %v", got)
		}
		paired := mustDialLive(t, baseB, token)
		paired.manifestWith("the paired screen's manifest on B", func(string) bool { return true })
	})

	t.Run("EachListsTheOthersScreens", func(t *testing.T) {
		a := a.in(t)
		poll.Until(t, 20*time.Second, "A listing B's screen and B listing A's", func() (bool, string) {
			onlineA, onlineB := onlineScreens(a, baseA), onlineScreens(a, baseB)
			return onlineA[idB] && onlineA[idA] && onlineB[idA] && onlineB[idB], fmt.Sprintf("A: %v, B: %v", onlineA, onlineB)
		})
	})

	t.Run("RevokeOnAClosesOnB", func(t *testing.T) {
		onB.t = t
		a := a.in(t)
		if code := a.call("DELETE", "/api/v1/screens/"+idB, nil, nil); code != http.StatusNoContent {
			t.Fatalf("revoke on A: %d", code)
		}
		if code := onB.closeCode(10 * time.Second); code != 4403 {
			t.Errorf("B's screen closed with %d (%v), want 4403", code, onB.err)
		}
		if !onA.open() {
			t.Errorf("A's screen closed too: %v", onA.err)
		}
	})

	t.Run("ConcurrentPublishesLeaveOneArchive", func(t *testing.T) {
		a := a.in(t)
		store, err := redisstore.Open(context.Background(), redisstore.Options{URL: url, Prefix: prefix, AllowVolatile: true, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		ctx := context.Background()
		before, err := store.ArchiveSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		const each, workers = 50, 5
		errs := make(chan error, 2*each)
		var wg sync.WaitGroup
		for _, base := range []string{baseA, baseB} {
			jobs := make(chan int)
			for range workers {
				wg.Go(func() {
					for i := range jobs {
						if _, err := publishVia(a, base, fmt.Sprintf("并发公告 %s %d", base, i)); err != nil {
							errs <- err
						}
					}
				})
			}
			go func() {
				for i := range each {
					jobs <- i
				}
				close(jobs)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		after, err := store.ArchiveSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after-before != 2*each {
			t.Errorf("archive grew by %d leaves, want %d", after-before, 2*each)
		}
		entries, err := store.ArchiveEntries(ctx, 0, after)
		if err != nil {
			t.Fatal(err)
		}
		published := map[string]bool{}
		for i, e := range entries {
			if e.Index != int64(i) {
				t.Fatalf("archive entry %d has index %d: a gap", i, e.Index)
			}
			if int64(i) >= before {
				published[e.ItemID] = true
			}
		}
		if len(entries) != int(after) || len(published) != 2*each {
			t.Errorf("%d entries, %d new items, want %d entries and %d new items", len(entries), len(published), after, 2*each)
		}
	})

	t.Run("ArchiveVerifies", func(t *testing.T) {
		var out, errOut bytes.Buffer
		args := []string{"archive", "verify", "--data", dir, "--store", url, "--redis-prefix", prefix, "--redis-allow-volatile"}
		if err := run(context.Background(), args, envOf(nil), nil, &out, &errOut); err != nil {
			t.Fatalf("archive verify: %v\n%s", err, errOut.String())
		}
		if !strings.Contains(out.String(), "archive verifies") {
			t.Errorf("verify output: %s", out.String())
		}
	})
}

// redisProcess is a redis-server this test runs on a free loopback port,
// with an append-only file synced on every write.
type redisProcess struct {
	t    *testing.T
	port int
	dir  string
	cmd  *exec.Cmd
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startRedis(t *testing.T) *redisProcess {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		needRedisHere(t, "no redis-server on PATH")
	}
	r := &redisProcess{t: t, port: freePort(t), dir: t.TempDir()}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisProcess) url() string { return "redis://127.0.0.1:" + strconv.Itoa(r.port) + "/0" }

// start runs redis-server on the port and directory and waits for it to
// answer.
func (r *redisProcess) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no", "--loglevel", "warning")
	r.cmd.Stdout, r.cmd.Stderr = io.Discard, io.Discard
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	c := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:" + strconv.Itoa(r.port)})
	defer c.Close()
	poll.Until(r.t, 20*time.Second, "redis-server answering", func() (bool, string) {
		err := c.Ping(context.Background()).Err()
		return err == nil, fmt.Sprint(err)
	})
}

// stop kills the server, as a crash would (SIGKILL: nothing is flushed on
// the way out), and waits for it to exit.
func (r *redisProcess) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	r.cmd.Process.Kill()
	r.cmd.Wait()
	r.cmd = nil
}

// statusOf returns the status of GET url and its decoded body.
func statusOf(url string) (int, map[string]any) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestReplicasRedisBlip stops the Redis under two replicas and starts it
// again: writes are refused as unavailable meanwhile, screens stay
// connected, and once Redis is back the replicas are ready again by
// themselves, push to their screens again, and have lost no event they
// acknowledged; a replica that stops hands its screens to the other.
func TestReplicasRedisBlip(t *testing.T) {
	rp := startRedis(t)
	dir := t.TempDir()
	envA := replicaEnv(dir, rp.url(), "hallcast:", "replica-a", false)
	envB := replicaEnv(dir, rp.url(), "hallcast:", "replica-b", false)
	baseA, _, stopA := startServer(t, envA)
	baseB, _, _ := startServer(t, envB)
	a := adminClient(t, baseA, envA)
	a.must("PUT", "/api/v1/playlists/repl", map[string]any{"name": "跨副本", "entries": []map[string]any{{"category": "policy", "duration_s": 15}}}, nil)
	a.must("PUT", "/api/v1/schedules/repl", map[string]any{"playlist_id": "repl", "target": map[string]any{"groups": []string{"repl"}}, "priority": 10}, nil)
	idA, tokA := newScreen(a, "一楼LED", "led", "repl")
	_, tokB := newScreen(a, "二楼LED", "led", "repl")
	onA := mustDialLive(t, baseA, tokA)
	onB := mustDialLive(t, baseB, tokB)
	cached := onB.manifestWith("first manifest on B", func(string) bool { return true })
	if code, m := statusOf(baseA + "/readyz"); code != http.StatusOK || m["durability"] == nil {
		t.Fatalf("/readyz before the blip: %d %v", code, m)
	}

	acked := map[string]bool{}
	var pending []string // sent but not acknowledged: the screen sends them again
	n := 0
	send := func(s *liveScreen, k int) error {
		for range k {
			n++
			pending = append(pending, "blip-"+strconv.Itoa(n))
		}
		ids, err := s.sendEvents(pending)
		for _, id := range ids {
			acked[id] = true
		}
		pending = slices.DeleteFunc(pending, func(id string) bool { return acked[id] })
		return err
	}
	for range 5 {
		if err := send(onA, 10); err != nil {
			t.Fatal(err)
		}
	}

	rp.stop()
	poll.Until(t, 30*time.Second, "/readyz failing on both replicas", func() (bool, string) {
		ca, ma := statusOf(baseA + "/readyz")
		cb, _ := statusOf(baseB + "/readyz")
		return ca == http.StatusServiceUnavailable && cb == http.StatusServiceUnavailable, fmt.Sprintf("A %d %v, B %d", ca, ma, cb)
	})
	var failed struct {
		Error struct{ Code, Message string }
	}
	code := a.call("POST", "/api/v1/items", map[string]any{"category": "policy", "department": "service-center", "title": "停机时的草稿"}, &failed)
	if code != http.StatusServiceUnavailable || failed.Error.Code != "unavailable" {
		t.Errorf("a write while Redis is down: %d %+v, want 503 unavailable", code, failed)
	}
	if err := send(onA, 10); err == nil || !strings.Contains(err.Error(), "code:unavailable") {
		t.Errorf("events while Redis is down: %v, want an error frame with code unavailable", err)
	}
	if code, m := statusOf(baseB + "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(fmt.Sprint(m), "code:unavailable") ||
		!strings.Contains(fmt.Sprint(m), "store:redis") {
		t.Errorf("/readyz while Redis is down: %d %v, want 503 unavailable naming the store", code, m)
	}
	if !onA.open() || !onB.open() {
		t.Fatalf("screens lost their connections while Redis was down: A %v, B %v", onA.err, onB.err)
	}

	rp.start()
	poll.Until(t, 30*time.Second, "/readyz ready again on both replicas", func() (bool, string) {
		ca, ma := statusOf(baseA + "/readyz")
		cb, mb := statusOf(baseB + "/readyz")
		return ca == http.StatusOK && cb == http.StatusOK, fmt.Sprintf("A %d %v, B %d %v", ca, ma, cb, mb)
	})
	if !onA.open() || !onB.open() {
		t.Fatalf("screens lost their connections when Redis came back: A %v, B %v", onA.err, onB.err)
	}
	// The events refused during the blip go again, with more.
	poll.Until(t, 30*time.Second, "events acknowledged again", func() (bool, string) {
		err := send(onA, 5)
		return err == nil && len(pending) == 0, fmt.Sprint(err)
	})
	// Both replicas subscribed again: a publish on A reaches B's screen.
	var id string
	poll.Until(t, 30*time.Second, "a publish on A after the blip", func() (bool, string) {
		var err error
		if id == "" {
			id, err = publishVia(a, baseA, "恢复后的公告")
		}
		return err == nil, fmt.Sprint(err)
	})
	etag := onB.manifestWith("manifest with "+id+" on B after the blip", func(m string) bool { return strings.Contains(m, id) })
	if etag == cached {
		t.Errorf("B's manifest etag unchanged after a publish: %s", etag)
	}
	onA.manifestWith("manifest with "+id+" on A after the blip", func(m string) bool { return strings.Contains(m, id) })

	// A stops: its screen is told to go away and reconnects to B.
	for range 3 {
		if err := send(onA, 10); err != nil {
			t.Fatal(err)
		}
	}
	stopA()
	if code := onA.closeCode(10 * time.Second); code != websocket.CloseGoingAway {
		t.Errorf("A's screen closed with %d (%v), want %d", code, onA.err, websocket.CloseGoingAway)
	}
	moved := mustDialLive(t, baseB, tokA)
	moved.manifestWith("A's screen's manifest on B", func(m string) bool { return strings.Contains(m, id) })
	if err := send(moved, 10); err != nil || len(pending) != 0 {
		t.Fatalf("events on B after A stopped: %v (pending %v)", err, pending)
	}

	b := a.on(baseB)
	var rep struct {
		Rows []struct {
			Key         string
			Impressions int
		}
	}
	b.must("GET", "/api/v1/reports/engagement?by=screen", nil, &rep)
	got := -1
	for _, r := range rep.Rows {
		if r.Key == idA {
			got = r.Impressions
		}
	}
	if got != len(acked) {
		t.Errorf("the store holds %d impressions of the screen, the replicas acknowledged %d", got, len(acked))
	}
}
