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
// hash, KEYS[2] its outbox, KEYS[3] its index by event time; the other
// keys are named by index. ARGV[1] is the number of events and ARGV[2] the
// number of counter increments that follow as key index, field, amount:
// the sums over the whole batch, as if every event were new. Then, per
// event: its id, its JSON, its outbox entry ("" for none), the key index
// and score of its index by time received, its score by event time (""
// when the reports do not count it), and its share of the sums
// ("i:n i:n …", i counting the increments from 1). An event whose id the
// shard has already is not stored, and its share is taken off the sums.
// The script returns the new ids and, as id/entry pairs, the outbox
// entries of the batch's ids (new ones and any an interrupted insert
// left).
const insertScript = `
local nev, ninc = tonumber(ARGV[1]), tonumber(ARGV[2])
local ik, iff, inn = {}, {}, {}
local pos = 3
for i = 1, ninc do
  ik[i], iff[i], inn[i] = tonumber(ARGV[pos]), ARGV[pos+1], tonumber(ARGV[pos+2])
  pos = pos + 3
end
local first = pos
local new, adds = {}, {}
local function zadd(k, score, id)
  local t = adds[k]
  if not t then t = {}; adds[k] = t end
  t[#t+1] = score
  t[#t+1] = id
end
for e = 1, nev do
  local id = ARGV[pos]
  if redis.call('HSETNX', KEYS[1], id, ARGV[pos+1]) == 1 then
    new[#new+1] = id
    if ARGV[pos+2] ~= '' then redis.call('HSET', KEYS[2], id, ARGV[pos+2]) end
    zadd(tonumber(ARGV[pos+3]), ARGV[pos+4], id)
    if ARGV[pos+5] ~= '' then zadd(3, ARGV[pos+5], id) end
  else
    for i, n in string.gmatch(ARGV[pos+6], '(%d+):(%-?%d+)') do
      i = tonumber(i)
      inn[i] = inn[i] - tonumber(n)
    end
  end
  pos = pos + 7
end
for k, t in pairs(adds) do
  for s = 1, #t, 1000 do
    redis.call('ZADD', KEYS[k], unpack(t, s, math.min(s + 999, #t)))
  end
end
for i = 1, ninc do
  if inn[i] ~= 0 then redis.call('HINCRBY', KEYS[ik[i]], iff[i], string.format('%d', inn[i])) end
end
local pend = {}
if redis.call('HLEN', KEYS[2]) > 0 then
  local seen = {}
  pos = first
  for e = 1, nev do
    local id = ARGV[pos]
    if not seen[id] then
      seen[id] = true
      local ob = redis.call('HGET', KEYS[2], id)
      if ob then
        pend[#pend+1] = id
        pend[#pend+1] = ob
      end
    end
    pos = pos + 7
  end
end
return {new, pend}
`

// shardCall is one shard's part of an InsertEvents: its script's keys and
// arguments.
type shardCall struct {
	shard  int
	keys   []string
	index  map[string]int
	incr   []increment
	incrAt map[incrKey]int
	aggs   map[bucket][3]int // key indexes of a bucket's counters: item, screen, total
	events []any
	n      int
}

type incrKey struct {
	key   int
	field string
}

type increment struct {
	incrKey
	n int64
}

func (s *Store) newShardCall(shard int) *shardCall {
	c := &shardCall{shard: shard, index: map[string]int{}, incrAt: map[incrKey]int{}, aggs: map[bucket][3]int{}}
	c.key(s.ekey(shard, "ev"))
	c.key(s.ekey(shard, "outbox"))
	c.key(s.ekey(shard, "at"))
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

// args returns the script's arguments.
func (c *shardCall) args() []any {
	args := make([]any, 0, 2+3*len(c.incr)+len(c.events))
	args = append(args, c.n, len(c.incr))
	for _, in := range c.incr {
		args = append(args, in.key, in.field, in.n)
	}
	return append(args, c.events...)
}

// metricLetters are the metric letters, from mImpressions on.
const metricLetters = "abcdefghijklmn"

// addEvent adds one event: its counters to the batch's sums, and its
// arguments.
func (s *Store) addEvent(c *shardCall, e *hall.Event, outbox string) {
	var share []byte
	add := func(key int, field string, n int64) {
		k := incrKey{key, field}
		i, ok := c.incrAt[k]
		if !ok {
			i = len(c.incr)
			c.incrAt[k] = i
			c.incr = append(c.incr, increment{incrKey: k})
		}
		c.incr[i].n += n
		share = strconv.AppendInt(share, int64(i+1), 10)
		share = append(share, ':')
		share = strconv.AppendInt(share, n, 10)
		share = append(share, ' ')
	}
	add(c.key(s.ekey(c.shard, "count")), e.Kind, 1)
	atScore := ""
	if contribs := contributions(e); len(contribs) > 0 {
		atScore = strconv.FormatInt(micros(e.At), 10)
		item := eventItem(e)
		for _, b := range bucketsOf(e.At) {
			keys, ok := c.aggs[b]
			if !ok {
				base := "agg:" + b.String()
				keys = [3]int{c.key(s.ekey(c.shard, base, "i")), c.key(s.ekey(c.shard, base, "s")), c.key(s.ekey(c.shard, base, "t"))}
				c.aggs[b] = keys
			}
			for _, m := range contribs {
				i := m.code - mImpressions
				code := metricLetters[i : i+1]
				add(keys[0], code+item, m.n)
				add(keys[1], code+e.ScreenID, m.n)
				add(keys[2], code, m.n)
			}
		}
	}
	c.events = append(c.events, e.ID, encEvent(e), outbox, c.key(s.ekey(c.shard, "rx", e.Kind)),
		strconv.FormatInt(micros(e.ReceivedAt), 10), atScore, string(share))
	c.n++
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
		cmds[i] = script.EvalSha(ctx, pipe, c.keys, c.args()...)
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
			cmds[i] = script.Eval(ctx, s.rdb, calls[i].keys, calls[i].args()...)
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
