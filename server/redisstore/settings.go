package redisstore

import (
	"context"
	"errors"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

// Settings: {m}:prefs holds one JSON document per key ({m}:settings is
// the store's own layout).

// Setting returns the document kept under key.
func (s *Store) Setting(ctx context.Context, key string) ([]byte, error) {
	doc, err := s.rdb.HGet(ctx, s.mkey("prefs"), key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.NotFound("setting", key)
	}
	if err != nil {
		return nil, s.wrap("setting", err)
	}
	return doc, nil
}

// PutSetting stores (or replaces) the document under key.
func (s *Store) PutSetting(ctx context.Context, key string, doc []byte) error {
	return s.write(ctx, "put setting", func(p goredis.Pipeliner) {
		p.HSet(ctx, s.mkey("prefs"), key, doc)
	})
}

// Settings returns every setting.
func (s *Store) Settings(ctx context.Context) (map[string][]byte, error) {
	m, err := s.rdb.HGetAll(ctx, s.mkey("prefs")).Result()
	if err != nil {
		return nil, s.wrap("settings", err)
	}
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = []byte(v)
	}
	return out, nil
}
