package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The attacks on ratings and feedback of docs/RELIABILITY.md ("Ratings and
// feedback"), each against a whole server started through run. They log
// the figure the document quotes:
//
//	go test ./cmd/hallcast -run 'TestAttack' -v

// deviceReply is the answer of POST /api/v1/device/events.
type deviceReply struct {
	Ack      []string `json:"ack"`
	Rejected []struct {
		Index   int    `json:"index"`
		ID      string `json:"id"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"rejected"`
}

// postDeviceEvents sends events with a screen's token over the HTTP
// fallback.
func postDeviceEvents(t *testing.T, base, token string, events []map[string]any) deviceReply {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"events": events})
	req, _ := http.NewRequest("POST", base+"/api/v1/device/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("POST /api/v1/device/events: %d %s", resp.StatusCode, b)
	}
	var r deviceReply
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("device events reply %s: %v", b, err)
	}
	return r
}

// engagementAround returns the engagement report by the key of by for the
// two hours around now, keyed by row key.
func engagementAround(c *client, by string, now time.Time) map[string]struct{ Ratings, Misuse, Feedback int } {
	c.t.Helper()
	q := url.Values{"by": {by}, "from": {now.Add(-40 * 24 * time.Hour).Format(time.RFC3339)}, "to": {now.Add(time.Hour).Format(time.RFC3339)}}
	var rep struct {
		Rows []struct {
			Key                       string
			Ratings, Misuse, Feedback int
		}
	}
	c.must("GET", "/api/v1/reports/engagement?"+q.Encode(), nil, &rep)
	out := map[string]struct{ Ratings, Misuse, Feedback int }{}
	for _, r := range rep.Rows {
		out[r.Key] = struct{ Ratings, Misuse, Feedback int }{r.Ratings, r.Misuse, r.Feedback}
	}
	return out
}

func rating(id string, at time.Time, subject map[string]string, level int, session string) map[string]any {
	return map[string]any{"id": id, "kind": "rating", "at": at.UTC().Format(time.RFC3339Nano), "subject": subject, "level": level, "session": session}
}

// TestAttackRatingBurstWithSpacedClock sends 100 ratings at once, dated 13
// seconds apart by the kiosk's clock: by the server's clock they are one
// burst, and all but the first BurstLimit are misuse.
func TestAttackRatingBurstWithSpacedClock(t *testing.T) {
	c, _ := startHall(t)
	screenID, token := newScreen(c, "一楼触摸屏", "kiosk")
	now := time.Now()
	var evs []map[string]any
	for i := range 100 {
		at := now.Add(-time.Duration(99-i) * 13 * time.Second)
		evs = append(evs, rating(fmt.Sprint("burst-", i), at, map[string]string{"service": "hall"}, 5, fmt.Sprint("touch-", i)))
	}
	r := postDeviceEvents(t, c.base, token, evs)
	if len(r.Ack) != 100 {
		t.Fatalf("acked %d of 100 ratings (rejected %v), want all stored", len(r.Ack), r.Rejected)
	}
	got := engagementAround(c, "screen", now)[screenID]
	t.Logf("100 ratings dated 13 s apart, sent at once: %d counted, %d flagged as misuse", got.Ratings, got.Misuse)
	if got.Ratings != 5 || got.Misuse != 95 {
		t.Errorf("counted %d and flagged %d, want 5 counted (the burst limit) and 95 flagged", got.Ratings, got.Misuse)
	}
}

// TestAttackBackdatedPoorRatings sends 30 level-1 ratings of an item dated a
// month before the item was published. They must be refused, open no case
// and leave the department's scorecard for that month alone.
func TestAttackBackdatedPoorRatings(t *testing.T) {
	c, _ := startHall(t)
	_, token := newScreen(c, "一楼触摸屏", "kiosk")
	items := publicItems(c, "")
	if len(items) == 0 {
		t.Fatal("no published item in the demo content")
	}
	var item struct{ ID, Department string }
	c.must("GET", "/api/v1/public/items/"+items[0].ID, nil, &item)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	// Noon of the day a month back, so the 30 ratings stay in one month.
	back := time.Now().In(loc).AddDate(0, -1, 0)
	base := time.Date(back.Year(), back.Month(), back.Day(), 12, 0, 0, 0, loc)
	period := base.Format("2006-01")
	score := func() float64 {
		var card struct {
			Departments []struct {
				Key   string
				Score float64
			}
		}
		c.must("GET", "/api/v1/reports/scorecard?period="+period, nil, &card)
		for _, d := range card.Departments {
			if d.Key == item.Department {
				return d.Score
			}
		}
		t.Fatalf("department %q not on the scorecard of %s", item.Department, period)
		return 0
	}
	before := score()
	var evs []map[string]any
	for i := range 30 {
		// 15 s apart: never more than 4 in a minute by the kiosk's clock.
		evs = append(evs, rating(fmt.Sprint("old-", i), base.Add(time.Duration(i)*15*time.Second), map[string]string{"item_id": item.ID}, 1, fmt.Sprint("touch-", i)))
	}
	r := postDeviceEvents(t, c.base, token, evs)
	var cases struct{ Cases []map[string]any }
	c.must("GET", "/api/v1/cases", nil, &cases)
	after := score()
	t.Logf("30 level-1 ratings dated %s, before the item existed: %d stored, %d refused, %d cases opened, scorecard of %s for %s %.1f → %.1f",
		base.Format(time.DateOnly), len(r.Ack), len(r.Rejected), len(cases.Cases), item.Department, period, before, after)
	if len(r.Ack) != 0 || len(r.Rejected) != 30 {
		t.Errorf("acked %d and refused %d, want all 30 refused", len(r.Ack), len(r.Rejected))
	}
	for _, rej := range r.Rejected {
		if rej.ID == "" || rej.Message == "" {
			t.Errorf("refusal without id or reason: %+v", rej)
		}
	}
	if len(cases.Cases) != 0 {
		t.Errorf("%d cases opened, want none", len(cases.Cases))
	}
	if after != before {
		t.Errorf("scorecard moved from %.1f to %.1f", before, after)
	}

	// Inside the week a kiosk's outbox may hold, but before the item was
	// published: refused as not public then.
	evs = evs[:0]
	for i := range 30 {
		evs = append(evs, rating(fmt.Sprint("week-", i), time.Now().Add(-3*24*time.Hour+time.Duration(i)*15*time.Second), map[string]string{"item_id": item.ID}, 1, fmt.Sprint("touch-w", i)))
	}
	r = postDeviceEvents(t, c.base, token, evs)
	c.must("GET", "/api/v1/cases", nil, &cases)
	t.Logf("30 level-1 ratings dated 3 days back, before the item was published: %d stored, %d refused, %d cases opened", len(r.Ack), len(r.Rejected), len(cases.Cases))
	if len(r.Ack) != 0 || len(r.Rejected) != 30 || len(cases.Cases) != 0 {
		t.Errorf("acked %d, refused %d, %d cases; want all 30 refused, no case", len(r.Ack), len(r.Rejected), len(cases.Cases))
	}
	if len(r.Rejected) > 0 && !strings.Contains(r.Rejected[0].Message, "not public") {
		t.Errorf("refusal %+v, want it to say the item was not public", r.Rejected[0])
	}
}

// TestAttackLEDScreensWriteFeedback has LED screens (display only) send
// feedback and ratings, over the HTTP fallback and the websocket: none is
// stored, each is reported refused.
func TestAttackLEDScreensWriteFeedback(t *testing.T) {
	c, _ := startHall(t)
	now := time.Now()
	const screens, each = 5, 10
	var rows int
	for s := range screens {
		_, token := newScreen(c, fmt.Sprint("LED ", s), "led")
		var evs []map[string]any
		for i := range each {
			evs = append(evs, map[string]any{"id": fmt.Sprintf("led-%d-fb-%d", s, i), "kind": "feedback", "at": now.UTC().Format(time.RFC3339), "text": "刷屏留言", "session": "x"})
			evs = append(evs, rating(fmt.Sprintf("led-%d-r-%d", s, i), now, map[string]string{"service": "hall"}, 1, fmt.Sprint("x", i)))
		}
		// The impression is what an LED screen may send.
		evs = append(evs, map[string]any{"id": fmt.Sprintf("led-%d-imp", s), "kind": "impression", "at": now.UTC().Format(time.RFC3339), "media_url": "/media/x", "duration_ms": 1000})
		r := postDeviceEvents(t, c.base, token, evs)
		if len(r.Ack) != 1 || r.Ack[0] != fmt.Sprintf("led-%d-imp", s) || len(r.Rejected) != 2*each {
			t.Errorf("LED %d over HTTP: acked %v, refused %d; want only the impression acked and %d refused", s, r.Ack, len(r.Rejected), 2*each)
		}
		for _, rej := range r.Rejected {
			if rej.Code != "forbidden" || !strings.Contains(rej.Message, "kiosk") {
				t.Errorf("refusal %+v, want code forbidden naming kiosks", rej)
				break
			}
		}

		ws, _, _ := dialScreen(t, c.base, token, "")
		ws.send(map[string]any{"type": "events", "events": []map[string]any{
			{"id": fmt.Sprintf("led-%d-ws-fb", s), "kind": "feedback", "at": now.UTC().Format(time.RFC3339), "text": "刷屏留言", "session": "y"},
		}})
		// The answer is an ack (stored) or an error frame (refused).
		m := ws.next(5 * time.Second)
		for m["type"] != "ack" && m["type"] != "error" {
			m = ws.next(5 * time.Second)
		}
		if ids, _ := m["ids"].([]any); m["type"] != "error" || len(ids) != 1 || m["code"] != "forbidden" {
			t.Errorf("LED %d over the websocket: %v, want an error frame, code forbidden, naming the event", s, m)
		}
		ws.ws.Close()
	}
	var fb struct{ Feedback []map[string]any }
	c.must("GET", "/api/v1/feedback", nil, &fb)
	rows = len(fb.Feedback)
	var cases struct{ Cases []map[string]any }
	c.must("GET", "/api/v1/cases", nil, &cases)
	t.Logf("%d LED screens sent %d feedback and %d ratings: %d feedback rows and %d cases written",
		screens, screens*(each+1), screens*each, rows, len(cases.Cases))
	if rows != 0 || len(cases.Cases) != 0 {
		t.Errorf("LED screens wrote %d feedback rows and opened %d cases, want none", rows, len(cases.Cases))
	}
}

// TestAttackFeedbackFlood has one kiosk send more feedback than its limit
// in one go: the first 20 are stored, the rest refused as rate limited,
// and a resend of stored ones is still acknowledged.
func TestAttackFeedbackFlood(t *testing.T) {
	c, _ := startHall(t)
	_, token := newScreen(c, "一楼触摸屏", "kiosk")
	now := time.Now().UTC().Format(time.RFC3339)
	var evs []map[string]any
	for i := range 50 {
		evs = append(evs, map[string]any{"id": fmt.Sprintf("flood-%02d", i), "kind": "feedback", "at": now, "text": fmt.Sprint("留言 ", i), "session": fmt.Sprint("s", i)})
	}
	r := postDeviceEvents(t, c.base, token, evs)
	var fb struct{ Feedback []map[string]any }
	c.must("GET", "/api/v1/feedback", nil, &fb)
	t.Logf("one kiosk sent 50 feedback at once: %d acked, %d refused, %d rows written", len(r.Ack), len(r.Rejected), len(fb.Feedback))
	if len(r.Ack) != 20 || len(r.Rejected) != 30 || len(fb.Feedback) != 20 {
		t.Fatalf("acked %d, refused %d, stored %d; want 20, 30, 20", len(r.Ack), len(r.Rejected), len(fb.Feedback))
	}
	for _, rej := range r.Rejected {
		if rej.Code != "rate_limited" {
			t.Errorf("refusal %+v, want code rate_limited", rej)
			break
		}
	}
	again := postDeviceEvents(t, c.base, token, evs[:20])
	if len(again.Ack) != 20 {
		t.Errorf("resending the 20 stored: acked %d, want 20 (stored already)", len(again.Ack))
	}
}
