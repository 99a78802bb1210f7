package connlimit

import (
	"io"
	"net/http"
	"time"
)

// MinRate lets a request's body take longer than the server's ReadTimeout
// as long as it keeps coming: the read deadline of the connection becomes
// the start plus grace plus the time the bytes read so far would take at
// bytesPerSec, and moves on as they arrive. So a large upload on a slow
// line goes through, while a body sent a byte now and then is cut once it
// falls behind that rate on average (at grace, if nothing comes at all). It
// replaces r.Body and sets the first deadline; on a connection whose
// deadline cannot be set (HTTP/2) it returns the error and changes nothing.
func MinRate(w http.ResponseWriter, r *http.Request, grace time.Duration, bytesPerSec int64) error {
	rc := http.NewResponseController(w)
	start := time.Now()
	if err := rc.SetReadDeadline(start.Add(grace)); err != nil {
		return err
	}
	r.Body = &rateBody{ReadCloser: r.Body, rc: rc, start: start.Add(grace), rate: bytesPerSec, set: start.Add(grace)}
	return nil
}

// rateBody moves the read deadline on as bytes are read.
type rateBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	start time.Time // start plus the grace
	rate  int64
	total int64
	set   time.Time // the deadline last set
}

func (b *rateBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.total += int64(n)
		due := b.start.Add(time.Duration(float64(b.total) / float64(b.rate) * float64(time.Second)))
		// Setting a deadline costs a little: move it in steps of a second.
		if due.Sub(b.set) >= time.Second {
			if b.rc.SetReadDeadline(due) == nil {
				b.set = due
			}
		}
	}
	return n, err
}
