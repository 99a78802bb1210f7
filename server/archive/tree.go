package archive

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// tree holds every stored hash of an RFC 6962 Merkle tree in memory: the
// leaf hashes and the complete subtree hashes, in tlog's stored-hash order.
// From them tlog computes the tree hash and proofs for any size up to n.
// It is not safe for concurrent use; Log guards it.
type tree struct {
	n      int64
	hashes []tlog.Hash
}

// ReadHashes implements tlog.HashReader.
func (t *tree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(t.hashes)) {
			return nil, fmt.Errorf("stored hash %d is outside a tree of %d entries", x, t.n)
		}
		out[i] = t.hashes[x]
	}
	return out, nil
}

// append adds the leaf as entry t.n.
func (t *tree) append(leaf []byte) error {
	hs, err := tlog.StoredHashesForRecordHash(t.n, tlog.RecordHash(leaf), t)
	if err != nil {
		return fmt.Errorf("hash entry %d: %w", t.n, err)
	}
	t.hashes = append(t.hashes, hs...)
	t.n++
	return nil
}

// root returns the tree hash of the first size entries.
func (t *tree) root(size int64) (tlog.Hash, error) {
	if size < 0 || size > t.n {
		return tlog.Hash{}, fmt.Errorf("tree hash of size %d: the tree has %d entries", size, t.n)
	}
	h, err := tlog.TreeHash(size, t)
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("tree hash of size %d: %w", size, err)
	}
	return h, nil
}
