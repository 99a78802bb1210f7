package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Hit adds n to key's counter at now and returns the count in the current
// window; a hit at or after the window's end starts a new one.
func (s *Store) Hit(ctx context.Context, key string, n int64, now time.Time, ttl time.Duration) (int64, error) {
	var count int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO counters (key, n, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET
				n = CASE WHEN counters.expires_at <= ?4 THEN excluded.n ELSE counters.n + excluded.n END,
				expires_at = CASE WHEN counters.expires_at <= ?4 THEN excluded.expires_at ELSE counters.expires_at END
			RETURNING n`, key, n, encTime(now.Add(ttl)), encTime(now)).Scan(&count)
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: hit %q: %w", key, err)
	}
	return count, nil
}

// Count returns key's count in the window current at now, 0 if none.
func (s *Store) Count(ctx context.Context, key string, now time.Time) (int64, error) {
	var n int64
	err := s.rdb.QueryRowContext(ctx, "SELECT n FROM counters WHERE key = ? AND expires_at > ?", key, encTime(now)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: count %q: %w", key, err)
	}
	return n, nil
}

// ResetCount forgets key's counter.
func (s *Store) ResetCount(ctx context.Context, key string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM counters WHERE key = ?", key); err != nil {
			return fmt.Errorf("sqlite: reset %q: %w", key, err)
		}
		return nil
	})
}

// DeleteExpiredCounters removes counters whose window ended before now.
func (s *Store) DeleteExpiredCounters(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM counters WHERE expires_at <= ?", encTime(now))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired counters: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
