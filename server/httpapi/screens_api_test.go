package httpapi

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
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
