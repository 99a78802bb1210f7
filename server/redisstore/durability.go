package redisstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"
)

// Durability is what Redis promises about writes it has acknowledged, read
// at Open from every master. In a Cluster it is the weakest master's.
type Durability struct {
	// AppendOnly reports whether every master keeps an append-only file.
	AppendOnly bool
	// FSync is the appendfsync policy: "always", "everysec", "no", or
	// "unknown" when CONFIG is refused and only INFO could be read.
	FSync string
	// Guarantee says in plain words what survives a crash.
	Guarantee string
}

// fsync policies from strongest to weakest.
var fsyncOrder = []string{"always", "everysec", "unknown", "no"}

// guarantee returns the plain words for an append-only setting.
func guarantee(appendOnly bool, fsync string) string {
	if !appendOnly {
		return "volatile: Redis keeps no append-only file, so everything written since its last snapshot " +
			"(all of it, without snapshots), acknowledged events included, is lost when Redis restarts"
	}
	switch fsync {
	case "always":
		return "always: an acknowledged event is on disk"
	case "everysec":
		return "everysec: up to about one second of acknowledged events can be lost if Redis itself crashes"
	case "no":
		return "no: the operating system decides when the append-only file reaches the disk, so acknowledged " +
			"events of the last several seconds (often about 30) can be lost if the machine crashes"
	}
	return "unknown: the append-only file is on, but its fsync policy could not be read (CONFIG is refused); " +
		"with appendfsync always an acknowledged event is on disk, with everysec up to about a second can be lost"
}

// Durability returns what Redis promises about acknowledged writes, as read
// at Open.
func (s *Store) Durability() Durability { return s.dur }

// readDurability reads the persistence settings of the server, or of
// every master of a Cluster, and returns the weakest.
func (s *Store) readDurability(ctx context.Context) (Durability, error) {
	var (
		mu    sync.Mutex
		nodes []Durability
	)
	read := func(ctx context.Context, c *goredis.Client) error {
		d, err := nodeDurability(ctx, c)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Options().Addr, err)
		}
		mu.Lock()
		nodes = append(nodes, d)
		mu.Unlock()
		return nil
	}
	var err error
	switch c := s.rdb.(type) {
	case *goredis.ClusterClient:
		err = c.ForEachMaster(ctx, read)
	case *goredis.Client:
		err = read(ctx, c)
	default:
		err = fmt.Errorf("client of type %T", s.rdb)
	}
	if err != nil {
		return Durability{}, s.wrap("read persistence settings", err)
	}
	if len(nodes) == 0 {
		return Durability{}, fmt.Errorf("redisstore: read persistence settings: no master answered")
	}
	d := Durability{AppendOnly: true, FSync: "always"}
	for _, n := range nodes {
		d.AppendOnly = d.AppendOnly && n.AppendOnly
		if weaker(n.FSync, d.FSync) {
			d.FSync = n.FSync
		}
	}
	d.Guarantee = guarantee(d.AppendOnly, d.FSync)
	return d, nil
}

// weaker reports whether fsync policy a promises less than b.
func weaker(a, b string) bool {
	rank := func(p string) int {
		if i := slices.Index(fsyncOrder, p); i >= 0 {
			return i
		}
		return len(fsyncOrder)
	}
	return rank(a) > rank(b)
}

// nodeDurability reads one server's settings: CONFIG GET, or where CONFIG
// is refused (managed services often rename it), INFO persistence, which
// says whether the append-only file is on but not its fsync policy.
func nodeDurability(ctx context.Context, c *goredis.Client) (Durability, error) {
	cfg, err := c.ConfigGet(ctx, "append*").Result()
	if err == nil {
		d := Durability{AppendOnly: cfg["appendonly"] == "yes", FSync: cfg["appendfsync"]}
		if d.FSync == "" {
			d.FSync = "unknown"
		}
		return d, nil
	}
	if unreachable(err) {
		return Durability{}, err
	}
	info, ierr := c.Info(ctx, "persistence").Result()
	if ierr != nil {
		return Durability{}, fmt.Errorf("CONFIG GET refused (%v) and INFO persistence failed: %w", err, ierr)
	}
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "aof_enabled:"); ok {
			return Durability{AppendOnly: v == "1", FSync: "unknown"}, nil
		}
	}
	return Durability{}, fmt.Errorf("CONFIG GET refused (%v) and INFO persistence has no aof_enabled", err)
}
