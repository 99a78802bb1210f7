package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// Setting returns the document kept under key.
func (s *Store) Setting(ctx context.Context, key string) ([]byte, error) {
	var doc []byte
	if err := s.rdb.QueryRowContext(ctx, "SELECT doc FROM settings WHERE key = ?", key).Scan(&doc); err != nil {
		return nil, noRows(err, "setting", key)
	}
	return doc, nil
}

// PutSetting stores (or replaces) the document under key.
func (s *Store) PutSetting(ctx context.Context, key string, doc []byte) error {
	if doc == nil {
		doc = []byte{}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, doc) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET doc = excluded.doc", key, doc); err != nil {
			return fmt.Errorf("sqlite: put setting %q: %w", key, err)
		}
		return nil
	})
}

// Settings returns every setting.
func (s *Store) Settings(ctx context.Context) (map[string][]byte, error) {
	rows, err := s.rdb.QueryContext(ctx, "SELECT key, doc FROM settings")
	if err != nil {
		return nil, fmt.Errorf("sqlite: settings: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var k string
		var doc []byte
		if err := rows.Scan(&k, &doc); err != nil {
			return nil, fmt.Errorf("sqlite: settings: %w", err)
		}
		out[k] = doc
	}
	return out, rows.Err()
}
