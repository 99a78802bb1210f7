package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/hallcast/hallcast/server/hall"
)

// memStore is a Store over a slice, for testing the log logic. Tests tamper
// with its fields directly to imitate rows changed behind the server's back.
type memStore struct {
	mu          sync.Mutex
	entries     []*hall.ArchiveEntry
	checkpoints []*hall.Checkpoint // by size
	// sizeByCount makes ArchiveSize count rows instead of returning the
	// last index plus one; backends may do either.
	sizeByCount bool
}

var _ Store = (*memStore)(nil)

// add appends an entry at the next index, as SaveWithEntry does.
func (s *memStore) add(e *hall.ArchiveEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.Index = 0
	if n := len(s.entries); n > 0 {
		e.Index = s.entries[n-1].Index + 1
	}
	s.entries = append(s.entries, e)
}

func (s *memStore) ArchiveSize(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sizeByCount || len(s.entries) == 0 {
		return int64(len(s.entries)), nil
	}
	return s.entries[len(s.entries)-1].Index + 1, nil
}

func (s *memStore) ArchiveEntries(ctx context.Context, from, to int64) ([]*hall.ArchiveEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*hall.ArchiveEntry
	for _, e := range s.entries {
		if e.Index >= from && e.Index < to {
			c := *e
			c.Leaf = bytes.Clone(e.Leaf)
			out = append(out, &c)
		}
	}
	return out, nil
}

func (s *memStore) ItemEntries(ctx context.Context, itemID string) ([]*hall.ArchiveEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*hall.ArchiveEntry
	for _, e := range s.entries {
		if e.ItemID == itemID {
			c := *e
			c.Leaf = bytes.Clone(e.Leaf)
			out = append(out, &c)
		}
	}
	return out, nil
}

func (s *memStore) SaveCheckpoint(ctx context.Context, c *hall.Checkpoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, found := slices.BinarySearchFunc(s.checkpoints, c.Size, func(c *hall.Checkpoint, size int64) int { return int(c.Size - size) })
	if found {
		return nil
	}
	cp := *c
	s.checkpoints = slices.Insert(s.checkpoints, i, &cp)
	return nil
}

func (s *memStore) Checkpoints(ctx context.Context) ([]*hall.Checkpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*hall.Checkpoint, len(s.checkpoints))
	for i, c := range s.checkpoints {
		cp := *c
		out[i] = &cp
	}
	return out, nil
}

func (s *memStore) LatestCheckpoint(ctx context.Context) (*hall.Checkpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.checkpoints) == 0 {
		return nil, hall.NotFound("checkpoint", "latest")
	}
	cp := *s.checkpoints[len(s.checkpoints)-1]
	return &cp, nil
}

// testEntry returns archive entry i of a made-up hall: mostly publishes,
// every fourth a withdrawal of the item published just before.
func testEntry(tb testing.TB, i int) *hall.ArchiveEntry {
	tb.Helper()
	at := time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC).Add(time.Duration(i) * time.Minute)
	var e *hall.ArchiveEntry
	var err error
	if i%4 == 3 {
		e, err = hall.NewStateEntry(hall.EntryWithdraw, fmt.Sprintf("item-%d", i-1), 1, at, "信息有误，撤回更正")
	} else {
		e, err = hall.NewPublishEntry(&hall.Revision{
			ID:          fmt.Sprintf("item-%d", i),
			Revision:    1,
			Category:    "finance",
			Department:  "czs",
			Title:       fmt.Sprintf("2026年第%d号财政预算公开", i),
			Body:        "本年度预算收入与支出明细如下。",
			BodyHTML:    "<p>本年度预算收入与支出明细如下。</p>",
			Assets:      []hall.Asset{},
			PublishedAt: at,
			Page:        fmt.Sprintf("/p/item-%d", i),
		})
	}
	if err != nil {
		tb.Fatalf("entry %d: %v", i, err)
	}
	return e
}

// newTestStore returns a store holding n entries.
func newTestStore(tb testing.TB, n int) *memStore {
	s := &memStore{}
	for i := range n {
		s.add(testEntry(tb, i))
	}
	return s
}

func mustKey(tb testing.TB, name string) (note.Signer, note.Verifier) {
	tb.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return signer, verifier
}

// rfc6962Root is the Merkle tree hash of RFC 6962 section 2.1, written out
// from the definition so the tests check tlog's tree against the standard.
func rfc6962Root(leaves [][]byte) tlog.Hash {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0}, leaves[0]...))
	}
	k := 1 << (bits.Len(uint(len(leaves)-1)) - 1) // largest power of two < n
	l, r := rfc6962Root(leaves[:k]), rfc6962Root(leaves[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func leavesOf(entries []*hall.ArchiveEntry) [][]byte {
	out := make([][]byte, len(entries))
	for i, e := range entries {
		out[i] = e.Leaf
	}
	return out
}

// alterLeaf edits an entry as someone with the database would, replacing
// old with new in its revision: inside the leaf for a format-1 entry; in the
// stored content for a format-2 entry, with the leaf's content_hash made to
// match (so the entry still decodes and only the tree can tell). It sets
// e.Content and returns the new leaf (equal to the old when old is absent).
func alterLeaf(e *hall.ArchiveEntry, old, new string) []byte {
	if e.Content == nil {
		return bytes.Replace(e.Leaf, []byte(old), []byte(new), 1)
	}
	content := bytes.Replace(e.Content, []byte(old), []byte(new), 1)
	if bytes.Equal(content, e.Content) {
		return e.Leaf
	}
	leaf := bytes.Replace(e.Leaf, []byte(hall.ContentHash(e.Salt, e.Content)), []byte(hall.ContentHash(e.Salt, content)), 1)
	e.Content = content
	return leaf
}
