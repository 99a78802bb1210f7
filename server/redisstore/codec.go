package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"
)

// Records are stored as JSON in hash fields (or string keys). Each kind has
// its own record type where the hall type's JSON would drop something (a
// hidden field, an empty list told apart from nil).

// mustJSON encodes v, which is always a record of this package.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("redisstore: encode %T: %v", v, err))
	}
	return string(b)
}

// hgetJSON reads one hash field into v; false when the field is missing.
func hgetJSON(ctx context.Context, c goredis.Cmdable, key, field string, v any) (bool, error) {
	s, err := c.HGet(ctx, key, field).Result()
	if errors.Is(err, goredis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return false, fmt.Errorf("decode %s %q: %w", key, field, err)
	}
	return true, nil
}

// getJSON reads a string key into v; false when the key is missing.
func getJSON(ctx context.Context, c goredis.Cmdable, key string, v any) (bool, error) {
	s, err := c.Get(ctx, key).Result()
	if errors.Is(err, goredis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return false, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

// hgetAll reads every field of a hash of records, decoding each with dec.
func hgetAll[T any](ctx context.Context, c goredis.Cmdable, key string, dec func(string) (T, error)) ([]T, error) {
	m, err := c.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(m))
	for field, s := range m {
		v, err := dec(s)
		if err != nil {
			return nil, fmt.Errorf("decode %s %q: %w", key, field, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// decoder returns a function decoding JSON into a new T and converting it
// with conv.
func decoder[R, T any](conv func(*R) T) func(string) (T, error) {
	return func(s string) (T, error) {
		r := new(R)
		if err := json.Unmarshal([]byte(s), r); err != nil {
			var zero T
			return zero, err
		}
		return conv(r), nil
	}
}

// hmgetStrings reads fields of a hash in chunks; a missing field is "".
func hmgetStrings(ctx context.Context, c goredis.Cmdable, key string, fields []string) ([]string, error) {
	out := make([]string, 0, len(fields))
	const chunk = 1000
	for start := 0; start < len(fields); start += chunk {
		part := fields[start:min(start+chunk, len(fields))]
		vals, err := c.HMGet(ctx, key, part...).Result()
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			s, _ := v.(string)
			out = append(out, s)
		}
	}
	return out, nil
}
