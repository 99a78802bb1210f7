package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

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

// Put validates and stores one year (ctx may carry its audit entry).
func (c *Calendar) Put(ctx context.Context, y workdays.Year) error {
	if err := y.Validate(); err != nil {
		var ve *workdays.ValidationError
		if errors.As(err, &ve) {
			return hall.FieldError(ve.Field, "%s", ve.Message).WithReason("calendar_invalid")
		}
		return hall.Errorf(hall.EValidation, "%v", err).WithReason("calendar_invalid")
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

func itoa(n int) string { return strconv.Itoa(n) }
