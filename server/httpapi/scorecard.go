package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/scorecard"
)

// scorecardReport scores each department for a month ("2026-11") or a
// quarter ("2026-Q4") on timely, complete and answerable disclosure; the
// rules are in package scorecard.
func (s *Server) scorecardReport(c echo.Context) error {
	card, err := s.Reports.Scorecard(c.Request().Context(), userOf(c), c.QueryParam("period"))
	if err != nil {
		return err
	}
	switch c.QueryParam("format") {
	case "", "json":
		return c.JSON(http.StatusOK, card)
	case "csv", "xlsx":
		return writeScorecardTable(c, c.QueryParam("format"), card)
	}
	return hall.FieldError("format", `want "json", "csv" or "xlsx"`)
}

func writeScorecardTable(c echo.Context, format string, card *scorecard.Scorecard) error {
	header := []string{"department", "name", "score", "grade", "timeliness", "due", "on_time", "late", "missing",
		"completeness", "responsiveness", "cases", "cases_in_time", "feedback", "feedback_replied", "satisfaction", "ratings"}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	var rows [][]string
	for _, d := range card.Departments {
		rows = append(rows, []string{d.Key, d.Name.ZH, f(d.Score), d.Grade,
			f(d.Timeliness.Points), strconv.Itoa(d.Timeliness.Due), strconv.Itoa(d.Timeliness.OnTime), strconv.Itoa(d.Timeliness.Late), strconv.Itoa(d.Timeliness.Missing),
			f(d.Completeness.Points), f(d.Responsiveness.Points), strconv.Itoa(d.Responsiveness.Cases), strconv.Itoa(d.Responsiveness.CasesInTime),
			strconv.Itoa(d.Responsiveness.Feedback), strconv.Itoa(d.Responsiveness.FeedbackReplied), f(d.Satisfaction.Points), strconv.FormatInt(d.Satisfaction.Ratings, 10)})
	}
	return writeTable(c, format, "scorecard-"+card.Period, header, rows)
}

// scorecardRules lists the versions of the scorecard's weights.
func (s *Server) scorecardRules(c echo.Context) error {
	r, err := s.Reports.ScorecardRules(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// putScorecardRules sets the weights from a month on.
func (s *Server) putScorecardRules(c echo.Context) error {
	var in struct {
		From    string            `json:"from"`
		Weights scorecard.Weights `json:"weights"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	r, err := s.Reports.PutScorecardRules(c.Request().Context(), userOf(c), in.From, in.Weights)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
