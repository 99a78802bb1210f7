package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

// Presence is what one replica reports of a screen connected to it. Each
// replica puts the list of its screens every few seconds with a time to
// live; a replica that stops renewing drops out when its list expires.
//
// Keys (presence slot): {p}:replica:<name> holds a replica's list (JSON,
// expiring), {p}:replicas the names of the replicas that have put one.
type Presence struct {
	ScreenID    string        `json:"screen_id"`
	Replica     string        `json:"replica"`
	Connections int           `json:"connections"`
	ConnectedAt time.Time     `json:"connected_at"`
	LastSeen    time.Time     `json:"last_seen"`
	Version     string        `json:"version,omitempty"`
	Showing     *hall.Showing `json:"showing,omitempty"`
	// SecureContext is what the screen said of its browser (nil: nothing).
	SecureContext *bool `json:"secure_context,omitempty"`
	// Display is the page size its hello said (nil: nothing).
	Display *hall.Display `json:"screen,omitempty"`
}

// PutPresence replaces what the replica reported with ps; it expires
// after ttl unless put again. Each entry's Replica is set to replica.
func (s *Store) PutPresence(ctx context.Context, replica string, ps []Presence, ttl time.Duration) error {
	if replica == "" {
		return hall.FieldError("replica", "required")
	}
	if ttl < time.Millisecond {
		return hall.FieldError("ttl", "want at least a millisecond, got %v", ttl)
	}
	list := make([]Presence, len(ps))
	for i, p := range ps {
		p.Replica = replica
		p.ConnectedAt, p.LastSeen = p.ConnectedAt.UTC(), p.LastSeen.UTC()
		list[i] = p
	}
	_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Set(ctx, s.pkey("replica", replica), mustJSON(list), ttl)
		p.SAdd(ctx, s.pkey("replicas"), replica)
		return nil
	})
	return s.wrap("put presence", err)
}

// listPresenceScript returns the lists of every replica whose list has not
// expired, and forgets the names of those whose list has. KEYS[1] is the
// set of names; ARGV[1] the prefix of the lists' keys.
const listPresenceScript = `
local out = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local v = redis.call('GET', ARGV[1] .. name)
  if v then
    out[#out+1] = v
  else
    redis.call('SREM', KEYS[1], name)
  end
end
return out
`

// ListPresence returns what every replica reports now, by screen, then
// replica.
func (s *Store) ListPresence(ctx context.Context) ([]Presence, error) {
	res, err := goredis.NewScript(listPresenceScript).Run(ctx, s.rdb,
		[]string{s.pkey("replicas")}, s.pkey("replica", "")).StringSlice()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, s.wrap("list presence", err)
	}
	out := []Presence{}
	for _, raw := range res {
		var list []Presence
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return nil, fmt.Errorf("redisstore: presence: %w", err)
		}
		out = append(out, list...)
	}
	slices.SortFunc(out, func(a, b Presence) int {
		return cmp.Or(strings.Compare(a.ScreenID, b.ScreenID), strings.Compare(a.Replica, b.Replica))
	})
	return out, nil
}
