// Package sniff serves https and plain http on one port: it reads the first
// byte of each connection, hands TLS handshakes (0x16) to the TLS listener as
// *tls.Conn, and everything else to the plain listener, whose server
// redirects to https. The connections it is given keep their own limits
// (server/connlimit): a sniffed connection gives its place back when closed,
// whichever listener it went to.
package sniff

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// handshake is the first byte of a TLS record carrying a handshake.
const handshake = 0x16

// Split accepts from ln and sorts its connections by their first byte. A
// connection that sends nothing within wait is closed. Closing either
// listener it returns closes ln.
func Split(ln net.Listener, cfg *tls.Config, wait time.Duration) (tlsLn, plainLn net.Listener) {
	s := &splitter{ln: ln, cfg: cfg, wait: wait, tls: make(chan net.Conn), plain: make(chan net.Conn), done: make(chan struct{})}
	go s.run()
	return &side{s: s, ch: s.tls}, &side{s: s, ch: s.plain}
}

type splitter struct {
	ln         net.Listener
	cfg        *tls.Config
	wait       time.Duration
	tls, plain chan net.Conn
	done       chan struct{}
	once       sync.Once
	err        error // the accept error that ended run; set before done is closed
}

func (s *splitter) run() {
	var delay time.Duration
	for {
		c, err := s.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// As http.Server does with temporary errors (out of files).
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			s.close(err)
			return
		}
		delay = 0
		go s.sort(c)
	}
}

// sort peeks at the first byte and hands the connection on.
func (s *splitter) sort(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(s.wait))
	br := bufio.NewReaderSize(c, 1)
	first, err := br.Peek(1)
	if err != nil {
		c.Close()
		return
	}
	c.SetReadDeadline(time.Time{})
	pc := &peeked{Conn: c, r: br}
	var out net.Conn = pc
	ch := s.plain
	if first[0] == handshake {
		out, ch = tls.Server(pc, s.cfg), s.tls
	}
	select {
	case ch <- out:
	case <-s.done:
		c.Close()
	}
}

// close ends both listeners; cause, if not nil, is what their Accept
// returns (else net.ErrClosed).
func (s *splitter) close(cause error) error {
	var err error
	s.once.Do(func() {
		s.err = cause
		close(s.done)
		err = s.ln.Close()
	})
	return err
}

// side is one of the two listeners Split returns.
type side struct {
	s  *splitter
	ch chan net.Conn
}

func (l *side) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.s.done:
		if l.s.err != nil {
			return nil, l.s.err
		}
		return nil, net.ErrClosed
	}
}

func (l *side) Close() error   { return l.s.close(nil) }
func (l *side) Addr() net.Addr { return l.s.ln.Addr() }

// peeked is a connection whose first byte was read into r.
type peeked struct {
	net.Conn
	r *bufio.Reader
}

func (c *peeked) Read(p []byte) (int, error) { return c.r.Read(p) }

// Redirect answers every request with 308 to the same path and query over
// https on the host the client asked for.
func Redirect() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if host == "" || strings.ContainsAny(host, "/\\@ ") {
			http.Error(w, "use https", http.StatusBadRequest)
			return
		}
		w.Header().Set("Connection", "close")
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}
