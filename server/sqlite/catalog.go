package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"

	"github.com/hallcast/hallcast/server/hall"
)

// PutDepartment inserts or updates the department by key.
func (s *Store) PutDepartment(ctx context.Context, d *hall.Department) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO departments (key, name_zh, name_en) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en`,
			d.Key, d.Name.ZH, d.Name.EN)
		if err != nil {
			return fmt.Errorf("sqlite: put department %q: %w", d.Key, err)
		}
		return nil
	})
}

func scanDepartment(row scanner) (*hall.Department, error) {
	d := &hall.Department{}
	err := row.Scan(&d.Key, &d.Name.ZH, &d.Name.EN)
	return d, err
}

// Department returns the department with the key.
func (s *Store) Department(ctx context.Context, key string) (*hall.Department, error) {
	d, err := scanDepartment(s.rdb.QueryRowContext(ctx, "SELECT key, name_zh, name_en FROM departments WHERE key = ?", key))
	if err != nil {
		return nil, noRows(err, "department", key)
	}
	return d, nil
}

// ListDepartments returns every department by key.
func (s *Store) ListDepartments(ctx context.Context) ([]*hall.Department, error) {
	ds, err := queryAll(ctx, s.rdb, scanDepartment, "SELECT key, name_zh, name_en FROM departments ORDER BY key")
	if err != nil {
		return nil, fmt.Errorf("sqlite: list departments: %w", err)
	}
	return ds, nil
}

const hallCols = "id, name, tz, default_playlist_id, created_at, kind, parent"

func scanHall(row scanner) (*hall.Hall, error) {
	h := &hall.Hall{}
	err := row.Scan(&h.ID, &h.Name, &h.TZ, &h.DefaultPlaylistID, timeCol{&h.CreatedAt}, (*string)(&h.Kind), &h.Parent)
	return h, err
}

// CreateHall inserts h, giving it an id when it has none.
func (s *Store) CreateHall(ctx context.Context, h *hall.Hall) error {
	id := h.ID
	if id == "" {
		id = hall.NewID("hl")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO halls ("+hallCols+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, h.Name, h.TZ, h.DefaultPlaylistID, encTime(h.CreatedAt), cmp.Or(string(h.Kind), string(hall.HallTown)), h.Parent)
		if isDuplicate(err) {
			return hall.Errorf(hall.EConflict, "hall %q exists", id)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create hall: %w", err)
		}
		h.ID = id
		return nil
	})
}

// UpdateHall saves every field of h but its id.
func (s *Store) UpdateHall(ctx context.Context, h *hall.Hall) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE halls SET name = ?, tz = ?, default_playlist_id = ?, created_at = ?, kind = ?, parent = ? WHERE id = ?",
			h.Name, h.TZ, h.DefaultPlaylistID, encTime(h.CreatedAt), cmp.Or(string(h.Kind), string(hall.HallTown)), h.Parent, h.ID)
		if err != nil {
			return fmt.Errorf("sqlite: update hall %q: %w", h.ID, err)
		}
		return rowsAffected(res, "hall", h.ID)
	})
}

// Hall returns the hall with the id.
func (s *Store) Hall(ctx context.Context, id string) (*hall.Hall, error) {
	h, err := scanHall(s.rdb.QueryRowContext(ctx, "SELECT "+hallCols+" FROM halls WHERE id = ?", id))
	if err != nil {
		return nil, noRows(err, "hall", id)
	}
	return h, nil
}

// ListHalls returns every hall, oldest first.
func (s *Store) ListHalls(ctx context.Context) ([]*hall.Hall, error) {
	hs, err := queryAll(ctx, s.rdb, scanHall, "SELECT "+hallCols+" FROM halls ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: list halls: %w", err)
	}
	return hs, nil
}

const categoryCols = "key, name_zh, name_en, cadence, immediate, sort, grp, departments"

func scanCategory(row scanner) (*hall.Category, error) {
	c := &hall.Category{}
	err := row.Scan(&c.Key, &c.Name.ZH, &c.Name.EN, &c.Cadence, &c.Immediate, &c.Sort, &c.Group, jsonCol{&c.Departments})
	return c, err
}

// PutCategory inserts or updates the category by key.
func (s *Store) PutCategory(ctx context.Context, c *hall.Category) error {
	depts, err := encJSON(c.Departments, c.Departments == nil)
	if err != nil {
		return fmt.Errorf("sqlite: put category %q: %w", c.Key, err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO categories ("+categoryCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
			cadence = excluded.cadence, immediate = excluded.immediate, sort = excluded.sort,
			grp = excluded.grp, departments = excluded.departments`,
			c.Key, c.Name.ZH, c.Name.EN, string(c.Cadence), c.Immediate, c.Sort, c.Group, depts)
		if err != nil {
			return fmt.Errorf("sqlite: put category %q: %w", c.Key, err)
		}
		return nil
	})
}

// Category returns the category with the key.
func (s *Store) Category(ctx context.Context, key string) (*hall.Category, error) {
	c, err := scanCategory(s.rdb.QueryRowContext(ctx, "SELECT "+categoryCols+" FROM categories WHERE key = ?", key))
	if err != nil {
		return nil, noRows(err, "category", key)
	}
	return c, nil
}

// ListCategories returns every category by Sort, then key.
func (s *Store) ListCategories(ctx context.Context) ([]*hall.Category, error) {
	cs, err := queryAll(ctx, s.rdb, scanCategory, "SELECT "+categoryCols+" FROM categories ORDER BY sort, key")
	if err != nil {
		return nil, fmt.Errorf("sqlite: list categories: %w", err)
	}
	return cs, nil
}

func scanMatter(row scanner) (*hall.Matter, error) {
	m := &hall.Matter{}
	err := row.Scan(&m.ID, &m.Title, timeCol{&m.CreatedAt})
	return m, err
}

// CreateMatter inserts m, giving it an id when it has none.
func (s *Store) CreateMatter(ctx context.Context, m *hall.Matter) error {
	id := m.ID
	if id == "" {
		id = hall.NewID("mt")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO matters (id, title, created_at) VALUES (?, ?, ?)",
			id, m.Title, encTime(m.CreatedAt))
		if isDuplicate(err) {
			return hall.Errorf(hall.EConflict, "matter %q exists", id)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create matter: %w", err)
		}
		m.ID = id
		return nil
	})
}

// Matter returns the matter with the id.
func (s *Store) Matter(ctx context.Context, id string) (*hall.Matter, error) {
	m, err := scanMatter(s.rdb.QueryRowContext(ctx, "SELECT id, title, created_at FROM matters WHERE id = ?", id))
	if err != nil {
		return nil, noRows(err, "matter", id)
	}
	return m, nil
}

// ListMatters returns every matter, newest first.
func (s *Store) ListMatters(ctx context.Context) ([]*hall.Matter, error) {
	ms, err := queryAll(ctx, s.rdb, scanMatter, "SELECT id, title, created_at FROM matters ORDER BY created_at DESC, id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: list matters: %w", err)
	}
	return ms, nil
}
