package httpapi

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/hub"
)

// Ratings and feedback from residents' phones, on the public page of an
// item (/p/{id}). They become the same events a kiosk sends, from the
// screen id PhoneScreen, and go through the same rules (ingest.Rules), with
// the sender's address in the place of the kiosk: a burst of ratings from
// one address, or a second rating of the same item from it within the
// session window, is misuse; feedback past the kiosk limit from one address
// is refused. On top of that each item takes only a few of each from one
// address (PhoneRatingLimit, PhoneFeedbackLimit), counted in the store's
// shared counters (hall.LimitStore), so every replica judges alike. Only
// items live now take them. The requests carry no cookie; they must be
// JSON and, from a browser, same-origin, so that no other site can send
// them in a resident's name.
const (
	// PhoneScreen is the screen id of events sent from phones.
	PhoneScreen = "phone"
	// PhoneRatingLimit ratings of one item from one address in
	// PhoneRatingWindow, by the server's clock; more are refused.
	PhoneRatingLimit  = 3
	PhoneRatingWindow = time.Hour
	// PhoneFeedbackLimit messages about one item from one address in
	// PhoneFeedbackWindow; more are refused.
	PhoneFeedbackLimit  = 3
	PhoneFeedbackWindow = 10 * time.Minute
	// PhoneTextRunes bounds a phone's feedback text, as the kiosk's.
	PhoneTextRunes = 500
	// phoneBody bounds the request body.
	phoneBody = 8 << 10
)

type phoneRatingRequest struct {
	Level int `json:"level"`
}

type phoneFeedbackRequest struct {
	Topic   string `json:"topic"`
	Text    string `json:"text"`
	Contact string `json:"contact"`
}

func (s *Server) phoneRating(c echo.Context) error {
	var in phoneRatingRequest
	if err := s.phoneBind(c, &in); err != nil {
		return err
	}
	if in.Level < 1 || in.Level > 5 {
		return hall.FieldError("level", "want 1 to 5")
	}
	id := c.Param("id")
	ev := map[string]any{"kind": hall.EventRating, "subject": map[string]string{"item_id": id}, "level": in.Level, "session": PhoneScreen}
	eventID, err := s.phoneEvent(c, id, "rating", PhoneRatingLimit, PhoneRatingWindow, ev)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": eventID, "level": in.Level})
}

func (s *Server) phoneFeedback(c echo.Context) error {
	var in phoneFeedbackRequest
	if err := s.phoneBind(c, &in); err != nil {
		return err
	}
	text := strings.TrimSpace(in.Text)
	switch {
	case text == "":
		return hall.FieldError("text", "required")
	case utf8.RuneCountInString(text) > PhoneTextRunes:
		return hall.FieldError("text", "at most %d characters", PhoneTextRunes)
	}
	contact := strings.TrimSpace(in.Contact)
	if !validPhone(contact) {
		return hall.FieldError("contact", "want a phone number of 7 to 15 digits, or nothing")
	}
	topic := in.Topic
	if topic == "" {
		topic = "other"
	}
	if !hall.ValidKey(topic) {
		return hall.FieldError("topic", "want a key such as \"content\"")
	}
	id := c.Param("id")
	ev := map[string]any{"kind": hall.EventFeedback, "item_id": id, "topic": topic, "text": text}
	if contact != "" {
		ev["contact"] = contact
	}
	eventID, err := s.phoneEvent(c, id, "feedback", PhoneFeedbackLimit, PhoneFeedbackWindow, ev)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": eventID, "receipt": hall.Receipt(eventID)})
}

// phoneEvent checks that the item is live now and that the address is
// within the item's limit, then stores the event through the rules, and
// returns its id. Nothing is counted for a request refused before.
func (s *Server) phoneEvent(c echo.Context, itemID, kind string, limit int64, window time.Duration, ev map[string]any) (string, error) {
	ctx := c.Request().Context()
	now := s.Now()
	eventID := newEventID()
	ev["id"] = eventID
	ev["at"] = now.UTC().Format(time.RFC3339Nano)
	raw, err := json.Marshal(ev)
	if err != nil {
		return "", err
	}
	events, bad := hub.DecodeEvents([]json.RawMessage{raw}, &hall.Screen{ID: PhoneScreen, Kind: hall.KindKiosk}, now)
	if len(bad) > 0 {
		field, msg, _ := strings.Cut(bad[0].Message, ": ")
		return "", hall.FieldError(field, "%s", msg).WithReason("phone_event_invalid")
	}
	it, err := s.Archive.PublicItem(ctx, itemID)
	if err != nil {
		return "", err
	}
	if st := publicState(it.Public, now); st != "live" {
		return "", hall.Errorf(hall.EConflict, "item %q is %s: only items public now take ratings and feedback", itemID, st).WithReason("item_not_live")
	}
	addr := addressKey(c.RealIP())
	n, err := s.Limits.Hit(ctx, fmt.Sprintf("phone:%s:%d:%s:%s", kind, len(itemID), itemID, addr), 1, now, window)
	if err != nil {
		return "", err
	}
	if n > limit {
		return "", hall.Errorf(hall.ERateLimited, "at most %d %s of one item from one address in %s; try again later", limit, kindPlural(kind), window).WithReason("phone_item_limit")
	}
	_, refused, err := s.Events.Ingest(ctx, PhoneScreen+":"+addr, events)
	if err != nil {
		return "", err
	}
	if len(refused) > 0 {
		// The rules refuse feedback past an address's limit, and ratings of
		// items not public at their time (a race with a withdrawal).
		if refused[0].Code == hall.ERateLimited {
			return "", hall.Errorf(hall.ERateLimited, "%s", refused[0].Message).WithReason("phone_address_limit")
		}
		return "", hall.Errorf(hall.EValidation, "%s", refused[0].Message).WithReason("phone_event_refused")
	}
	return eventID, nil
}

func kindPlural(kind string) string {
	if kind == "rating" {
		return "ratings"
	}
	return "messages"
}

// phoneBind decodes a phone's JSON request after checking that it comes
// from this server's own pages: a browser names the page's origin
// (Origin, Sec-Fetch-Site), and it must be this server's (the host the
// request was sent to, or PublicURL). The body is
// bounded and must be JSON (a form posted from another site is neither).
func (s *Server) phoneBind(c echo.Context, v any) error {
	r := c.Request()
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return hall.Errorf(hall.EForbidden, "only this server's pages may send this (Sec-Fetch-Site: %s)", site).WithReason("cross_origin")
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || !(strings.EqualFold(u.Host, r.Host) || s.PublicURL != "" && strings.EqualFold(origin, strings.TrimRight(s.PublicURL, "/"))) {
			return hall.Errorf(hall.EForbidden, "only this server's pages may send this (Origin: %s)", origin).WithReason("cross_origin")
		}
	}
	if r.ContentLength > phoneBody {
		return hall.Errorf(hall.ETooLarge, "body exceeds %d bytes", phoneBody)
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, phoneBody)
	return bind(c, v)
}

// addressKey names a client address in counters without keeping it: a
// hash of the address, of its /64 for IPv6 (one home or phone holds a
// whole /64).
func addressKey(ip string) string {
	if a := net.ParseIP(ip); a != nil && a.To4() == nil {
		ip = a.Mask(net.CIDRMask(64, 128)).String()
	}
	sum := sha256.Sum256([]byte("hallcast phone address\x00" + ip))
	return hex.EncodeToString(sum[:8])
}

// newEventID returns a random UUID (version 4), as kiosks make.
func newEventID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// validPhone accepts an empty contact or 7 to 15 digits.
func validPhone(s string) bool {
	if s == "" {
		return true
	}
	if len(s) < 7 || len(s) > 15 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
