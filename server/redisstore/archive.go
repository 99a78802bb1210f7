package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

// The archive: {m}:archive (leaf index → entryRec), {m}:archive:size (the
// number of leaves), {m}:archive:item:<id> (the item's leaf indexes, in
// order), {m}:archive:pub ("<item>#<revision>" → index of its publish
// leaf). Checkpoints: {m}:checkpoints (size → JSON) and
// {m}:checkpoints:sizes (the sizes, sorted).

// ArchiveSize returns the number of leaves.
func (s *Store) ArchiveSize(ctx context.Context) (int64, error) {
	n, err := s.rdb.Get(ctx, s.mkey("archive", "size")).Int64()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	return n, s.wrap("archive size", err)
}

// entries reads the entries at the indexes, in the order given.
func (s *Store) entries(ctx context.Context, op string, indexes []string) ([]*hall.ArchiveEntry, error) {
	raws, err := hmgetStrings(ctx, s.rdb, s.mkey("archive"), indexes)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	out := make([]*hall.ArchiveEntry, 0, len(raws))
	for i, raw := range raws {
		if raw == "" {
			return nil, fmt.Errorf("redisstore: %s: archive entry %s is missing", op, indexes[i])
		}
		var r entryRec
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return nil, fmt.Errorf("redisstore: %s: archive entry %s: %w", op, indexes[i], err)
		}
		idx, _ := strconv.ParseInt(indexes[i], 10, 64)
		out = append(out, &hall.ArchiveEntry{Index: idx, Kind: r.Kind, ItemID: r.ItemID, Revision: r.Revision,
			At: r.At.UTC(), Leaf: r.Leaf, Content: r.Content, Salt: r.Salt})
	}
	return out, nil
}

// ArchiveEntries returns the entries with from <= index < to, in order.
func (s *Store) ArchiveEntries(ctx context.Context, from, to int64) ([]*hall.ArchiveEntry, error) {
	if from < 0 {
		return nil, hall.Errorf(hall.EValidation, "archive range starts at %d", from)
	}
	size, err := s.ArchiveSize(ctx)
	if err != nil {
		return nil, err
	}
	to = min(to, size)
	if from >= to {
		return []*hall.ArchiveEntry{}, nil
	}
	indexes := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		indexes = append(indexes, strconv.FormatInt(i, 10))
	}
	return s.entries(ctx, "archive entries", indexes)
}

// ItemEntries returns every entry of the item, oldest first (none is not an
// error).
func (s *Store) ItemEntries(ctx context.Context, itemID string) ([]*hall.ArchiveEntry, error) {
	indexes, err := s.rdb.LRange(ctx, s.mkey("archive", "item", itemID), 0, -1).Result()
	if err != nil {
		return nil, s.wrap("item entries", err)
	}
	return s.entries(ctx, "item entries", indexes)
}

// RevisionEntry returns the publish entry of the item's revision.
func (s *Store) RevisionEntry(ctx context.Context, itemID string, revision int) (*hall.ArchiveEntry, error) {
	id := itemID + "#" + strconv.Itoa(revision)
	idx, err := s.rdb.HGet(ctx, s.mkey("archive", "pub"), id).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.NotFound("revision", id)
	}
	if err != nil {
		return nil, s.wrap("revision entry", err)
	}
	es, err := s.entries(ctx, "revision entry", []string{idx})
	if err != nil {
		return nil, err
	}
	return es[0], nil
}

// SaveCheckpoint stores c unless a checkpoint of its size is stored already.
func (s *Store) SaveCheckpoint(ctx context.Context, c *hall.Checkpoint) error {
	cp := *c
	cp.At = cp.At.UTC()
	size := strconv.FormatInt(c.Size, 10)
	return s.write(ctx, "save checkpoint", func(p goredis.Pipeliner) {
		p.HSetNX(ctx, s.mkey("checkpoints"), size, mustJSON(&cp))
		p.ZAddNX(ctx, s.mkey("checkpoints", "sizes"), goredis.Z{Score: float64(c.Size), Member: size})
	})
}

// checkpoints reads the checkpoints of the sizes, in the order given.
func (s *Store) checkpoints(ctx context.Context, op string, sizes []string) ([]*hall.Checkpoint, error) {
	raws, err := hmgetStrings(ctx, s.rdb, s.mkey("checkpoints"), sizes)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	out := make([]*hall.Checkpoint, 0, len(raws))
	for i, raw := range raws {
		c := &hall.Checkpoint{}
		if err := json.Unmarshal([]byte(raw), c); err != nil {
			return nil, fmt.Errorf("redisstore: %s: checkpoint %s: %w", op, sizes[i], err)
		}
		out = append(out, c)
	}
	return out, nil
}

// Checkpoints returns every checkpoint by size.
func (s *Store) Checkpoints(ctx context.Context) ([]*hall.Checkpoint, error) {
	sizes, err := s.rdb.ZRange(ctx, s.mkey("checkpoints", "sizes"), 0, -1).Result()
	if err != nil {
		return nil, s.wrap("checkpoints", err)
	}
	return s.checkpoints(ctx, "checkpoints", sizes)
}

// LatestCheckpoint returns the checkpoint of the largest size.
func (s *Store) LatestCheckpoint(ctx context.Context) (*hall.Checkpoint, error) {
	sizes, err := s.rdb.ZRevRange(ctx, s.mkey("checkpoints", "sizes"), 0, 0).Result()
	if err != nil {
		return nil, s.wrap("latest checkpoint", err)
	}
	if len(sizes) == 0 {
		return nil, hall.NotFound("checkpoint", "latest")
	}
	cs, err := s.checkpoints(ctx, "latest checkpoint", sizes)
	if err != nil {
		return nil, err
	}
	return cs[0], nil
}
