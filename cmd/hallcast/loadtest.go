package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hallcast/hallcast/server/auth"
)

// loadtest opens many simulated screens that speak the real protocol,
// publishes items through the API, and reports how fast and how completely
// each publish reached every screen, and what a connection costs the server.
func loadtest(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", env(getenv, "HALLCAST_URL", "http://127.0.0.1:8080"), "server URL (HALLCAST_URL)")
	token := fs.String("token", getenv("HALLCAST_TOKEN"), "an admin API token (HALLCAST_TOKEN), from 'hallcast token create'")
	screens := fs.Int("screens", 1000, "simulated screens")
	publishes := fs.Int("publishes", 5, "items to publish, one at a time")
	gap := fs.Duration("gap", time.Second, "pause between publishes")
	tokensFile := fs.String("tokens-file", "loadtest-tokens.txt", "screen tokens kept between runs (created as needed)")
	eventFrames := fs.Int("event-frames", 0, "with --events: frames each screen sends")
	events := fs.Int("events", 0, "impression events per frame (0: no event test)")
	dialers := fs.Int("dial-concurrency", 64, "connections opened at once")
	compress := fs.Bool("compress", true, "offer permessage-deflate, as browsers do")
	debugURL := fs.String("debug-url", "", "the server's --debug-addr as a URL (http://127.0.0.1:6060): collect garbage before reading memory figures")
	screenURLs := fs.String("screen-urls", "", "comma-separated server URLs the screens connect to, in turn (replicas on one Redis); publishes go through --url (default: --url)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		return errors.New("--token: an admin API token is required (hallcast token create --user admin)")
	}
	if *screens < 1 || *screens > 50_000 {
		return errors.New("--screens: 1 to 50000")
	}
	c := &apiClient{base: strings.TrimRight(*base, "/"), token: *token, debug: strings.TrimRight(*debugURL, "/"), http: &http.Client{Timeout: 30 * time.Second}}
	bases := []string{c.base}
	if *screenURLs != "" {
		bases = nil
		for _, u := range strings.Split(*screenURLs, ",") {
			if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
				bases = append(bases, u)
			}
		}
		if len(bases) == 0 {
			return errors.New("--screen-urls: name at least one server URL")
		}
	}

	fmt.Fprintf(stdout, "setting up: category, playlist and schedule \"loadtest\"\n")
	hallID, err := c.setup(ctx)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	// Whoever submits an item never approves it: a second account does.
	reviewer, dropReviewer, err := c.reviewer(ctx)
	if err != nil {
		return fmt.Errorf("reviewer: %w", err)
	}
	defer dropReviewer()
	tokens, err := c.screenTokens(ctx, *tokensFile, hallID, *screens)
	if err != nil {
		return fmt.Errorf("screens: %w", err)
	}
	before, err := c.metrics(ctx)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "connecting %d screens to %s…\n", *screens, strings.Join(bases, ", "))
	fleet := &fleet{}
	start := time.Now()
	if err := fleet.connect(ctx, bases, tokens[:*screens], *dialers, *compress); err != nil {
		fleet.close()
		return err
	}
	defer fleet.close()
	fmt.Fprintf(stdout, "connected %d screens in %s\n", len(fleet.conns), time.Since(start).Round(time.Millisecond))

	time.Sleep(2 * time.Second) // let the server settle before measuring memory
	after, err := c.metrics(ctx)
	if err != nil {
		return err
	}
	n := float64(len(fleet.conns))
	heap := (after["go_memstats_heap_inuse_bytes"] - before["go_memstats_heap_inuse_bytes"]) / n
	stack := (after["go_memstats_stack_inuse_bytes"] - before["go_memstats_stack_inuse_bytes"]) / n
	rss := (after["process_resident_memory_bytes"] - before["process_resident_memory_bytes"]) / n
	fmt.Fprintf(stdout, "server memory per idle screen: heap %.1f KiB + stacks %.1f KiB = %.1f KiB (RSS %.1f KiB); goroutines %+.0f\n",
		heap/1024, stack/1024, (heap+stack)/1024, rss/1024, after["go_goroutines"]-before["go_goroutines"])

	var all []time.Duration
	allByBase := make([][]time.Duration, len(bases))
	var published []string
	// Withdraw what this run published, so runs do not grow the rotation.
	defer func() {
		for _, id := range published {
			if err := c.call(context.WithoutCancel(ctx), "POST", "/api/v1/items/"+id+"/withdraw", map[string]string{"reason": "负载测试结束"}, nil); err != nil {
				fmt.Fprintf(stderr, "withdraw %s: %v\n", id, err)
			}
		}
	}()
	for p := 1; p <= *publishes; p++ {
		id, err := c.approvedItem(ctx, reviewer, fmt.Sprintf("负载测试公告 %d（%s）", p, time.Now().Format(time.TimeOnly)))
		if err != nil {
			return fmt.Errorf("item %d: %w", p, err)
		}
		published = append(published, id)
		round := fleet.expect()
		t0 := time.Now()
		if err := c.call(ctx, "POST", "/api/v1/items/"+id+"/publish", nil, nil); err != nil {
			return fmt.Errorf("publish %d: %w", p, err)
		}
		lat, byBase, got := fleet.wait(round, t0, 30*time.Second)
		all = append(all, lat...)
		for i, l := range byBase {
			allByBase[i] = append(allByBase[i], l...)
		}
		fmt.Fprintf(stdout, "publish %d (%s): delivered to %d/%d screens, p50 %s p99 %s max %s (manifest %d bytes)\n",
			p, id, got, len(fleet.conns), pct(lat, 50), pct(lat, 99), pct(lat, 100), fleet.lastSize.Load())
		time.Sleep(*gap)
	}
	if *publishes > 0 {
		fmt.Fprintf(stdout, "all publishes: %d deliveries, publish→screen p50 %s p99 %s max %s\n", len(all), pct(all, 50), pct(all, 99), pct(all, 100))
		if len(bases) > 1 {
			for i, l := range allByBase {
				fmt.Fprintf(stdout, "  screens on %s: %d deliveries, publish→screen p50 %s p99 %s max %s\n", bases[i], len(l), pct(l, 50), pct(l, 99), pct(l, 100))
			}
		}
	}
	if *events > 0 && *eventFrames > 0 {
		rate, lat, err := fleet.sendEvents(*events, *eventFrames)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "events: %d screens × %d frames × %d events: %.0f events/s acknowledged, ack p50 %s p99 %s max %s\n",
			len(fleet.conns), *eventFrames, *events, rate, pct(lat, 50), pct(lat, 99), pct(lat, 100))
	}
	if dropped := fleet.closed.Load(); dropped > 0 {
		fmt.Fprintf(stdout, "warning: %d connections closed during the test\n", dropped)
	}
	return nil
}

// pct returns the p-th percentile of durations (100 = max).
func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := len(s) * p / 100
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i].Round(10 * time.Microsecond)
}

type apiClient struct {
	base, token, debug string
	http               *http.Client
}

func (c *apiClient) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (c *apiClient) setup(ctx context.Context) (string, error) {
	var halls struct{ Halls []struct{ ID string } }
	if err := c.call(ctx, "GET", "/api/v1/halls", nil, &halls); err != nil {
		return "", err
	}
	hallID := ""
	if len(halls.Halls) > 0 {
		hallID = halls.Halls[0].ID
	} else {
		var h struct{ Hall struct{ ID string } }
		if err := c.call(ctx, "POST", "/api/v1/halls", map[string]any{"name": "负载测试大厅"}, &h); err != nil {
			return "", err
		}
		hallID = h.Hall.ID
	}
	steps := []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/v1/categories", map[string]any{"key": "loadtest", "name": map[string]string{"zh": "负载测试", "en": "Load test"}, "sort": 9999}},
		{"POST", "/api/v1/departments", map[string]any{"key": "loadtest", "name": map[string]string{"zh": "负载测试", "en": "Load test"}}},
		{"PUT", "/api/v1/playlists/loadtest", map[string]any{"name": "loadtest", "entries": []map[string]any{{"category": "loadtest", "duration_s": 10}}}},
		{"PUT", "/api/v1/schedules/loadtest", map[string]any{"playlist_id": "loadtest", "target": map[string]any{"groups": []string{"loadtest"}}, "priority": 1000}},
	}
	for _, s := range steps {
		if err := c.call(ctx, s.method, s.path, s.body, nil); err != nil {
			return "", err
		}
	}
	return hallID, nil
}

// screenTokens returns n screen tokens, creating screens in the group
// "loadtest" for those the tokens file lacks.
func (c *apiClient) screenTokens(ctx context.Context, path, hallID string, n int) ([]string, error) {
	var tokens []string
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if t := strings.TrimSpace(sc.Text()); t != "" {
				tokens = append(tokens, t)
			}
		}
		f.Close()
	}
	if len(tokens) >= n {
		return tokens, nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	next := atomic.Int64{}
	next.Store(int64(len(tokens)))
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				var out struct{ Token string }
				err := c.call(ctx, "POST", "/api/v1/screens", map[string]any{"name": "loadtest-" + strconv.FormatInt(i, 10), "kind": "led",
					"hall_id": hallID, "groups": []string{"loadtest"}}, &out)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					tokens = append(tokens, out.Token)
					fmt.Fprintln(f, out.Token)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	return tokens, firstErr
}

// reviewer returns a client acting as the reviewer account
// "loadtest-reviewer" (made on first use), with a token that lasts a day,
// and a function that revokes that token.
func (c *apiClient) reviewer(ctx context.Context) (*apiClient, func(), error) {
	err := c.call(ctx, "POST", "/api/v1/users", map[string]any{"username": "loadtest-reviewer",
		"password": auth.NewSecret("")[:24], "role": "reviewer"}, nil)
	if err != nil && !strings.Contains(err.Error(), "409") {
		return nil, nil, err
	}
	var users struct {
		Users []struct{ ID, Username string }
	}
	if err := c.call(ctx, "GET", "/api/v1/users", nil, &users); err != nil {
		return nil, nil, err
	}
	id := ""
	for _, u := range users.Users {
		if u.Username == "loadtest-reviewer" {
			id = u.ID
		}
	}
	var made struct {
		Token    string
		APIToken struct{ ID string } `json:"api_token"`
	}
	if err := c.call(ctx, "POST", "/api/v1/tokens", map[string]any{"name": "loadtest", "user_id": id, "expires_in_days": 1}, &made); err != nil {
		return nil, nil, err
	}
	r := *c
	r.token = made.Token
	return &r, func() {
		if err := c.call(context.WithoutCancel(ctx), "DELETE", "/api/v1/tokens/"+made.APIToken.ID, nil, nil); err != nil {
			fmt.Fprintln(os.Stderr, "revoke the reviewer's token:", err)
		}
	}, nil
}

// approvedItem drafts an item in the loadtest category, submits it, and
// has the reviewer approve it, so the publish alone can be timed.
func (c *apiClient) approvedItem(ctx context.Context, reviewer *apiClient, title string) (string, error) {
	var created struct{ Item struct{ ID string } }
	if err := c.call(ctx, "POST", "/api/v1/items", map[string]any{"category": "loadtest", "department": "loadtest",
		"title": title, "summary": "负载测试", "body": "负载测试内容。"}, &created); err != nil {
		return "", err
	}
	id := created.Item.ID
	if err := c.call(ctx, "POST", "/api/v1/items/"+id+"/submit", nil, nil); err != nil {
		return "", err
	}
	if err := reviewer.call(ctx, "POST", "/api/v1/items/"+id+"/approve", nil, nil); err != nil {
		return "", err
	}
	return id, nil
}

// metrics scrapes the server's Prometheus figures (untyped, no labels),
// after a garbage collection when the debug address is known.
func (c *apiClient) metrics(ctx context.Context) (map[string]float64, error) {
	if c.debug != "" {
		req, err := http.NewRequestWithContext(ctx, "GET", c.debug+"/debug/pprof/heap?gc=1", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, fmt.Errorf("collect garbage: %w", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.Contains(line, "{") {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(val, 64); err == nil {
			out[name] = v
		}
	}
	return out, sc.Err()
}

// fleet is the simulated screens.
type fleet struct {
	conns    []*simScreen
	closed   atomic.Int64
	round    atomic.Int64
	lastSize atomic.Int64 // of the last manifest frame read (uncompressed)
}

type simScreen struct {
	ws   *websocket.Conn
	base int // which of the server URLs it is connected to
	mu   sync.Mutex
	// manifests received, by round: the first arrival time per round.
	got   map[int64]time.Time
	acks  chan []string
	wmu   sync.Mutex
	fleet *fleet
}

// connect opens a screen for each token, the i-th to bases[i % len(bases)].
func (f *fleet) connect(ctx context.Context, bases []string, tokens []string, concurrency int, compress bool) error {
	wsURLs := make([]string, len(bases))
	for i, base := range bases {
		u, err := url.Parse(base)
		if err != nil {
			return err
		}
		u.Scheme = strings.Replace(u.Scheme, "http", "ws", 1)
		u.Path = "/ws"
		wsURLs[i] = u.String()
	}
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 2048, WriteBufferSize: 2048, EnableCompression: compress}
	f.conns = make([]*simScreen, len(tokens))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for i, tok := range tokens {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int, tok string) {
			defer func() { <-sem; wg.Done() }()
			ws, _, err := d.DialContext(ctx, wsURLs[i%len(wsURLs)], nil)
			if err != nil {
				firstErr.CompareAndSwap(nil, err)
				return
			}
			hello, _ := json.Marshal(map[string]any{"type": "hello", "token": tok, "kind": "led", "version": "loadtest", "screen": map[string]int{"w": 1920, "h": 1080}})
			if err := ws.WriteMessage(websocket.TextMessage, hello); err != nil {
				firstErr.CompareAndSwap(nil, err)
				ws.Close()
				return
			}
			// welcome, then the first manifest
			for k := 0; k < 2; k++ {
				ws.SetReadDeadline(time.Now().Add(30 * time.Second))
				if _, _, err := ws.ReadMessage(); err != nil {
					firstErr.CompareAndSwap(nil, fmt.Errorf("screen %d: %w", i, err))
					ws.Close()
					return
				}
			}
			ws.SetReadDeadline(time.Time{})
			s := &simScreen{ws: ws, base: i % len(wsURLs), got: map[int64]time.Time{}, acks: make(chan []string, 16), fleet: f}
			f.conns[i] = s
			go s.read()
		}(i, tok)
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return err
	}
	return nil
}

var (
	manifestPrefix = []byte(`{"type":"manifest"`)
	ackPrefix      = []byte(`{"type":"ack"`)
)

func (s *simScreen) read() {
	for {
		_, msg, err := s.ws.ReadMessage()
		if err != nil {
			s.fleet.closed.Add(1)
			return
		}
		now := time.Now()
		switch {
		case bytes.HasPrefix(msg, manifestPrefix):
			s.fleet.lastSize.Store(int64(len(msg)))
			r := s.fleet.round.Load()
			s.mu.Lock()
			if _, seen := s.got[r]; !seen {
				s.got[r] = now
			}
			s.mu.Unlock()
		case bytes.HasPrefix(msg, ackPrefix):
			var a struct{ IDs []string }
			if json.Unmarshal(msg, &a) == nil {
				s.acks <- a.IDs
			}
		}
	}
}

// expect starts a new round: manifests arriving from now on count for it.
func (f *fleet) expect() int64 { return f.round.Add(1) }

// wait collects, for a round, each screen's delay from t0 to its manifest:
// all of them, and those of the screens on each server URL.
func (f *fleet) wait(round int64, t0 time.Time, limit time.Duration) ([]time.Duration, map[int][]time.Duration, int) {
	deadline := time.Now().Add(limit)
	for {
		var lat []time.Duration
		byBase := map[int][]time.Duration{}
		for _, s := range f.conns {
			s.mu.Lock()
			if t, ok := s.got[round]; ok {
				lat = append(lat, t.Sub(t0))
				byBase[s.base] = append(byBase[s.base], t.Sub(t0))
			}
			s.mu.Unlock()
		}
		if len(lat) == len(f.conns) || time.Now().After(deadline) {
			return lat, byBase, len(lat)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sendEvents has every screen send frames of impression events, waiting
// for each frame's ack before the next, and measures the acks.
func (f *fleet) sendEvents(perFrame, frames int) (float64, []time.Duration, error) {
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	var firstErr atomic.Value
	start := time.Now()
	for i, s := range f.conns {
		wg.Add(1)
		go func(i int, s *simScreen) {
			defer wg.Done()
			for fr := 0; fr < frames; fr++ {
				evs := make([]map[string]any, perFrame)
				at := time.Now().UTC().Format(time.RFC3339Nano)
				for k := range evs {
					evs[k] = map[string]any{"id": fmt.Sprintf("lt-%d-%d-%d-%d", start.UnixNano(), i, fr, k), "kind": "impression", "at": at,
						"media_url": "/media/loadtest", "duration_ms": 10000, "playlist_id": "loadtest"}
				}
				b, _ := json.Marshal(map[string]any{"type": "events", "events": evs})
				t0 := time.Now()
				s.wmu.Lock()
				err := s.ws.WriteMessage(websocket.TextMessage, b)
				s.wmu.Unlock()
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				select {
				case <-s.acks:
				case <-time.After(30 * time.Second):
					firstErr.CompareAndSwap(nil, fmt.Errorf("screen %d: no ack in 30 s", i))
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		}(i, s)
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, lat, err
	}
	return float64(len(f.conns)*frames*perFrame) / elapsed.Seconds(), lat, nil
}

func (f *fleet) close() {
	for _, s := range f.conns {
		if s != nil {
			s.ws.Close()
		}
	}
}
