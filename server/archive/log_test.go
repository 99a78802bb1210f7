package archive

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/hallcast/hallcast/server/hall"
)

func TestCheckpoint(t *testing.T) {
	ctx := context.Background()
	signer, verifier := mustKey(t, "hall.example.gov.cn")
	store := &memStore{}
	log := New(store, signer, "hall.example.gov.cn/archive")

	const n = 12
	for i := range n {
		store.add(testEntry(t, i))
		cp, err := log.Checkpoint(ctx)
		if err != nil {
			t.Fatalf("Checkpoint after entry %d: %v", i, err)
		}
		if got, want := cp.Size, int64(i+1); got != want {
			t.Fatalf("size = %d, want %d", got, want)
		}
		want := rfc6962Root(leavesOf(store.entries))
		if cp.Root != want.String() {
			t.Fatalf("size %d: root = %s, want RFC 6962 root %s", cp.Size, cp.Root, want)
		}
		size, root, err := OpenCheckpoint(cp.Note, verifier, "hall.example.gov.cn/archive")
		if err != nil {
			t.Fatalf("OpenCheckpoint: %v", err)
		}
		if size != cp.Size || root != want {
			t.Fatalf("note signs size %d root %s, want %d %s", size, root, cp.Size, want)
		}
		text := fmt.Sprintf("hall.example.gov.cn/archive\n%d\n%s\n\n— hall.example.gov.cn ", size, want)
		if !strings.HasPrefix(cp.Note, text) {
			t.Fatalf("note = %q, want prefix %q", cp.Note, text)
		}
	}
	if got := len(store.checkpoints); got != n {
		t.Errorf("saved %d checkpoints, want %d", got, n)
	}

	t.Run("SameSizeIsCached", func(t *testing.T) {
		before := len(store.checkpoints)
		a, err := log.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, err := log.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if *a != *b {
			t.Errorf("second checkpoint %+v, want %+v", b, a)
		}
		if got := len(store.checkpoints); got != before {
			t.Errorf("saved %d checkpoints, want still %d", got, before)
		}
	})

	t.Run("OtherReplicaSignsTheSameNote", func(t *testing.T) {
		other := New(store, signer, "hall.example.gov.cn/archive")
		got, err := other.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := store.checkpoints[len(store.checkpoints)-1]
		if *got != *want {
			t.Errorf("replica checkpoint %+v, want the stored %+v", got, want)
		}
	})

	t.Run("WrongOrigin", func(t *testing.T) {
		cp, err := log.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := OpenCheckpoint(cp.Note, verifier, "other.log"); err == nil {
			t.Error("OpenCheckpoint with another origin succeeded, want error")
		}
	})
}

func TestCheckpointEmptyArchive(t *testing.T) {
	signer, verifier := mustKey(t, "hallcast.archive")
	log := New(&memStore{}, signer, "")
	cp, err := log.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	size, _, err := OpenCheckpoint(cp.Note, verifier, "")
	if err != nil || size != 0 || cp.Size != 0 {
		t.Errorf("empty archive: note size %d, checkpoint size %d, err %v; want 0, 0, nil", size, cp.Size, err)
	}
	if log.Origin() != "hallcast.archive" {
		t.Errorf("origin = %q, want the key name", log.Origin())
	}
}

func TestCheckpointRefusesAlteredArchive(t *testing.T) {
	ctx := context.Background()
	signer, _ := mustKey(t, "hallcast.archive")
	tests := []struct {
		name   string
		tamper func(s *memStore)
	}{
		{"AlteredLeaf", func(s *memStore) {
			s.entries[2].Leaf = alterLeaf(s.entries[2], "预算", "决算")
		}},
		{"RemovedTrailingEntries", func(s *memStore) { s.entries = s.entries[:6] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newTestStore(t, 8)
			if _, err := New(store, signer, "").Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			tt.tamper(store)
			store.add(testEntry(t, 8))
			if cp, err := New(store, signer, "").Checkpoint(ctx); err == nil {
				t.Errorf("Checkpoint over an altered archive = size %d, want error", cp.Size)
			}
		})
	}
}

func TestSyncFreshMatchesIncremental(t *testing.T) {
	ctx := context.Background()
	signer, _ := mustKey(t, "hallcast.archive")
	store := &memStore{}
	incremental := New(store, signer, "")
	for i := range 600 { // more than two read batches
		store.add(testEntry(t, i))
		if i%7 == 0 {
			if _, err := incremental.Sync(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	a, err := incremental.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fresh := New(store, signer, "")
	n, err := fresh.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 600 {
		t.Fatalf("fresh Sync = %d, want 600", n)
	}
	b, err := fresh.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a.Root != b.Root || a.Note != b.Note {
		t.Errorf("fresh root %s, incremental root %s; want equal notes", b.Root, a.Root)
	}
	if want := rfc6962Root(leavesOf(store.entries)).String(); b.Root != want {
		t.Errorf("root = %s, want RFC 6962 root %s", b.Root, want)
	}
}

func TestSyncDetectsGapAndShrink(t *testing.T) {
	ctx := context.Background()
	signer, _ := mustKey(t, "hallcast.archive")

	t.Run("Gap", func(t *testing.T) {
		store := newTestStore(t, 10)
		store.entries = append(store.entries[:4:4], store.entries[5:]...)
		if n, err := New(store, signer, "").Sync(ctx); err == nil {
			t.Errorf("Sync over a gap = %d, want error", n)
		}
	})
	t.Run("Shrink", func(t *testing.T) {
		store := newTestStore(t, 10)
		log := New(store, signer, "")
		if _, err := log.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		store.entries = store.entries[:8]
		if n, err := log.Sync(ctx); err == nil {
			t.Errorf("Sync after entries were removed = %d, want error", n)
		}
	})
}

func TestInclusionProof(t *testing.T) {
	ctx := context.Background()
	signer, _ := mustKey(t, "hallcast.archive")
	store := newTestStore(t, 33)
	log := New(store, signer, "")
	for _, size := range []int64{1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 32, 33} {
		want := rfc6962Root(leavesOf(store.entries[:size]))
		for index := range size {
			proof, root, err := log.InclusionProof(ctx, index, size)
			if err != nil {
				t.Fatalf("InclusionProof(%d, %d): %v", index, size, err)
			}
			if root != want {
				t.Fatalf("InclusionProof(%d, %d) root = %s, want %s", index, size, root, want)
			}
			if err := VerifyInclusion(store.entries[index].Leaf, index, size, root, proof); err != nil {
				t.Fatalf("VerifyInclusion(%d, %d): %v", index, size, err)
			}
		}
	}
}

func TestConsistencyProof(t *testing.T) {
	ctx := context.Background()
	signer, _ := mustKey(t, "hallcast.archive")
	store := newTestStore(t, 20)
	log := New(store, signer, "")
	for to := int64(1); to <= 20; to++ {
		for from := int64(1); from <= to; from++ {
			proof, fromRoot, toRoot, err := log.ConsistencyProof(ctx, from, to)
			if err != nil {
				t.Fatalf("ConsistencyProof(%d, %d): %v", from, to, err)
			}
			if want := rfc6962Root(leavesOf(store.entries[:from])); fromRoot != want {
				t.Fatalf("ConsistencyProof(%d, %d) from root = %s, want %s", from, to, fromRoot, want)
			}
			if want := rfc6962Root(leavesOf(store.entries[:to])); toRoot != want {
				t.Fatalf("ConsistencyProof(%d, %d) to root = %s, want %s", from, to, toRoot, want)
			}
			if err := VerifyConsistency(from, to, fromRoot, toRoot, proof); err != nil {
				t.Fatalf("VerifyConsistency(%d, %d): %v", from, to, err)
			}
		}
	}
}

func TestTamperedProofFails(t *testing.T) {
	ctx := context.Background()
	signer, _ := mustKey(t, "hallcast.archive")
	store := newTestStore(t, 13)
	log := New(store, signer, "")

	proof, root, err := log.InclusionProof(ctx, 5, 13)
	if err != nil {
		t.Fatal(err)
	}
	leaf := store.entries[5].Leaf
	flipped := append(tlog.RecordProof(nil), proof...)
	flipped[1][7] ^= 1
	otherRoot := flip(root)
	inclusion := []struct {
		name  string
		leaf  []byte
		index int64
		root  tlog.Hash
		proof tlog.RecordProof
	}{
		{"FlippedProofBit", leaf, 5, root, flipped},
		{"ShortProof", leaf, 5, root, proof[:len(proof)-1]},
		{"OtherLeaf", store.entries[6].Leaf, 5, root, proof},
		{"OtherIndex", leaf, 4, root, proof},
		{"OtherRoot", leaf, 5, otherRoot, proof},
		{"IndexOutsideTree", leaf, 13, root, proof},
	}
	for _, tt := range inclusion {
		t.Run("Inclusion"+tt.name, func(t *testing.T) {
			if err := VerifyInclusion(tt.leaf, tt.index, 13, tt.root, tt.proof); err == nil {
				t.Error("VerifyInclusion succeeded, want error")
			}
		})
	}

	tproof, fromRoot, toRoot, err := log.ConsistencyProof(ctx, 6, 13)
	if err != nil {
		t.Fatal(err)
	}
	tflipped := append(tlog.TreeProof(nil), tproof...)
	tflipped[0][0] ^= 1
	consistency := []struct {
		name             string
		from             int64
		fromRoot, toRoot tlog.Hash
		proof            tlog.TreeProof
	}{
		{"FlippedProofBit", 6, fromRoot, toRoot, tflipped},
		{"OtherFromSize", 7, fromRoot, toRoot, tproof},
		{"OtherFromRoot", 6, flip(fromRoot), toRoot, tproof},
		{"OtherToRoot", 6, fromRoot, flip(toRoot), tproof},
		{"FromZero", 0, fromRoot, toRoot, tproof},
	}
	for _, tt := range consistency {
		t.Run("Consistency"+tt.name, func(t *testing.T) {
			if err := VerifyConsistency(tt.from, 13, tt.fromRoot, tt.toRoot, tt.proof); err == nil {
				t.Error("VerifyConsistency succeeded, want error")
			}
		})
	}
}

func flip(h tlog.Hash) tlog.Hash {
	h[len(h)-1] ^= 1
	return h
}

func TestProofValidation(t *testing.T) {
	ctx := context.Background()
	signer, _ := mustKey(t, "hallcast.archive")
	log := New(newTestStore(t, 5), signer, "")
	inclusion := []struct {
		name        string
		index, size int64
		field       string
	}{
		{"NegativeIndex", -1, 3, "index"},
		{"IndexEqualsSize", 3, 3, "size"},
		{"IndexAboveSize", 4, 3, "size"},
		{"NegativeSize", 0, -1, "size"},
		{"SizeAboveArchive", 0, 6, "size"},
	}
	for _, tt := range inclusion {
		t.Run("Inclusion"+tt.name, func(t *testing.T) {
			_, _, err := log.InclusionProof(ctx, tt.index, tt.size)
			checkFieldError(t, err, tt.field)
		})
	}
	consistency := []struct {
		name     string
		from, to int64
		field    string
	}{
		{"ZeroFrom", 0, 3, "from"},
		{"NegativeFrom", -2, 3, "from"},
		{"FromAboveTo", 4, 3, "to"},
		{"NegativeTo", 1, -1, "to"},
		{"ToAboveArchive", 1, 6, "to"},
	}
	for _, tt := range consistency {
		t.Run("Consistency"+tt.name, func(t *testing.T) {
			_, _, _, err := log.ConsistencyProof(ctx, tt.from, tt.to)
			checkFieldError(t, err, tt.field)
		})
	}
}

func checkFieldError(t *testing.T, err error, field string) {
	t.Helper()
	var he *hall.Error
	if !errors.As(err, &he) {
		t.Fatalf("err = %v, want a *hall.Error", err)
	}
	if he.Code != hall.EValidation || he.Field != field {
		t.Errorf("err = %v (code %q field %q), want code %q field %q", err, he.Code, he.Field, hall.EValidation, field)
	}
}

func TestProofAfterAppendSyncs(t *testing.T) {
	ctx := context.Background()
	signer, _ := mustKey(t, "hallcast.archive")
	store := newTestStore(t, 3)
	log := New(store, signer, "")
	if _, err := log.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	store.add(testEntry(t, 3)) // appended by another replica
	proof, root, err := log.InclusionProof(ctx, 3, 4)
	if err != nil {
		t.Fatalf("InclusionProof of a new entry: %v", err)
	}
	if err := VerifyInclusion(store.entries[3].Leaf, 3, 4, root, proof); err != nil {
		t.Error(err)
	}
}

func TestConcurrentCheckpoints(t *testing.T) {
	ctx := context.Background()
	signer, verifier := mustKey(t, "hallcast.archive")
	store := &memStore{}
	// Two replicas over one store, each with two callers, while entries are
	// appended.
	logs := []*Log{New(store, signer, ""), New(store, signer, "")}
	const appends = 40
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	entries := make([]*hall.ArchiveEntry, appends)
	for i := range entries {
		entries[i] = testEntry(t, i)
	}
	wg.Go(func() {
		for _, e := range entries {
			store.add(e)
		}
	})
	for w := range 4 {
		wg.Go(func() {
			log := logs[w%2]
			last := int64(-1)
			for range appends {
				cp, err := log.Checkpoint(ctx)
				if err != nil {
					errs <- err
					return
				}
				if cp.Size < last {
					errs <- fmt.Errorf("checkpoint size went back from %d to %d", last, cp.Size)
					return
				}
				last = cp.Size
				if _, _, err := OpenCheckpoint(cp.Note, verifier, ""); err != nil {
					errs <- err
					return
				}
				if cp.Size > 0 {
					if _, _, err := log.InclusionProof(ctx, cp.Size-1, cp.Size); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rep, err := VerifyLog(ctx, store, verifier, "")
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Errorf("Verify after concurrent checkpoints: %s", rep.Problem)
	}
}

// BenchmarkAppendCheckpoint appends 10,000 entries, taking a signed
// checkpoint after each, as a hall publishing one revision at a time would.
// Reproduce with: go test ./server/archive -run '^$' -bench AppendCheckpoint
func BenchmarkAppendCheckpoint(b *testing.B) {
	ctx := context.Background()
	signer, _ := mustKey(b, "hallcast.archive")
	const n = 10_000
	entries := make([]*hall.ArchiveEntry, n)
	for i := range entries {
		entries[i] = testEntry(b, i)
	}
	for b.Loop() {
		store := &memStore{}
		log := New(store, signer, "")
		for _, e := range entries {
			c := *e
			store.add(&c)
			if _, err := log.Checkpoint(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}

// BenchmarkSync10k hashes a 10,000-entry archive from scratch, as a replica
// does when it starts.
func BenchmarkSync10k(b *testing.B) {
	ctx := context.Background()
	signer, _ := mustKey(b, "hallcast.archive")
	store := newTestStore(b, 10_000)
	for b.Loop() {
		if _, err := New(store, signer, "").Checkpoint(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
