package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/hub"
	"github.com/hallcast/hallcast/server/signage"
)

func (s *Server) createScreen(c echo.Context) error {
	var in signage.ScreenInput
	if err := bind(c, &in); err != nil {
		return err
	}
	sc, token, err := s.Signage.CreateScreen(c.Request().Context(), userOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"screen": sc, "token": token})
}

func (s *Server) updateScreen(c echo.Context) error {
	var in signage.ScreenInput
	if err := bind(c, &in); err != nil {
		return err
	}
	sc, err := s.Signage.UpdateScreen(c.Request().Context(), userOf(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"screen": sc})
}

func (s *Server) listScreens(c echo.Context) error {
	screens, err := s.Signage.ListScreens(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"screens": screens})
}

func (s *Server) deleteScreen(c echo.Context) error {
	if err := s.Signage.RevokeScreen(c.Request().Context(), userOf(c), c.Param("id")); err != nil {
		return err
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
	n, err := s.Signage.Command(c.Request().Context(), userOf(c), c.Param("id"), in.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"sent": n})
}

func (s *Server) createPairing(c echo.Context) error {
	p, err := s.Signage.CreatePairing(c.Request().Context(), c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (s *Server) pollPairing(c echo.Context) error {
	st, err := s.Signage.PollPairing(c.Request().Context(), c.Param("id"), c.QueryParam("secret"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, st)
}

func (s *Server) claimPairing(c echo.Context) error {
	var in signage.ScreenInput
	if err := bind(c, &in); err != nil {
		return err
	}
	sc, err := s.Signage.ClaimPairing(c.Request().Context(), userOf(c), c.Param("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"screen": sc})
}

func (s *Server) screenTimeline(c echo.Context) error {
	at := s.Now()
	if v := c.QueryParam("at"); v != "" {
		t, err := parseTime("at", v, s.loc)
		if err != nil {
			return err
		}
		at = *t
	}
	tl, err := s.Signage.Timeline(c.Request().Context(), userOf(c), c.Param("id"), at)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tl)
}

func (s *Server) screenWeek(c echo.Context) error {
	w, err := s.Signage.Week(c.Request().Context(), userOf(c), c.Param("id"), c.QueryParam("from"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

// Playlists and schedules.

func (s *Server) listPlaylists(c echo.Context) error {
	ps, err := s.Signage.ListPlaylists(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"playlists": ps})
}

func (s *Server) getPlaylist(c echo.Context) error {
	p, err := s.Signage.Playlist(c.Request().Context(), userOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"playlist": p})
}

type playlistRequest struct {
	Name    string               `json:"name"`
	Entries []hall.PlaylistEntry `json:"entries"`
}

func (s *Server) putPlaylist(c echo.Context) error {
	var in playlistRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	p, err := s.Signage.PutPlaylist(c.Request().Context(), userOf(c), c.Param("id"), in.Name, in.Entries)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"playlist": p})
}

func (s *Server) deletePlaylist(c echo.Context) error {
	if err := s.Signage.DeletePlaylist(c.Request().Context(), userOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listSchedules(c echo.Context) error {
	ss, err := s.Signage.ListSchedules(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
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
	DayType    string      `json:"day_type"`
	Priority   int         `json:"priority"`
}

func (s *Server) putSchedule(c echo.Context) error {
	var in scheduleRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	sc, err := s.Signage.PutSchedule(c.Request().Context(), userOf(c), &hall.Schedule{ID: c.Param("id"), PlaylistID: in.PlaylistID,
		Target: in.Target, Days: in.Days, Start: in.Start, End: in.End, From: in.From, Until: in.Until, DayType: in.DayType, Priority: in.Priority})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"schedule": sc})
}

func (s *Server) deleteSchedule(c echo.Context) error {
	if err := s.Signage.DeleteSchedule(c.Request().Context(), userOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// Interrupts.

type interruptRequest struct {
	Target hall.Target `json:"target"`
	Level  string      `json:"level"`
	Text   string      `json:"text"`
	ItemID string      `json:"item_id"`
	Until  string      `json:"until"`
}

func (s *Server) createInterrupt(c echo.Context) error {
	var in interruptRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	until, err := parseTime("until", in.Until, s.loc)
	if err != nil {
		return err
	}
	i, err := s.Signage.CreateInterrupt(c.Request().Context(), userOf(c),
		signage.InterruptInput{Target: in.Target, Level: in.Level, Text: in.Text, ItemID: in.ItemID, Until: until})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"interrupt": i})
}

func (s *Server) listInterrupts(c echo.Context) error {
	is, err := s.Signage.ListInterrupts(c.Request().Context(), userOf(c), c.QueryParam("all") == "true")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"interrupts": is})
}

func (s *Server) deleteInterrupt(c echo.Context) error {
	if err := s.Signage.ClearInterrupt(c.Request().Context(), userOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// Devices' HTTP fallback for events.

type deviceEventsRequest struct {
	Events []json.RawMessage `json:"events"`
}

// deviceEvents stores events a screen posts instead of sending them over
// its websocket, and acknowledges those durably stored.
func (s *Server) deviceEvents(c echo.Context) error {
	secret, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	if !ok {
		return hall.Errorf(hall.EUnauthenticated, "send the screen's token as a bearer token")
	}
	ctx := c.Request().Context()
	sc, err := s.Signage.AuthenticateScreen(ctx, secret)
	if err != nil {
		return err
	}
	var in deviceEventsRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if len(in.Events) > 500 {
		return hall.FieldError("events", "at most 500 a request")
	}
	acked, bad, err := hub.Receive(ctx, s.Events, in.Events, sc, s.Now())
	if err != nil {
		return err
	}
	resp := map[string]any{"ack": acked}
	if len(bad) > 0 {
		resp["rejected"] = bad
	}
	return c.JSON(http.StatusOK, resp)
}
