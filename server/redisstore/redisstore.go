// Package redisstore is the scale-out hallcast store: hall.Store on Redis,
// standalone or Cluster, shared by every replica of the server. It also holds
// the primitives replicas share besides storage: a Broker that carries
// hall.Changes between replicas over pub/sub, and screen presence.
//
// # Connecting
//
// Options.URL names the server:
//
//	redis://[user:password@]host:6379/0            one standalone server (database 0)
//	rediss://…                                     the same over TLS
//	redis+cluster://host1:7000?addr=host2:7001&addr=host3:7002
//	rediss+cluster://…                             a Redis Cluster (over TLS)
//
// The "+cluster" scheme is what selects Cluster mode; the rest of a cluster
// URL is go-redis's cluster URL (seed nodes as host and addr parameters,
// options such as dial_timeout as parameters). Either way the store talks
// to Redis through a goredis.UniversalClient.
//
// # Keys and slots
//
// Every key starts with Options.Prefix (default "hallcast:"), which must not
// contain '{' or '}'. After the prefix comes a hash tag that decides the
// Cluster slot:
//
//   - {m}, the metadata slot: users, sessions, tokens, the catalogue, items
//     and their list index, the archive (leaves, size, per-item and
//     per-revision indexes), checkpoints, the calendar, the audit log and
//     its indexes, screens, pairings, playlists, schedules, interrupts,
//     media records, feedback, cases, the LimitStore counters and the
//     store's own settings. Every multi-key write of these is one
//     MULTI/EXEC (or one script) on this slot.
//   - {e0} … {e7}, the event shards. An event goes to the shard of its
//     screen (FNV-1a of the screen id, modulo 8; the count is recorded at
//     the first Open and checked at every later one). A shard holds its
//     events (a hash by id, which is also the idempotency set), per-kind
//     indexes by time received, an index by event time, per-kind counts, the
//     engagement counters of its events and its feedback outbox.
//   - {p}, presence: what each replica reports of the screens it holds.
//
// The broker's channel is <prefix>changes.
//
// # What is atomic
//
// Each metadata write (with the audit entry its context carries, see
// hall.WithAudit) is one MULTI/EXEC: reads are made under WATCH and the
// transaction is retried when a watched key changed, so a write that fails
// leaves no audit entry. A publish (SaveWithEntry) watches the item and the
// archive size: the leaf is written at the next global index, the size,
// the item with its Public.ArchiveIndex, the indexes and the audit entry in
// the same EXEC, so the leaf order is global and gap-free with any number
// of replicas appending at once.
//
// InsertEvents runs one script per shard, all shards in one pipeline. In a
// shard's script each event that is new (its id not in the shard's hash)
// is stored together with its indexes, counts and engagement counters
// (per UTC day, hour and quarter hour, by item, by screen and in total);
// Engagement reads the counters, and events only where a report's window
// or a local midnight cuts a quarter hour (see reports.go), so its cost
// grows with the span reported, not with the events stored. ListEvents
// merges the shards' per-kind indexes by time received.
//
// Feedback and cases live in the metadata slot, so they are made in a
// second step: the shard script
// also puts each new feedback event and each new poor rating (not misuse)
// in the shard's outbox, and returns the outbox entries of the batch; one
// script on the metadata slot then makes the feedback (with its receipt)
// and the cases, keyed by event id, so doing it twice changes nothing;
// last, the outbox entries are deleted. InsertEvents returns only after the
// second step, so when the events are acknowledged their feedback and
// cases are stored too. If the process stops between the steps the events
// are not acknowledged: the screen sends them again, the shard finds them
// stored and hands back their outbox entries, and the second step is done
// then (Open also finishes every outbox it finds). A batch spread over
// several shards is atomic per shard, not as a whole: after an error some
// shards may hold their events, which a resend then finds stored.
//
// # Durability
//
// An event is acknowledged to its screen once InsertEvents returns, and the
// screen then forgets it, so the store must not lose what it acknowledged.
// Redis keeps writes on disk only with its append-only file: Open reads
// appendonly and appendfsync from every master (CONFIG GET, or INFO
// persistence where CONFIG is refused) and refuses a server without AOF
// unless Options.AllowVolatile. Store.Durability says what the settings
// guarantee: with appendfsync always an acknowledged event is on disk;
// with everysec up to about one second of acknowledged events can be lost
// if Redis itself crashes; with no, the operating system decides when to
// write.
//
// # Outages
//
// When Redis cannot be reached every method returns an error with code
// hall.EUnavailable wrapping the cause; the client reconnects by itself and
// the same Store works again once Redis is back.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

// DefaultPrefix is the key prefix when Options.Prefix is empty.
const DefaultPrefix = "hallcast:"

// eventShards is the number of event shards. It is recorded in the
// metadata slot at the first Open: changing it would put a screen's events
// in another shard than the ones stored before.
const eventShards = 8

// Options configure Open.
type Options struct {
	// URL is redis://host:port/db for one server or
	// redis+cluster://host:port?addr=host:port&… for a Cluster (see the
	// package doc).
	URL string
	// Prefix starts every key; DefaultPrefix when empty.
	Prefix string
	// AllowVolatile lets Open accept a Redis without an append-only file,
	// which loses acknowledged events when it restarts (tests, demos).
	AllowVolatile bool
	// Logger receives what the store cannot return as an error; slog's
	// default logger when nil.
	Logger *slog.Logger
}

// Store is hall.Store on Redis.
type Store struct {
	rdb     goredis.UniversalClient
	cluster bool
	prefix  string
	log     *slog.Logger
	dur     Durability
}

var _ hall.Store = (*Store)(nil)

// Open connects to Redis, checks that it keeps what it acknowledges (see
// Durability), records or checks the event shard count and finishes any
// feedback outbox an earlier process left. It fails with an error of code
// hall.EUnavailable when Redis cannot be reached.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if strings.ContainsAny(o.Prefix, "{}") {
		return nil, fmt.Errorf("redisstore: prefix %q: must not contain '{' or '}' (they make Cluster hash tags)", o.Prefix)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	rdb, cluster, err := newClient(o.URL)
	if err != nil {
		return nil, err
	}
	s := &Store{rdb: rdb, cluster: cluster, prefix: o.Prefix, log: o.Logger}
	fail := func(err error) (*Store, error) {
		rdb.Close()
		return nil, err
	}
	if err := s.waitLoaded(ctx, o.URL); err != nil {
		return fail(fmt.Errorf("redisstore: open %s: %w", redactURL(o.URL), err))
	}
	dur, err := s.readDurability(ctx)
	if err != nil {
		return fail(fmt.Errorf("redisstore: open %s: %w", redactURL(o.URL), err))
	}
	if !dur.AppendOnly && !o.AllowVolatile {
		return fail(fmt.Errorf("redisstore: open %s: Redis runs without an append-only file (appendonly no), so it "+
			"would lose acknowledged events and every other write when it restarts: set appendonly yes with "+
			"appendfsync always (or everysec) on every master, or allow a volatile store explicitly", redactURL(o.URL)))
	}
	s.dur = dur
	if err := s.checkShards(ctx); err != nil {
		return fail(err)
	}
	if err := s.drainOutboxes(ctx); err != nil {
		return fail(fmt.Errorf("redisstore: open: finish feedback outboxes: %w", err))
	}
	return s, nil
}

// waitLoaded pings Redis, and while Redis answers LOADING (it is reading
// its append-only file or snapshot after a restart, which takes a while
// for a large one) waits and pings again, until ctx ends. Any other error
// is returned at once.
func (s *Store) waitLoaded(ctx context.Context, url string) error {
	logged := false
	for {
		err := s.Ping(ctx)
		if err == nil || !strings.Contains(err.Error(), "LOADING") {
			return err
		}
		if !logged {
			s.log.Warn("redisstore: Redis is loading its data set; waiting for it", "url", redactURL(url))
			logged = true
		}
		t := time.NewTimer(250 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// newClient makes the client the URL names and says whether it is a
// Cluster client.
func newClient(raw string) (goredis.UniversalClient, bool, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, false, fmt.Errorf("redisstore: URL: %w", err)
	}
	switch u.Scheme {
	case "redis", "rediss":
		opt, err := goredis.ParseURL(raw)
		if err != nil {
			return nil, false, fmt.Errorf("redisstore: URL %s: %w", redactURL(raw), err)
		}
		return goredis.NewClient(opt), false, nil
	case "redis+cluster", "rediss+cluster":
		u.Scheme = strings.TrimSuffix(u.Scheme, "+cluster")
		opt, err := goredis.ParseClusterURL(u.String())
		if err != nil {
			return nil, false, fmt.Errorf("redisstore: URL %s: %w", redactURL(raw), err)
		}
		return goredis.NewClusterClient(opt), true, nil
	}
	return nil, false, fmt.Errorf("redisstore: URL %s: want redis://, rediss://, redis+cluster:// or rediss+cluster://", redactURL(raw))
}

// redactURL returns the URL without its password, for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Prefix returns the key prefix.
func (s *Store) Prefix() string { return s.prefix }

// Client returns the Redis client the store uses.
func (s *Store) Client() goredis.UniversalClient { return s.rdb }

// Close closes the client.
func (s *Store) Close() error {
	if err := s.rdb.Close(); err != nil {
		return fmt.Errorf("redisstore: close: %w", err)
	}
	return nil
}

// Ping checks that Redis answers: the server, or every master of a Cluster.
func (s *Store) Ping(ctx context.Context) error {
	if c, ok := s.rdb.(*goredis.ClusterClient); ok {
		err := c.ForEachMaster(ctx, func(ctx context.Context, m *goredis.Client) error {
			return m.Ping(ctx).Err()
		})
		return s.wrap("ping", err)
	}
	return s.wrap("ping", s.rdb.Ping(ctx).Err())
}

// mkey is a key in the metadata slot.
func (s *Store) mkey(parts ...string) string {
	return s.prefix + "{m}:" + strings.Join(parts, ":")
}

// ekey is a key in an event shard's slot.
func (s *Store) ekey(shard int, parts ...string) string {
	return s.prefix + "{e" + strconv.Itoa(shard) + "}:" + strings.Join(parts, ":")
}

// pkey is a key in the presence slot.
func (s *Store) pkey(parts ...string) string {
	return s.prefix + "{p}:" + strings.Join(parts, ":")
}

// shardOf returns the event shard of a screen.
func shardOf(screenID string) int {
	h := fnv.New32a()
	h.Write([]byte(screenID))
	return int(h.Sum32() % eventShards)
}

// checkShards records the shard count at the first Open and refuses a
// store recorded with another.
func (s *Store) checkShards(ctx context.Context) error {
	key := s.mkey("settings")
	want := strconv.Itoa(eventShards)
	if err := s.rdb.HSetNX(ctx, key, "event_shards", want).Err(); err != nil {
		return s.wrap("open", err)
	}
	got, err := s.rdb.HGet(ctx, key, "event_shards").Result()
	if err != nil {
		return s.wrap("open", err)
	}
	if got != want {
		return fmt.Errorf("redisstore: open: the data under prefix %q was written with %s event shards, this build uses %s", s.prefix, got, want)
	}
	return nil
}

// wrap gives err the store's form: hall errors pass as they are; when Redis
// cannot be reached, an EUnavailable error wrapping the cause; otherwise
// the cause with the operation named.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var he *hall.Error
	if errors.As(err, &he) {
		return err
	}
	if unreachable(err) {
		return fmt.Errorf("%w: %w", hall.Errorf(hall.EUnavailable, "the store cannot be reached (%s); try again", op), err)
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// unreachable reports whether err means Redis could not be reached or could
// not serve the request now (as opposed to a bad request).
func unreachable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, goredis.ErrPoolTimeout) || errors.Is(err, goredis.ErrPoolExhausted) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	if goredis.IsLoadingError(err) || goredis.IsClusterDownError(err) || goredis.IsTryAgainError(err) ||
		goredis.IsMasterDownError(err) || goredis.IsReadOnlyError(err) {
		return true
	}
	msg := err.Error()
	for _, p := range []string{"MISCONF ", "BUSY ", "redis: cluster has no nodes", "redis: all ", "redis: connection pool"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// maxTxAttempts bounds the retries of a watched transaction.
const maxTxAttempts = 200

// update runs a read-check-write transaction on the metadata slot. read
// makes its reads through tx (with keys watched) and returns the writes to
// queue, or an error (a hall error for a refused write). The writes and the
// audit entry ctx carries are queued in one MULTI/EXEC, which is retried
// from the reads when a watched key changed in between.
func (s *Store) update(ctx context.Context, op string, keys []string, read func(tx *goredis.Tx) (func(p goredis.Pipeliner), error)) error {
	for attempt := 0; ; attempt++ {
		var audit *pendingAudit
		err := s.rdb.Watch(ctx, func(tx *goredis.Tx) error {
			write, err := read(tx)
			if err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
				write(p)
				audit = s.queueAudit(ctx, p, hall.AuditFrom(ctx))
				return nil
			})
			return err
		}, keys...)
		if errors.Is(err, goredis.TxFailedErr) {
			if attempt+1 >= maxTxAttempts {
				return fmt.Errorf("redisstore: %s: gave up after %d attempts: other writers kept changing the same records", op, maxTxAttempts)
			}
			if err := sleepJitter(ctx, attempt); err != nil {
				return s.wrap(op, err)
			}
			continue
		}
		if err != nil {
			return s.wrap(op, err)
		}
		return audit.setID()
	}
}

// write queues writes that need no reads, with the audit entry ctx
// carries, in one MULTI/EXEC.
func (s *Store) write(ctx context.Context, op string, write func(p goredis.Pipeliner)) error {
	var audit *pendingAudit
	_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		write(p)
		audit = s.queueAudit(ctx, p, hall.AuditFrom(ctx))
		return nil
	})
	if err != nil {
		return s.wrap(op, err)
	}
	return audit.setID()
}

// sleepJitter waits a little longer after each failed attempt, at random
// so that writers that collided do not collide again.
func sleepJitter(ctx context.Context, attempt int) error {
	ceiling := min(time.Duration(attempt+1)*time.Millisecond, 20*time.Millisecond)
	t := time.NewTimer(rand.N(ceiling) + 50*time.Microsecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// clampLimit applies the default (100) and maximum (1000) page sizes.
func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}

// Times in sortable members are fixed-width RFC 3339 text in UTC with nine
// fractional digits, so comparing the text compares the times.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func encTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// lexMember is a member of a lexicographically ordered index: the time,
// then the id, so the index orders by time, then id.
func lexMember(t time.Time, id string) string { return encTime(t) + "|" + id }

// lexID returns the id of a lexMember.
func lexID(m string) string {
	_, id, _ := strings.Cut(m, "|")
	return id
}

// utcPtr returns a copy of *t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
