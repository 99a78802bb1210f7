package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hallcast/hallcast/server/hall"
)

const entryCols = "idx, kind, item_id, revision, at, leaf, content, salt"

func scanEntry(row scanner) (*hall.ArchiveEntry, error) {
	e := &hall.ArchiveEntry{}
	err := row.Scan(&e.Index, &e.Kind, &e.ItemID, &e.Revision, timeCol{&e.At}, &e.Leaf, &e.Content, &e.Salt)
	return e, err
}

// ArchiveSize returns the number of leaves: one past the highest index.
func (s *Store) ArchiveSize(ctx context.Context) (int64, error) {
	var n int64
	if err := s.rdb.QueryRowContext(ctx, "SELECT COALESCE(MAX(idx), -1) + 1 FROM archive").Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: archive size: %w", err)
	}
	return n, nil
}

// ArchiveEntries returns the entries with from <= index < to, in order.
func (s *Store) ArchiveEntries(ctx context.Context, from, to int64) ([]*hall.ArchiveEntry, error) {
	if from < 0 {
		return nil, hall.Errorf(hall.EValidation, "archive range starts at %d", from)
	}
	es, err := queryAll(ctx, s.rdb, scanEntry,
		"SELECT "+entryCols+" FROM archive WHERE idx >= ? AND idx < ? ORDER BY idx", from, to)
	if err != nil {
		return nil, fmt.Errorf("sqlite: archive entries [%d, %d): %w", from, to, err)
	}
	return es, nil
}

// ItemEntries returns every entry of the item, oldest first (none is not an
// error).
func (s *Store) ItemEntries(ctx context.Context, itemID string) ([]*hall.ArchiveEntry, error) {
	es, err := queryAll(ctx, s.rdb, scanEntry,
		"SELECT "+entryCols+" FROM archive WHERE item_id = ? ORDER BY idx", itemID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: archive entries of %q: %w", itemID, err)
	}
	return es, nil
}

// RevisionEntry returns the publish entry of the item's revision.
func (s *Store) RevisionEntry(ctx context.Context, itemID string, revision int) (*hall.ArchiveEntry, error) {
	e, err := scanEntry(s.rdb.QueryRowContext(ctx,
		"SELECT "+entryCols+" FROM archive WHERE item_id = ? AND revision = ? AND kind = ?",
		itemID, revision, hall.EntryPublish))
	if err != nil {
		return nil, noRows(err, "revision", fmt.Sprintf("%s#%d", itemID, revision))
	}
	return e, nil
}

// SaveCheckpoint stores c unless a checkpoint of its size is stored already.
func (s *Store) SaveCheckpoint(ctx context.Context, c *hall.Checkpoint) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO checkpoints (size, root, note, at) VALUES (?, ?, ?, ?) ON CONFLICT (size) DO NOTHING",
			c.Size, c.Root, c.Note, encTime(c.At))
		if err != nil {
			return fmt.Errorf("sqlite: save checkpoint %d: %w", c.Size, err)
		}
		return nil
	})
}

func scanCheckpoint(row scanner) (*hall.Checkpoint, error) {
	c := &hall.Checkpoint{}
	err := row.Scan(&c.Size, &c.Root, &c.Note, timeCol{&c.At})
	return c, err
}

// Checkpoints returns every checkpoint by size.
func (s *Store) Checkpoints(ctx context.Context) ([]*hall.Checkpoint, error) {
	cs, err := queryAll(ctx, s.rdb, scanCheckpoint, "SELECT size, root, note, at FROM checkpoints ORDER BY size")
	if err != nil {
		return nil, fmt.Errorf("sqlite: checkpoints: %w", err)
	}
	return cs, nil
}

// LatestCheckpoint returns the checkpoint of the largest size.
func (s *Store) LatestCheckpoint(ctx context.Context) (*hall.Checkpoint, error) {
	c, err := scanCheckpoint(s.rdb.QueryRowContext(ctx, "SELECT size, root, note, at FROM checkpoints ORDER BY size DESC LIMIT 1"))
	if err != nil {
		return nil, noRows(err, "checkpoint", "latest")
	}
	return c, nil
}
