package archive

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/hallcast/hallcast/server/hall"
)

// headFixture is a store of n entries checkpointed after each, as a server
// with a head file leaves it.
type headFixture struct {
	store  *memStore
	dir    string
	cfg    Config
	alarms []Alarm
}

func newHeadFixture(t *testing.T, n int) *headFixture {
	t.Helper()
	signer, verifier := mustKey(t, "hallcast.archive")
	f := &headFixture{store: &memStore{}, dir: t.TempDir()}
	f.cfg = Config{Store: f.store, Signer: signer, Verifier: verifier, Origin: "hallcast archive",
		HeadFile: filepath.Join(f.dir, HeadFileName), OnAlarm: func(a Alarm) { f.alarms = append(f.alarms, a) }}
	log := f.open(t)
	for i := range n {
		f.store.add(testEntry(t, i))
		if _, err := log.Checkpoint(context.Background()); err != nil {
			t.Fatalf("checkpoint %d: %v", i+1, err)
		}
	}
	return f
}

// open starts a log over the fixture's store and head file, as a server
// start does.
func (f *headFixture) open(t *testing.T) *Log {
	t.Helper()
	cfg := f.cfg
	cfg.Registerer = prometheus.NewRegistry()
	log, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return log
}

func (f *headFixture) head(t *testing.T) *Head {
	t.Helper()
	data, err := os.ReadFile(f.cfg.HeadFile)
	if err != nil {
		t.Fatal(err)
	}
	h, err := OpenHead(string(data), f.cfg.Verifier, f.cfg.Origin)
	if err != nil {
		t.Fatalf("head file: %v", err)
	}
	return h
}

// alter replaces the leaf of entry i with a leaf of other content that still
// decodes and agrees with its row, as an edit made with SQL would.
func (f *headFixture) alter(t *testing.T, i int) {
	t.Helper()
	e := f.store.entries[i]
	altered := alterLeaf(e, "财政预算公开", "财政预算更正")
	if bytes.Equal(altered, e.Leaf) {
		t.Fatalf("entry %d: nothing to alter in %s", i, e.Leaf)
	}
	e.Leaf = altered
}

func TestHeadFile(t *testing.T) {
	ctx := context.Background()

	t.Run("FollowsTheSignedHeads", func(t *testing.T) {
		f := newHeadFixture(t, 6)
		if h := f.head(t); h.Size != 6 {
			t.Fatalf("head file size %d, want 6", h.Size)
		}
		log := f.open(t)
		if err := log.Err(); err != nil {
			t.Fatalf("intact archive: %v", err)
		}
		f.store.add(testEntry(t, 6))
		cp, err := log.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h := f.head(t); h.Size != 7 || h.Root.String() != cp.Root || h.Note != cp.Note {
			t.Errorf("head file %+v, want the checkpoint of size 7", h)
		}
		if len(f.alarms) != 0 {
			t.Errorf("alarms %v, want none", f.alarms)
		}
	})

	// The attack: a leaf edited in the store and every checkpoint deleted,
	// so that the store's own checks pass; then a restart.
	t.Run("LeafEditedCheckpointsDeleted", func(t *testing.T) {
		f := newHeadFixture(t, 6)
		f.alter(t, 2)
		f.store.checkpoints = nil
		if rep, err := VerifyLog(ctx, f.store, f.cfg.Verifier, f.cfg.Origin); err != nil || !rep.OK {
			t.Fatalf("the store alone no longer shows the edit, yet VerifyLog = %+v, %v", rep, err)
		}
		log := f.open(t)
		if log.Err() == nil || !strings.Contains(log.Problem(), "altered") {
			t.Fatalf("Err = %v, want the history found altered", log.Err())
		}
		if _, err := log.Checkpoint(ctx); err == nil {
			t.Fatal("Checkpoint signed over the rewritten history")
		}
		f.store.add(testEntry(t, 6))
		if _, err := log.Checkpoint(ctx); err == nil {
			t.Fatal("Checkpoint signed after a further append")
		}
		if len(f.store.checkpoints) != 0 {
			t.Errorf("checkpoints saved: %d, want none", len(f.store.checkpoints))
		}
		if h := f.head(t); h.Size != 6 {
			t.Errorf("head file moved to size %d", h.Size)
		}
		if len(f.alarms) != 1 || !f.alarms[0].Confirmed || f.alarms[0].Source != "server" {
			t.Errorf("alarms %+v, want one from the server", f.alarms)
		}
	})

	t.Run("EntriesRemoved", func(t *testing.T) {
		f := newHeadFixture(t, 6)
		f.store.entries = f.store.entries[:4]
		f.store.checkpoints = f.store.checkpoints[:4]
		log := f.open(t)
		if log.Err() == nil || !strings.Contains(log.Problem(), "removed") {
			t.Fatalf("Err = %v, want entries found removed", log.Err())
		}
	})

	t.Run("MetricAndAlarm", func(t *testing.T) {
		f := newHeadFixture(t, 3)
		f.alter(t, 0)
		f.store.checkpoints = nil
		reg := prometheus.NewRegistry()
		cfg := f.cfg
		cfg.Registerer = reg
		log, err := Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if log.Err() == nil {
			t.Fatal("no inconsistency found")
		}
		if got := gauge(t, reg, "hallcast_archive_consistent"); got != 0 {
			t.Errorf("hallcast_archive_consistent = %v, want 0", got)
		}
		if got := count(t, log, "server", "true"); got != 1 {
			t.Errorf("server alarms = %v, want 1", got)
		}
	})

	t.Run("StoredCheckpointAltered", func(t *testing.T) {
		f := newHeadFixture(t, 4)
		f.alter(t, 2)
		// The head file is gone too, but the store's checkpoint of size 4
		// still signs the old root.
		os.Remove(f.cfg.HeadFile)
		log := f.open(t)
		if log.Err() == nil {
			t.Fatal("a stored checkpoint over the old root went unnoticed")
		}
	})

	t.Run("AdoptsTheStoresHead", func(t *testing.T) {
		f := newHeadFixture(t, 5)
		os.Remove(f.cfg.HeadFile)
		log := f.open(t)
		if err := log.Err(); err != nil {
			t.Fatal(err)
		}
		if h := f.head(t); h.Size != 5 {
			t.Errorf("head file written at start has size %d, want 5 (the store's latest checkpoint)", h.Size)
		}
	})

	t.Run("UnreadableHeadFile", func(t *testing.T) {
		f := newHeadFixture(t, 2)
		if err := os.WriteFile(f.cfg.HeadFile, []byte("not a checkpoint\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ctx, f.cfg); err == nil {
			t.Error("Open accepted a head file that is not a signed checkpoint")
		}
	})

	t.Run("HeadFileFromAnotherKey", func(t *testing.T) {
		f := newHeadFixture(t, 2)
		other, _ := mustKey(t, "hallcast.archive")
		msg, err := signCheckpoint(other, f.cfg.Origin, 2, mustRoot(t, f.store, 2))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.cfg.HeadFile, []byte(msg), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ctx, f.cfg); err == nil {
			t.Error("Open accepted a head signed by another key")
		}
	})
}

func mustRoot(t *testing.T, s *memStore, n int) tlog.Hash {
	t.Helper()
	return rfc6962Root(leavesOf(s.entries[:n]))
}

// count is the log's alarm counter for the labels.
func count(t *testing.T, log *Log, source, confirmed string) float64 {
	t.Helper()
	var m dto.Metric
	if err := log.alarms.WithLabelValues(source, confirmed).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// gauge is the value of the gauge named in the registry.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func TestReport(t *testing.T) {
	ctx := context.Background()
	f := newHeadFixture(t, 5)
	log := f.open(t)
	good, err := log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A head of the same log over another history: what a rewritten
	// archive would have signed before the rewrite was noticed.
	forked, err := signCheckpoint(f.cfg.Signer, f.cfg.Origin, 5, mustRoot(t, newTestStore(t, 6), 6))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := mustKey(t, "hallcast.archive")
	unsigned, err := signCheckpoint(other, f.cfg.Origin, 5, mustRoot(t, newTestStore(t, 6), 6))
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name      string
		report    DeviceReport
		confirmed bool
		invalid   string // the field a validation error names
	}{
		{name: "ConsistentHead", report: DeviceReport{Problem: "consistency", Seen: good.Note, Device: "kiosk"}},
		{name: "NoHead", report: DeviceReport{Problem: "signature", Device: "public"}},
		{name: "ForeignKey", report: DeviceReport{Problem: "fork", Seen: unsigned, Device: "public"}},
		{name: "BadProblem", report: DeviceReport{Problem: "boom"}, invalid: "problem"},
		{name: "BadDevice", report: DeviceReport{Problem: "fork", Device: "toaster"}, invalid: "device"},
		{name: "HugeNote", report: DeviceReport{Problem: "fork", Seen: strings.Repeat("x", 5000)}, invalid: "seen"},
		{name: "LongDetail", report: DeviceReport{Problem: "fork", Detail: strings.Repeat("长", 501)}, invalid: "detail"},
		// Last: a confirmed report halts the log.
		{name: "ForkedHead", report: DeviceReport{Problem: "fork", Seen: forked, Got: good.Note, Device: "public"}, confirmed: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := log.Report(ctx, &tt.report)
			if tt.invalid != "" {
				if !hall.IsCode(err, hall.EValidation) || !strings.Contains(err.Error(), tt.invalid) {
					t.Fatalf("Report = %v, %v; want a validation error on %s", v, err, tt.invalid)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Confirmed != tt.confirmed {
				t.Errorf("verdict %+v, want confirmed %t", v, tt.confirmed)
			}
			if halted := log.Err() != nil; halted != tt.confirmed {
				t.Errorf("log halted = %t, want %t", halted, tt.confirmed)
			}
		})
	}
	if got := count(t, log, "device", "true"); got != 1 {
		t.Errorf("confirmed device alarms = %v, want 1", got)
	}
	if got := count(t, log, "device", "false"); got != 3 {
		t.Errorf("unconfirmed device alarms = %v, want 3", got)
	}
}

func TestCheckExtends(t *testing.T) {
	ctx := context.Background()
	store := newTestStore(t, 9)
	signer, _ := mustKey(t, "hallcast.archive")
	log := New(store, signer, "")
	if _, err := log.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	head := func(n int64) *Head {
		return &Head{Size: n, Root: mustRoot(t, store, int(n))}
	}
	proof := func(from, to int64) tlog.TreeProof {
		p, _, _, err := log.ConsistencyProof(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := CheckExtends(head(3), head(9), proof(3, 9)); err != nil {
		t.Errorf("3 → 9: %v", err)
	}
	if err := CheckExtends(head(9), head(9), nil); err != nil {
		t.Errorf("9 → 9: %v", err)
	}
	if err := CheckExtends(head(9), head(4), nil); err == nil || !strings.Contains(err.Error(), "rolled back") {
		t.Errorf("9 → 4: %v, want rolled back", err)
	}
	forked := head(9)
	forked.Root[0] ^= 1
	if err := CheckExtends(head(9), forked, nil); err == nil || !strings.Contains(err.Error(), "forked") {
		t.Errorf("9 → other 9: %v, want forked", err)
	}
	if err := CheckExtends(head(3), forked, proof(3, 9)); err == nil || !strings.Contains(err.Error(), "inconsistent") {
		t.Errorf("3 → other 9: %v, want inconsistent", err)
	}
	old := head(3)
	old.Root[5] ^= 1
	if err := CheckExtends(old, head(9), proof(3, 9)); err == nil {
		t.Error("a proof from another tree of size 3 was accepted")
	}
}
