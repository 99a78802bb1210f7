package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// testRedaction: a format-2 publish entry's content and salt are stored
// beside its leaf and returned by every read; RedactRevision deletes them,
// appends the redact entry and saves the item in one step, leaving every
// leaf as it was.
func testRedaction(t *testing.T, s hall.Store) {
	ctx := t.Context()
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	a := mustItem(t, s, "it_redact", "救助名单")
	pub := publishEntry(t, a, 1, at(time.Hour))
	mustOK(t, s.SaveWithEntry(ctx, a, pub), "SaveWithEntry a#1")
	if pub.Content == nil || pub.Salt == nil {
		t.Fatal("NewPublishEntry made no content and salt")
	}
	t.Run("ContentStored", func(t *testing.T) {
		got, err := s.RevisionEntry(ctx, a.ID, 1)
		mustOK(t, err, "RevisionEntry")
		if !bytes.Equal(got.Content, pub.Content) || !bytes.Equal(got.Salt, pub.Salt) {
			t.Fatalf("content %q salt %x, want %q %x", got.Content, got.Salt, pub.Content, pub.Salt)
		}
		if _, _, err := hall.DecodeEntry(got); err != nil {
			t.Errorf("DecodeEntry: %v", err)
		}
	})
	before, err := s.ArchiveEntries(ctx, 0, 1<<20)
	mustOK(t, err, "ArchiveEntries")
	size := int64(len(before))

	red, err := hall.NewStateEntry(hall.EntryRedact, a.ID, 1, at(2*time.Hour), "个人信息")
	mustOK(t, err, "NewStateEntry redact")
	a.Status = hall.StatusWithdrawn
	withdrawn := at(2 * time.Hour)
	a.Public = &hall.PublicState{Revision: 1, ArchiveIndex: pub.Index, PublishedAt: at(time.Hour), FirstPublished: at(time.Hour),
		Redacted: true, RedactReason: "个人信息", WithdrawnAt: &withdrawn, WithdrawReason: "个人信息"}
	t.Run("ErrStaleVersion", func(t *testing.T) {
		stale := *a
		stale.Version--
		e := *red
		if err := s.RedactRevision(ctx, &stale, &e); !hall.IsCode(err, hall.EConflict) {
			t.Fatalf("stale version: %v, want conflict", err)
		}
		got, err := s.RevisionEntry(ctx, a.ID, 1)
		mustOK(t, err, "RevisionEntry")
		if got.Content == nil {
			t.Error("a failed redaction deleted the content")
		}
		wantSize(t, s, size)
	})
	mustOK(t, s.RedactRevision(ctx, a, red), "RedactRevision")
	t.Run("Redacted", func(t *testing.T) {
		if red.Index != size {
			t.Errorf("redact entry index %d, want %d", red.Index, size)
		}
		wantSize(t, s, size+1)
		wantItem(t, s, a)
		for _, read := range []func() (*hall.ArchiveEntry, error){
			func() (*hall.ArchiveEntry, error) { return s.RevisionEntry(ctx, a.ID, 1) },
			func() (*hall.ArchiveEntry, error) {
				es, err := s.ArchiveEntries(ctx, pub.Index, pub.Index+1)
				if err != nil || len(es) != 1 {
					return nil, err
				}
				return es[0], nil
			},
		} {
			got, err := read()
			mustOK(t, err, "read the redacted entry")
			if got.Content != nil || got.Salt != nil {
				t.Errorf("content %q salt %x still stored", got.Content, got.Salt)
			}
			if !bytes.Equal(got.Leaf, pub.Leaf) {
				t.Errorf("leaf changed:\n got %s\nwant %s", got.Leaf, pub.Leaf)
			}
		}
		after, err := s.ArchiveEntries(ctx, 0, 1<<20)
		mustOK(t, err, "ArchiveEntries")
		for i := range before {
			if !bytes.Equal(after[i].Leaf, before[i].Leaf) {
				t.Errorf("leaf %d changed", i)
			}
		}
		es, err := s.ItemEntries(ctx, a.ID)
		mustOK(t, err, "ItemEntries")
		if len(es) != 2 || es[1].Kind != hall.EntryRedact || es[1].Revision != 1 || !bytes.Equal(es[1].Leaf, red.Leaf) {
			t.Errorf("item entries %+v, want publish then redact", es)
		}
		if r := hall.Redactions(es)[1]; r == nil || r.Reason != "个人信息" {
			t.Errorf("redactions: %+v", hall.Redactions(es))
		}
	})
	t.Run("ErrAlreadyRedacted", func(t *testing.T) {
		again, err := hall.NewStateEntry(hall.EntryRedact, a.ID, 1, at(3*time.Hour), "again")
		mustOK(t, err, "NewStateEntry")
		if err := s.RedactRevision(ctx, a, again); !hall.IsCode(err, hall.EConflict) {
			t.Errorf("second redaction: %v, want conflict", err)
		}
		wantSize(t, s, size+1)
	})
}
