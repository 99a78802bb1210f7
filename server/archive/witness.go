package archive

import (
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A log is only as strong as its witnesses: whoever can rewrite the store can
// also delete its checkpoints and have a new head signed over a rewritten
// history. A witness remembers the last signed head it saw and accepts a
// newer one only with a consistency proof from the remembered one. The
// server is its own first witness (the head file), `hallcast archive
// witness` is one in another office, and every screen, kiosk and phone that
// opens a page is one too (kiosk-ui/shared/witness.js).

// Head is a signed tree head: a checkpoint a witness remembers.
type Head struct {
	Size int64
	Root tlog.Hash
	Note string // the signed note, as served
}

// OpenHead checks a checkpoint note's signature and origin (empty means the
// verifier's name) and returns the head it signs.
func OpenHead(msg string, verifier note.Verifier, origin string) (*Head, error) {
	size, root, err := OpenCheckpoint(msg, verifier, origin)
	if err != nil {
		return nil, err
	}
	return &Head{Size: size, Root: root, Note: msg}, nil
}

// CheckExtends checks that next is a head of the same log as prev that
// keeps everything prev signed: not smaller, the same root at the same size,
// and otherwise a consistency proof (Log.ConsistencyProof from prev.Size to
// next.Size) that prev's tree is a prefix of next's. A non-nil error means
// the log showed two histories that cannot both be true.
func CheckExtends(prev, next *Head, proof tlog.TreeProof) error {
	switch {
	case next.Size < prev.Size:
		return fmt.Errorf("rolled back: a head of %d entries was signed before, now one of %d", prev.Size, next.Size)
	case next.Size == prev.Size:
		if next.Root != prev.Root {
			return fmt.Errorf("forked: two heads of %d entries with different roots (%s before, %s now)", prev.Size, prev.Root, next.Root)
		}
		return nil
	case prev.Size == 0:
		return nil
	}
	if err := VerifyConsistency(prev.Size, next.Size, prev.Root, next.Root, proof); err != nil {
		return fmt.Errorf("inconsistent: the head of %d entries does not extend the one of %d signed before: %w", next.Size, prev.Size, err)
	}
	return nil
}
