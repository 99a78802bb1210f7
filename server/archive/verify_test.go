package archive

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/hallcast/hallcast/server/hall"
)

func TestVerify(t *testing.T) {
	ctx := context.Background()
	signer, verifier := mustKey(t, "hallcast.archive")
	forger, _ := mustKey(t, "hallcast.archive") // same name, another key

	const n = 10
	// build returns a store of n entries with a checkpoint after each entry
	// in checkpointAt, taken by a Log as the server would.
	build := func(t *testing.T, sizeByCount bool, checkpointAt ...int) *memStore {
		t.Helper()
		store := &memStore{sizeByCount: sizeByCount}
		log := New(store, signer, "")
		for i := range n {
			store.add(testEntry(t, i))
			for _, at := range checkpointAt {
				if at == i+1 {
					if _, err := log.Checkpoint(ctx); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		return store
	}
	every := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	remove := func(s *memStore, index int64) {
		for i, e := range s.entries {
			if e.Index == index {
				s.entries = append(s.entries[:i:i], s.entries[i+1:]...)
				return
			}
		}
	}

	tests := []struct {
		name        string
		sizeByCount bool
		checkpoints []int
		tamper      func(t *testing.T, s *memStore)
		badIndex    int64  // -1: OK or a checkpoint's own problem
		ok          bool   // want Report.OK
		problem     string // want in Report.Problem
	}{
		{name: "Intact", checkpoints: every, ok: true, badIndex: -1},
		{name: "IntactWithoutCheckpoints", ok: true, badIndex: -1},
		{name: "IntactUncheckpointedTail", checkpoints: []int{4}, ok: true, badIndex: -1},
		{
			name: "AlteredLeafUnderCheckpoint", checkpoints: every, badIndex: 6, problem: "entry 6 was altered",
			tamper: func(t *testing.T, s *memStore) {
				s.entries[6].Leaf = alterLeaf(s.entries[6], "预算", "决算")
			},
		},
		{
			name: "AlteredLeafSparseCheckpoints", checkpoints: []int{3, 8}, badIndex: 3, problem: "an entry in 3..7 was altered",
			tamper: func(t *testing.T, s *memStore) {
				s.entries[5].Leaf = alterLeaf(s.entries[5], "预算", "决算")
			},
		},
		{
			name: "LeafNotJSON", badIndex: 4, problem: "entry 4 (publish of item item-4 revision 1)",
			tamper: func(t *testing.T, s *memStore) { s.entries[4].Leaf[0] = '[' },
		},
		{
			name: "AlteredRowItem", checkpoints: every, badIndex: 2, problem: "item-x revision 1",
			tamper: func(t *testing.T, s *memStore) { s.entries[2].ItemID = "item-x" },
		},
		{
			name: "AlteredRowRevision", badIndex: 3, problem: "entry 3 (withdraw of item item-2 revision 2)",
			tamper: func(t *testing.T, s *memStore) { s.entries[3].Revision = 2 },
		},
		{
			name: "AlteredRowTime", badIndex: 1, problem: "entry 1",
			tamper: func(t *testing.T, s *memStore) { s.entries[1].At = s.entries[1].At.Add(-time.Hour) },
		},
		{
			name: "DeletedMiddleEntry", checkpoints: every, badIndex: 5, problem: "entry 5 is missing",
			tamper: func(t *testing.T, s *memStore) { remove(s, 5) },
		},
		{
			name: "DeletedMiddleEntrySizeByCount", sizeByCount: true, badIndex: 5, problem: "entry 5 is missing",
			tamper: func(t *testing.T, s *memStore) { remove(s, 5) },
		},
		{
			name: "DeletedMiddleEntryWithoutCheckpoints", badIndex: 0, problem: "entry 0 is missing",
			tamper: func(t *testing.T, s *memStore) { remove(s, 0) },
		},
		{
			name: "DeletedTrailingEntry", checkpoints: every, badIndex: 9, problem: "entries were removed",
			tamper: func(t *testing.T, s *memStore) { remove(s, 9) },
		},
		{
			name: "DeletedTrailingEntriesSizeByCount", sizeByCount: true, checkpoints: []int{10}, badIndex: 7,
			problem: "checkpoint of size 10",
			tamper:  func(t *testing.T, s *memStore) { remove(s, 9); remove(s, 8); remove(s, 7) },
		},
		{
			name: "ForgedCheckpointSignature", checkpoints: []int{4}, badIndex: -1, problem: "checkpoint of size 7 is not valid",
			tamper: func(t *testing.T, s *memStore) {
				root := rfc6962Root(leavesOf(s.entries[:7]))
				msg, err := note.Sign(&note.Note{Text: checkpointText("hallcast.archive", 7, root)}, forger)
				if err != nil {
					t.Fatal(err)
				}
				s.checkpoints = append(s.checkpoints, hallCheckpoint(7, root, string(msg)))
			},
		},
		{
			name: "CheckpointNoteForOtherOrigin", badIndex: -1, problem: "checkpoint of size 3 is not valid",
			tamper: func(t *testing.T, s *memStore) {
				root := rfc6962Root(leavesOf(s.entries[:3]))
				msg, err := note.Sign(&note.Note{Text: checkpointText("other.archive", 3, root)}, signer)
				if err != nil {
					t.Fatal(err)
				}
				s.checkpoints = append(s.checkpoints, hallCheckpoint(3, root, string(msg)))
			},
		},
		{
			name: "CheckpointRowDisagreesWithNote", checkpoints: every, badIndex: -1, problem: "its signed note says size 6",
			tamper: func(t *testing.T, s *memStore) { s.checkpoints[5].Size = 5; s.checkpoints[4].Size = 50 },
		},
		{
			name: "AlteredLeafAndResignedWithForgedKey", checkpoints: every, badIndex: -1, problem: "checkpoint of size 3 is not valid",
			tamper: func(t *testing.T, s *memStore) {
				s.entries[2].Leaf = alterLeaf(s.entries[2], "预算", "决算")
				for i, c := range s.checkpoints {
					if c.Size < 3 {
						continue
					}
					root := rfc6962Root(leavesOf(s.entries[:c.Size]))
					msg, err := note.Sign(&note.Note{Text: checkpointText("hallcast.archive", c.Size, root)}, forger)
					if err != nil {
						t.Fatal(err)
					}
					s.checkpoints[i] = hallCheckpoint(c.Size, root, string(msg))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := build(t, tt.sizeByCount, tt.checkpoints...)
			if tt.tamper != nil {
				tt.tamper(t, store)
			}
			rep, err := VerifyLog(ctx, store, verifier, "")
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			t.Logf("report: %+v", rep)
			if rep.OK != tt.ok || rep.BadIndex != tt.badIndex {
				t.Fatalf("Verify = OK %v BadIndex %d (%q), want OK %v BadIndex %d", rep.OK, rep.BadIndex, rep.Problem, tt.ok, tt.badIndex)
			}
			if !strings.Contains(rep.Problem, tt.problem) || tt.ok != (rep.Problem == "") {
				t.Errorf("Problem = %q, want it to contain %q", rep.Problem, tt.problem)
			}
			if tt.ok {
				want := rfc6962Root(leavesOf(store.entries))
				if rep.Root != want.String() || rep.Entries != n {
					t.Errorf("Root %s Entries %d, want %s %d", rep.Root, rep.Entries, want, n)
				}
				if rep.CheckedCheckpoints != len(tt.checkpoints) {
					t.Errorf("CheckedCheckpoints = %d, want %d", rep.CheckedCheckpoints, len(tt.checkpoints))
				}
			} else if rep.Root != "" {
				t.Errorf("Root = %q on a failed verification, want empty", rep.Root)
			}
		})
	}
}

func TestVerifyEmptyArchive(t *testing.T) {
	_, verifier := mustKey(t, "hallcast.archive")
	rep, err := VerifyLog(context.Background(), &memStore{}, verifier, "")
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Entries != 0 || rep.BadIndex != -1 {
		t.Errorf("Verify(empty) = %+v, want OK with 0 entries", rep)
	}
}

func hallCheckpoint(size int64, root tlog.Hash, msg string) *hall.Checkpoint {
	return &hall.Checkpoint{Size: size, Root: root.String(), Note: msg, At: time.Now().UTC()}
}
