package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// Webhook posts each screen that stays offline longer than After to URL,
// once per time it goes offline, whichever replica notices first (the
// claim is a shared counter). A delivery is retried with growing delays;
// its outcome is written to the audit log (action "webhook.screen_offline").
type Webhook struct {
	URL     string
	After   time.Duration // zero: DefaultOfflineAfter
	Screens Screens
	Limits  hall.LimitStore
	Audit   hall.AuditStore
	Client  *http.Client // nil: a client with a 10 s timeout
	Now     func() time.Time
	Logger  *slog.Logger
	// Every is how often screens are checked (zero: a quarter of After,
	// at most 30 s); Backoff the first retry delay (zero: 2 s), doubled up
	// to Attempts attempts (zero: 6).
	Every    time.Duration
	Backoff  time.Duration
	Attempts int
}

// OfflineEvent is the JSON body posted.
type OfflineEvent struct {
	Event    string     `json:"event"` // "screen_offline"
	Screen   ScreenRef  `json:"screen"`
	LastSeen *time.Time `json:"last_seen,omitempty"`
	OfflineS int64      `json:"offline_s"`
	At       time.Time  `json:"at"` // when the server noticed
}

// ScreenRef names a screen.
type ScreenRef struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	HallID string `json:"hall_id"`
}

// system is who the watcher reads screens as.
var system = &hall.User{Username: "system", Role: hall.RoleAdmin}

// Run checks the screens until ctx ends.
func (w *Webhook) Run(ctx context.Context) {
	every := w.Every
	if every <= 0 {
		every = min(w.after()/4, 30*time.Second)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := w.Check(ctx); err != nil && ctx.Err() == nil {
			w.logger().Warn("offline screens webhook: checking screens", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Check posts every screen offline longer than After not posted before for
// this time offline; deliveries run in the background.
func (w *Webhook) Check(ctx context.Context) error {
	screens, err := w.Screens.ListScreens(ctx, system)
	if err != nil {
		return err
	}
	now := w.Now()
	for _, sc := range Offline(screens, now, w.after()) {
		since := sc.LastSeen
		mark := "never"
		if since != nil {
			mark = fmt.Sprint(since.UnixNano())
		}
		n, err := w.Limits.Hit(ctx, "webhook:offline:"+sc.ID+":"+mark, 1, now, 30*24*time.Hour)
		if err != nil {
			return err
		}
		if n != 1 {
			continue // posted already, by this replica or another
		}
		ev := OfflineEvent{Event: "screen_offline", Screen: ScreenRef{ID: sc.ID, Name: sc.Name, Kind: sc.Kind, HallID: sc.HallID},
			LastSeen: sc.LastSeen, OfflineS: sc.OfflineS, At: now.UTC()}
		go w.deliver(context.WithoutCancel(ctx), ev)
	}
	return nil
}

// deliver posts ev, retrying with growing delays, and audits the outcome.
func (w *Webhook) deliver(ctx context.Context, ev OfflineEvent) {
	body, _ := json.Marshal(ev)
	attempts, delay := w.Attempts, w.Backoff
	if attempts <= 0 {
		attempts = 6
	}
	if delay <= 0 {
		delay = 2 * time.Second
	}
	var last string
	for i := 1; i <= attempts; i++ {
		status, err := w.post(ctx, body)
		if err == nil && status < 300 {
			w.audit(ctx, ev, fmt.Sprintf("delivered to %s: HTTP %d, attempt %d", w.URL, status, i))
			return
		}
		if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("HTTP %d", status)
		}
		if i < attempts {
			time.Sleep(delay)
			delay *= 2
		}
	}
	w.logger().Warn("offline screens webhook: not delivered", "screen", ev.Screen.ID, "url", w.URL, "err", last)
	w.audit(ctx, ev, fmt.Sprintf("not delivered to %s after %d attempts: %s", w.URL, attempts, last))
}

func (w *Webhook) post(ctx context.Context, body []byte) (int, error) {
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hallcast-webhook")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (w *Webhook) audit(ctx context.Context, ev OfflineEvent, detail string) {
	e := &hall.AuditEntry{At: w.Now().UTC(), Actor: "system", Action: "webhook.screen_offline", Target: ev.Screen.ID, Detail: detail}
	if err := w.Audit.AppendAudit(ctx, e); err != nil {
		w.logger().Warn("offline screens webhook: audit", "err", err)
	}
}

func (w *Webhook) after() time.Duration {
	if w.After > 0 {
		return w.After
	}
	return DefaultOfflineAfter
}

func (w *Webhook) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.New(slog.DiscardHandler)
}
