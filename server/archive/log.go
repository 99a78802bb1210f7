// Package archive is the transparency log over hallcast's archive: every
// archive entry (a published revision, a withdrawal, an expiry) is a leaf of
// an RFC 6962 Merkle tree built with golang.org/x/mod/sumdb/tlog, and the
// tree head is signed as a checkpoint note with golang.org/x/mod/sumdb/note.
//
// Log serves checkpoints and proofs from hashes it keeps in memory, caught up
// from the store; Verify recomputes everything from the stored entries and
// reports the first entry altered or removed behind the server's back.
package archive

import (
	"context"
	"fmt"
	"sync"
	"time"

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
	store  Store
	signer note.Signer
	origin string

	syncMu sync.Mutex // serialises reads from the store and checkpointing

	mu     sync.RWMutex // guards the fields below
	tree   tree
	latest *hall.Checkpoint
}

// New returns a Log over the store that signs checkpoints with signer. The
// origin names the log on the first line of every checkpoint; empty means
// the signer's name.
func New(store Store, signer note.Signer, origin string) *Log {
	if origin == "" {
		origin = signer.Name()
	}
	return &Log{store: store, signer: signer, origin: origin}
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
		return n, fmt.Errorf("archive has %d entries, fewer than the %d already logged: entries were removed", size, n)
	}
	for n < size {
		entries, err := l.store.ArchiveEntries(ctx, n, min(n+readBatch, size))
		if err != nil {
			return n, fmt.Errorf("read archive entries from %d: %w", n, err)
		}
		if len(entries) == 0 {
			return n, fmt.Errorf("archive entry %d is missing", n)
		}
		l.mu.Lock()
		for _, e := range entries {
			if e.Index != l.tree.n {
				l.mu.Unlock()
				return n, fmt.Errorf("archive entry %d is missing (next entry read is %d)", l.tree.n, e.Index)
			}
			if err := l.tree.append(e.Leaf); err != nil {
				l.mu.Unlock()
				return n, err
			}
		}
		n = l.tree.n
		l.mu.Unlock()
	}
	return n, nil
}

// Checkpoint syncs and returns the signed tree head of the whole archive.
// A checkpoint for a size not seen before is saved in the store. Before
// signing, it checks that the store's latest checkpoint is a prefix of the
// tree, so entries altered under an earlier checkpoint stop the log rather
// than being signed over.
func (l *Log) Checkpoint(ctx context.Context) (*hall.Checkpoint, error) {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
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
			return nil, fmt.Errorf("archive checkpoint covers %d entries but the archive has %d: entries were removed", stored.Size, size)
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
		return nil, fmt.Errorf("archive checkpoint of size %d has root %s, the stored entries hash to %s: the archive was altered", stored.Size, stored.Root, storedRoot)
	}

	msg, err := signCheckpoint(l.signer, l.origin, size, root)
	if err != nil {
		return nil, err
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
