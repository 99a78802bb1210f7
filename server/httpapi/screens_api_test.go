package httpapi

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// upload posts one file as multipart/form-data, as the given user.
func (h *harness) upload(as, name string, data []byte) result {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/media", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+h.tokens[as])
	return h.send(req)
}

func TestMediaUpload(t *testing.T) {
	h := newHarness(t)
	var img bytes.Buffer
	png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 4)))

	r := h.must(h.upload("editor", "公告图片.png", img.Bytes()), http.StatusCreated)
	url := str(r.JSON, "url")
	if !strings.HasPrefix(url, "/media/") || str(r.JSON, "type") != "image" || str(r.JSON, "mime") != "image/png" {
		t.Fatalf("upload: %s", r.Body)
	}
	again := h.must(h.upload("editor", "same.png", img.Bytes()), http.StatusCreated)
	if str(again.JSON, "url") != url {
		t.Errorf("the same content got another address: %s vs %s", str(again.JSON, "url"), url)
	}
	got := h.must(h.do("GET", url, "", nil), http.StatusOK)
	if !bytes.Equal(got.Body, img.Bytes()) || !strings.Contains(got.Header.Get("Cache-Control"), "immutable") ||
		got.Header.Get("Content-Type") != "image/png" || !strings.Contains(got.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("served media: %v", got.Header)
	}

	for name, tc := range map[string]struct {
		as     string
		data   []byte
		status int
	}{
		"HTMLDisguisedAsPNG": {"editor", []byte("<html><script>alert(1)</script></html>"), 422},
		"Empty":              {"editor", nil, 422},
		"Auditor":            {"auditor", img.Bytes(), 403},
	} {
		t.Run(name, func(t *testing.T) {
			if r := h.upload(tc.as, "x.png", tc.data); r.Status != tc.status {
				t.Errorf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
		})
	}
	h.must(h.do("GET", "/media/"+strings.Repeat("0", 64), "", nil), 404)
	h.must(h.do("GET", "/media/../../etc/passwd", "", nil), 404)
}

func TestFeedbackContactMaskedBelowAdmin(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	now := time.Now().UTC()
	halls := &hall.Hall{Name: "测试大厅", TZ: hall.DefaultTZ, CreatedAt: now}
	if err := h.store.CreateHall(ctx, halls); err != nil {
		t.Fatal(err)
	}
	sc := &hall.Screen{Name: "触摸屏", Kind: hall.KindKiosk, HallID: halls.ID, Groups: []string{}, TokenHash: "x", CreatedAt: now}
	if err := h.store.CreateScreen(ctx, sc); err != nil {
		t.Fatal(err)
	}
	ev := &hall.Event{ID: "fb-1", Kind: hall.EventFeedback, At: now, ScreenID: sc.ID, ReceivedAt: now, Topic: "efficiency",
		Text: "希望延长周末办理时间，电话13812345678", Contact: "13812345678", Session: "s"}
	if _, err := h.store.InsertEvents(ctx, []*hall.Event{ev}); err != nil {
		t.Fatal(err)
	}
	contact := func(as string) string {
		r := h.must(h.do("GET", "/api/v1/feedback", as, nil), 200)
		return str(r.JSON["feedback"].([]any)[0], "contact")
	}
	if got := contact("reviewer"); got != "138****5678" {
		t.Errorf("reviewer sees contact %q, want 138****5678", got)
	}
	if got := contact("admin"); got != "13812345678" {
		t.Errorf("admin sees contact %q", got)
	}
	h.must(h.do("POST", "/api/v1/feedback/fb-1/reply", "reviewer", map[string]any{"text": "请致电13812345678", "public": true}), 422)
	h.must(h.do("POST", "/api/v1/feedback/fb-1/reply", "reviewer", map[string]any{"text": "自下月起周六上午开放。", "public": true}), 200)
	replies := h.must(h.do("GET", "/api/v1/public/replies", "", nil), 200)
	body := string(replies.Body)
	if !strings.Contains(body, "周六上午") || strings.Contains(body, "13812345678") || !strings.Contains(body, "138****5678") {
		t.Errorf("public replies leak or lack content: %s", body)
	}
	st := h.must(h.do("GET", "/api/v1/public/feedback/"+hall.Receipt("fb-1"), "", nil), 200)
	if str(st.JSON, "status") != "replied" {
		t.Errorf("receipt status: %s", st.Body)
	}
}

// TestScheduleOnWorkingDays: a schedule limited to working days follows
// the hall's calendar, holidays and make-up days included, in what a
// screen plays.
func TestScheduleOnWorkingDays(t *testing.T) {
	h := newHarness(t)
	r := h.must(h.do("POST", "/api/v1/halls", "admin", map[string]any{"name": "便民服务大厅"}), http.StatusCreated)
	hallID := str(r.JSON, "hall", "id")
	r = h.must(h.do("POST", "/api/v1/screens", "admin", map[string]any{"name": "大厅屏", "kind": "led", "hall_id": hallID}), http.StatusCreated)
	screenID := str(r.JSON, "screen", "id")
	h.must(h.do("PUT", "/api/v1/playlists/office", "admin", map[string]any{"name": "办公时间", "entries": []any{map[string]any{"category": "finance", "duration_s": 10}}}), 200)
	h.must(h.do("PUT", "/api/v1/schedules/office", "admin", map[string]any{"playlist_id": "office", "start": "08:30", "end": "17:30", "day_type": "workdays"}), 200)
	h.must(h.do("PUT", "/api/v1/schedules/bad", "admin", map[string]any{"playlist_id": "office", "day_type": "sundays"}), 422)
	playing := func(at string) string {
		r := h.must(h.do("GET", "/api/v1/screens/"+screenID+"/timeline?at="+at, "admin", nil), 200)
		slot, _ := r.JSON["slot"].(map[string]any)
		if slot == nil {
			return ""
		}
		return str(slot, "playlist_id")
	}
	for at, want := range map[string]string{
		"2026-09-30T10:00:00%2B08:00": "office", // Wednesday
		"2026-10-01T10:00:00%2B08:00": "",       // National Day
		"2026-10-10T10:00:00%2B08:00": "office", // make-up Saturday (调休)
		"2026-10-11T10:00:00%2B08:00": "",       // Sunday
	} {
		if got := playing(at); got != want {
			t.Errorf("at %s: playing %q, want %q", at, got, want)
		}
	}
}

// TestScreenWeek: the week view's 168 hourly cells follow the schedules —
// weekdays and a daily window, and a rest-day schedule read with the
// working-day calendar (the National Day holidays, a make-up Saturday).
func TestScreenWeek(t *testing.T) {
	h := newHarness(t)
	r := h.must(h.do("POST", "/api/v1/halls", "admin", map[string]any{"name": "便民服务大厅"}), http.StatusCreated)
	hallID := str(r.JSON, "hall", "id")
	r = h.must(h.do("POST", "/api/v1/screens", "admin", map[string]any{"name": "大厅屏", "kind": "led", "hall_id": hallID}), http.StatusCreated)
	screenID := str(r.JSON, "screen", "id")
	for _, id := range []string{"weekday", "rest"} {
		h.must(h.do("PUT", "/api/v1/playlists/"+id, "admin", map[string]any{"name": id, "entries": []any{map[string]any{"category": "finance", "duration_s": 10}}}), 200)
	}
	h.must(h.do("PUT", "/api/v1/schedules/weekday", "admin", map[string]any{"playlist_id": "weekday", "days": []int{1, 2, 3, 4, 5}, "start": "08:30", "end": "17:30"}), 200)
	h.must(h.do("PUT", "/api/v1/schedules/restday", "admin", map[string]any{"playlist_id": "rest", "day_type": "restdays", "start": "10:00", "end": "16:00", "priority": 5}), 200)

	r = h.must(h.do("GET", "/api/v1/screens/"+screenID+"/week?from=2026-10-05", "auditor", nil), 200)
	if str(r.JSON, "from") != "2026-10-05" || str(r.JSON, "tz") != "Asia/Shanghai" {
		t.Errorf("week header: %s", r.Body)
	}
	hours, _ := r.JSON["hours"].([]any)
	if len(hours) != 168 {
		t.Fatalf("got %d cells, want 168", len(hours))
	}
	cell := func(day, hour int) (string, string) {
		c, _ := hours[day*24+hour].(map[string]any)
		return str(c, "playlist_id"), str(c, "schedule_id")
	}
	if c, _ := hours[3*24+9].(map[string]any); str(c, "at") != "2026-10-08T09:00:00+08:00" {
		t.Errorf("cell (3, 9) at %q, want 2026-10-08T09:00:00+08:00", str(c, "at"))
	}
	// want[day] lists the hours that play each playlist; the rest are gaps.
	want := []map[string][]int{
		{"weekday": {9, 16, 17}, "rest": {10, 11, 12, 13, 14, 15}}, // Mon 10-05, a holiday: both apply, rest wins
		{"weekday": {9, 16, 17}, "rest": {10, 11, 12, 13, 14, 15}}, // Tue 10-06, a holiday
		{"weekday": {9, 16, 17}, "rest": {10, 11, 12, 13, 14, 15}}, // Wed 10-07, a holiday
		{"weekday": {9, 10, 11, 12, 13, 14, 15, 16, 17}},           // Thu 10-08, a working day
		{"weekday": {9, 10, 11, 12, 13, 14, 15, 16, 17}},           // Fri 10-09
		{},                                 // Sat 10-10, a make-up working day: neither
		{"rest": {10, 11, 12, 13, 14, 15}}, // Sun 10-11
	}
	schedOf := map[string]string{"weekday": "weekday", "rest": "restday"}
	for day, plays := range want {
		for hour := range 24 {
			wantPL := ""
			for pl, hs := range plays {
				if slices.Contains(hs, hour) {
					wantPL = pl
				}
			}
			pl, sc := cell(day, hour)
			if pl != wantPL || sc != schedOf[wantPL] {
				t.Errorf("day %d %02d:00: got %q/%q, want %q/%q", day, hour, pl, sc, wantPL, schedOf[wantPL])
			}
		}
	}

	// The hall's default playlist fills the gaps, with no schedule.
	h.must(h.do("PUT", "/api/v1/halls/"+hallID, "admin", map[string]any{"name": "便民服务大厅", "default_playlist_id": "weekday"}), 200)
	r = h.must(h.do("GET", "/api/v1/screens/"+screenID+"/week?from=2026-10-05", "editor", nil), 200)
	hours, _ = r.JSON["hours"].([]any)
	if pl, sc := cell(5, 3); pl != "weekday" || sc != "" {
		t.Errorf("a gap with a default playlist: got %q/%q, want weekday/\"\"", pl, sc)
	}

	r = h.must(h.do("GET", "/api/v1/screens/"+screenID+"/week", "admin", nil), 200)
	if hours, _ := r.JSON["hours"].([]any); len(hours) != 168 || str(r.JSON, "from") != time.Now().In(mustShanghai(t)).Format(time.DateOnly) {
		t.Errorf("default week: from %q, %d cells", str(r.JSON, "from"), len(hours))
	}
	r = h.must(h.do("GET", "/api/v1/screens/"+screenID+"/week?from=2026-13-01", "admin", nil), 422)
	if r.errField() != "from" {
		t.Errorf("bad from: field %q, body %s", r.errField(), r.Body)
	}
	h.must(h.do("GET", "/api/v1/screens/sc_nope/week", "admin", nil), 404)
	h.must(h.do("GET", "/api/v1/screens/"+screenID+"/week", "", nil), 401)
}

func mustShanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
