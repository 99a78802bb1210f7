// Package archive is the transparency log over hallcast's archive: every
// archive entry (a published revision, a withdrawal, an expiry) is a leaf of
// an RFC 6962 Merkle tree built with golang.org/x/mod/sumdb/tlog, and the
// tree head is signed as a checkpoint note with golang.org/x/mod/sumdb/note.
//
// Log serves checkpoints and proofs from hashes it keeps in memory, caught up
// from the store, and the public state of every item derived from the
// entries alone (index.go). It never signs a tree head that is not
// consistent with the highest head it signed before, which it keeps in a
// file outside the store (head.go). Verify recomputes everything from the
// stored entries, compares every item row with the state its entries
// define, and reports the first thing altered or removed behind the
// server's back. Witnesses (witness.go, and the pages in kiosk-ui) remember
// the heads they saw and check each newer one with a consistency proof.
package archive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/hallcast/hallcast/server/hall"
)

// Reader is the part of the archive store that Verify reads.
type Reader interface {
	ArchiveSize(ctx context.Context) (int64, error)
	// ArchiveEntries returns the entries with from <= index < to, in order.
	ArchiveEntries(ctx context.Context, from, to int64) ([]*hall.ArchiveEntry, error)
	Checkpoints(ctx context.Context) ([]*hall.Checkpoint, error) // by size
}

// Store is the part of the archive store a Log uses.
type Store interface {
	Reader
	// ItemEntries returns every entry of one item, oldest first.
	ItemEntries(ctx context.Context, itemID string) ([]*hall.ArchiveEntry, error)
	SaveCheckpoint(ctx context.Context, c *hall.Checkpoint) error // ignores a size already saved
	LatestCheckpoint(ctx context.Context) (*hall.Checkpoint, error)
}

// Every archive store is a Store.
var _ Store = hall.ArchiveStore(nil)

// readBatch is how many entries one store read returns at most. Leaves carry
// whole revisions, so batches stay small.
const readBatch = 256

// Log is the transparency log of one archive. It keeps the tree's stored
// hashes in memory and catches up from the store by reading the entries
// appended since, so every replica sharing a store computes the same tree.
// A Log is safe for concurrent use.
type Log struct {
	store    Store
	signer   note.Signer
	verifier note.Verifier
	origin   string
	headFile string
	text     hall.TextFunc
	logger   *slog.Logger
	onAlarm  func(Alarm)
	alarms   *prometheus.CounterVec

	syncMu sync.Mutex // serialises reads from the store and checkpointing

	mu     sync.RWMutex // guards the fields below
	tree   tree
	index  publicIndex
	latest *hall.Checkpoint
	broken string              // why the log refuses to sign; "" while consistent
	raised map[string]struct{} // server alarms already raised, to raise each once
}

// Config is what Open needs. Store and Signer are required.
type Config struct {
	Store  Store
	Signer note.Signer
	// Verifier checks the head file's signature; required with HeadFile.
	Verifier note.Verifier
	// Origin names the log on the first line of every checkpoint; empty
	// means the signer's name.
	Origin string
	// HeadFile is where the log keeps the highest tree head it has signed,
	// outside the store (HeadFileName in the data directory, beside the
	// key). Empty keeps none: only the store's own checkpoints are checked.
	HeadFile string
	// Text gives a revision body's plain text for public search; nil
	// searches the Markdown as written.
	Text hall.TextFunc
	// Logger receives alarms; nil discards them.
	Logger *slog.Logger
	// Registerer, when set, gets hallcast_archive_consistent and
	// hallcast_archive_alarms_total.
	Registerer prometheus.Registerer
	// OnAlarm, when set, is told of every alarm the log raises itself (the
	// server writes them to the audit log). Reports from devices are not
	// passed on: the HTTP layer records those.
	OnAlarm func(Alarm)
}

// New returns a Log over the store that signs checkpoints with signer,
// without a head file, metrics or alarm hook. The origin names the log on
// the first line of every checkpoint; empty means the signer's name.
func New(store Store, signer note.Signer, origin string) *Log {
	return newLog(Config{Store: store, Signer: signer, Origin: origin})
}

func newLog(cfg Config) *Log {
	if cfg.Origin == "" {
		cfg.Origin = cfg.Signer.Name()
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	l := &Log{store: cfg.Store, signer: cfg.Signer, verifier: cfg.Verifier, origin: cfg.Origin, headFile: cfg.HeadFile,
		text: cfg.Text, logger: logger, onAlarm: cfg.OnAlarm, raised: map[string]struct{}{}}
	l.alarms = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hallcast_archive_alarms_total",
		Help: "Alarms about the archive's history: raised by the server itself (source=server) or reported by devices (source=device; confirmed=true when the archive itself shows the problem).",
	}, []string{"source", "confirmed"})
	return l
}

// Open returns a Log over cfg.Store and checks, before anything is served,
// that the store's tree is consistent with every checkpoint the store holds
// and with the head in the head file. An inconsistent history does not fail
// Open: the log then refuses to sign (Err says why) and raises an alarm,
// while proofs and public reads go on from what it holds. Open fails only
// when the store cannot be read or the head file is unusable.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	if cfg.HeadFile != "" && cfg.Verifier == nil {
		return nil, errors.New("archive: a head file needs the verifier key")
	}
	l := newLog(cfg)
	if cfg.Registerer != nil {
		consistent := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hallcast_archive_consistent",
			Help: "1 while the archive's history is consistent with every tree head signed before, 0 once it is not (no new checkpoint is signed).",
		}, func() float64 {
			if l.Err() != nil {
				return 0
			}
			return 1
		})
		if err := cfg.Registerer.Register(consistent); err != nil {
			return nil, err
		}
		if err := cfg.Registerer.Register(l.alarms); err != nil {
			return nil, err
		}
	}
	if err := l.check(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// inconsistency is an error that shows the history was rewritten: entries
// removed or altered under a signed head. It halts the log.
type inconsistency struct{ problem string }

func (e *inconsistency) Error() string { return e.problem }

func inconsistent(format string, args ...any) error {
	return &inconsistency{problem: fmt.Sprintf(format, args...)}
}

// Err returns why the log refuses to sign new checkpoints, or nil while the
// history is consistent. Once set it stays until the server restarts.
func (l *Log) Err() error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.broken == "" {
		return nil
	}
	return hall.Errorf(hall.EInternal, "the archive's history is inconsistent, no checkpoint is signed: %s", l.broken)
}

// Problem returns why the log refuses to sign, or "" while the history is
// consistent.
func (l *Log) Problem() string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.broken
}

// halt makes the log refuse to sign from now on, for the reason err gives,
// and raises the alarm. It returns the error the refusal carries.
func (l *Log) halt(err error) error {
	l.mu.Lock()
	first := l.broken == ""
	if first {
		l.broken = err.Error()
	}
	l.mu.Unlock()
	if first {
		l.raise("the archive's history is inconsistent; the server signs no new checkpoint: " + err.Error())
	}
	return l.Err()
}

// check does Open's checks.
func (l *Log) check(ctx context.Context) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	size, err := l.sync(ctx)
	if err != nil {
		var inc *inconsistency
		if !errors.As(err, &inc) {
			return err
		}
		l.halt(err)
	}
	cps, err := l.store.Checkpoints(ctx)
	if err != nil {
		return fmt.Errorf("archive checkpoints: %w", err)
	}
	var best *hall.Checkpoint // the largest stored checkpoint found valid
	for _, c := range cps {
		if err := l.checkStored(c, size); err != nil {
			l.halt(err)
			break
		}
		if best == nil || c.Size > best.Size {
			best = c
		}
	}
	if l.headFile == "" {
		return nil
	}
	head, err := l.readHead()
	if err != nil {
		return err
	}
	if head != nil {
		if err := l.checkHead(head, size); err != nil {
			l.halt(err)
			return nil
		}
	}
	if l.Err() == nil && best != nil && (head == nil || best.Size > head.Size) {
		// The store holds a later valid head than the file: another replica
		// signed it, or the file is new. The file keeps the highest.
		if err := l.writeHead(best.Note); err != nil {
			return err
		}
	}
	return nil
}

// checkStored checks one stored checkpoint against the tree of size entries:
// a valid signature, a size the tree reaches, and the tree's root.
func (l *Log) checkStored(c *hall.Checkpoint, size int64) error {
	if l.verifier != nil {
		n, root, err := OpenCheckpoint(c.Note, l.verifier, l.origin)
		if err != nil {
			return inconsistent("stored checkpoint of size %d: %v", c.Size, err)
		}
		if n != c.Size || root.String() != c.Root {
			return inconsistent("stored checkpoint row says size %d root %s, its signed note says size %d root %s", c.Size, c.Root, n, root)
		}
	}
	if c.Size > size {
		return inconsistent("a checkpoint of size %d was signed but the archive holds %d entries: entries were removed", c.Size, size)
	}
	l.mu.RLock()
	root, err := l.tree.root(c.Size)
	l.mu.RUnlock()
	if err != nil {
		return err
	}
	if root.String() != c.Root {
		return inconsistent("the checkpoint of size %d signs root %s, the stored entries hash to %s: entries were altered", c.Size, c.Root, root)
	}
	return nil
}

// Origin returns the name of the log on its checkpoints.
func (l *Log) Origin() string { return l.origin }

// Size returns the number of entries the Log has hashed, without reading the
// store.
func (l *Log) Size() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.tree.n
}

// Sync reads the entries appended to the store since the last Sync and adds
// them to the tree. It returns the tree size.
func (l *Log) Sync(ctx context.Context) (int64, error) {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	return l.sync(ctx)
}

// sync does Sync's work; the caller holds syncMu, so it is the only writer.
func (l *Log) sync(ctx context.Context) (int64, error) {
	size, err := l.store.ArchiveSize(ctx)
	if err != nil {
		return 0, fmt.Errorf("archive size: %w", err)
	}
	n := l.Size()
	if size < n {
		return n, inconsistent("archive has %d entries, fewer than the %d already logged: entries were removed", size, n)
	}
	for n < size {
		entries, err := l.store.ArchiveEntries(ctx, n, min(n+readBatch, size))
		if err != nil {
			return n, fmt.Errorf("read archive entries from %d: %w", n, err)
		}
		if len(entries) == 0 {
			return n, inconsistent("archive entry %d is missing", n)
		}
		var problems []string
		l.mu.Lock()
		for _, e := range entries {
			if e.Index != l.tree.n {
				l.mu.Unlock()
				return n, inconsistent("archive entry %d is missing (next entry read is %d)", l.tree.n, e.Index)
			}
			if err := l.tree.append(e.Leaf); err != nil {
				l.mu.Unlock()
				return n, err
			}
			if p := l.index.add(e, l.text); p != "" {
				problems = append(problems, p)
			}
		}
		n = l.tree.n
		l.mu.Unlock()
		for _, p := range problems {
			l.raise(p)
		}
	}
	return n, nil
}

// Checkpoint syncs and returns the signed tree head of the whole archive.
// A checkpoint for a size not seen before is saved in the store. Before
// signing, it checks that the store's latest checkpoint and the head in the
// head file are prefixes of the tree, so entries altered or removed under an
// earlier head stop the log (Err) rather than being signed over. The head
// file is advanced before the new checkpoint is saved or served.
func (l *Log) Checkpoint(ctx context.Context) (*hall.Checkpoint, error) {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	if err := l.Err(); err != nil {
		return nil, err
	}
	cp, err := l.checkpoint(ctx)
	var inc *inconsistency
	if errors.As(err, &inc) {
		return nil, l.halt(err)
	}
	return cp, err
}

func (l *Log) checkpoint(ctx context.Context) (*hall.Checkpoint, error) {
	size, err := l.sync(ctx)
	if err != nil {
		return nil, err
	}
	l.mu.RLock()
	cached := l.latest
	l.mu.RUnlock()
	if cached != nil && cached.Size == size {
		c := *cached
		return &c, nil
	}

	stored, err := l.store.LatestCheckpoint(ctx)
	if err != nil && !hall.IsCode(err, hall.ENotFound) {
		return nil, fmt.Errorf("latest archive checkpoint: %w", err)
	}
	if err != nil {
		stored = nil
	}
	if stored != nil && stored.Size > size {
		// Another replica appended and checkpointed since this one synced.
		if size, err = l.sync(ctx); err != nil {
			return nil, err
		}
		if stored.Size > size {
			return nil, inconsistent("archive checkpoint covers %d entries but the archive has %d: entries were removed", stored.Size, size)
		}
	}

	l.mu.RLock()
	root, err := l.tree.root(size)
	var storedRoot tlog.Hash
	if err == nil && stored != nil {
		storedRoot, err = l.tree.root(stored.Size)
	}
	l.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if stored != nil && stored.Root != storedRoot.String() {
		return nil, inconsistent("archive checkpoint of size %d has root %s, the stored entries hash to %s: the archive was altered", stored.Size, stored.Root, storedRoot)
	}
	var head *Head
	if l.headFile != "" {
		if head, err = l.readHead(); err != nil {
			return nil, err
		}
		if head != nil {
			if err := l.checkHead(head, size); err != nil {
				return nil, err
			}
		}
	}

	msg, err := signCheckpoint(l.signer, l.origin, size, root)
	if err != nil {
		return nil, err
	}
	if l.headFile != "" && (head == nil || size > head.Size) {
		if err := l.writeHead(msg); err != nil {
			return nil, err
		}
	}
	var cp *hall.Checkpoint
	if stored != nil && stored.Size == size && stored.Note == msg {
		// Ed25519 signatures are deterministic: another replica signed the
		// same tree head first. Keep its time.
		cp = stored
	} else {
		cp = &hall.Checkpoint{Size: size, Root: root.String(), Note: msg, At: time.Now().UTC()}
		if err := l.store.SaveCheckpoint(ctx, cp); err != nil {
			return nil, fmt.Errorf("save archive checkpoint of size %d: %w", size, err)
		}
	}
	l.mu.Lock()
	l.latest = cp
	l.mu.Unlock()
	c := *cp
	return &c, nil
}

// InclusionProof returns the proof that entry index is in the tree of the
// given size, and that tree's hash. It fails with a validation error when
// index or size is out of range.
func (l *Log) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, tlog.Hash, error) {
	switch {
	case index < 0:
		return nil, tlog.Hash{}, hall.FieldError("index", "must not be negative")
	case size <= index:
		return nil, tlog.Hash{}, hall.FieldError("size", "must be greater than the entry index %d", index)
	}
	if err := l.require(ctx, "size", size); err != nil {
		return nil, tlog.Hash{}, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	proof, err := tlog.ProveRecord(size, index, &l.tree)
	if err != nil {
		return nil, tlog.Hash{}, fmt.Errorf("prove entry %d in tree of size %d: %w", index, size, err)
	}
	root, err := l.tree.root(size)
	if err != nil {
		return nil, tlog.Hash{}, err
	}
	return proof, root, nil
}

// ConsistencyProof returns the proof that the tree of size from is a prefix
// of the tree of size to, and the hashes of both trees. It fails with a
// validation error unless 1 <= from <= to <= the archive size.
func (l *Log) ConsistencyProof(ctx context.Context, from, to int64) (proof tlog.TreeProof, fromRoot, toRoot tlog.Hash, err error) {
	switch {
	case from < 1:
		return nil, tlog.Hash{}, tlog.Hash{}, hall.FieldError("from", "must be at least 1")
	case to < from:
		return nil, tlog.Hash{}, tlog.Hash{}, hall.FieldError("to", "must not be less than from (%d)", from)
	}
	if err := l.require(ctx, "to", to); err != nil {
		return nil, tlog.Hash{}, tlog.Hash{}, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	proof, err = tlog.ProveTree(to, from, &l.tree)
	if err != nil {
		return nil, tlog.Hash{}, tlog.Hash{}, fmt.Errorf("prove tree of size %d in tree of size %d: %w", from, to, err)
	}
	if fromRoot, err = l.tree.root(from); err != nil {
		return nil, tlog.Hash{}, tlog.Hash{}, err
	}
	if toRoot, err = l.tree.root(to); err != nil {
		return nil, tlog.Hash{}, tlog.Hash{}, err
	}
	return proof, fromRoot, toRoot, nil
}

// require syncs when size is beyond the hashed tree and fails with a
// validation error on field when the archive is still smaller.
func (l *Log) require(ctx context.Context, field string, size int64) error {
	if size <= l.Size() {
		return nil
	}
	n, err := l.Sync(ctx)
	if err != nil {
		return err
	}
	if size > n {
		return hall.FieldError(field, "the archive has only %d entries", n)
	}
	return nil
}
