package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

// The audit log: {m}:audit holds each entry by id (from {m}:audit:seq);
// {m}:audit:at orders every entry by time, then id, and
// {m}:audit:actor:<actor>, …:action:<action> and …:target:<target> order
// the entries of one actor, action or target the same way (members are
// lexAuditMember), so a filtered list reads one index, newest first.

// appendAuditScript appends one entry: KEYS are the sequence, the entries,
// the time index and the actor, action and target indexes (the time index
// again for an entry without a target); ARGV are the entry's time text and
// its JSON. It returns the entry's id.
var appendAuditScript = `
local id = redis.call('INCR', KEYS[1])
local m = ARGV[1] .. '|' .. string.format('%019d', id)
redis.call('HSET', KEYS[2], id, ARGV[2])
redis.call('ZADD', KEYS[3], 0, m)
redis.call('ZADD', KEYS[4], 0, m)
redis.call('ZADD', KEYS[5], 0, m)
if KEYS[6] ~= KEYS[3] then redis.call('ZADD', KEYS[6], 0, m) end
return id
`

// auditDoc is how an entry is stored (its id is the hash field).
type auditDoc struct {
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Target   string    `json:"target,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	RemoteIP string    `json:"remote_ip,omitempty"`
}

// pendingAudit is an audit append queued in a transaction.
type pendingAudit struct {
	cmd *goredis.Cmd
	e   *hall.AuditEntry
}

// queueAudit queues the append of e (nil: nothing) on p, inside a
// MULTI/EXEC with the change it records.
func (s *Store) queueAudit(ctx context.Context, p goredis.Pipeliner, e *hall.AuditEntry) *pendingAudit {
	if e == nil {
		return nil
	}
	keys, args := s.auditArgs(e)
	// EVAL, not EVALSHA: inside MULTI a missing script would fail alone
	// while the rest of the transaction is applied.
	return &pendingAudit{cmd: p.Eval(ctx, appendAuditScript, keys, args...), e: e}
}

func (s *Store) auditArgs(e *hall.AuditEntry) ([]string, []any) {
	doc, _ := json.Marshal(auditDoc{At: e.At.UTC(), Actor: e.Actor, Action: e.Action, Target: e.Target,
		Detail: e.Detail, RemoteIP: e.RemoteIP})
	at := s.mkey("audit", "at")
	target := at
	if e.Target != "" {
		target = s.mkey("audit", "target", e.Target)
	}
	keys := []string{s.mkey("audit", "seq"), s.mkey("audit"), at,
		s.mkey("audit", "actor", e.Actor), s.mkey("audit", "action", e.Action), target}
	return keys, []any{encTime(e.At), string(doc)}
}

// setID sets the entry's id once the transaction ran (nil: no entry).
func (a *pendingAudit) setID() error {
	if a == nil {
		return nil
	}
	id, err := a.cmd.Int64()
	if err != nil {
		return fmt.Errorf("redisstore: audit entry id: %w", err)
	}
	a.e.ID = id
	return nil
}

// AppendAudit appends e to the audit log and sets e.ID.
func (s *Store) AppendAudit(ctx context.Context, e *hall.AuditEntry) error {
	keys, args := s.auditArgs(e)
	id, err := s.rdb.Eval(ctx, appendAuditScript, keys, args...).Int64()
	if err != nil {
		return s.wrap("append audit", err)
	}
	e.ID = id
	return nil
}

// ListAudit returns the entries the filter selects, newest first (by At,
// then id).
func (s *Store) ListAudit(ctx context.Context, f hall.AuditFilter) ([]*hall.AuditEntry, error) {
	limit := clampLimit(f.Limit)
	index := s.mkey("audit", "at")
	switch {
	case f.Target != "":
		index = s.mkey("audit", "target", f.Target)
	case f.Actor != "":
		index = s.mkey("audit", "actor", f.Actor)
	case f.Action != "":
		index = s.mkey("audit", "action", f.Action)
	}
	lo, hi := "-", "+"
	if !f.From.IsZero() {
		lo = "[" + encTime(f.From)
	}
	if !f.To.IsZero() {
		hi = "(" + encTime(f.To)
	}
	out := []*hall.AuditEntry{}
	page := int64(max(limit, 100))
	for offset := int64(0); len(out) < limit; offset += page {
		members, err := s.rdb.ZRevRangeByLex(ctx, index, &goredis.ZRangeBy{Min: lo, Max: hi, Offset: offset, Count: page}).Result()
		if err != nil {
			return nil, s.wrap("list audit", err)
		}
		if len(members) == 0 {
			break
		}
		ids := make([]string, len(members))
		for i, m := range members {
			ids[i] = strings.TrimLeft(lexID(m), "0")
		}
		docs, err := s.rdb.HMGet(ctx, s.mkey("audit"), ids...).Result()
		if err != nil {
			return nil, s.wrap("list audit", err)
		}
		for i, d := range docs {
			str, ok := d.(string)
			if !ok {
				continue // an index entry without its entry: skip it
			}
			var doc auditDoc
			if err := json.Unmarshal([]byte(str), &doc); err != nil {
				return nil, fmt.Errorf("redisstore: audit entry %s: %w", ids[i], err)
			}
			if (f.Actor != "" && doc.Actor != f.Actor) || (f.Action != "" && doc.Action != f.Action) ||
				(f.Target != "" && doc.Target != f.Target) {
				continue
			}
			id, _ := strconv.ParseInt(ids[i], 10, 64)
			out = append(out, &hall.AuditEntry{ID: id, At: doc.At.UTC(), Actor: doc.Actor, Action: doc.Action,
				Target: doc.Target, Detail: doc.Detail, RemoteIP: doc.RemoteIP})
			if len(out) == limit {
				break
			}
		}
		if int64(len(members)) < page {
			break
		}
	}
	return out, nil
}
