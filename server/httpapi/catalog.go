package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/signage"
	"github.com/hallcast/hallcast/server/workdays"
)

func (s *Server) listDepartments(c echo.Context) error {
	ds, err := s.Catalog.ListDepartments(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"departments": ds})
}

func (s *Server) putDepartment(c echo.Context) error {
	var d hall.Department
	if err := bind(c, &d); err != nil {
		return err
	}
	if err := s.Catalog.PutDepartment(c.Request().Context(), userOf(c), &d); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"department": d})
}

func (s *Server) listHalls(c echo.Context) error {
	hs, err := s.Signage.ListHalls(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"halls": hs})
}

func (s *Server) createHall(c echo.Context) error {
	var in signage.HallInput
	if err := bind(c, &in); err != nil {
		return err
	}
	h, err := s.Signage.CreateHall(c.Request().Context(), userOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"hall": h})
}

func (s *Server) updateHall(c echo.Context) error {
	var in signage.HallInput
	if err := bind(c, &in); err != nil {
		return err
	}
	h, err := s.Signage.UpdateHall(c.Request().Context(), userOf(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"hall": h})
}

func (s *Server) listCategories(c echo.Context) error {
	cs, err := s.Catalog.ListCategories(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"categories": cs})
}

func (s *Server) putCategory(c echo.Context) error {
	var cat hall.Category
	if err := bind(c, &cat); err != nil {
		return err
	}
	if err := s.Catalog.PutCategory(c.Request().Context(), userOf(c), &cat); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"category": cat})
}

func (s *Server) listMatters(c echo.Context) error {
	ms, err := s.Catalog.ListMatters(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"matters": ms})
}

type matterRequest struct {
	Title string `json:"title"`
}

func (s *Server) createMatter(c echo.Context) error {
	var in matterRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	m, err := s.Catalog.CreateMatter(c.Request().Context(), userOf(c), in.Title)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"matter": m})
}

func (s *Server) listAudit(c echo.Context) error {
	f := hall.AuditFilter{Actor: c.QueryParam("actor"), Action: c.QueryParam("action"), Target: c.QueryParam("target")}
	var err error
	if f.From, err = queryTime(c, "from", s.loc); err != nil {
		return err
	}
	if f.To, err = queryTime(c, "to", s.loc); err != nil {
		return err
	}
	if f.Limit, err = queryInt(c, "limit", 100, 1, 1000); err != nil {
		return err
	}
	entries, err := s.Reports.Audit(c.Request().Context(), userOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": entries})
}

func calendarYear(c echo.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		return 0, hall.FieldError("year", "want a year from 2000 to 2199")
	}
	return y, nil
}

func (s *Server) getCalendar(c echo.Context) error {
	year, err := calendarYear(c)
	if err != nil {
		return err
	}
	y, err := s.Catalog.CalendarYear(c.Request().Context(), userOf(c), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, y)
}

func (s *Server) putCalendar(c echo.Context) error {
	year, err := calendarYear(c)
	if err != nil {
		return err
	}
	var in workdays.Year
	if err := bind(c, &in); err != nil {
		return err
	}
	y, err := s.Catalog.PutCalendarYear(c.Request().Context(), userOf(c), year, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, y)
}

// queryInt reads an integer query parameter within [min, max].
func queryInt(c echo.Context, name string, def, min, max int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, hall.FieldError(name, "want a whole number from %d to %d", min, max)
	}
	return n, nil
}

// queryTime reads an optional RFC 3339 or YYYY-MM-DD query parameter.
func queryTime(c echo.Context, name string, loc *time.Location) (time.Time, error) {
	t, err := parseTime(name, c.QueryParam(name), loc)
	if err != nil || t == nil {
		return time.Time{}, err
	}
	return *t, nil
}
