package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/playlists"
	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/hub"
	"github.com/hallcast/hallcast/server/manifest"
)

// Hub is the live side of the screens: the websocket connections.
type Hub interface {
	// Notify re-resolves every connected screen's manifest after a change
	// and pushes it to those whose manifest changed.
	Notify()
	Interrupt(i *hall.Interrupt)
	ClearInterrupt(id string)
	Revoke(screenID string) int
	Command(screenID, name string) int
	Online() map[string]hub.ScreenState
	ServeWS(w http.ResponseWriter, r *http.Request)
}

// Timelines tells what a screen plays at a time.
type Timelines interface {
	Timeline(ctx context.Context, screen *hall.Screen, at time.Time) (*manifest.Playing, error)
}

// Events stores events screens send and returns the ids durably stored,
// and those refused (hub.EventIngester).
type Events interface {
	Ingest(ctx context.Context, screenID string, events []*hall.Event) ([]string, []hall.EventRefusal, error)
}

// screenTokenPrefix marks screen tokens, so they are never mistaken for
// staff API tokens.
const screenTokenPrefix = "hsc_"

type screenRequest struct {
	Name   string   `json:"name"`
	Kind   string   `json:"kind"`
	HallID string   `json:"hall_id"`
	Groups []string `json:"groups"`
}

// newScreen validates a screen request and makes the screen and its token.
func (s *Server) newScreen(c echo.Context, in screenRequest) (*hall.Screen, string, error) {
	sc := &hall.Screen{Name: strings.TrimSpace(in.Name), Kind: in.Kind, HallID: in.HallID, Groups: in.Groups, CreatedAt: s.Now().UTC()}
	if err := sc.Validate(); err != nil {
		return nil, "", err
	}
	if _, err := s.Store.Hall(c.Request().Context(), sc.HallID); hall.IsCode(err, hall.ENotFound) {
		return nil, "", hall.FieldError("hall_id", "no hall %q", sc.HallID)
	} else if err != nil {
		return nil, "", err
	}
	token := auth.NewSecret(screenTokenPrefix)
	sc.TokenHash = auth.HashSecret(token)
	return sc, token, nil
}

func (s *Server) createScreen(c echo.Context) error {
	var in screenRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	sc, token, err := s.newScreen(c, in)
	if err != nil {
		return err
	}
	if err := s.Store.CreateScreen(c.Request().Context(), sc); err != nil {
		return err
	}
	c.Set(ctxAuditTarget, sc.ID)
	return c.JSON(http.StatusCreated, map[string]any{"screen": sc, "token": token})
}

// screenView is a screen with its live state.
type screenView struct {
	*hall.Screen
	Online      bool       `json:"online"`
	Connections int        `json:"connections"`
	ConnectedAt *time.Time `json:"connected_at,omitempty"`
}

func (s *Server) listScreens(c echo.Context) error {
	screens, err := s.Store.ListScreens(c.Request().Context())
	if err != nil {
		return err
	}
	live := map[string]hub.ScreenState{}
	if s.Hub != nil {
		live = s.Hub.Online()
	}
	out := make([]screenView, len(screens))
	for i, sc := range screens {
		v := screenView{Screen: sc}
		if p, ok := live[sc.ID]; ok && p.Online {
			v.Online, v.Connections, v.ConnectedAt = true, p.Connections, p.ConnectedAt
			if !p.LastSeen.IsZero() {
				seen := p.LastSeen
				v.LastSeen = &seen
			}
			if p.Showing != nil {
				v.Showing = p.Showing
			}
			if p.Version != "" {
				v.Version = p.Version
			}
		}
		out[i] = v
	}
	return c.JSON(http.StatusOK, map[string]any{"screens": out})
}

func (s *Server) deleteScreen(c echo.Context) error {
	id := c.Param("id")
	if err := s.Store.RevokeScreen(c.Request().Context(), id, s.Now().UTC()); err != nil {
		return err
	}
	if s.Hub != nil {
		s.Hub.Revoke(id)
	}
	return c.NoContent(http.StatusNoContent)
}

type commandRequest struct {
	Name string `json:"name"`
}

func (s *Server) screenCommand(c echo.Context) error {
	var in commandRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Name != "reload" && in.Name != "identify" {
		return hall.FieldError("name", `want "reload" or "identify"`)
	}
	if _, err := s.Store.Screen(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	n := 0
	if s.Hub != nil {
		n = s.Hub.Command(c.Param("id"), in.Name)
	}
	return c.JSON(http.StatusOK, map[string]any{"sent": n})
}

// Pairing: a screen set up on site shows a code; an admin claims it.
const (
	pairingTTL   = 10 * time.Minute
	pairingRate  = 10 // new pairings per address per minute
	pairingBurst = 5
)

func (s *Server) createPairing(c echo.Context) error {
	if !s.pairLimit.allow(c.RealIP()) {
		return hall.Errorf(hall.ERateLimited, "too many pairing requests from this address: wait a minute")
	}
	ctx := c.Request().Context()
	secret := auth.NewSecret("")
	for attempt := 0; ; attempt++ {
		n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
		if err != nil {
			return err
		}
		p := &hall.Pairing{ID: hall.NewID("pr"), Code: fmt.Sprintf("%06d", n.Int64()), SecretHash: auth.HashSecret(secret),
			ExpiresAt: s.Now().UTC().Add(pairingTTL)}
		err = s.Store.CreatePairing(ctx, p)
		if hall.IsCode(err, hall.EConflict) && attempt < 5 {
			continue
		}
		if err != nil {
			return err
		}
		c.Set(ctxAuditTarget, p.ID)
		return c.JSON(http.StatusCreated, map[string]any{"id": p.ID, "code": p.Code, "secret": secret, "expires_at": p.ExpiresAt})
	}
}

func (s *Server) pollPairing(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := s.Store.Pairing(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if !auth.Equal(auth.HashSecret(c.QueryParam("secret")), p.SecretHash) {
		return hall.NotFound("pairing", c.Param("id"))
	}
	if p.Token == "" {
		if !s.Now().Before(p.ExpiresAt) {
			return hall.Errorf(hall.ENotFound, "pairing expired: start again")
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, map[string]any{"status": "pending", "expires_at": p.ExpiresAt})
	}
	// The token is handed over once, then forgotten.
	if err := s.Store.DeletePairing(ctx, p.ID); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"status": "claimed", "token": p.Token, "screen_id": p.ScreenID})
}

func (s *Server) claimPairing(c echo.Context) error {
	var in screenRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := s.Store.PairingByCode(ctx, c.Param("code"), s.Now().UTC())
	if err != nil {
		return err
	}
	if p.ScreenID != "" {
		return hall.Errorf(hall.EConflict, "code %s is already claimed", p.Code)
	}
	sc, token, err := s.newScreen(c, in)
	if err != nil {
		return err
	}
	if err := s.Store.ClaimPairing(ctx, p.ID, sc, token, s.Now().UTC()); err != nil {
		return err
	}
	c.Set(ctxAuditTarget, sc.ID)
	return c.JSON(http.StatusCreated, map[string]any{"screen": sc})
}

func (s *Server) screenTimeline(c echo.Context) error {
	ctx := c.Request().Context()
	sc, err := s.Store.Screen(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	at := s.Now()
	if v := c.QueryParam("at"); v != "" {
		t, err := parseTime("at", v, s.loc)
		if err != nil {
			return err
		}
		at = *t
	}
	tl, err := s.Timelines.Timeline(ctx, sc, at)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tl)
}

// Playlists and schedules.

func (s *Server) listPlaylists(c echo.Context) error {
	ps, err := s.Store.ListPlaylists(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"playlists": ps})
}

func (s *Server) getPlaylist(c echo.Context) error {
	p, err := s.Store.Playlist(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"playlist": p})
}

type playlistRequest struct {
	Name    string           `json:"name"`
	Entries []playlistsEntry `json:"entries"`
}

type playlistsEntry = hall.PlaylistEntry

func (s *Server) putPlaylist(c echo.Context) error {
	var in playlistRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	id := c.Param("id")
	if !hall.ValidKey(id) && !strings.HasPrefix(id, "pl_") {
		return hall.FieldError("id", "want lower-case letters, digits, '-' or '_'")
	}
	p := &hall.Playlist{ID: id, Name: strings.TrimSpace(in.Name), Entries: in.Entries, UpdatedAt: s.Now().UTC()}
	if p.Entries == nil {
		p.Entries = []hall.PlaylistEntry{}
	}
	if err := (playlists.ValidatePlaylist(*p)); err != nil {
		return err
	}
	ctx := c.Request().Context()
	for i, e := range p.Entries {
		switch {
		case e.ItemID != "":
			if _, err := s.Store.Item(ctx, e.ItemID); hall.IsCode(err, hall.ENotFound) {
				return hall.FieldError(fmt.Sprintf("entries[%d].item_id", i), "no item %q", e.ItemID)
			} else if err != nil {
				return err
			}
		case e.Category != "":
			if _, err := s.Store.Category(ctx, e.Category); hall.IsCode(err, hall.ENotFound) {
				return hall.FieldError(fmt.Sprintf("entries[%d].category", i), "no category %q", e.Category)
			} else if err != nil {
				return err
			}
		}
	}
	if err := s.Store.PutPlaylist(ctx, p); err != nil {
		return err
	}
	s.notify()
	return c.JSON(http.StatusOK, map[string]any{"playlist": p})
}

func (s *Server) deletePlaylist(c echo.Context) error {
	ctx := c.Request().Context()
	scheds, err := s.Store.ListSchedules(ctx)
	if err != nil {
		return err
	}
	for _, sc := range scheds {
		if sc.PlaylistID == c.Param("id") {
			return hall.Errorf(hall.EConflict, "schedule %s plays this playlist: delete or change it first", sc.ID)
		}
	}
	halls, err := s.Store.ListHalls(ctx)
	if err != nil {
		return err
	}
	for _, h := range halls {
		if h.DefaultPlaylistID == c.Param("id") {
			return hall.Errorf(hall.EConflict, "hall %s plays this playlist by default: change that first", h.ID)
		}
	}
	if err := s.Store.DeletePlaylist(ctx, c.Param("id")); err != nil {
		return err
	}
	s.notify()
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listSchedules(c echo.Context) error {
	ss, err := s.Store.ListSchedules(c.Request().Context())
	if err != nil {
		return err
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].ID < ss[j].ID })
	return c.JSON(http.StatusOK, map[string]any{"schedules": ss})
}

type scheduleRequest struct {
	PlaylistID string      `json:"playlist_id"`
	Target     hall.Target `json:"target"`
	Days       []int       `json:"days"`
	Start      string      `json:"start"`
	End        string      `json:"end"`
	From       string      `json:"from"`
	Until      string      `json:"until"`
	Priority   int         `json:"priority"`
}

func (s *Server) putSchedule(c echo.Context) error {
	var in scheduleRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	id := c.Param("id")
	if !hall.ValidKey(id) {
		return hall.FieldError("id", "want lower-case letters, digits, '-' or '_'")
	}
	sc := &hall.Schedule{ID: id, PlaylistID: in.PlaylistID, Target: in.Target, Days: in.Days, Start: in.Start, End: in.End,
		From: in.From, Until: in.Until, Priority: in.Priority, UpdatedAt: s.Now().UTC()}
	if err := (playlists.ValidateSchedule(*sc)); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.Store.Playlist(ctx, sc.PlaylistID); hall.IsCode(err, hall.ENotFound) {
		return hall.FieldError("playlist_id", "no playlist %q", sc.PlaylistID)
	} else if err != nil {
		return err
	}
	if err := s.Store.PutSchedule(ctx, sc); err != nil {
		return err
	}
	s.notify()
	return c.JSON(http.StatusOK, map[string]any{"schedule": sc})
}

func (s *Server) deleteSchedule(c echo.Context) error {
	if err := s.Store.DeleteSchedule(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	s.notify()
	return c.NoContent(http.StatusNoContent)
}

type hallUpdate struct {
	Name              string `json:"name"`
	TZ                string `json:"tz"`
	DefaultPlaylistID string `json:"default_playlist_id"`
}

func (s *Server) updateHall(c echo.Context) error {
	var in hallUpdate
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	h, err := s.Store.Hall(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	h.Name, h.TZ, h.DefaultPlaylistID = in.Name, in.TZ, in.DefaultPlaylistID
	if err := h.Validate(); err != nil {
		return err
	}
	if h.DefaultPlaylistID != "" {
		if _, err := s.Store.Playlist(ctx, h.DefaultPlaylistID); hall.IsCode(err, hall.ENotFound) {
			return hall.FieldError("default_playlist_id", "no playlist %q", h.DefaultPlaylistID)
		} else if err != nil {
			return err
		}
	}
	if err := s.Store.UpdateHall(ctx, h); err != nil {
		return err
	}
	s.notify()
	return c.JSON(http.StatusOK, map[string]any{"hall": h})
}

// Interrupts.

type interruptRequest struct {
	Target hall.Target `json:"target"`
	Level  string      `json:"level"`
	Text   string      `json:"text"`
	ItemID string      `json:"item_id"`
	Until  string      `json:"until"`
}

// maxInterrupt bounds how long an interrupt may run.
const maxInterrupt = 7 * 24 * time.Hour

func (s *Server) createInterrupt(c echo.Context) error {
	var in interruptRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	now := s.Now().UTC()
	i := &hall.Interrupt{ID: hall.NewID("ir"), Target: in.Target, Level: in.Level, Text: strings.TrimSpace(in.Text), ItemID: in.ItemID,
		CreatedBy: userOf(c).Username, CreatedAt: now}
	if err := (in.Target.Validate()); err != nil {
		return err
	}
	if i.Level != hall.LevelInfo && i.Level != hall.LevelUrgent {
		return hall.FieldError("level", `want "info" or "urgent"`)
	}
	if (i.Text == "") == (i.ItemID == "") {
		return hall.FieldError("text", "give text or item_id (one of them)")
	}
	if len([]rune(i.Text)) > 500 {
		return hall.FieldError("text", "at most 500 characters")
	}
	ctx := c.Request().Context()
	if i.ItemID != "" {
		it, err := s.Store.Item(ctx, i.ItemID)
		if hall.IsCode(err, hall.ENotFound) || (err == nil && !it.Public.Live(now)) {
			return hall.FieldError("item_id", "no published item %q", i.ItemID)
		} else if err != nil {
			return err
		}
	}
	until, err := parseTime("until", in.Until, s.loc)
	if err != nil {
		return err
	}
	if until == nil || !until.After(now) || until.Sub(now) > maxInterrupt {
		return hall.FieldError("until", "required: a time in the next 7 days")
	}
	i.Until = until.UTC()
	if err := s.Store.CreateInterrupt(ctx, i); err != nil {
		return err
	}
	if s.Hub != nil {
		s.Hub.Interrupt(i)
	}
	c.Set(ctxAuditTarget, i.ID)
	return c.JSON(http.StatusCreated, map[string]any{"interrupt": i})
}

func (s *Server) listInterrupts(c echo.Context) error {
	at := s.Now()
	if c.QueryParam("all") == "true" {
		at = time.Time{}
	}
	is, err := s.Store.ListInterrupts(c.Request().Context(), at)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"interrupts": is})
}

func (s *Server) deleteInterrupt(c echo.Context) error {
	if err := s.Store.ClearInterrupt(c.Request().Context(), c.Param("id"), s.Now().UTC()); err != nil {
		return err
	}
	if s.Hub != nil {
		s.Hub.ClearInterrupt(c.Param("id"))
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) notify() {
	if s.Hub != nil {
		s.Hub.Notify()
	}
}

// Device events: the HTTP fallback for screens whose websocket is down.

type deviceEventsRequest struct {
	Events []json.RawMessage `json:"events"`
}

func (s *Server) deviceEvents(c echo.Context) error {
	sc, err := s.screenOf(c)
	if err != nil {
		return err
	}
	c.Set(ctxAuditActor, "screen:"+sc.ID)
	var in deviceEventsRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if len(in.Events) > 500 {
		return hall.FieldError("events", "at most 500 a request")
	}
	acked, bad, err := hub.Receive(c.Request().Context(), s.Events, in.Events, sc, s.Now())
	if err != nil {
		return err
	}
	resp := map[string]any{"ack": acked}
	if len(bad) > 0 {
		resp["rejected"] = bad
	}
	return c.JSON(http.StatusOK, resp)
}

// screenOf authenticates a screen by its bearer token.
func (s *Server) screenOf(c echo.Context) (*hall.Screen, error) {
	secret, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	if !ok || !strings.HasPrefix(secret, screenTokenPrefix) {
		return nil, hall.Errorf(hall.EUnauthenticated, "send the screen's token as a bearer token")
	}
	sc, err := s.Store.ScreenByTokenHash(c.Request().Context(), auth.HashSecret(secret))
	if hall.IsCode(err, hall.ENotFound) {
		return nil, hall.Errorf(hall.EUnauthenticated, "unknown screen token")
	} else if err != nil {
		return nil, err
	}
	if sc.RevokedAt != nil {
		return nil, hall.Errorf(hall.EForbidden, "screen revoked")
	}
	return sc, nil
}
