package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

// The catalogue: {m}:departments (key → JSON), {m}:halls (id → JSON),
// {m}:categories (key → JSON), {m}:matters (id → JSON); the calendar:
// {m}:calendar (year → document).

// decJSON returns a decoder of JSON into a new T.
func decJSON[T any](s string) (*T, error) {
	v := new(T)
	return v, json.Unmarshal([]byte(s), v)
}

// getRecord reads one record of a hash; ENotFound names kind and id.
func getRecord[T any](ctx context.Context, s *Store, c goredis.Cmdable, op, key, id, kind string) (*T, error) {
	v := new(T)
	ok, err := hgetJSON(ctx, c, key, id, v)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	if !ok {
		return nil, hall.NotFound(kind, id)
	}
	return v, nil
}

// PutDepartment inserts or updates the department by key.
func (s *Store) PutDepartment(ctx context.Context, d *hall.Department) error {
	return s.write(ctx, "put department", func(p goredis.Pipeliner) {
		p.HSet(ctx, s.mkey("departments"), d.Key, mustJSON(d))
	})
}

// Department returns the department with the key.
func (s *Store) Department(ctx context.Context, key string) (*hall.Department, error) {
	return getRecord[hall.Department](ctx, s, s.rdb, "department", s.mkey("departments"), key, "department")
}

// ListDepartments returns every department by key.
func (s *Store) ListDepartments(ctx context.Context) ([]*hall.Department, error) {
	ds, err := hgetAll(ctx, s.rdb, s.mkey("departments"), decJSON[hall.Department])
	if err != nil {
		return nil, s.wrap("list departments", err)
	}
	slices.SortFunc(ds, func(a, b *hall.Department) int { return strings.Compare(a.Key, b.Key) })
	return ds, nil
}

func encHall(h *hall.Hall) string {
	c := *h
	c.CreatedAt = c.CreatedAt.UTC()
	c.Kind = cmp.Or(c.Kind, hall.HallTown)
	return mustJSON(&c)
}

// decHall decodes a hall; one saved before halls had kinds is a town's.
func decHall(s string) (*hall.Hall, error) {
	h, err := decJSON[hall.Hall](s)
	if err == nil {
		h.Kind = cmp.Or(h.Kind, hall.HallTown)
	}
	return h, err
}

// CreateHall inserts h, giving it an id when it has none.
func (s *Store) CreateHall(ctx context.Context, h *hall.Hall) error {
	id := h.ID
	if id == "" {
		id = hall.NewID("hl")
	}
	halls := s.mkey("halls")
	err := s.update(ctx, "create hall", []string{halls}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		if ok, err := tx.HExists(ctx, halls, id).Result(); err != nil || ok {
			return nil, orConflict(err, "hall %q exists", id)
		}
		c := *h
		c.ID = id
		return func(p goredis.Pipeliner) { p.HSet(ctx, halls, id, encHall(&c)) }, nil
	})
	if err != nil {
		return err
	}
	h.ID = id
	return nil
}

// UpdateHall saves every field of h but its id.
func (s *Store) UpdateHall(ctx context.Context, h *hall.Hall) error {
	halls := s.mkey("halls")
	return s.update(ctx, "update hall", []string{halls}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		if ok, err := tx.HExists(ctx, halls, h.ID).Result(); err != nil || !ok {
			return nil, orNotFound(err, "hall", h.ID)
		}
		return func(p goredis.Pipeliner) { p.HSet(ctx, halls, h.ID, encHall(h)) }, nil
	})
}

// Hall returns the hall with the id.
func (s *Store) Hall(ctx context.Context, id string) (*hall.Hall, error) {
	h, err := getRecord[hall.Hall](ctx, s, s.rdb, "hall", s.mkey("halls"), id, "hall")
	if err == nil {
		h.Kind = cmp.Or(h.Kind, hall.HallTown)
	}
	return h, err
}

// ListHalls returns every hall, oldest first.
func (s *Store) ListHalls(ctx context.Context) ([]*hall.Hall, error) {
	hs, err := hgetAll(ctx, s.rdb, s.mkey("halls"), decHall)
	if err != nil {
		return nil, s.wrap("list halls", err)
	}
	slices.SortFunc(hs, func(a, b *hall.Hall) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return hs, nil
}

// PutCategory inserts or updates the category by key.
func (s *Store) PutCategory(ctx context.Context, c *hall.Category) error {
	return s.write(ctx, "put category", func(p goredis.Pipeliner) {
		p.HSet(ctx, s.mkey("categories"), c.Key, mustJSON(c))
	})
}

// Category returns the category with the key.
func (s *Store) Category(ctx context.Context, key string) (*hall.Category, error) {
	return getRecord[hall.Category](ctx, s, s.rdb, "category", s.mkey("categories"), key, "category")
}

// ListCategories returns every category by Sort, then key.
func (s *Store) ListCategories(ctx context.Context) ([]*hall.Category, error) {
	cs, err := hgetAll(ctx, s.rdb, s.mkey("categories"), decJSON[hall.Category])
	if err != nil {
		return nil, s.wrap("list categories", err)
	}
	slices.SortFunc(cs, func(a, b *hall.Category) int {
		return cmp.Or(cmp.Compare(a.Sort, b.Sort), strings.Compare(a.Key, b.Key))
	})
	return cs, nil
}

// CreateMatter inserts m, giving it an id when it has none.
func (s *Store) CreateMatter(ctx context.Context, m *hall.Matter) error {
	id := m.ID
	if id == "" {
		id = hall.NewID("mt")
	}
	matters := s.mkey("matters")
	err := s.update(ctx, "create matter", []string{matters}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		if ok, err := tx.HExists(ctx, matters, id).Result(); err != nil || ok {
			return nil, orConflict(err, "matter %q exists", id)
		}
		c := *m
		c.ID, c.CreatedAt = id, c.CreatedAt.UTC()
		return func(p goredis.Pipeliner) { p.HSet(ctx, matters, id, mustJSON(&c)) }, nil
	})
	if err != nil {
		return err
	}
	m.ID = id
	return nil
}

// Matter returns the matter with the id.
func (s *Store) Matter(ctx context.Context, id string) (*hall.Matter, error) {
	return getRecord[hall.Matter](ctx, s, s.rdb, "matter", s.mkey("matters"), id, "matter")
}

// ListMatters returns every matter, newest first.
func (s *Store) ListMatters(ctx context.Context) ([]*hall.Matter, error) {
	ms, err := hgetAll(ctx, s.rdb, s.mkey("matters"), decJSON[hall.Matter])
	if err != nil {
		return nil, s.wrap("list matters", err)
	}
	slices.SortFunc(ms, func(a, b *hall.Matter) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return ms, nil
}

// CalendarYear returns the calendar document of the year.
func (s *Store) CalendarYear(ctx context.Context, year int) ([]byte, error) {
	doc, err := s.rdb.HGet(ctx, s.mkey("calendar"), strconv.Itoa(year)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.NotFound("calendar year", fmt.Sprint(year))
	}
	if err != nil {
		return nil, s.wrap("calendar year", err)
	}
	return doc, nil
}

// PutCalendarYear stores (or replaces) the calendar document of the year.
func (s *Store) PutCalendarYear(ctx context.Context, year int, doc []byte) error {
	return s.write(ctx, "put calendar year", func(p goredis.Pipeliner) {
		p.HSet(ctx, s.mkey("calendar"), strconv.Itoa(year), doc)
	})
}

// CalendarYears returns every year's calendar document.
func (s *Store) CalendarYears(ctx context.Context) (map[int][]byte, error) {
	m, err := s.rdb.HGetAll(ctx, s.mkey("calendar")).Result()
	if err != nil {
		return nil, s.wrap("calendar years", err)
	}
	years := make(map[int][]byte, len(m))
	for k, v := range m {
		y, err := strconv.Atoi(k)
		if err != nil {
			return nil, fmt.Errorf("redisstore: calendar year %q: %w", k, err)
		}
		years[y] = []byte(v)
	}
	return years, nil
}
