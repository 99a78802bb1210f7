package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/workdays"
)

// Calendar is the working-day calendar in force: the shipped official years
// overlaid with the years admins stored. It is rebuilt when a year is put
// here, and at most a minute after one is put on another replica.
type Calendar struct {
	store hall.CalendarStore
	now   func() time.Time

	mu    sync.Mutex
	cal   *workdays.Calendar
	built time.Time
}

// NewCalendar returns the calendar over a store.
func NewCalendar(store hall.CalendarStore, now func() time.Time) *Calendar {
	return &Calendar{store: store, now: now}
}

const calendarTTL = time.Minute

// Get returns the calendar in force.
func (c *Calendar) Get(ctx context.Context) (*workdays.Calendar, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cal != nil && c.now().Sub(c.built) < calendarTTL {
		return c.cal, nil
	}
	def, err := workdays.Default()
	if err != nil {
		return nil, err
	}
	years := map[int]workdays.Year{}
	for _, y := range def.Years() {
		years[y.Year] = y
	}
	stored, err := c.store.CalendarYears(ctx)
	if err != nil {
		return nil, err
	}
	for n, doc := range stored {
		var y workdays.Year
		if err := json.Unmarshal(doc, &y); err != nil {
			return nil, err
		}
		y.Year = n
		years[n] = y
	}
	list := make([]workdays.Year, 0, len(years))
	for _, y := range years {
		list = append(list, y)
	}
	cal, err := workdays.New(list)
	if err != nil {
		return nil, err
	}
	c.cal, c.built = cal, c.now()
	return cal, nil
}

// NextDue is when an item with the cadence, last published at last, must be
// disclosed again.
func (c *Calendar) NextDue(ctx context.Context, cadence string, last time.Time, loc *time.Location) (time.Time, bool) {
	cal, err := c.Get(ctx)
	if err != nil {
		return time.Time{}, false
	}
	return cal.NextDue(cadence, last, loc)
}

// Put validates and stores one year.
func (c *Calendar) Put(ctx context.Context, y workdays.Year) error {
	if err := y.Validate(); err != nil {
		var ve *workdays.ValidationError
		if errors.As(err, &ve) {
			return hall.FieldError(ve.Field, "%s", ve.Message)
		}
		return hall.Errorf(hall.EValidation, "%v", err)
	}
	doc, err := json.Marshal(y)
	if err != nil {
		return err
	}
	if err := c.store.PutCalendarYear(ctx, y.Year, doc); err != nil {
		return err
	}
	c.mu.Lock()
	c.cal = nil
	c.mu.Unlock()
	return nil
}

func calendarYear(c echo.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y < 2000 || y > 2199 {
		return 0, hall.FieldError("year", "want a year from 2000 to 2199")
	}
	return y, nil
}

func (s *Server) getCalendar(c echo.Context) error {
	year, err := calendarYear(c)
	if err != nil {
		return err
	}
	cal, err := s.Calendar.Get(c.Request().Context())
	if err != nil {
		return err
	}
	for _, y := range cal.Years() {
		if y.Year == year {
			return c.JSON(http.StatusOK, map[string]any{"year": year, "known": true, "holidays": y.Holidays, "workdays": y.Workdays})
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"year": year, "known": false, "holidays": map[string][]string{}, "workdays": []string{},
		"note": "no official calendar stored for this year: only weekends count as rest days"})
}

func (s *Server) putCalendar(c echo.Context) error {
	year, err := calendarYear(c)
	if err != nil {
		return err
	}
	var y workdays.Year
	if err := bind(c, &y); err != nil {
		return err
	}
	if y.Year != 0 && y.Year != year {
		return hall.FieldError("year", "body says %d, path says %d", y.Year, year)
	}
	y.Year = year
	if err := s.Calendar.Put(c.Request().Context(), y); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"year": year, "known": true, "holidays": y.Holidays, "workdays": y.Workdays})
}
