package archive

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hallcast/hallcast/server/hall"
)

// Alarm is a sign that the archive's history or what is served from it was
// changed behind the server's back.
type Alarm struct {
	// Source is "server" for what the log found itself, "device" for what a
	// witness reported.
	Source string `json:"source"`
	// Confirmed: the archive itself shows the problem (always so for the
	// server's own alarms).
	Confirmed bool   `json:"confirmed"`
	Problem   string `json:"problem"`
}

// maxRaised bounds the set of distinct server alarms remembered so that
// each is raised once.
const maxRaised = 1000

// raise logs a server alarm, counts it and passes it on, once per distinct
// problem.
func (l *Log) raise(problem string) {
	l.mu.Lock()
	_, seen := l.raised[problem]
	if !seen {
		if len(l.raised) >= maxRaised {
			clear(l.raised)
		}
		l.raised[problem] = struct{}{}
	}
	l.mu.Unlock()
	if seen {
		return
	}
	l.logger.Error("ARCHIVE ALARM", "source", "server", "problem", problem)
	l.alarms.WithLabelValues("server", "true").Inc()
	if l.onAlarm != nil {
		l.onAlarm(Alarm{Source: "server", Confirmed: true, Problem: problem})
	}
}

// What a device may report, and the bounds on its report.
var (
	ReportProblems = []string{"consistency", "rollback", "fork", "signature", "key", "origin", "inclusion"}
	ReportDevices  = []string{"public", "kiosk", "player", "witness"}
)

const (
	maxReportNote   = 4 << 10
	maxReportDetail = 500
	maxReportPage   = 300
)

// DeviceReport is what a witness sends when a head it was served does not
// extend the one it remembers, or is not validly signed.
type DeviceReport struct {
	// Problem is one of ReportProblems: consistency (the proof from the
	// remembered head failed), rollback (a smaller head), fork (another
	// root at the same size), signature (a head not signed by the key),
	// key or origin (another key or log name than the one remembered),
	// inclusion (an entry's proof failed).
	Problem string `json:"problem"`
	// Seen is the signed head the device remembers, as served then.
	Seen string `json:"seen,omitempty"`
	// Got is the signed head it was served now.
	Got    string `json:"got,omitempty"`
	Device string `json:"device,omitempty"` // one of ReportDevices
	Page   string `json:"page,omitempty"`   // the page it was on
	Detail string `json:"detail,omitempty"` // free text, for people
}

// Validate checks a report's fields and bounds.
func (r *DeviceReport) Validate() error {
	switch {
	case !slices.Contains(ReportProblems, r.Problem):
		return hall.FieldError("problem", "want one of %s", strings.Join(ReportProblems, ", "))
	case len(r.Seen) > maxReportNote:
		return hall.FieldError("seen", "at most %d bytes", maxReportNote)
	case len(r.Got) > maxReportNote:
		return hall.FieldError("got", "at most %d bytes", maxReportNote)
	case r.Device != "" && !slices.Contains(ReportDevices, r.Device):
		return hall.FieldError("device", "want one of %s", strings.Join(ReportDevices, ", "))
	case len(r.Page) > maxReportPage || !utf8.ValidString(r.Page):
		return hall.FieldError("page", "at most %d bytes of text", maxReportPage)
	case utf8.RuneCountInString(r.Detail) > maxReportDetail || !utf8.ValidString(r.Detail):
		return hall.FieldError("detail", "at most %d characters", maxReportDetail)
	}
	return nil
}

// Verdict is what the log makes of a device's report.
type Verdict struct {
	// Confirmed: a head in the report is validly signed by this log's key
	// and does not fit the archive the log holds now. The log then refuses
	// to sign (Err) and raises its own alarm.
	Confirmed bool   `json:"confirmed"`
	Finding   string `json:"finding"`
}

// Report weighs a device's report against the archive: every head in it
// that is validly signed by the log's key must be a prefix of the tree the
// log holds. A report without such a head cannot be confirmed (anyone can
// send one); it is still counted and logged for staff to look at.
func (l *Log) Report(ctx context.Context, r *DeviceReport) (*Verdict, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if err := l.syncForRead(ctx); err != nil {
		return nil, err
	}
	v := &Verdict{Finding: "the report holds no head signed by this archive's key"}
	for _, msg := range []string{r.Seen, r.Got} {
		if msg == "" || l.verifier == nil {
			continue
		}
		h, err := OpenHead(msg, l.verifier, l.origin)
		if err != nil {
			continue
		}
		if err := l.fits(h); err != nil {
			v.Confirmed, v.Finding = true, err.Error()
			break
		}
		v.Finding = "every signed head in the report is consistent with the archive held now"
	}
	confirmed := fmt.Sprint(v.Confirmed)
	l.alarms.WithLabelValues("device", confirmed).Inc()
	l.logger.Warn("archive alarm reported", "source", "device", "device", r.Device, "problem", r.Problem,
		"confirmed", v.Confirmed, "finding", v.Finding, "page", r.Page, "detail", r.Detail)
	if v.Confirmed {
		l.halt(fmt.Errorf("a %s reported a signed head the archive no longer fits: %s", orDefault(r.Device, "device"), v.Finding))
	}
	return v, nil
}

// fits checks that a signed head is a prefix of the tree the log holds.
func (l *Log) fits(h *Head) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if h.Size > l.tree.n {
		return fmt.Errorf("a head of %d entries was signed, the archive holds %d", h.Size, l.tree.n)
	}
	root, err := l.tree.root(h.Size)
	if err != nil {
		return err
	}
	if root != h.Root {
		return fmt.Errorf("the head of %d entries signed before has root %s, the archive held now hashes to %s", h.Size, h.Root, root)
	}
	return nil
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Limits on witnesses' alarm reports, per client address and overall, per
// AlarmWindow: each accepted report is an audit entry.
const (
	AlarmWindow   = 10 * time.Minute
	AlarmsPerAddr = 5
	AlarmsOverall = 100
)

// AlarmStore is what the alarm desk counts reports in and records them to,
// shared by every replica.
type AlarmStore interface {
	Hit(ctx context.Context, key string, n int64, now time.Time, ttl time.Duration) (int64, error)
	AppendAudit(ctx context.Context, e *hall.AuditEntry) error
}

// AlarmDesk takes witnesses' reports of a broken history (a public page, a
// kiosk, a player or `hallcast archive witness`): rate limited per address
// and overall, weighed against the archive, and written to the audit log.
type AlarmDesk struct {
	Log   *Log
	Store AlarmStore
	Now   func() time.Time
}

// Admit counts a report from addr before it is read, so malformed reports
// count too; ERateLimited past the limits.
func (d *AlarmDesk) Admit(ctx context.Context, addr string) error {
	now := d.Now()
	for key, limit := range map[string]int64{"archive-alarm:" + addr: AlarmsPerAddr, "archive-alarm:*": AlarmsOverall} {
		n, err := d.Store.Hit(ctx, key, 1, now, AlarmWindow)
		if err != nil {
			return err
		}
		if n > limit {
			e := hall.Errorf(hall.ERateLimited, "too many archive alarms; try again in a few minutes")
			e.RetryAfter = AlarmWindow
			return e
		}
	}
	return nil
}

// Receive weighs an admitted report from a device at addr.
func (d *AlarmDesk) Receive(ctx context.Context, addr string, r *DeviceReport) (*Verdict, error) {
	now := d.Now()
	v, err := d.Log.Report(ctx, r)
	if err != nil {
		return nil, err
	}
	device := r.Device
	if device == "" {
		device = "device"
	}
	detail := fmt.Sprintf("archive alarm: %s, confirmed %t: %s", r.Problem, v.Confirmed, v.Finding)
	if r.Page != "" {
		detail += "; page " + r.Page
	}
	if r.Detail != "" {
		detail += "; " + r.Detail
	}
	e := &hall.AuditEntry{At: now.UTC(), Actor: "witness:" + device, Action: "archive.alarm", Target: "archive", Detail: detail, RemoteIP: addr}
	if err := d.Store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		return nil, err
	}
	return v, nil
}
