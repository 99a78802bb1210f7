package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

var (
	_ hall.Dumper = (*Store)(nil)
	_ hall.Loader = (*Store)(nil)
)

// emit calls fn with recs in batches of hall.DumpBatch, each made by set.
func emit[T any](kind string, recs []T, set func(b *hall.Batch, part []T), fn func(*hall.Batch) error) error {
	for start := 0; start < len(recs); start += hall.DumpBatch {
		b := &hall.Batch{Kind: kind}
		set(b, recs[start:min(start+hall.DumpBatch, len(recs))])
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// hashRecords reads every field of a hash of records, by field.
func hashRecords[T any](ctx context.Context, s *Store, key string, dec func(string) (T, error)) ([]T, error) {
	m, err := s.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, err
	}
	fields := make([]string, 0, len(m))
	for f := range m {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	out := make([]T, 0, len(fields))
	for _, f := range fields {
		v, err := dec(m[f])
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", key, f, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// sortedFields returns the fields of a hash, sorted.
func (s *Store) sortedFields(ctx context.Context, key string) ([]string, error) {
	fields, err := s.rdb.HKeys(ctx, key).Result()
	slices.Sort(fields)
	return fields, err
}

// Dump streams every record (see hall.Dumper); events come shard by
// shard, each shard's by kind and time received. Redis has no snapshot to
// read from: stop the servers writing to the prefix first, or the dump may
// catch some writes and miss others.
func (s *Store) Dump(ctx context.Context, fn func(*hall.Batch) error) error {
	for _, kind := range hall.DumpKinds {
		if err := s.dumpKind(ctx, kind, fn); err != nil {
			return s.wrap("dump "+kind, err)
		}
	}
	return nil
}

func (s *Store) dumpKind(ctx context.Context, kind string, fn func(*hall.Batch) error) error {
	switch kind {
	case hall.KindUsers:
		v, err := hashRecords(ctx, s, s.mkey("users"), decUser)
		if err != nil {
			return err
		}
		return emit(kind, v, func(b *hall.Batch, p []*hall.User) { b.Users = p }, fn)
	case hall.KindTokens:
		v, err := hashRecords(ctx, s, s.mkey("tokens"), decToken)
		if err != nil {
			return err
		}
		return emit(kind, v, func(b *hall.Batch, p []*hall.APIToken) { b.Tokens = p }, fn)
	case hall.KindDepartments:
		v, err := s.ListDepartments(ctx)
		if err != nil {
			return err
		}
		slices.SortFunc(v, func(a, b *hall.Department) int { return strings.Compare(a.Key, b.Key) })
		return emit(kind, v, func(b *hall.Batch, p []*hall.Department) { b.Departments = p }, fn)
	case hall.KindHalls:
		v, err := s.ListHalls(ctx)
		if err != nil {
			return err
		}
		slices.SortFunc(v, func(a, b *hall.Hall) int { return strings.Compare(a.ID, b.ID) })
		return emit(kind, v, func(b *hall.Batch, p []*hall.Hall) { b.Halls = p }, fn)
	case hall.KindCategories:
		v, err := s.ListCategories(ctx)
		if err != nil {
			return err
		}
		slices.SortFunc(v, func(a, b *hall.Category) int { return strings.Compare(a.Key, b.Key) })
		return emit(kind, v, func(b *hall.Batch, p []*hall.Category) { b.Categories = p }, fn)
	case hall.KindMatters:
		v, err := s.ListMatters(ctx)
		if err != nil {
			return err
		}
		slices.SortFunc(v, func(a, b *hall.Matter) int { return strings.Compare(a.ID, b.ID) })
		return emit(kind, v, func(b *hall.Batch, p []*hall.Matter) { b.Matters = p }, fn)
	case hall.KindCalendar:
		years, err := s.CalendarYears(ctx)
		if err != nil {
			return err
		}
		var v []*hall.CalendarYear
		for y, doc := range years {
			v = append(v, &hall.CalendarYear{Year: y, Doc: doc})
		}
		slices.SortFunc(v, func(a, b *hall.CalendarYear) int { return cmp.Compare(a.Year, b.Year) })
		return emit(kind, v, func(b *hall.Batch, p []*hall.CalendarYear) { b.Calendar = p }, fn)
	case hall.KindSettings:
		docs, err := s.Settings(ctx)
		if err != nil {
			return err
		}
		var v []*hall.Setting
		for k, doc := range docs {
			v = append(v, &hall.Setting{Key: k, Doc: doc})
		}
		slices.SortFunc(v, func(a, b *hall.Setting) int { return strings.Compare(a.Key, b.Key) })
		return emit(kind, v, func(b *hall.Batch, p []*hall.Setting) { b.Settings = p }, fn)
	case hall.KindItems:
		ids, err := s.sortedFields(ctx, s.mkey("items", "idx"))
		if err != nil {
			return err
		}
		for start := 0; start < len(ids); start += hall.DumpBatch {
			b := &hall.Batch{Kind: kind}
			err := s.eachItem(ctx, ids[start:min(start+hall.DumpBatch, len(ids))], func(it *hall.Item) bool {
				b.Items = append(b.Items, it)
				return true
			})
			if err != nil {
				return err
			}
			if err := fn(b); err != nil {
				return err
			}
		}
		return nil
	case hall.KindArchive:
		size, err := s.ArchiveSize(ctx)
		if err != nil {
			return err
		}
		for from := int64(0); from < size; from += hall.DumpBatch {
			v, err := s.ArchiveEntries(ctx, from, from+hall.DumpBatch)
			if err != nil {
				return err
			}
			if err := fn(&hall.Batch{Kind: kind, Archive: v}); err != nil {
				return err
			}
		}
		return nil
	case hall.KindCheckpoints:
		v, err := s.Checkpoints(ctx)
		if err != nil {
			return err
		}
		return emit(kind, v, func(b *hall.Batch, p []*hall.Checkpoint) { b.Checkpoints = p }, fn)
	case hall.KindScreens:
		v, err := hashRecords(ctx, s, s.mkey("screens"), decScreen)
		if err != nil {
			return err
		}
		return emit(kind, v, func(b *hall.Batch, p []*hall.Screen) { b.Screens = p }, fn)
	case hall.KindPairings:
		v, err := hashRecords(ctx, s, s.mkey("pairings"), decPairing)
		if err != nil {
			return err
		}
		return emit(kind, v, func(b *hall.Batch, p []*hall.Pairing) { b.Pairings = p }, fn)
	case hall.KindPlaylists:
		v, err := s.ListPlaylists(ctx)
		if err != nil {
			return err
		}
		slices.SortFunc(v, func(a, b *hall.Playlist) int { return strings.Compare(a.ID, b.ID) })
		return emit(kind, v, func(b *hall.Batch, p []*hall.Playlist) { b.Playlists = p }, fn)
	case hall.KindSchedules:
		v, err := s.ListSchedules(ctx)
		if err != nil {
			return err
		}
		slices.SortFunc(v, func(a, b *hall.Schedule) int { return strings.Compare(a.ID, b.ID) })
		return emit(kind, v, func(b *hall.Batch, p []*hall.Schedule) { b.Schedules = p }, fn)
	case hall.KindInterrupts:
		v, err := hashRecords(ctx, s, s.mkey("interrupts"), decInterrupt)
		if err != nil {
			return err
		}
		return emit(kind, v, func(b *hall.Batch, p []*hall.Interrupt) { b.Interrupts = p }, fn)
	case hall.KindMedia:
		v, err := hashRecords(ctx, s, s.mkey("media"), decJSON[hall.Media])
		if err != nil {
			return err
		}
		return emit(kind, v, func(b *hall.Batch, p []*hall.Media) { b.Media = p }, fn)
	case hall.KindEvents:
		return s.dumpEvents(ctx, fn)
	case hall.KindFeedback:
		return s.dumpByIndex(ctx, s.mkey("feedback", "all"), func(ids []string) error {
			v, err := s.loadFeedback(ctx, ids)
			if err != nil || len(v) == 0 {
				return err
			}
			return fn(&hall.Batch{Kind: kind, Feedback: v})
		})
	case hall.KindCases:
		return s.dumpByIndex(ctx, s.mkey("case", "all"), func(ids []string) error {
			v, err := s.loadCases(ctx, ids)
			if err != nil || len(v) == 0 {
				return err
			}
			return fn(&hall.Batch{Kind: kind, Cases: v})
		})
	case hall.KindAudit:
		return s.dumpAudit(ctx, fn)
	}
	return fmt.Errorf("redisstore: dump: unknown kind %q", kind)
}

// dumpByIndex calls page with the ids of a lexMember index, oldest first,
// a page of hall.DumpBatch at a time.
func (s *Store) dumpByIndex(ctx context.Context, key string, page func(ids []string) error) error {
	for start := int64(0); ; start += hall.DumpBatch {
		members, err := s.rdb.ZRange(ctx, key, start, start+hall.DumpBatch-1).Result()
		if err != nil {
			return err
		}
		ids := make([]string, len(members))
		for i, m := range members {
			ids[i] = lexID(m)
		}
		if err := page(ids); err != nil {
			return err
		}
		if len(members) < hall.DumpBatch {
			return nil
		}
	}
}

// dumpAudit emits the audit log by id, reading ids 1 to the sequence's
// value a page at a time (ids of entries never written are skipped).
func (s *Store) dumpAudit(ctx context.Context, fn func(*hall.Batch) error) error {
	last, err := s.rdb.Get(ctx, s.mkey("audit", "seq")).Int64()
	if errors.Is(err, goredis.Nil) {
		return nil
	}
	if err != nil {
		return err
	}
	for from := int64(1); from <= last; from += hall.DumpBatch {
		ids := make([]string, 0, hall.DumpBatch)
		for id := from; id < from+hall.DumpBatch && id <= last; id++ {
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		docs, err := s.rdb.HMGet(ctx, s.mkey("audit"), ids...).Result()
		if err != nil {
			return err
		}
		b := &hall.Batch{Kind: hall.KindAudit}
		for i, d := range docs {
			raw, ok := d.(string)
			if !ok {
				continue
			}
			var doc auditDoc
			if err := json.Unmarshal([]byte(raw), &doc); err != nil {
				return fmt.Errorf("redisstore: audit entry %s: %w", ids[i], err)
			}
			b.Audit = append(b.Audit, &hall.AuditEntry{ID: from + int64(i), At: doc.At.UTC(), Actor: doc.Actor,
				Action: doc.Action, Target: doc.Target, Detail: doc.Detail, RemoteIP: doc.RemoteIP})
		}
		if len(b.Audit) > 0 {
			if err := fn(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// eventKinds are the kinds InsertEvents indexes by time received.
var eventKinds = []string{hall.EventFeedback, hall.EventImpression, hall.EventRating, hall.EventView}

// dumpEvents emits the events shard by shard, and in a shard kind by kind
// by time received (then id), reading each kind's index a page at a time,
// so a dump holds one batch in memory, not every event. A shard holding
// events outside those indexes (none should) is read whole and sorted.
func (s *Store) dumpEvents(ctx context.Context, fn func(*hall.Batch) error) error {
	b := &hall.Batch{Kind: hall.KindEvents}
	flush := func(force bool) error {
		if len(b.Events) == 0 || (!force && len(b.Events) < hall.DumpBatch) {
			return nil
		}
		err := fn(b)
		b = &hall.Batch{Kind: hall.KindEvents}
		return err
	}
	for shard := range eventShards {
		total, err := s.rdb.HLen(ctx, s.ekey(shard, "ev")).Result()
		if err != nil {
			return err
		}
		var indexed int64
		for _, kind := range eventKinds {
			n, err := s.rdb.ZCard(ctx, s.ekey(shard, "rx", kind)).Result()
			if err != nil {
				return err
			}
			indexed += n
		}
		if indexed != total {
			all, err := s.shardEvents(ctx, shard)
			if err != nil {
				return err
			}
			for _, e := range all {
				b.Events = append(b.Events, e)
				if err := flush(false); err != nil {
					return err
				}
			}
			continue
		}
		for _, kind := range eventKinds {
			key := s.ekey(shard, "rx", kind)
			for start := int64(0); ; start += hall.DumpBatch {
				ids, err := s.rdb.ZRange(ctx, key, start, start+hall.DumpBatch-1).Result()
				if err != nil {
					return err
				}
				events, err := s.loadEvents(ctx, shard, ids)
				if err != nil {
					return err
				}
				for _, e := range events {
					b.Events = append(b.Events, e)
					if err := flush(false); err != nil {
						return err
					}
				}
				if len(ids) < hall.DumpBatch {
					break
				}
			}
		}
	}
	return flush(true)
}

// shardEvents reads every event of a shard, by time received, then id.
func (s *Store) shardEvents(ctx context.Context, shard int) ([]*hall.Event, error) {
	var all []*hall.Event
	var cursor uint64
	for {
		kv, next, err := s.rdb.HScan(ctx, s.ekey(shard, "ev"), cursor, "", 1000).Result()
		if err != nil {
			return nil, err
		}
		for i := 0; i+1 < len(kv); i += 2 {
			e, err := decEvent(kv[i], kv[i+1])
			if err != nil {
				return nil, fmt.Errorf("redisstore: dump events: %w", err)
			}
			all = append(all, e)
		}
		if next == 0 {
			break
		}
		cursor = next
	}
	slices.SortFunc(all, func(a, b *hall.Event) int {
		return cmp.Or(a.ReceivedAt.Compare(b.ReceivedAt), strings.Compare(a.ID, b.ID))
	})
	// HSCAN may return a field twice; keep one.
	return slices.CompactFunc(all, func(a, b *hall.Event) bool { return a.ID == b.ID }), nil
}

// globEscape escapes the glob characters of SCAN's MATCH.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CheckEmpty returns EConflict when any key under the prefix exists but
// the settings Open itself records.
func (s *Store) CheckEmpty(ctx context.Context) error {
	settings := s.mkey("settings")
	var found []string
	scan := func(ctx context.Context, c goredis.Cmdable) error {
		var cursor uint64
		for len(found) < 3 {
			keys, next, err := c.Scan(ctx, cursor, globEscape(s.prefix)+"*", 1000).Result()
			if err != nil {
				return err
			}
			for _, k := range keys {
				if k != settings && len(found) < 3 {
					found = append(found, k)
				}
			}
			if next == 0 {
				break
			}
			cursor = next
		}
		return nil
	}
	var err error
	if c, ok := s.rdb.(*goredis.ClusterClient); ok {
		var mu sync.Mutex // ForEachMaster runs the masters at once
		err = c.ForEachMaster(ctx, func(ctx context.Context, m *goredis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return scan(ctx, m)
		})
	} else {
		err = scan(ctx, s.rdb)
	}
	if err != nil {
		return s.wrap("check empty", err)
	}
	if len(found) > 0 {
		return hall.Errorf(hall.EConflict, "the Redis store is not empty: keys exist under the prefix %q (for example %s)",
			s.prefix, strings.Join(found, ", "))
	}
	return nil
}

// Load stores a batch as it is (see hall.Loader): items, archive leaves,
// feedback, cases and audit entries with writes of their own, one MULTI/EXEC per
// batch; the other kinds through the store's own methods.
func (s *Store) Load(ctx context.Context, b *hall.Batch) error {
	switch b.Kind {
	case hall.KindItems:
		return s.write(ctx, "load items", func(p goredis.Pipeliner) {
			for _, it := range b.Items {
				s.queueItem(ctx, p, it)
			}
		})
	case hall.KindArchive:
		return s.loadArchive(ctx, b.Archive)
	case hall.KindFeedback:
		return s.loadFeedbackBatch(ctx, b.Feedback)
	case hall.KindCases:
		return s.write(ctx, "load cases", func(p goredis.Pipeliner) {
			for _, c := range b.Cases {
				p.HSet(ctx, s.mkey("case"), c.ID, mustJSON(caseRec{ScreenID: c.ScreenID, Subject: c.Subject,
					Level: c.Level, Aspects: string(c.Aspects), At: c.At.UTC()}))
				m := lexMember(c.At, c.ID)
				p.ZAdd(ctx, s.mkey("case", "all"), goredis.Z{Member: m})
				if c.ResolvedAt == nil {
					p.ZAdd(ctx, s.mkey("case", statusOpen), goredis.Z{Member: m})
					continue
				}
				p.HSet(ctx, s.mkey("case", "res"), c.ID, mustJSON(resolutionRec{By: c.ResolvedBy, At: c.ResolvedAt.UTC(), Note: c.Note}))
				p.ZRem(ctx, s.mkey("case", statusOpen), m)
				p.ZAdd(ctx, s.mkey("case", statusResolved), goredis.Z{Member: m})
			}
		})
	case hall.KindAudit:
		return s.write(ctx, "load audit", func(p goredis.Pipeliner) {
			var last int64
			for _, e := range b.Audit {
				keys, args := s.auditArgs(e)
				m := encTime(e.At) + "|" + fmt.Sprintf("%019d", e.ID)
				p.HSet(ctx, keys[1], e.ID, args[1])
				for _, k := range keys[2:] {
					p.ZAdd(ctx, k, goredis.Z{Member: m})
				}
				last = max(last, e.ID)
			}
			if last > 0 {
				p.Set(ctx, s.mkey("audit", "seq"), last, 0)
			}
		})
	}
	ok, err := hall.LoadCommon(ctx, s, b)
	if !ok {
		return fmt.Errorf("redisstore: load: unknown kind %q", b.Kind)
	}
	if err != nil {
		return fmt.Errorf("redisstore: %w", err)
	}
	return nil
}

// loadArchive appends the leaves, which must continue the archive.
func (s *Store) loadArchive(ctx context.Context, entries []*hall.ArchiveEntry) error {
	if len(entries) == 0 {
		return nil
	}
	size, err := s.ArchiveSize(ctx)
	if err != nil {
		return err
	}
	for i, e := range entries {
		if e.Index != size+int64(i) {
			return fmt.Errorf("redisstore: load archive: leaf %d comes where leaf %d belongs", e.Index, size+int64(i))
		}
	}
	return s.write(ctx, "load archive", func(p goredis.Pipeliner) {
		for _, e := range entries {
			field := strconv.FormatInt(e.Index, 10)
			p.HSet(ctx, s.mkey("archive"), field,
				mustJSON(entryRec{Kind: e.Kind, ItemID: e.ItemID, Revision: e.Revision, At: e.At.UTC(), Leaf: e.Leaf,
					Content: e.Content, Salt: e.Salt}))
			p.RPush(ctx, s.mkey("archive", "item", e.ItemID), e.Index)
			if e.Kind == hall.EntryPublish {
				p.HSet(ctx, s.mkey("archive", "pub"), e.ItemID+"#"+strconv.Itoa(e.Revision), e.Index)
			}
		}
		p.Set(ctx, s.mkey("archive", "size"), entries[len(entries)-1].Index+1, 0)
	})
}

// loadFeedbackBatch gives each feedback its dumped receipt and reply (the
// events loaded before made it, with a receipt of their own choosing).
func (s *Store) loadFeedbackBatch(ctx context.Context, fs []*hall.Feedback) error {
	if len(fs) == 0 {
		return nil
	}
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	old, err := s.rdb.HMGet(ctx, s.mkey("feedback", "rcpt"), ids...).Result()
	if err != nil {
		return s.wrap("load feedback", err)
	}
	return s.write(ctx, "load feedback", func(p goredis.Pipeliner) {
		for i, f := range fs {
			p.HSet(ctx, s.mkey("feedback"), f.ID, mustJSON(feedbackRec{ScreenID: f.ScreenID, ItemID: f.ItemID,
				Topic: f.Topic, Text: f.Text, Contact: f.Contact, At: f.At.UTC()}))
			if r, ok := old[i].(string); ok && r != f.Receipt {
				p.HDel(ctx, s.mkey("feedback", "receipt"), r)
			}
			p.HSet(ctx, s.mkey("feedback", "receipt"), f.Receipt, f.ID)
			p.HSet(ctx, s.mkey("feedback", "rcpt"), f.ID, f.Receipt)
			m := lexMember(f.At, f.ID)
			p.ZAdd(ctx, s.mkey("feedback", "all"), goredis.Z{Member: m})
			if f.Reply == nil {
				p.ZAdd(ctx, s.mkey("feedback", statusOpen), goredis.Z{Member: m})
				continue
			}
			reply := *f.Reply
			reply.At = reply.At.UTC()
			p.HSet(ctx, s.mkey("feedback", "reply"), f.ID, mustJSON(&reply))
			p.ZRem(ctx, s.mkey("feedback", statusOpen), m)
			p.ZAdd(ctx, s.mkey("feedback", statusReplied), goredis.Z{Member: m})
			if reply.Public {
				p.ZAdd(ctx, s.mkey("feedback", "public"), goredis.Z{Member: lexMember(reply.At, f.ID)})
			}
		}
	})
}
