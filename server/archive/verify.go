package archive

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/hallcast/hallcast/server/hall"
)

// Report is the outcome of Verify.
type Report struct {
	OK bool `json:"ok"`
	// Entries is the archive size the store reports.
	Entries int64 `json:"entries"`
	// Root is the base64 tree hash of all entries; empty unless OK.
	Root string `json:"root"`
	// CheckedCheckpoints counts the checkpoints found valid.
	CheckedCheckpoints int `json:"checked_checkpoints"`
	// Problem describes the first problem found; empty when OK.
	Problem string `json:"problem,omitempty"`
	// BadIndex is the entry at fault, or -1 when the problem is not an
	// entry's (a checkpoint that is itself bad). For an entry whose leaf was
	// altered and still decodes, only checkpoints can tell: BadIndex is then
	// the first entry no earlier valid checkpoint vouches for, which is the
	// altered entry itself when a checkpoint is taken after every append.
	BadIndex int64 `json:"bad_index"`
	// Items counts the items whose rows Verify compared with their
	// archive entries (0 from VerifyLog).
	Items int `json:"items"`
	// Mismatch is the first item row that disagrees with its entries.
	Mismatch *Mismatch `json:"mismatch,omitempty"`
}

func (r *Report) fail(bad int64, format string, args ...any) *Report {
	r.OK, r.Root, r.BadIndex = false, "", bad
	r.Problem = fmt.Sprintf(format, args...)
	return r
}

// Source is what Verify reads: the archive and the item rows.
type Source interface {
	Reader
	Rows
	ItemEntries(ctx context.Context, itemID string) ([]*hall.ArchiveEntry, error)
}

// Verify does everything VerifyLog does and then re-derives every item's
// public state (revision, title, summary, category, department, stage,
// matter, validity, withdrawal, expiry…) from its archive entries and
// compares it with the item's stored row: a row edited behind the server's
// back, a row claiming a publication the archive does not hold, and a
// published item whose row is gone or unpublished are each reported, the
// first in Problem and Mismatch.
func Verify(ctx context.Context, store Source, verifier note.Verifier, origin string) (*Report, error) {
	rep, states, err := verifyLog(ctx, store, verifier, origin)
	if err != nil || !rep.OK {
		return rep, err
	}
	recheck := func(ctx context.Context, id string) (*hall.PublicState, error) {
		entries, err := store.ItemEntries(ctx, id)
		if err != nil {
			return nil, err
		}
		return hall.ReplayPublicState(entries, nil)
	}
	ms, n, err := compareRows(ctx, store, states, recheck, 1)
	if err != nil {
		return nil, err
	}
	rep.Items = n
	if len(ms) > 0 {
		rep.fail(-1, "%s", ms[0])
		rep.Mismatch = &ms[0]
	}
	return rep, nil
}

// VerifyLog recomputes the archive's tree from the stored entries, trusting
// nothing cached, and checks that
//   - the entries are contiguous from index 0 (a gap is a removed row);
//   - every leaf decodes and agrees with its row's kind, item, revision and
//     time (an altered row);
//   - every entry follows the item's earlier ones (revisions in sequence;
//     withdrawals and expiries of the latest revision, once);
//   - every stored checkpoint is signed by verifier for origin (empty means
//     the verifier's name), agrees with its row, and signs the recomputed
//     tree hash at its size (a leaf altered or removed after it was
//     checkpointed);
//   - no checkpoint covers more entries than there are (removed trailing
//     entries).
//
// Problems go in the report, which names the first; the error is for a
// store that cannot be read.
func VerifyLog(ctx context.Context, store Reader, verifier note.Verifier, origin string) (*Report, error) {
	rep, _, err := verifyLog(ctx, store, verifier, origin)
	return rep, err
}

// verifyLog does VerifyLog's work and also returns the public state of every
// item as its entries define it (SearchText left empty).
func verifyLog(ctx context.Context, store Reader, verifier note.Verifier, origin string) (*Report, map[string]*hall.PublicState, error) {
	if origin == "" {
		origin = verifier.Name()
	}
	size, err := store.ArchiveSize(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("archive size: %w", err)
	}
	cps, err := store.Checkpoints(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("archive checkpoints: %w", err)
	}
	cps = slices.Clone(cps)
	slices.SortStableFunc(cps, func(a, b *hall.Checkpoint) int { return cmp.Compare(a.Size, b.Size) })

	rep := &Report{Entries: size, BadIndex: -1}
	var t tree
	next := 0           // the first checkpoint not yet checked
	vouched := int64(0) // entries covered by the last valid checkpoint

	// checkpoints checks the checkpoints of the current tree size.
	checkpoints := func() bool {
		for ; next < len(cps) && cps[next].Size <= t.n; next++ {
			c := cps[next]
			bad, problem := checkCheckpoint(c, &t, verifier, origin, vouched)
			if problem != "" {
				rep.fail(bad, "%s", problem)
				return false
			}
			rep.CheckedCheckpoints++
			vouched = c.Size
		}
		return true
	}

	states := map[string]*hall.PublicState{}
	// gone: revisions ("item#n") whose content is not stored, by the index
	// of their publish entry, until a redact entry names them; stored:
	// those whose content is stored.
	gone := map[string]int64{}
	stored := map[string]bool{}
	if !checkpoints() {
		return rep, nil, nil
	}
	for t.n < size {
		to := min(t.n+readBatch, size)
		entries, err := store.ArchiveEntries(ctx, t.n, to)
		if err != nil {
			return nil, nil, fmt.Errorf("read archive entries from %d: %w", t.n, err)
		}
		for _, e := range entries {
			if e.Index != t.n {
				return rep.fail(t.n, "entry %d is missing (the next stored entry is %d)", t.n, e.Index), nil, nil
			}
			if problem := checkEntry(e); problem != "" {
				return rep.fail(e.Index, "%s", problem), nil, nil
			}
			key := e.ItemID + "#" + strconv.Itoa(e.Revision)
			switch e.Kind {
			case hall.EntryPublish:
				if _, _, err := hall.DecodeEntry(e); errors.Is(err, hall.ErrContentGone) {
					gone[key] = e.Index
				} else {
					stored[key] = true
				}
			case hall.EntryRedact:
				if stored[key] {
					return rep.fail(e.Index, "entry %d redacts revision %d of item %s, whose content is still stored", e.Index, e.Revision, e.ItemID), nil, nil
				}
				delete(gone, key)
			}
			p, err := hall.NextPublicState(states[e.ItemID], e, nil)
			if err != nil {
				return rep.fail(e.Index, "%v", err), nil, nil
			}
			p.SearchText = ""
			states[e.ItemID] = p
			if err := t.append(e.Leaf); err != nil {
				return nil, nil, err
			}
			if !checkpoints() {
				return rep, nil, nil
			}
		}
		if t.n < to {
			return rep.fail(t.n, "entry %d is missing", t.n), nil, nil
		}
	}
	if len(gone) > 0 {
		first := int64(-1)
		for _, i := range gone {
			if first < 0 || i < first {
				first = i
			}
		}
		return rep.fail(first, "entry %d: the content of its revision is missing from the store, and no redact entry names the revision: content was deleted behind the server's back", first), nil, nil
	}
	if next < len(cps) {
		c := cps[next]
		return rep.fail(t.n, "checkpoint of size %d covers entries 0..%d, but entry %d and later are missing: entries were removed",
			c.Size, c.Size-1, t.n), nil, nil
	}
	root, err := t.root(t.n)
	if err != nil {
		return nil, nil, err
	}
	rep.OK, rep.Root = true, root.String()
	return rep, states, nil
}

// checkEntry checks that an entry's leaf decodes and agrees with its row.
func checkEntry(e *hall.ArchiveEntry) string {
	if _, _, err := hall.DecodeEntry(e); err != nil && !errors.Is(err, hall.ErrContentGone) {
		return fmt.Sprintf("entry %d (%s of item %s revision %d) does not match its leaf: %v", e.Index, e.Kind, e.ItemID, e.Revision, err)
	}
	// DecodeEntry compares kind, item and revision; the time is checked here.
	var l struct {
		At time.Time `json:"at"`
	}
	if err := json.Unmarshal(e.Leaf, &l); err != nil || !l.At.Equal(e.At) {
		return fmt.Sprintf("entry %d (%s of item %s revision %d): row time %s differs from leaf time %s",
			e.Index, e.Kind, e.ItemID, e.Revision, e.At.UTC().Format(time.RFC3339Nano), l.At.UTC().Format(time.RFC3339Nano))
	}
	return ""
}

// checkCheckpoint checks one stored checkpoint against the tree recomputed
// up to its size. It returns the entry at fault and a problem, or "".
func checkCheckpoint(c *hall.Checkpoint, t *tree, verifier note.Verifier, origin string, vouched int64) (int64, string) {
	size, root, err := OpenCheckpoint(c.Note, verifier, origin)
	if err != nil {
		return -1, fmt.Sprintf("checkpoint of size %d is not valid: %v", c.Size, err)
	}
	if size != c.Size || root.String() != c.Root {
		return -1, fmt.Sprintf("checkpoint row says size %d root %s, its signed note says size %d root %s", c.Size, c.Root, size, root)
	}
	want, err := t.root(size)
	if err != nil {
		return -1, fmt.Sprintf("checkpoint of size %d: %v", size, err)
	}
	if want != root {
		if size == 0 {
			return -1, fmt.Sprintf("checkpoint of size 0 signs root %s, want %s", root, want)
		}
		if vouched == size-1 {
			return vouched, fmt.Sprintf("entry %d was altered: the checkpoint of size %d signs root %s, the entries hash to %s",
				vouched, size, root, want)
		}
		return vouched, fmt.Sprintf("an entry in %d..%d was altered: the checkpoint of size %d signs root %s, the entries hash to %s",
			vouched, size-1, size, root, want)
	}
	return -1, ""
}
