package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Counters (hall.LimitStore): {m}:counter:<key> is a hash of the count (n)
// and the end of its window (exp, the caller's clock in Unix nanoseconds,
// zero-padded to 20 digits so that comparing the text compares the times).
// Redis expires the key a little after its window ends, so expired
// counters go by themselves.

// hitScript adds to a counter: KEYS[1] is the counter; ARGV are now and the
// end of a window starting now (both 20-digit texts), n and the key's time
// to live in milliseconds. It returns the count in the current window.
const hitScript = `
local exp = redis.call('HGET', KEYS[1], 'exp')
if exp and exp > ARGV[1] then
  return redis.call('HINCRBY', KEYS[1], 'n', ARGV[3])
end
redis.call('HSET', KEYS[1], 'n', ARGV[3], 'exp', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return tonumber(ARGV[3])
`

// nanoText is t as 20-digit Unix nanoseconds.
func nanoText(t time.Time) string { return fmt.Sprintf("%020d", t.UnixNano()) }

func (s *Store) counterKey(key string) string { return s.mkey("counter", key) }

// Hit adds n to key's counter at now and returns the count in the current
// window; a hit at or after the window's end starts a new one.
func (s *Store) Hit(ctx context.Context, key string, n int64, now time.Time, ttl time.Duration) (int64, error) {
	keep := max(ttl.Milliseconds(), 0) + 1000 // outlives the window a little
	var cmd *goredis.Cmd
	err := s.write(ctx, "hit counter", func(p goredis.Pipeliner) {
		cmd = p.Eval(ctx, hitScript, []string{s.counterKey(key)}, nanoText(now), nanoText(now.Add(ttl)), n, keep)
	})
	if err != nil {
		return 0, err
	}
	count, err := cmd.Int64()
	if err != nil {
		return 0, fmt.Errorf("redisstore: hit counter %q: %w", key, err)
	}
	return count, nil
}

// Count returns key's count in the window current at now, 0 if none.
func (s *Store) Count(ctx context.Context, key string, now time.Time) (int64, error) {
	vals, err := s.rdb.HMGet(ctx, s.counterKey(key), "n", "exp").Result()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, s.wrap("count", err)
	}
	n, _ := vals[0].(string)
	exp, _ := vals[1].(string)
	if n == "" || exp <= nanoText(now) {
		return 0, nil
	}
	count, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("redisstore: counter %q: %w", key, err)
	}
	return count, nil
}

// ResetCount forgets key's counter.
func (s *Store) ResetCount(ctx context.Context, key string) error {
	return s.write(ctx, "reset counter", func(p goredis.Pipeliner) { p.Del(ctx, s.counterKey(key)) })
}

// DeleteExpiredCounters returns 0: Redis expires counters by itself. It
// only checks that Redis answers, so that a cleanup job sees an outage.
func (s *Store) DeleteExpiredCounters(ctx context.Context, now time.Time) (int, error) {
	return 0, s.wrap("delete expired counters", s.rdb.Ping(ctx).Err())
}
