package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

// An event shard {eN} holds:
//
//	ev            hash: event id → eventRec (the id's presence is what makes a
//	              resent event a duplicate)
//	count         hash: kind → events stored
//	rx:<kind>     sorted set: ids by time received (Unix microseconds)
//	at            sorted set: ids of the reported kinds by event time
//	agg:<l>:<n>:<g>  hash: engagement counters of the events whose time is in
//	              bucket n of level l (d: UTC days, h: hours, q: quarter
//	              hours, each numbered from the Unix epoch), grouped by g
//	              (i: the event's item, s: its screen, t: all); fields are a
//	              metric letter followed by the group key
//	outbox        hash: event id → outboxRec, the feedback or case a new
//	              event makes, until the metadata slot has it

// eventRec is how an event is stored (its id is the hash field). Times are
// Unix nanoseconds.
type eventRec struct {
	Kind       string `json:"k"`
	At         int64  `json:"a"`
	ScreenID   string `json:"s"`
	ReceivedAt int64  `json:"r"`
	ItemID     string `json:"i,omitempty"`
	Revision   int    `json:"v,omitempty"`
	MediaURL   string `json:"u,omitempty"`
	PlaylistID string `json:"p,omitempty"`
	DurationMS int64  `json:"d,omitempty"`
	DwellMS    int64  `json:"w,omitempty"`
	Session    string `json:"n,omitempty"`
	Subject    string `json:"j,omitempty"`
	Level      int    `json:"l,omitempty"`
	Topic      string `json:"t,omitempty"`
	Text       string `json:"x,omitempty"`
	Contact    string `json:"c,omitempty"`
	Data       string `json:"o,omitempty"` // as sent: a string keeps its bytes
	Misuse     bool   `json:"m,omitempty"`
}

func encEvent(e *hall.Event) string {
	return mustJSON(eventRec{Kind: e.Kind, At: e.At.UnixNano(), ScreenID: e.ScreenID, ReceivedAt: e.ReceivedAt.UnixNano(),
		ItemID: e.ItemID, Revision: e.Revision, MediaURL: e.MediaURL, PlaylistID: e.PlaylistID,
		DurationMS: e.DurationMS, DwellMS: e.DwellMS, Session: e.Session, Subject: e.Subject, Level: e.Level,
		Topic: e.Topic, Text: e.Text, Contact: e.Contact, Data: string(e.Data), Misuse: e.Misuse})
}

func decEvent(id, s string) (*hall.Event, error) {
	var r eventRec
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, fmt.Errorf("event %q: %w", id, err)
	}
	e := &hall.Event{ID: id, Kind: r.Kind, At: time.Unix(0, r.At).UTC(), ScreenID: r.ScreenID,
		ReceivedAt: time.Unix(0, r.ReceivedAt).UTC(), ItemID: r.ItemID, Revision: r.Revision, MediaURL: r.MediaURL,
		PlaylistID: r.PlaylistID, DurationMS: r.DurationMS, DwellMS: r.DwellMS, Session: r.Session,
		Subject: r.Subject, Level: r.Level, Topic: r.Topic, Text: r.Text, Contact: r.Contact, Misuse: r.Misuse}
	if r.Data != "" {
		e.Data = json.RawMessage(r.Data)
	}
	return e, nil
}

// Event times must fit Unix nanoseconds and sorted-set scores in
// microseconds: years 1700 to 2199.
var (
	minEventTime = time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)
	maxEventTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// micros is t's sorted-set score, Unix microseconds (rounded down).
func micros(t time.Time) int64 {
	us := t.UnixMicro()
	if t.Before(time.UnixMicro(us)) {
		us--
	}
	return us
}

// insertScript stores one shard's events. KEYS[1] is the shard's events
// hash and KEYS[2] its outbox; the other keys are named by index. ARGV[1]
// is the number of events; for each event follow its id, its JSON, its
// outbox entry ("" for none), the number of operations, and per operation
// four values: "z", key index, score (add the id to a sorted set), or "h",
// key index, field, increment (add to a hash counter). The operations of
// an event are applied only when its id is new in the shard; counters are
// summed first, so a batch costs one HINCRBY per distinct counter. It
// returns the new ids and, as id/entry pairs, the outbox entries of the
// batch's ids (new ones and any an interrupted insert left).
const insertScript = `
local nev = tonumber(ARGV[1])
local pos = 2
local new, incr, adds = {}, {}, {}
for i = 1, nev do
  local id, doc, ob, nops = ARGV[pos], ARGV[pos+1], ARGV[pos+2], tonumber(ARGV[pos+3])
  pos = pos + 4
  if redis.call('HSETNX', KEYS[1], id, doc) == 1 then
    new[#new+1] = id
    if ob ~= '' then redis.call('HSET', KEYS[2], id, ob) end
    for j = 1, nops do
      local op, k, a = ARGV[pos], tonumber(ARGV[pos+1]), ARGV[pos+2]
      if op == 'z' then
        local t = adds[k]
        if not t then t = {}; adds[k] = t end
        t[#t+1] = a
        t[#t+1] = id
      else
        local t = incr[k]
        if not t then t = {}; incr[k] = t end
        t[a] = (t[a] or 0) + tonumber(ARGV[pos+3])
      end
      pos = pos + 4
    end
  else
    pos = pos + 4 * nops
  end
end
for k, t in pairs(adds) do
  for s = 1, #t, 1000 do
    redis.call('ZADD', KEYS[k], unpack(t, s, math.min(s + 999, #t)))
  end
end
for k, t in pairs(incr) do
  for f, n in pairs(t) do
    redis.call('HINCRBY', KEYS[k], f, string.format('%d', n))
  end
end
local pend = {}
if redis.call('HLEN', KEYS[2]) > 0 then
  local seen = {}
  pos = 2
  for i = 1, nev do
    local id, nops = ARGV[pos], tonumber(ARGV[pos+3])
    if not seen[id] then
      seen[id] = true
      local ob = redis.call('HGET', KEYS[2], id)
      if ob then
        pend[#pend+1] = id
        pend[#pend+1] = ob
      end
    end
    pos = pos + 4 + 4 * nops
  end
end
return {new, pend}
`

// shardCall is one shard's part of an InsertEvents: its script's keys and
// arguments.
type shardCall struct {
	shard int
	keys  []string
	index map[string]int
	args  []any
	n     int
}

func (s *Store) newShardCall(shard int) *shardCall {
	c := &shardCall{shard: shard, index: map[string]int{}, args: []any{0}}
	c.key(s.ekey(shard, "ev"))
	c.key(s.ekey(shard, "outbox"))
	return c
}

// key returns the 1-based index of a key in the call's KEYS.
func (c *shardCall) key(k string) int {
	if i, ok := c.index[k]; ok {
		return i
	}
	c.keys = append(c.keys, k)
	c.index[k] = len(c.keys)
	return len(c.keys)
}

// add appends one event with its operations.
func (s *Store) addEvent(c *shardCall, e *hall.Event, outbox string) {
	var ops []any
	z := func(key string, score int64) {
		ops = append(ops, "z", c.key(key), score, "")
	}
	h := func(key, field string, n int64) {
		ops = append(ops, "h", c.key(key), field, n)
	}
	h(s.ekey(c.shard, "count"), e.Kind, 1)
	z(s.ekey(c.shard, "rx", e.Kind), micros(e.ReceivedAt))
	if contribs := contributions(e); len(contribs) > 0 {
		z(s.ekey(c.shard, "at"), micros(e.At))
		item := eventItem(e)
		for _, b := range bucketsOf(e.At) {
			base := "agg:" + b.String()
			for _, m := range contribs {
				h(s.ekey(c.shard, base, "i"), string(m.code)+item, m.n)
				h(s.ekey(c.shard, base, "s"), string(m.code)+e.ScreenID, m.n)
				h(s.ekey(c.shard, base, "t"), string(m.code), m.n)
			}
		}
	}
	c.args = append(c.args, e.ID, encEvent(e), outbox, len(ops)/4)
	c.args = append(c.args, ops...)
	c.n++
	c.args[0] = c.n
}

// InsertEvents stores the events, ignoring ids stored already (also a
// second occurrence of an id within events), and returns how many were
// new. Each shard's events are stored in one script, the shards in one
// pipeline; then the feedback and cases the new events make are stored in
// the metadata slot (see the package doc), before InsertEvents returns.
// The audit entry ctx carries, if any, is written with them.
func (s *Store) InsertEvents(ctx context.Context, events []*hall.Event) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	calls := map[int]*shardCall{}
	for i, e := range events {
		if e == nil {
			return 0, fmt.Errorf("redisstore: insert events: event %d is nil", i)
		}
		for _, t := range []time.Time{e.At, e.ReceivedAt} {
			if t.Before(minEventTime) || !t.Before(maxEventTime) {
				return 0, hall.FieldError(fmt.Sprintf("events[%d].at", i), "time %s out of range (years 1700 to 2199)", t.Format(time.RFC3339))
			}
		}
		outbox, err := outboxOf(e)
		if err != nil {
			return 0, err
		}
		shard := shardOf(e.ScreenID)
		c := calls[shard]
		if c == nil {
			c = s.newShardCall(shard)
			calls[shard] = c
		}
		s.addEvent(c, e, outbox)
	}
	ordered := make([]*shardCall, 0, len(calls))
	for _, c := range calls {
		ordered = append(ordered, c)
	}
	slices.SortFunc(ordered, func(a, b *shardCall) int { return cmp.Compare(a.shard, b.shard) })
	cmds, err := s.runScripts(ctx, s.insertScript(), ordered)
	if err != nil {
		return 0, s.wrap("insert events", err)
	}
	inserted := 0
	var pending []pendingRecord
	for i, cmd := range cmds {
		res, err := cmd.Slice()
		if err != nil || len(res) != 2 {
			return 0, fmt.Errorf("redisstore: insert events: shard %d: unexpected reply %v (%v)", ordered[i].shard, cmd.Val(), err)
		}
		fresh, _ := res[0].([]any)
		inserted += len(fresh)
		pend, _ := res[1].([]any)
		for j := 0; j+1 < len(pend); j += 2 {
			id, _ := pend[j].(string)
			raw, _ := pend[j+1].(string)
			pending = append(pending, pendingRecord{shard: ordered[i].shard, id: id, raw: raw})
		}
	}
	if err := s.recordPending(ctx, pending, hall.AuditFrom(ctx)); err != nil {
		return 0, err
	}
	return inserted, nil
}

// insertScript and the other scripts are made on use: a Script only holds
// its text and hash.
func (s *Store) insertScript() *goredis.Script { return goredis.NewScript(insertScript) }

// runScripts runs script once per call, all in one pipeline (EVALSHA),
// and runs again with EVAL any call whose server did not have the script
// (a restarted server, a new Cluster master): NOSCRIPT means it did not
// run.
func (s *Store) runScripts(ctx context.Context, script *goredis.Script, calls []*shardCall) ([]*goredis.Cmd, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*goredis.Cmd, len(calls))
	for i, c := range calls {
		cmds[i] = script.EvalSha(ctx, pipe, c.keys, c.args...)
	}
	if _, err := pipe.Exec(ctx); err != nil && !isNoScript(err) {
		// A pipeline error is the first command's error; a connection
		// error is each command's.
		for _, cmd := range cmds {
			if cmd.Err() != nil && !isNoScript(cmd.Err()) {
				return nil, cmd.Err()
			}
		}
	}
	for i, cmd := range cmds {
		if isNoScript(cmd.Err()) {
			cmds[i] = script.Eval(ctx, s.rdb, calls[i].keys, calls[i].args...)
		}
		if err := cmds[i].Err(); err != nil {
			return nil, err
		}
	}
	return cmds, nil
}

func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}

// CountEvents returns how many events of the kind are stored; kind ""
// counts every event.
func (s *Store) CountEvents(ctx context.Context, kind string) (int, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*goredis.MapStringStringCmd, eventShards)
	for shard := range eventShards {
		cmds[shard] = pipe.HGetAll(ctx, s.ekey(shard, "count"))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, s.wrap("count events", err)
	}
	total := 0
	for _, cmd := range cmds {
		for k, v := range cmd.Val() {
			if kind != "" && k != kind {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return 0, fmt.Errorf("redisstore: count of %q: %w", k, err)
			}
			total += n
		}
	}
	return total, nil
}

// ListEvents returns the events of the kind (every kind for "") received
// in [from, to), oldest first by ReceivedAt, then id; a zero from or to
// leaves that end open. limit is clamped (default 100, at most 1000).
// Each shard's per-kind index gives its first events; they are merged.
func (s *Store) ListEvents(ctx context.Context, kind string, from, to time.Time, limit int) ([]*hall.Event, error) {
	limit = clampLimit(limit)
	var out []*hall.Event
	for shard := range eventShards {
		kinds := []string{kind}
		if kind == "" {
			var err error
			if kinds, err = s.rdb.HKeys(ctx, s.ekey(shard, "count")).Result(); err != nil {
				return nil, s.wrap("list events", err)
			}
		}
		for _, k := range kinds {
			es, err := s.firstReceived(ctx, shard, k, from, to, limit)
			if err != nil {
				return nil, s.wrap("list events", err)
			}
			out = append(out, es...)
		}
	}
	slices.SortFunc(out, func(a, b *hall.Event) int {
		return cmp.Or(a.ReceivedAt.Compare(b.ReceivedAt), strings.Compare(a.ID, b.ID))
	})
	if out == nil {
		out = []*hall.Event{}
	}
	return out[:min(limit, len(out))], nil
}

// firstReceived returns at least the first need events of one shard and
// kind received in [from, to) (fewer when there are no more), and every
// event that ties with the last of them on the index's score, so that
// merging shards and ordering by exact time and id loses none.
func (s *Store) firstReceived(ctx context.Context, shard int, kind string, from, to time.Time, need int) ([]*hall.Event, error) {
	key := s.ekey(shard, "rx", kind)
	lo, hi := "-inf", "+inf"
	if !from.IsZero() {
		lo = strconv.FormatInt(micros(from), 10)
	}
	if !to.IsZero() {
		hi = strconv.FormatInt(micros(to), 10)
	}
	var out []*hall.Event
	seen := map[string]bool{}
	take := func(ids []string) error {
		var fresh []string
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				fresh = append(fresh, id)
			}
		}
		es, err := s.loadEvents(ctx, shard, fresh)
		if err != nil {
			return err
		}
		for _, e := range es {
			if (from.IsZero() || !e.ReceivedAt.Before(from)) && (to.IsZero() || e.ReceivedAt.Before(to)) {
				out = append(out, e)
			}
		}
		return nil
	}
	page := int64(max(need, 64))
	for offset := int64(0); ; offset += page {
		zs, err := s.rdb.ZRangeByScoreWithScores(ctx, key, &goredis.ZRangeBy{Min: lo, Max: hi, Offset: offset, Count: page}).Result()
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(zs))
		for i, z := range zs {
			ids[i], _ = z.Member.(string)
		}
		if err := take(ids); err != nil {
			return nil, err
		}
		if int64(len(zs)) < page {
			return out, nil
		}
		if len(out) >= need {
			last := strconv.FormatFloat(zs[len(zs)-1].Score, 'f', -1, 64)
			ties, err := s.rdb.ZRangeByScore(ctx, key, &goredis.ZRangeBy{Min: last, Max: last}).Result()
			if err != nil {
				return nil, err
			}
			return out, take(ties)
		}
	}
}

// loadEvents reads events of one shard by id; ids missing are skipped.
func (s *Store) loadEvents(ctx context.Context, shard int, ids []string) ([]*hall.Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	raws, err := hmgetStrings(ctx, s.rdb, s.ekey(shard, "ev"), ids)
	if err != nil {
		return nil, err
	}
	out := make([]*hall.Event, 0, len(raws))
	for i, raw := range raws {
		if raw == "" {
			continue
		}
		e, err := decEvent(ids[i], raw)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
