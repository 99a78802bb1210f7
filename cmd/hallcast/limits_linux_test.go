package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The connection attack of docs/RELIABILITY.md: a server whose open-file
// limit is 1,024 (a common default) and a client at one address holding
// 1,050 requests open by sending their bodies a byte at a time. The server
// runs in a child process (this test binary again) so that its open-file
// limit can be lowered without touching the test's.
//
//	go test ./cmd/hallcast -run TestSlowConnectionsBounded -v
//	HALLCAST_MEASURE=1 go test ./cmd/hallcast -run TestSlowConnectionsBounded -v   # also without the limits

const (
	childEnv    = "HALLCAST_TEST_CHILD"
	childNofile = "HALLCAST_TEST_NOFILE"
	childArgs   = "HALLCAST_TEST_ARGS"
)

func TestSlowConnectionsBounded(t *testing.T) {
	if os.Getenv(childEnv) == "serve" {
		serveChild(t)
		return
	}
	const nofile, slow = 1024, 1050
	got := slowBodyAttack(t, nofile, slow, "--read-timeout", "3s")
	t.Logf("with the limits (open files %d, defaults, --read-timeout 3s): %s", nofile, got)
	if got.held > 256 {
		t.Errorf("%d slow connections from one address were held, want at most --max-conns-per-ip (256)", got.held)
	}
	if got.healthFailed > 0 || got.kioskFailed > 0 {
		t.Errorf("during the attack, /healthz failed %d and /kiosk %d of %d times from another address, want never",
			got.healthFailed, got.kioskFailed, got.probes)
	}
	if got.stillOpen > 0 {
		t.Errorf("%d slow connections still open after the read timeout, want all cut", got.stillOpen)
	}
	if got.refusedPerIP < slow-256 {
		t.Errorf("hallcast_connections_refused_total{reason=max_conns_per_ip} = %d, want at least %d", got.refusedPerIP, slow-256)
	}
	if got.wsRefused != 40-16 {
		t.Errorf("of 40 websockets without hello from one address, %d were refused, want %d (16 may wait for hello)", got.wsRefused, 40-16)
	}

	if os.Getenv("HALLCAST_MEASURE") == "1" {
		off := slowBodyAttack(t, nofile, slow, "--read-timeout", "0", "--max-conns", "0", "--max-conns-per-ip", "0", "--max-ws-per-ip", "0")
		t.Logf("without the limits (as before them): %s", off)
	}
}

// serveChild is the child process: it lowers its open-file limit and runs
// "hallcast serve" until it is sent SIGTERM.
func serveChild(t *testing.T) {
	n, err := strconv.ParseUint(os.Getenv(childNofile), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	args := append([]string{"serve", "--addr", "127.0.0.1:0"}, strings.Fields(os.Getenv(childArgs))...)
	if err := run(ctx, args, os.Getenv, strings.NewReader(""), os.Stdout, os.Stderr); err != nil {
		t.Fatal(err)
	}
}

// attackResult is what slowBodyAttack saw.
type attackResult struct {
	held          int // slow connections still open a second after the last was made
	probes        int
	healthFailed  int
	kioskFailed   int
	stillOpen     int // slow connections open after the read timeout (and a margin)
	refusedPerIP  int
	refusedMax    int
	wsRefused     int
	dialFailed    int
	serverStalled bool
}

func (r attackResult) String() string {
	return fmt.Sprintf("%d slow connections held, /healthz failed %d/%d and /kiosk %d/%d from another address, %d still open at the end, refused per address %d, in all %d, websockets refused %d/40, dials failed %d",
		r.held, r.healthFailed, r.probes, r.kioskFailed, r.probes, r.stillOpen, r.refusedPerIP, r.refusedMax, r.wsRefused, r.dialFailed)
}

// startChild runs the server in a child process with the open-file limit
// nofile and the extra serve flags, and returns its base URL.
func startChild(t *testing.T, nofile int, flags ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSlowConnectionsBounded$")
	cmd.Env = append(os.Environ(), childEnv+"=serve", childNofile+"="+strconv.Itoa(nofile), childArgs+"="+strings.Join(flags, " "),
		"HALLCAST_DATA="+t.TempDir(), "HALLCAST_ADMIN_PASSWORD=a-long-test-password", "HALLCAST_DEMO=false", "HALLCAST_LOG_LEVEL=error")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("the server process did not stop on SIGTERM:\n%s", stderr.String())
		}
	})
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on (http://\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case base := <-found:
		return base
	case <-time.After(60 * time.Second):
		t.Fatalf("the server process did not start:\n%s", stderr.String())
	}
	return ""
}

// slowBodyAttack starts a server and opens slow connections from
// 127.0.0.1, each a request whose body comes a byte a second; meanwhile it
// asks for /healthz and /kiosk from 127.0.0.2.
func slowBodyAttack(t *testing.T, nofile, slow int, flags ...string) attackResult {
	t.Helper()
	base := startChild(t, nofile, flags...)
	addr := strings.TrimPrefix(base, "http://")
	var res attackResult

	attacker := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, Timeout: 5 * time.Second}
	var conns []net.Conn
	for range slow {
		c, err := attacker.Dial("tcp", addr)
		if err != nil {
			res.dialFailed++
			continue
		}
		fmt.Fprintf(c, "POST /api/v1/device/events HTTP/1.1\r\nHost: hall\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// The server closes what it refuses or cuts: a read then ends.
	var closed atomic.Int64
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			c.SetReadDeadline(time.Now().Add(90 * time.Second))
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				closed.Add(1)
			}
		})
	}
	// Dribble: a byte a second on every connection still open.
	dribbling, stopDribble := context.WithCancel(context.Background())
	dribbled := make(chan struct{})
	go func() {
		defer close(dribbled)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-dribbling.Done():
				return
			case <-tick.C:
				for _, c := range conns {
					c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
					c.Write([]byte(" "))
				}
			}
		}
	}()
	defer stopDribble()
	time.Sleep(time.Second)
	res.held = len(conns) - int(closed.Load())

	other := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext:       (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext,
		DisableKeepAlives: true,
	}}
	get := func(path string) bool {
		resp, err := other.Get(base + path)
		if err != nil {
			return false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	for range 3 {
		res.probes++
		if !get("/healthz") {
			res.healthFailed++
		}
		if !get("/kiosk") {
			res.kioskFailed++
		}
	}

	// The slow ones are cut by the read timeout (when there is one).
	deadline := time.Now().Add(30 * time.Second)
	for closed.Load() < int64(len(conns)) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	res.stillOpen = len(conns) - int(closed.Load())
	stopDribble()
	<-dribbled
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()
	conns = nil

	// Websockets that never say hello, from one address.
	wsClient := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: attacker.DialContext, DisableKeepAlives: true}}
	var held []io.Closer
	for range 40 {
		req, _ := http.NewRequest("GET", base+"/ws", nil)
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		req.Header.Set("Sec-WebSocket-Version", "13")
		req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
		resp, err := wsClient.Do(req)
		if err != nil {
			continue
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			res.wsRefused++
		}
		held = append(held, resp.Body)
	}
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()

	metrics := map[string]*int{
		`hallcast_connections_refused_total{reason="max_conns_per_ip"}`: &res.refusedPerIP,
		`hallcast_connections_refused_total{reason="max_conns"}`:        &res.refusedMax,
	}
	resp, err := other.Get(base + "/metrics")
	if err != nil {
		res.serverStalled = true
		return res
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		for name, v := range metrics {
			if rest, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
				f, _ := strconv.ParseFloat(rest, 64)
				*v = int(f)
			}
		}
	}
	return res
}
