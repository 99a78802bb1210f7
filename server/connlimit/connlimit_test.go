package connlimit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// listen returns a limited listener on 127.0.0.1 whose accepted
// connections are handed to accepted.
func listen(t *testing.T, cfg Config) (*Listener, chan net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := New(ln, cfg)
	accepted := make(chan net.Conn, 100)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for c := range accepted {
			c.Close()
		}
	})
	return l, accepted
}

// dialFrom connects to l from the local address ip (any of 127.0.0.0/8
// works on Linux).
func dialFrom(t *testing.T, l *Listener, ip string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatalf("dial from %s: %v", ip, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedByServer reports whether the server closed c: a read returns EOF (or a
// reset) instead of timing out.
func closedByServer(c net.Conn, wait time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(wait))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

func counter(t *testing.T, c prometheus.Collector) float64 {
	t.Helper()
	ch := make(chan prometheus.Metric, 1)
	c.Collect(ch)
	var m dto.Metric
	if err := (<-ch).Write(&m); err != nil {
		t.Fatal(err)
	}
	if m.Gauge != nil {
		return m.Gauge.GetValue()
	}
	return m.Counter.GetValue()
}

func waitAccepted(t *testing.T, accepted chan net.Conn) net.Conn {
	t.Helper()
	select {
	case c := <-accepted:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no connection accepted within 5s")
	}
	return nil
}

func TestPerAddress(t *testing.T) {
	l, accepted := listen(t, Config{PerAddr: 3, Max: 100})
	var server []net.Conn
	for range 3 {
		dialFrom(t, l, "127.0.0.1")
		server = append(server, waitAccepted(t, accepted))
	}
	over := dialFrom(t, l, "127.0.0.1")
	if !closedByServer(over, 5*time.Second) {
		t.Fatal("a fourth connection from 127.0.0.1 was not closed")
	}
	if got := counter(t, l.refused.WithLabelValues(ReasonPerAddr)); got != 1 {
		t.Errorf("refused per address = %v, want 1", got)
	}
	// Another address still gets in.
	dialFrom(t, l, "127.0.0.2")
	waitAccepted(t, accepted)
	if got := l.Open(); got != 4 {
		t.Errorf("open = %d, want 4", got)
	}
	// A connection closed gives its place back.
	server[0].Close()
	server[0].Close() // twice is once
	dialFrom(t, l, "127.0.0.1")
	waitAccepted(t, accepted)
	if got := counter(t, l.gauge); got != 4 {
		t.Errorf("hallcast_connections_open = %v, want 4", got)
	}
}

func TestMaxAndExempt(t *testing.T) {
	_, proxy, _ := net.ParseCIDR("127.0.0.5/32")
	l, accepted := listen(t, Config{PerAddr: 1, Max: 3, Exempt: []*net.IPNet{proxy}})
	// The proxy is not limited per address…
	dialFrom(t, l, "127.0.0.5")
	dialFrom(t, l, "127.0.0.5")
	waitAccepted(t, accepted)
	waitAccepted(t, accepted)
	dialFrom(t, l, "127.0.0.1")
	waitAccepted(t, accepted)
	// …but counts towards Max.
	over := dialFrom(t, l, "127.0.0.5")
	if !closedByServer(over, 5*time.Second) {
		t.Fatal("a connection past Max was not closed")
	}
	if got := counter(t, l.refused.WithLabelValues(ReasonMax)); got != 1 {
		t.Errorf("refused max = %v, want 1", got)
	}
}

func TestKeyOf(t *testing.T) {
	l := New(nil, Config{})
	for _, tc := range []struct{ addr, want string }{
		{"192.0.2.7:5000", "192.0.2.7/32"},
		{"[::ffff:192.0.2.7]:5000", "192.0.2.7/32"},
		{"[2001:db8:1:2:aaaa::1]:443", "2001:db8:1:2::/64"},
	} {
		a, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		key, limited := l.keyOf(a)
		if key.String() != tc.want || !limited {
			t.Errorf("keyOf(%s) = %s %v, want %s, limited", tc.addr, key, limited, tc.want)
		}
	}
}

// serveBodies runs an HTTP server whose handler reads the whole body, with
// MinRate when minRate is set, and reports how much it read and the error.
type readResult struct {
	n   int64
	err error
}

func serveBodies(t *testing.T, readTimeout time.Duration, grace time.Duration, rate int64) (string, chan readResult) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan readResult, 4)
	srv := &http.Server{ReadTimeout: readTimeout, ReadHeaderTimeout: time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if rate > 0 {
				if err := MinRate(w, r, grace, rate); err != nil {
					t.Errorf("MinRate: %v", err)
				}
			}
			n, err := io.Copy(io.Discard, r.Body)
			results <- readResult{n, err}
			if err != nil {
				http.Error(w, "slow", http.StatusRequestTimeout)
				return
			}
			fmt.Fprint(w, n)
		})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), results
}

// sendSlowly sends a POST of size bytes in chunks, waiting gap between
// them, and returns the status line, or the error that ended it.
func sendSlowly(addr string, size, chunk int, gap time.Duration) (string, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", size)
	for sent := 0; sent < size; sent += chunk {
		if _, err := c.Write([]byte(strings.Repeat("x", min(chunk, size-sent)))); err != nil {
			return "", err
		}
		time.Sleep(gap)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	return bufio.NewReader(c).ReadString('\n')
}

func TestReadTimeoutCutsADribble(t *testing.T) {
	// Without MinRate the server's ReadTimeout ends the body.
	addr, results := serveBodies(t, 300*time.Millisecond, 0, 0)
	go sendSlowly(addr, 1000, 1, 100*time.Millisecond)
	select {
	case r := <-results:
		if r.err == nil || r.n >= 1000 {
			t.Errorf("dribbled body read %d bytes, err %v; want it cut", r.n, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a body sent a byte every 100 ms was still being read after 10 s")
	}
}

func TestMinRate(t *testing.T) {
	t.Run("SteadyUploadOutlivesReadTimeout", func(t *testing.T) {
		// 64 KiB at about 80 KiB/s takes about 0.8 s: beyond the server's
		// ReadTimeout, well above the 16 KiB/s asked for.
		addr, results := serveBodies(t, 300*time.Millisecond, 300*time.Millisecond, 16<<10)
		status, err := sendSlowly(addr, 64<<10, 8<<10, 100*time.Millisecond)
		if err != nil || !strings.Contains(status, "200") {
			t.Fatalf("steady upload: %q, %v; want 200", status, err)
		}
		if r := <-results; r.err != nil || r.n != 64<<10 {
			t.Errorf("read %d bytes, err %v; want all of it", r.n, r.err)
		}
	})
	t.Run("DribbleCut", func(t *testing.T) {
		addr, results := serveBodies(t, time.Hour, 300*time.Millisecond, 16<<10)
		go sendSlowly(addr, 1000, 1, 100*time.Millisecond)
		select {
		case r := <-results:
			var ne net.Error
			if r.err == nil || !errors.As(r.err, &ne) || !ne.Timeout() || r.n >= 1000 {
				t.Errorf("dribbled body read %d bytes, err %v; want it cut by a timeout", r.n, r.err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a body sent a byte every 100 ms was still being read after 10 s")
		}
	})
}
