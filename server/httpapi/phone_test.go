package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/ingest"
	"github.com/hallcast/hallcast/server/sqlite"
)

// newPhoneHarness is a harness whose events go through the ingester and
// its rules, as in the server.
func newPhoneHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, func(d *Deps) {
		st := d.Store.(*sqlite.Store)
		ing := ingest.New(ingest.Config{Store: st, Vetter: ingest.NewRules(st, ingest.RulesConfig{})})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			ing.Run(ctx)
			close(done)
		}()
		t.Cleanup(func() {
			cancel()
			<-done
		})
		d.Events = ing
	})
}

// phonePost sends a phone's JSON request with the given headers.
func (h *harness) phonePost(path, body string, headers map[string]string) result {
	h.t.Helper()
	req, err := http.NewRequest("POST", h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return h.send(req)
}

func TestPhoneRatingAndFeedback(t *testing.T) {
	h := newPhoneHarness(t)
	ctx := context.Background()
	id := h.publish(budgetItem())
	rating := "/api/v1/public/items/" + id + "/rating"
	fb := "/api/v1/public/items/" + id + "/feedback"
	same := map[string]string{"Origin": h.srv.URL, "Sec-Fetch-Site": "same-origin"}
	events := func(kind string) []*hall.Event {
		t.Helper()
		list, err := h.store.ListEvents(ctx, kind, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 100)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}

	t.Run("RefusedChangesNothing", func(t *testing.T) {
		for _, c := range []struct {
			name, path, body string
			headers          map[string]string
			status           int
			code, field      string
		}{
			{"level 0", rating, `{"level":0}`, same, 422, hall.EValidation, "level"},
			{"level 6", rating, `{"level":6}`, same, 422, hall.EValidation, "level"},
			{"unknown field", rating, `{"level":4,"session":"x"}`, same, 422, hall.EValidation, ""},
			{"not JSON", rating, `level=4`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 422, hall.EValidation, ""},
			{"text/plain", fb, `{"text":"你好"}`, map[string]string{"Content-Type": "text/plain"}, 422, hall.EValidation, ""},
			{"other origin", rating, `{"level":4}`, map[string]string{"Origin": "https://evil.example"}, 403, hall.EForbidden, ""},
			{"cross-site fetch", fb, `{"text":"你好"}`, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, hall.EForbidden, ""},
			{"empty text", fb, `{"text":"  "}`, same, 422, hall.EValidation, "text"},
			{"long text", fb, `{"text":"` + strings.Repeat("长", PhoneTextRunes+1) + `"}`, same, 422, hall.EValidation, "text"},
			{"bad phone", fb, `{"text":"你好","contact":"12ab"}`, same, 422, hall.EValidation, "contact"},
			{"bad topic", fb, `{"text":"你好","topic":"Not A Key!"}`, same, 422, hall.EValidation, "topic"},
			{"control characters", fb, `{"text":"你好","contact":"","topic":"x\u0007"}`, same, 422, hall.EValidation, "topic"},
			{"too large", fb, `{"text":"` + strings.Repeat("a", phoneBody) + `"}`, same, 413, hall.ETooLarge, ""},
			{"unknown item", "/api/v1/public/items/it_nope/rating", `{"level":4}`, same, 404, hall.ENotFound, ""},
		} {
			r := h.phonePost(c.path, c.body, c.headers)
			if r.Status != c.status || r.errCode() != c.code || (c.field != "" && r.errField() != c.field) {
				t.Errorf("%s: %d %s (field %q), want %d %s (field %q): %s", c.name, r.Status, r.errCode(), r.errField(), c.status, c.code, c.field, r.Body)
			}
		}
		if n := len(events("")); n != 0 {
			t.Errorf("%d events stored after refused requests, want none", n)
		}
	})

	var receipt string
	t.Run("Stored", func(t *testing.T) {
		r := h.must(h.phonePost(rating, `{"level":4}`, same), http.StatusCreated)
		if r.JSON["level"] != float64(4) || str(r.JSON, "id") == "" {
			t.Errorf("rating answer %s", r.Body)
		}
		// A client that sends no Origin (not a browser) is no cross-site risk.
		r = h.must(h.phonePost(fb, `{"topic":"content","text":" 希望公开得更详细 ","contact":"13800000000"}`, map[string]string{}), http.StatusCreated)
		receipt = str(r.JSON, "receipt")
		if receipt != hall.Receipt(str(r.JSON, "id")) || !strings.HasPrefix(receipt, "FK") {
			t.Errorf("feedback answer %s", r.Body)
		}
		ratings := events(hall.EventRating)
		if len(ratings) != 1 || ratings[0].Subject != hall.ItemSubject(id) || ratings[0].Level != 4 || ratings[0].ScreenID != PhoneScreen || ratings[0].Misuse {
			t.Errorf("ratings stored %+v, want one of the item at level 4 from %q", ratings, PhoneScreen)
		}
		f, err := h.store.Feedback(ctx, str(r.JSON, "id"))
		if err != nil {
			t.Fatal(err)
		}
		if f.Text != "希望公开得更详细" || f.ItemID != id || f.Topic != "content" || f.Contact != "13800000000" || f.Receipt != receipt {
			t.Errorf("feedback stored %+v", f)
		}
		st := h.must(h.do("GET", "/api/v1/public/feedback/"+receipt, "", nil), http.StatusOK)
		if !bytes.Contains(st.Body, []byte(receipt)) {
			t.Errorf("receipt status %s", st.Body)
		}
	})

	t.Run("MisuseAndLimits", func(t *testing.T) {
		// A second rating of the item from the address within the session
		// window is misuse, as on a kiosk; the third is the last taken.
		h.must(h.phonePost(rating, `{"level":1}`, same), http.StatusCreated)
		h.must(h.phonePost(rating, `{"level":1}`, same), http.StatusCreated)
		r := h.phonePost(rating, `{"level":1}`, same)
		if r.Status != http.StatusTooManyRequests || r.errCode() != hall.ERateLimited {
			t.Errorf("a fourth rating within the hour: %d %s, want 429 rate_limited", r.Status, r.errCode())
		}
		var misuse int
		for _, e := range events(hall.EventRating) {
			if e.Misuse {
				misuse++
			}
		}
		if got := len(events(hall.EventRating)); got != 3 || misuse != 2 {
			t.Errorf("%d ratings stored, %d misuse; want 3, the repeats (2) misuse", got, misuse)
		}
		cases, err := h.store.ListCases(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) != 0 {
			t.Errorf("%d cases opened by misuse ratings, want none", len(cases))
		}
		h.must(h.phonePost(fb, `{"text":"二"}`, same), http.StatusCreated)
		h.must(h.phonePost(fb, `{"text":"三"}`, same), http.StatusCreated)
		r = h.phonePost(fb, `{"text":"四"}`, same)
		if r.Status != http.StatusTooManyRequests || r.errCode() != hall.ERateLimited {
			t.Errorf("a fourth message within 10 minutes: %d %s, want 429 rate_limited", r.Status, r.errCode())
		}
		if n := len(events(hall.EventFeedback)); n != 3 {
			t.Errorf("%d messages stored, want 3", n)
		}
		// The limit is per item: another item from the same address is taken.
		other := h.publish(budgetItem())
		h.must(h.phonePost("/api/v1/public/items/"+other+"/feedback", `{"text":"另一条"}`, same), http.StatusCreated)
	})

	t.Run("OnlyLiveItems", func(t *testing.T) {
		gone := h.publish(budgetItem())
		h.must(h.do("POST", "/api/v1/items/"+gone+"/withdraw", "reviewer", map[string]any{"reason": "数据有误，待更正"}), http.StatusOK)
		r := h.phonePost("/api/v1/public/items/"+gone+"/rating", `{"level":5}`, same)
		if r.Status != http.StatusConflict || r.errCode() != hall.EConflict {
			t.Errorf("rating a withdrawn item: %d %s, want 409 conflict: %s", r.Status, r.errCode(), r.Body)
		}
		r = h.phonePost("/api/v1/public/items/"+gone+"/feedback", `{"text":"为什么撤回"}`, same)
		if r.Status != http.StatusConflict {
			t.Errorf("feedback on a withdrawn item: %d, want 409", r.Status)
		}
	})
}
