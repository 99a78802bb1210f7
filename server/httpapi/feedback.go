package httpapi

import (
	"net/http"
	"strconv"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/reports"
	"github.com/labstack/echo/v4"
)

func (s *Server) listFeedback(c echo.Context) error {
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	list, err := s.Feedback.List(c.Request().Context(), userOf(c), c.QueryParam("status"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"feedback": list})
}

type replyRequest struct {
	Text   string `json:"text"`
	Public bool   `json:"public"`
}

func (s *Server) replyFeedback(c echo.Context) error {
	var in replyRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	f, err := s.Feedback.Reply(c.Request().Context(), userOf(c), c.Param("id"), in.Text, in.Public)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"feedback": f})
}

func (s *Server) listCases(c echo.Context) error {
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	list, err := s.Feedback.Cases(c.Request().Context(), userOf(c), c.QueryParam("status"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"cases": list})
}

type resolveRequest struct {
	Note string `json:"note"`
}

func (s *Server) resolveCase(c echo.Context) error {
	var in resolveRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	cs, err := s.Feedback.Resolve(c.Request().Context(), userOf(c), c.Param("id"), in.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"case": cs})
}

func (s *Server) publicReplies(c echo.Context) error {
	limit, err := queryInt(c, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	out, err := s.Feedback.PublicReplies(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=30")
	return c.JSON(http.StatusOK, map[string]any{"replies": out})
}

// publicFeedbackStatus tells a resident holding a receipt whether their
// feedback was answered (the text only when the reply is public).
func (s *Server) publicFeedbackStatus(c echo.Context) error {
	st, err := s.Feedback.Status(c.Request().Context(), c.Param("receipt"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, st)
}

// dashboard answers what is due or wrong for the caller.
func (s *Server) dashboard(c echo.Context) error {
	d, err := s.Dashboard.Get(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, d)
}

func (s *Server) engagementReport(c echo.Context) error {
	from, err := queryTime(c, "from", s.loc)
	if err != nil {
		return err
	}
	to, err := queryTime(c, "to", s.loc)
	if err != nil {
		return err
	}
	rep, err := s.Reports.Engagement(c.Request().Context(), userOf(c), from, to, c.QueryParam("by"))
	if err != nil {
		return err
	}
	switch f := c.QueryParam("format"); f {
	case "", "json":
		return c.JSON(http.StatusOK, rep)
	case "csv", "xlsx":
		return writeEngagementTable(c, f, rep.By, rep.Rows)
	}
	return hall.FieldError("format", `want "json", "csv" or "xlsx"`)
}

func writeEngagementTable(c echo.Context, format, by string, rows []reports.Row) error {
	header := []string{by, "impressions", "impression_seconds", "views", "dwell_seconds", "ratings", "level_1", "level_2", "level_3", "level_4", "level_5", "index", "poor", "misuse", "feedback"}
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		idx := ""
		if r.Index != nil {
			idx = strconv.FormatFloat(*r.Index, 'f', 1, 64)
		}
		rec := []string{r.Key, itoa64(r.Impressions), itoa64(r.ImpressionMS / 1000), itoa64(r.Views), itoa64(r.DwellMS / 1000), itoa64(r.Ratings)}
		for _, n := range r.Levels {
			rec = append(rec, itoa64(n))
		}
		out = append(out, append(rec, idx, itoa64(r.Poor), itoa64(r.Misuse), itoa64(r.Feedback)))
	}
	return writeTable(c, format, "engagement-by-"+by, header, out)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
