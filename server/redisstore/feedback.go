package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

// Feedback (metadata slot): {m}:feedback (event id → feedbackRec, what the
// event said), {m}:feedback:receipt (receipt → id), {m}:feedback:rcpt (id →
// receipt), {m}:feedback:reply (id → replyRec, present once replied);
// indexes ordered by time, then id (lexMember): {m}:feedback:all,
// …:open, …:replied, and {m}:feedback:public by reply time.
//
// Cases: {m}:case (event id → caseRec), {m}:case:res (id → resolution,
// present once resolved); indexes {m}:case:all, …:open, …:resolved.

// Statuses of feedback and cases.
const (
	statusOpen     = "open"
	statusReplied  = "replied"
	statusResolved = "resolved"
)

type feedbackRec struct {
	ScreenID string    `json:"screen_id"`
	ItemID   string    `json:"item_id,omitempty"`
	Topic    string    `json:"topic"`
	Text     string    `json:"text"`
	Contact  string    `json:"contact,omitempty"`
	At       time.Time `json:"at"`
}

type caseRec struct {
	ScreenID string    `json:"screen_id"`
	Subject  string    `json:"subject"`
	Level    int       `json:"level"`
	Aspects  string    `json:"aspects,omitempty"` // as sent: a string keeps its bytes
	At       time.Time `json:"at"`
}

type resolutionRec struct {
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Note string    `json:"note"`
}

// outboxRec is what a new event makes in the metadata slot: feedback
// (Kind "f", with the receipt to start from) or a case ("c").
type outboxRec struct {
	Kind    string `json:"k"`
	Doc     string `json:"d"`
	Member  string `json:"m"`
	Receipt string `json:"r,omitempty"`
}

// outboxOf returns the outbox entry of an event ("" when it makes
// nothing): a feedback event makes feedback, a poor rating not flagged as
// misuse opens a case.
func outboxOf(e *hall.Event) (string, error) {
	switch {
	case e.Kind == hall.EventFeedback:
		doc := mustJSON(feedbackRec{ScreenID: e.ScreenID, ItemID: e.ItemID, Topic: e.Topic, Text: e.Text,
			Contact: e.Contact, At: e.ReceivedAt.UTC()})
		return mustJSON(outboxRec{Kind: "f", Doc: doc, Member: lexMember(e.ReceivedAt, e.ID), Receipt: hall.Receipt(e.ID)}), nil
	case e.Kind == hall.EventRating && e.Level <= hall.PoorLevel && !e.Misuse:
		doc := mustJSON(caseRec{ScreenID: e.ScreenID, Subject: e.Subject, Level: e.Level,
			Aspects: string(ratingAspects(e.Data)), At: e.ReceivedAt.UTC()})
		return mustJSON(outboxRec{Kind: "c", Doc: doc, Member: lexMember(e.ReceivedAt, e.ID)}), nil
	}
	return "", nil
}

// ratingAspects returns the "aspects" member of a rating's data, or nil
// when there is none (or the data is not a JSON object).
func ratingAspects(data json.RawMessage) json.RawMessage {
	if len(data) == 0 {
		return nil
	}
	var d struct {
		Aspects json.RawMessage `json:"aspects"`
	}
	if json.Unmarshal(data, &d) != nil || len(d.Aspects) == 0 || string(d.Aspects) == "null" {
		return nil
	}
	return d.Aspects
}

// recordScript makes feedback and cases from outbox entries, each only if
// its id has none yet, and appends an audit entry if given. KEYS: feedback,
// feedback:receipt, feedback:rcpt, feedback:all, feedback:open, case,
// case:all, case:open, then the six audit keys (see appendAuditScript)
// when there is an entry. ARGV[1] is the number of entries; per entry: its
// kind ("f" or "c"), id, JSON, index member and receipt; then, with an
// audit entry, its time text and JSON. Receipts (the smallest free suffix,
// at most 1000) are found before
// anything is written, so a failure leaves the entries as they were.
const recordScript = `
local n = tonumber(ARGV[1])
local pos = 2
local receipts = {}
for i = 1, n do
  local kind, id, base = ARGV[pos], ARGV[pos+1], ARGV[pos+4]
  if kind == 'f' and redis.call('HEXISTS', KEYS[1], id) == 0 then
    local r, k = base, 0
    while redis.call('HEXISTS', KEYS[2], r) == 1 or receipts[r] do
      k = k + 1
      if k > 1000 then return redis.error_reply('receipt ' .. base .. ': no free suffix') end
      r = base .. k
    end
    receipts[r] = id
  end
  pos = pos + 5
end
pos = 2
for i = 1, n do
  local kind, id, doc, m = ARGV[pos], ARGV[pos+1], ARGV[pos+2], ARGV[pos+3]
  if kind == 'f' then
    if redis.call('HSETNX', KEYS[1], id, doc) == 1 then
      local r
      for rr, rid in pairs(receipts) do if rid == id then r = rr end end
      redis.call('HSET', KEYS[2], r, id)
      redis.call('HSET', KEYS[3], id, r)
      redis.call('ZADD', KEYS[4], 0, m)
      redis.call('ZADD', KEYS[5], 0, m)
    end
  elseif redis.call('HSETNX', KEYS[6], id, doc) == 1 then
    redis.call('ZADD', KEYS[7], 0, m)
    redis.call('ZADD', KEYS[8], 0, m)
  end
  pos = pos + 5
end
if #KEYS > 8 then
  local id = redis.call('INCR', KEYS[9])
  local am = ARGV[pos] .. '|' .. string.format('%019d', id)
  redis.call('HSET', KEYS[10], id, ARGV[pos+1])
  redis.call('ZADD', KEYS[11], 0, am)
  redis.call('ZADD', KEYS[12], 0, am)
  redis.call('ZADD', KEYS[13], 0, am)
  if KEYS[14] ~= KEYS[11] then redis.call('ZADD', KEYS[14], 0, am) end
  return id
end
return 0
`

// pendingRecord is an outbox entry read from a shard.
type pendingRecord struct {
	shard int
	id    string
	raw   string
}

// recordPending makes the feedback and cases of outbox entries in the
// metadata slot (with the audit entry, if any), then deletes the entries
// from their outboxes. A failure to delete is only logged: making them
// again changes nothing.
func (s *Store) recordPending(ctx context.Context, pending []pendingRecord, audit *hall.AuditEntry) error {
	if len(pending) == 0 && audit == nil {
		return nil
	}
	keys := []string{s.mkey("feedback"), s.mkey("feedback", "receipt"), s.mkey("feedback", "rcpt"),
		s.mkey("feedback", "all"), s.mkey("feedback", statusOpen),
		s.mkey("case"), s.mkey("case", "all"), s.mkey("case", statusOpen)}
	args := []any{len(pending)}
	for _, p := range pending {
		var r outboxRec
		if err := json.Unmarshal([]byte(p.raw), &r); err != nil {
			return fmt.Errorf("redisstore: outbox entry %q: %w", p.id, err)
		}
		args = append(args, r.Kind, p.id, r.Doc, r.Member, r.Receipt)
	}
	if audit != nil {
		akeys, aargs := s.auditArgs(audit)
		keys = append(keys, akeys...)
		args = append(args, aargs...)
	}
	id, err := goredis.NewScript(recordScript).Run(ctx, s.rdb, keys, args...).Int64()
	if err != nil {
		return s.wrap("record feedback and cases", err)
	}
	if audit != nil {
		audit.ID = id
	}
	if len(pending) == 0 {
		return nil
	}
	pipe := s.rdb.Pipeline()
	for _, p := range pending {
		pipe.HDel(ctx, s.ekey(p.shard, "outbox"), p.id)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		s.log.Warn("redisstore: feedback and cases stored, their outbox entries not deleted (they will be again)", "err", err)
	}
	return nil
}

// drainOutboxes finishes every outbox entry in every shard: what an
// insert interrupted between its two steps left.
func (s *Store) drainOutboxes(ctx context.Context) error {
	for shard := range eventShards {
		m, err := s.rdb.HGetAll(ctx, s.ekey(shard, "outbox")).Result()
		if err != nil {
			return s.wrap("drain outbox", err)
		}
		var pending []pendingRecord
		for id, raw := range m {
			pending = append(pending, pendingRecord{shard: shard, id: id, raw: raw})
		}
		if err := s.recordPending(ctx, pending, nil); err != nil {
			return err
		}
	}
	return nil
}

// loadFeedback reads feedback by id, in the order given; missing ids are
// skipped.
func (s *Store) loadFeedback(ctx context.Context, ids []string) ([]*hall.Feedback, error) {
	out := []*hall.Feedback{}
	if len(ids) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	docs := pipe.HMGet(ctx, s.mkey("feedback"), ids...)
	rcpts := pipe.HMGet(ctx, s.mkey("feedback", "rcpt"), ids...)
	replies := pipe.HMGet(ctx, s.mkey("feedback", "reply"), ids...)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	for i, id := range ids {
		doc, ok := docs.Val()[i].(string)
		if !ok {
			continue
		}
		var r feedbackRec
		if err := json.Unmarshal([]byte(doc), &r); err != nil {
			return nil, fmt.Errorf("feedback %q: %w", id, err)
		}
		rcpt, _ := rcpts.Val()[i].(string)
		f := &hall.Feedback{ID: id, Receipt: rcpt, ScreenID: r.ScreenID, ItemID: r.ItemID, Topic: r.Topic,
			Text: r.Text, Contact: r.Contact, At: r.At.UTC(), Status: statusOpen}
		if raw, ok := replies.Val()[i].(string); ok {
			f.Reply = &hall.Reply{}
			if err := json.Unmarshal([]byte(raw), f.Reply); err != nil {
				return nil, fmt.Errorf("reply to feedback %q: %w", id, err)
			}
			f.Reply.At = f.Reply.At.UTC()
			f.Status = statusReplied
		}
		out = append(out, f)
	}
	return out, nil
}

// listByIndex reads ids from a lexMember index, newest first when rev.
func (s *Store) listByIndex(ctx context.Context, key string, rev bool, limit int) ([]string, error) {
	by := &goredis.ZRangeBy{Min: "-", Max: "+", Count: int64(limit)}
	var members []string
	var err error
	if rev {
		members, err = s.rdb.ZRevRangeByLex(ctx, key, by).Result()
	} else {
		members, err = s.rdb.ZRangeByLex(ctx, key, by).Result()
	}
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = lexID(m)
	}
	return ids, nil
}

// ListFeedback returns feedback with the status ("" for any: open,
// replied), newest first by At, then id; limit is clamped (default 100, at
// most 1000).
func (s *Store) ListFeedback(ctx context.Context, status string, limit int) ([]*hall.Feedback, error) {
	index := "all"
	switch status {
	case "":
	case statusOpen, statusReplied:
		index = status
	default:
		return nil, hall.FieldError("status", `want "", "open" or "replied"`)
	}
	ids, err := s.listByIndex(ctx, s.mkey("feedback", index), true, clampLimit(limit))
	if err != nil {
		return nil, s.wrap("list feedback", err)
	}
	list, err := s.loadFeedback(ctx, ids)
	return list, s.wrap("list feedback", err)
}

// Feedback returns the feedback made from the event with the id.
func (s *Store) Feedback(ctx context.Context, id string) (*hall.Feedback, error) {
	list, err := s.loadFeedback(ctx, []string{id})
	if err != nil {
		return nil, s.wrap("feedback", err)
	}
	if len(list) == 0 {
		return nil, hall.NotFound("feedback", id)
	}
	return list[0], nil
}

// FeedbackByReceipt returns the feedback with the receipt, matched exactly.
func (s *Store) FeedbackByReceipt(ctx context.Context, receipt string) (*hall.Feedback, error) {
	id, err := s.rdb.HGet(ctx, s.mkey("feedback", "receipt"), receipt).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.NotFound("feedback with receipt", receipt)
	}
	if err != nil {
		return nil, s.wrap("feedback by receipt", err)
	}
	f, err := s.Feedback(ctx, id)
	if hall.IsCode(err, hall.ENotFound) {
		return nil, hall.NotFound("feedback with receipt", receipt)
	}
	return f, err
}

// ReplyFeedback stores staff's reply, replacing any earlier one, and marks
// the feedback replied.
func (s *Store) ReplyFeedback(ctx context.Context, id string, r *hall.Reply) error {
	if r == nil {
		return hall.FieldError("reply", "required")
	}
	docs, replies := s.mkey("feedback"), s.mkey("feedback", "reply")
	return s.update(ctx, "reply to feedback", []string{docs, replies}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		var doc feedbackRec
		ok, err := hgetJSON(ctx, tx, docs, id, &doc)
		if err != nil || !ok {
			return nil, orNotFound(err, "feedback", id)
		}
		var old hall.Reply
		replied, err := hgetJSON(ctx, tx, replies, id, &old)
		if err != nil {
			return nil, err
		}
		reply := *r
		reply.At = reply.At.UTC()
		m := lexMember(doc.At, id)
		return func(p goredis.Pipeliner) {
			p.HSet(ctx, replies, id, mustJSON(&reply))
			p.ZRem(ctx, s.mkey("feedback", statusOpen), m)
			p.ZAdd(ctx, s.mkey("feedback", statusReplied), goredis.Z{Member: m})
			if replied && old.Public {
				p.ZRem(ctx, s.mkey("feedback", "public"), lexMember(old.At, id))
			}
			if reply.Public {
				p.ZAdd(ctx, s.mkey("feedback", "public"), goredis.Z{Member: lexMember(reply.At, id)})
			}
		}, nil
	})
}

// PublicReplies returns the feedback whose reply is public, newest reply
// first (then id, descending); limit is clamped as in ListFeedback.
func (s *Store) PublicReplies(ctx context.Context, limit int) ([]*hall.Feedback, error) {
	ids, err := s.listByIndex(ctx, s.mkey("feedback", "public"), true, clampLimit(limit))
	if err != nil {
		return nil, s.wrap("public replies", err)
	}
	list, err := s.loadFeedback(ctx, ids)
	return list, s.wrap("public replies", err)
}

// loadCases reads cases by id, in the order given; missing ids are skipped.
func (s *Store) loadCases(ctx context.Context, ids []string) ([]*hall.Case, error) {
	out := []*hall.Case{}
	if len(ids) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	docs := pipe.HMGet(ctx, s.mkey("case"), ids...)
	res := pipe.HMGet(ctx, s.mkey("case", "res"), ids...)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	for i, id := range ids {
		doc, ok := docs.Val()[i].(string)
		if !ok {
			continue
		}
		var r caseRec
		if err := json.Unmarshal([]byte(doc), &r); err != nil {
			return nil, fmt.Errorf("case %q: %w", id, err)
		}
		c := &hall.Case{ID: id, ScreenID: r.ScreenID, Subject: r.Subject, Level: r.Level, At: r.At.UTC(), Status: statusOpen}
		if r.Aspects != "" {
			c.Aspects = json.RawMessage(r.Aspects)
		}
		if raw, ok := res.Val()[i].(string); ok {
			var rr resolutionRec
			if err := json.Unmarshal([]byte(raw), &rr); err != nil {
				return nil, fmt.Errorf("resolution of case %q: %w", id, err)
			}
			at := rr.At.UTC()
			c.Status, c.ResolvedBy, c.ResolvedAt, c.Note = statusResolved, rr.By, &at, rr.Note
		}
		out = append(out, c)
	}
	return out, nil
}

// ListCases returns cases with the status ("" for any: open, resolved),
// oldest first by At, then id; limit is clamped as in ListFeedback.
func (s *Store) ListCases(ctx context.Context, status string, limit int) ([]*hall.Case, error) {
	index := "all"
	switch status {
	case "":
	case statusOpen, statusResolved:
		index = status
	default:
		return nil, hall.FieldError("status", `want "", "open" or "resolved"`)
	}
	ids, err := s.listByIndex(ctx, s.mkey("case", index), false, clampLimit(limit))
	if err != nil {
		return nil, s.wrap("list cases", err)
	}
	list, err := s.loadCases(ctx, ids)
	return list, s.wrap("list cases", err)
}

// Case returns the case opened by the rating event with the id.
func (s *Store) Case(ctx context.Context, id string) (*hall.Case, error) {
	list, err := s.loadCases(ctx, []string{id})
	if err != nil {
		return nil, s.wrap("case", err)
	}
	if len(list) == 0 {
		return nil, hall.NotFound("case", id)
	}
	return list[0], nil
}

// ResolveCase closes an open case; EConflict when it is resolved already.
func (s *Store) ResolveCase(ctx context.Context, id, by, note string, at time.Time) error {
	docs, res := s.mkey("case"), s.mkey("case", "res")
	return s.update(ctx, "resolve case", []string{docs, res}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		var doc caseRec
		ok, err := hgetJSON(ctx, tx, docs, id, &doc)
		if err != nil || !ok {
			return nil, orNotFound(err, "case", id)
		}
		if ok, err := tx.HExists(ctx, res, id).Result(); err != nil || ok {
			return nil, orConflict(err, "case %q is resolved already", id)
		}
		m := lexMember(doc.At, id)
		return func(p goredis.Pipeliner) {
			p.HSet(ctx, res, id, mustJSON(resolutionRec{By: by, At: at.UTC(), Note: note}))
			p.ZRem(ctx, s.mkey("case", statusOpen), m)
			p.ZAdd(ctx, s.mkey("case", statusResolved), goredis.Z{Member: m})
		}, nil
	})
}
