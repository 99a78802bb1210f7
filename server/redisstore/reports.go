package redisstore

import (
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

// Engagement is answered from counters, not events. Each shard keeps, for
// every UTC day, hour and quarter hour, the sums of the events whose time
// falls in it, by item, by screen and in total (see events.go). A report
// over [from, to) cuts the span at from, to and, by day, at each local
// midnight; each piece is covered by the largest whole buckets that fit,
// and only what is left at a cut that falls inside a quarter hour (a
// report to "now", a zone whose offset is not a whole quarter hour) is
// read from the events themselves, through the shard's index by event
// time. A year by item reads a few hundred counter hashes per shard; by
// day in UTC+8, one per hour.

// Metric letters, the first byte of a counter's field.
const (
	mImpressions  = 'a'
	mImpressionMS = 'b'
	mViews        = 'c'
	mDwellMS      = 'd'
	mRatings      = 'e'
	mRatingSum    = 'f'
	mLevel1       = 'g' // … mLevel1+4 for level 5
	mPoor         = 'l'
	mMisuse       = 'm'
	mFeedback     = 'n'
)

// contribution is what one event adds to one metric.
type contribution struct {
	code byte
	n    int64
}

// contributions returns what an event adds to its groups' rows; none for
// kinds the report does not count. Ratings flagged as misuse count only
// as misuse.
func contributions(e *hall.Event) []contribution {
	var out []contribution
	add := func(code byte, n int64) {
		if n != 0 {
			out = append(out, contribution{code, n})
		}
	}
	switch e.Kind {
	case hall.EventImpression:
		add(mImpressions, 1)
		add(mImpressionMS, e.DurationMS)
	case hall.EventView:
		add(mViews, 1)
		add(mDwellMS, e.DwellMS)
	case hall.EventRating:
		if e.Misuse {
			add(mMisuse, 1)
			break
		}
		add(mRatings, 1)
		add(mRatingSum, int64(e.Level))
		if e.Level >= 1 && e.Level <= 5 {
			add(mLevel1+byte(e.Level-1), 1)
		}
		if e.Level <= hall.PoorLevel {
			add(mPoor, 1)
		}
	case hall.EventFeedback:
		add(mFeedback, 1)
	}
	return out
}

// addMetric adds n to the metric of a row.
func addMetric(r *hall.EngagementRow, code byte, n int64) {
	switch {
	case code == mImpressions:
		r.Impressions += n
	case code == mImpressionMS:
		r.ImpressionMS += n
	case code == mViews:
		r.Views += n
	case code == mDwellMS:
		r.DwellMS += n
	case code == mRatings:
		r.Ratings += n
	case code == mRatingSum:
		r.RatingSum += n
	case code >= mLevel1 && code < mLevel1+5:
		r.Levels[code-mLevel1] += n
	case code == mPoor:
		r.Poor += n
	case code == mMisuse:
		r.Misuse += n
	case code == mFeedback:
		r.Feedback += n
	}
}

// eventItem is the item an event concerns: a rating names it in its
// subject ("item:<id>"; other subjects, such as "service:hall", stand for
// themselves), every other kind in ItemID.
func eventItem(e *hall.Event) string {
	if e.Kind == hall.EventRating {
		if id, ok := strings.CutPrefix(e.Subject, "item:"); ok {
			return id
		}
		return e.Subject
	}
	return e.ItemID
}

// bucket levels, largest first: UTC days, hours, quarter hours.
var levels = []struct {
	name string
	size int64 // seconds
}{{"d", 86400}, {"h", 3600}, {"q", 900}}

// bucket is one counter period: level index and number since the epoch.
type bucket struct {
	level int
	n     int64
}

func (b bucket) String() string { return levels[b.level].name + ":" + strconv.FormatInt(b.n, 10) }

// bucketsOf returns the buckets of every level holding t.
func bucketsOf(t time.Time) []bucket {
	out := make([]bucket, len(levels))
	for i, l := range levels {
		out[i] = bucket{i, floorDiv(t.Unix(), l.size)}
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// piece is a part of a report's span: a whole bucket, or, when raw, the
// events in [from, to). day is the local date it belongs to (by day).
type piece struct {
	raw      bool
	b        bucket
	from, to time.Time
	day      string
}

// pieces covers [from, to) with whole buckets, cut at local midnights
// when byDay, the remainders raw.
func pieces(from, to time.Time, byDay bool, offsetS int) []piece {
	var out []piece
	off := time.Duration(offsetS) * time.Second
	dayOf := func(t time.Time) string { return t.Add(off).UTC().Format("2006-01-02") }
	for a := from; a.Before(to); {
		b := to
		if byDay {
			d := floorDiv(a.Unix()+int64(offsetS), 86400)
			if next := time.Unix((d+1)*86400-int64(offsetS), 0); next.Before(b) {
				b = next
			}
		}
		out = append(out, cover(a, b, dayOf(a))...)
		a = b
	}
	return out
}

// cover covers [a, b) with whole buckets, largest first, and raw pieces
// where a or b falls inside a quarter hour.
func cover(a, b time.Time, day string) []piece {
	q := levels[len(levels)-1].size
	var out []piece
	start := a
	if a.Nanosecond() != 0 || floorDiv(a.Unix(), q)*q != a.Unix() {
		start = time.Unix((floorDiv(a.Unix(), q)+1)*q, 0)
	}
	end := time.Unix(floorDiv(b.Unix(), q)*q, 0)
	if !start.Before(end) {
		return []piece{{raw: true, from: a, to: b, day: day}}
	}
	if a.Before(start) {
		out = append(out, piece{raw: true, from: a, to: start, day: day})
	}
	for t, stop := start.Unix(), end.Unix(); t < stop; {
		for i, l := range levels {
			if t%l.size == 0 && t+l.size <= stop {
				out = append(out, piece{b: bucket{i, t / l.size}, day: day})
				t += l.size
				break
			}
		}
	}
	if end.Before(b) {
		out = append(out, piece{raw: true, from: end, to: b, day: day})
	}
	return out
}

// Engagement groups the impressions, views, ratings and feedback whose At
// is in [from, to) (a zero end is open), ordered by key; see the contract
// in server/storetest.
func (s *Store) Engagement(ctx context.Context, from, to time.Time, by string, offsetS int) ([]*hall.EngagementRow, error) {
	group := ""
	switch by {
	case hall.ByItem, hall.ByCategory, hall.ByDepartment:
		group = "i"
	case hall.ByScreen:
		group = "s"
	case hall.ByDay:
		group = "t"
	default:
		return nil, hall.FieldError("by", "want item, category, department, screen or day")
	}
	if from.IsZero() || to.IsZero() {
		first, last, ok, err := s.eventTimeSpan(ctx)
		if err != nil {
			return nil, s.wrap("engagement", err)
		}
		if !ok {
			return []*hall.EngagementRow{}, nil
		}
		if from.IsZero() {
			from = first
		}
		if to.IsZero() {
			to = last
		}
	}
	from, to = from.UTC(), to.UTC()
	rows := map[string]*hall.EngagementRow{}
	row := func(key string) *hall.EngagementRow {
		r := rows[key]
		if r == nil {
			r = &hall.EngagementRow{Key: key}
			rows[key] = r
		}
		return r
	}
	if from.Before(to) {
		ps := pieces(from, to, by == hall.ByDay, offsetS)
		if err := s.sumBuckets(ctx, ps, group, row); err != nil {
			return nil, s.wrap("engagement", err)
		}
		if err := s.sumRaw(ctx, ps, by, row); err != nil {
			return nil, s.wrap("engagement", err)
		}
	}
	if by == hall.ByCategory || by == hall.ByDepartment {
		var err error
		if rows, err = s.byPublished(ctx, rows, by); err != nil {
			return nil, s.wrap("engagement", err)
		}
	}
	out := make([]*hall.EngagementRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *hall.EngagementRow) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// eventTimeSpan returns the earliest event time and a time just after the
// latest, over every shard; false when there are no counted events.
func (s *Store) eventTimeSpan(ctx context.Context) (first, last time.Time, ok bool, err error) {
	pipe := s.rdb.Pipeline()
	lows := make([]*goredis.ZSliceCmd, eventShards)
	highs := make([]*goredis.ZSliceCmd, eventShards)
	for shard := range eventShards {
		lows[shard] = pipe.ZRangeWithScores(ctx, s.ekey(shard, "at"), 0, 0)
		highs[shard] = pipe.ZRevRangeWithScores(ctx, s.ekey(shard, "at"), 0, 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return first, last, false, err
	}
	for shard := range eventShards {
		lo, hi := lows[shard].Val(), highs[shard].Val()
		if len(lo) == 0 || len(hi) == 0 {
			continue
		}
		a, b := time.UnixMicro(int64(lo[0].Score)), time.UnixMicro(int64(hi[0].Score)+1)
		if !ok || a.Before(first) {
			first = a
		}
		if !ok || b.After(last) {
			last = b
		}
		ok = true
	}
	return first.UTC(), last.UTC(), ok, nil
}

// sumBuckets adds the counters of the whole-bucket pieces of every shard,
// read in pipelines of a few thousand hashes.
func (s *Store) sumBuckets(ctx context.Context, ps []piece, group string, row func(string) *hall.EngagementRow) error {
	var whole []piece
	for _, p := range ps {
		if !p.raw {
			whole = append(whole, p)
		}
	}
	type read struct {
		p   piece
		cmd *goredis.MapStringStringCmd
	}
	const batch = 4096
	total := len(whole) * eventShards
	for start := 0; start < total; start += batch {
		pipe := s.rdb.Pipeline()
		reads := make([]read, 0, min(batch, total-start))
		for i := start; i < min(start+batch, total); i++ {
			p, shard := whole[i/eventShards], i%eventShards
			reads = append(reads, read{p, pipe.HGetAll(ctx, s.ekey(shard, "agg", p.b.String(), group))})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
		for _, r := range reads {
			for field, v := range r.cmd.Val() {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil || field == "" {
					return fmt.Errorf("counter %q of %s: %q", field, r.p.b, v)
				}
				key := field[1:]
				if group == "t" {
					key = r.p.day
				}
				addMetric(row(key), field[0], n)
			}
		}
	}
	return nil
}

// sumRaw adds the events of the raw pieces, read from each shard's index
// by event time.
func (s *Store) sumRaw(ctx context.Context, ps []piece, by string, row func(string) *hall.EngagementRow) error {
	for _, p := range ps {
		if !p.raw {
			continue
		}
		for shard := range eventShards {
			ids, err := s.rdb.ZRangeByScore(ctx, s.ekey(shard, "at"), &goredis.ZRangeBy{
				Min: strconv.FormatInt(micros(p.from), 10), Max: strconv.FormatInt(micros(p.to), 10)}).Result()
			if err != nil {
				return err
			}
			es, err := s.loadEvents(ctx, shard, ids)
			if err != nil {
				return err
			}
			for _, e := range es {
				if e.At.Before(p.from) || !e.At.Before(p.to) {
					continue
				}
				var key string
				switch by {
				case hall.ByScreen:
					key = e.ScreenID
				case hall.ByDay:
					key = p.day
				default:
					key = eventItem(e)
				}
				for _, c := range contributions(e) {
					addMetric(row(key), c.code, c.n)
				}
			}
		}
	}
	return nil
}

// byPublished regroups rows by item into rows by the category or
// department of each item's published revision ("" when none).
func (s *Store) byPublished(ctx context.Context, byItem map[string]*hall.EngagementRow, by string) (map[string]*hall.EngagementRow, error) {
	ids := make([]string, 0, len(byItem))
	for id := range byItem {
		ids = append(ids, id)
	}
	raws, err := hmgetStrings(ctx, s.rdb, s.mkey("items", "idx"), ids)
	if err != nil {
		return nil, err
	}
	out := map[string]*hall.EngagementRow{}
	for i, id := range ids {
		key := ""
		if raws[i] != "" {
			var x itemIndex
			if err := json.Unmarshal([]byte(raws[i]), &x); err != nil {
				return nil, fmt.Errorf("item index %q: %w", id, err)
			}
			if x.Pub != nil {
				key = x.Pub.Category
				if by == hall.ByDepartment {
					key = x.Pub.Department
				}
			}
		}
		r := out[key]
		if r == nil {
			r = &hall.EngagementRow{Key: key}
			out[key] = r
		}
		addRow(r, byItem[id])
	}
	return out, nil
}

// addRow adds every count of src to dst.
func addRow(dst, src *hall.EngagementRow) {
	dst.Impressions += src.Impressions
	dst.ImpressionMS += src.ImpressionMS
	dst.Views += src.Views
	dst.DwellMS += src.DwellMS
	dst.Ratings += src.Ratings
	dst.RatingSum += src.RatingSum
	for i := range dst.Levels {
		dst.Levels[i] += src.Levels[i]
	}
	dst.Poor += src.Poor
	dst.Misuse += src.Misuse
	dst.Feedback += src.Feedback
}
