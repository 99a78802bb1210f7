// Package catalog is the hall's catalogue: departments, disclosure
// categories, matters (a project disclosed before, during and after), and
// the working-day calendar deadlines are counted on. Changes are validated
// here and written with their audit entry in one store transaction.
package catalog

import (
	"context"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/workdays"
)

// Store is what the service reads and writes.
type Store interface {
	PutDepartment(ctx context.Context, d *hall.Department) error
	ListDepartments(ctx context.Context) ([]*hall.Department, error)
	PutCategory(ctx context.Context, c *hall.Category) error
	ListCategories(ctx context.Context) ([]*hall.Category, error)
	CreateMatter(ctx context.Context, m *hall.Matter) error
	ListMatters(ctx context.Context) ([]*hall.Matter, error)
}

// Service keeps the catalogue. Store, Calendar and Now are required;
// without Notifier screens learn of calendar changes at their next
// periodic refresh.
type Service struct {
	Store    Store
	Calendar *Calendar
	Now      func() time.Time
	Notifier hall.Notifier
}

func (s *Service) audited(ctx context.Context, actor *hall.User, action, target string) context.Context {
	return hall.Audited(ctx, s.Now(), hall.ActorName(actor), action, target, "")
}

func staff(actor *hall.User) error {
	if !actor.Has(hall.RoleEditor, hall.RoleReviewer, hall.RoleAuditor) {
		return hall.Errorf(hall.EForbidden, "log in as staff")
	}
	return nil
}

func admin(actor *hall.User) error {
	if !actor.Has() {
		return hall.Errorf(hall.EForbidden, "only admins change the catalogue")
	}
	return nil
}

// ListDepartments lists the departments.
func (s *Service) ListDepartments(ctx context.Context, actor *hall.User) ([]*hall.Department, error) {
	if err := staff(actor); err != nil {
		return nil, err
	}
	return s.Store.ListDepartments(ctx)
}

// PutDepartment adds or renames a department.
func (s *Service) PutDepartment(ctx context.Context, actor *hall.User, d *hall.Department) error {
	if err := admin(actor); err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return err
	}
	return s.Store.PutDepartment(s.audited(ctx, actor, "department.put", d.Key), d)
}

// ListCategories lists the categories in their order.
func (s *Service) ListCategories(ctx context.Context, actor *hall.User) ([]*hall.Category, error) {
	if err := staff(actor); err != nil {
		return nil, err
	}
	return s.Store.ListCategories(ctx)
}

// PutCategory adds or changes a category.
func (s *Service) PutCategory(ctx context.Context, actor *hall.User, c *hall.Category) error {
	if err := admin(actor); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return s.Store.PutCategory(s.audited(ctx, actor, "category.put", c.Key), c)
}

// ListMatters lists the matters, newest first.
func (s *Service) ListMatters(ctx context.Context, actor *hall.User) ([]*hall.Matter, error) {
	if err := staff(actor); err != nil {
		return nil, err
	}
	return s.Store.ListMatters(ctx)
}

// CreateMatter starts a matter that items join with a stage.
func (s *Service) CreateMatter(ctx context.Context, actor *hall.User, title string) (*hall.Matter, error) {
	if !actor.Has(hall.RoleEditor) {
		return nil, hall.Errorf(hall.EForbidden, "only editors start matters")
	}
	m := &hall.Matter{ID: hall.NewID("mt"), Title: title, CreatedAt: s.Now().UTC()}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := s.Store.CreateMatter(s.audited(ctx, actor, "matter.create", m.ID), m); err != nil {
		return nil, err
	}
	return m, nil
}

// CalendarYear is one year of the working-day calendar as staff see it.
type CalendarYear struct {
	Year     int                 `json:"year"`
	Known    bool                `json:"known"`
	Holidays map[string][]string `json:"holidays"`
	Workdays []string            `json:"workdays"`
	Note     string              `json:"note,omitempty"`
}

// validYear checks a calendar year number.
func validYear(y int) error {
	if y < 2000 || y > 2199 {
		return hall.FieldError("year", "want a year from 2000 to 2199")
	}
	return nil
}

// CalendarYear returns a year of the calendar in force.
func (s *Service) CalendarYear(ctx context.Context, actor *hall.User, year int) (*CalendarYear, error) {
	if err := staff(actor); err != nil {
		return nil, err
	}
	if err := validYear(year); err != nil {
		return nil, err
	}
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return nil, err
	}
	for _, y := range cal.Years() {
		if y.Year == year {
			return &CalendarYear{Year: year, Known: true, Holidays: y.Holidays, Workdays: y.Workdays}, nil
		}
	}
	return &CalendarYear{Year: year, Holidays: map[string][]string{}, Workdays: []string{},
		Note: "no official calendar stored for this year: only weekends count as rest days"}, nil
}

// PutCalendarYear stores a year's holidays and make-up working days.
func (s *Service) PutCalendarYear(ctx context.Context, actor *hall.User, year int, y workdays.Year) (*CalendarYear, error) {
	if err := admin(actor); err != nil {
		return nil, err
	}
	if err := validYear(year); err != nil {
		return nil, err
	}
	if y.Year != 0 && y.Year != year {
		return nil, hall.FieldError("year", "body says %d, path says %d", y.Year, year)
	}
	y.Year = year
	if err := s.Calendar.Put(s.audited(ctx, actor, "calendar.put", itoa(year)), y); err != nil {
		return nil, err
	}
	if s.Notifier != nil {
		// Schedules limited to working or rest days may now play otherwise.
		s.Notifier.Notify(context.WithoutCancel(ctx), hall.Change{Kind: hall.ChangeSignage})
	}
	return &CalendarYear{Year: year, Known: true, Holidays: y.Holidays, Workdays: y.Workdays}, nil
}
