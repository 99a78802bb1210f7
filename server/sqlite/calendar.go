package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// CalendarYear returns the calendar document of the year.
func (s *Store) CalendarYear(ctx context.Context, year int) ([]byte, error) {
	var doc []byte
	if err := s.rdb.QueryRowContext(ctx, "SELECT doc FROM calendar WHERE year = ?", year).Scan(&doc); err != nil {
		return nil, noRows(err, "calendar year", fmt.Sprint(year))
	}
	return doc, nil
}

// PutCalendarYear stores (or replaces) the calendar document of the year.
func (s *Store) PutCalendarYear(ctx context.Context, year int, doc []byte) error {
	if doc == nil {
		doc = []byte{}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO calendar (year, doc) VALUES (?, ?) ON CONFLICT (year) DO UPDATE SET doc = excluded.doc",
			year, doc)
		if err != nil {
			return fmt.Errorf("sqlite: put calendar %d: %w", year, err)
		}
		return nil
	})
}

// CalendarYears returns every year's calendar document.
func (s *Store) CalendarYears(ctx context.Context) (map[int][]byte, error) {
	type yearDoc struct {
		year int
		doc  []byte
	}
	rows, err := queryAll(ctx, s.rdb, func(row scanner) (yearDoc, error) {
		var y yearDoc
		err := row.Scan(&y.year, &y.doc)
		return y, err
	}, "SELECT year, doc FROM calendar ORDER BY year")
	if err != nil {
		return nil, fmt.Errorf("sqlite: calendar years: %w", err)
	}
	years := make(map[int][]byte, len(rows))
	for _, y := range rows {
		years[y.year] = y.doc
	}
	return years, nil
}
