package hall

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Revision is one published version of an item, immutable once appended to
// the archive. Its JSON is what screens and the public fetch.
type Revision struct {
	ID           string     `json:"id"`
	Revision     int        `json:"revision"`
	Category     string     `json:"category"`
	Department   string     `json:"department"`
	Hall         string     `json:"hall,omitempty"` // whose board: "" for the whole township
	Title        string     `json:"title"`
	Summary      string     `json:"summary"`
	Body         string     `json:"body"`      // Markdown as written
	BodyHTML     string     `json:"body_html"` // sanitised HTML as shown
	Finance      *Finance   `json:"finance,omitempty"`
	Stage        Stage      `json:"stage,omitempty"`
	MatterID     string     `json:"matter_id,omitempty"`
	Cadence      Cadence    `json:"cadence,omitempty"`
	ValidFrom    *time.Time `json:"valid_from,omitempty"`
	ValidUntil   *time.Time `json:"valid_until,omitempty"`
	Assets       []Asset    `json:"assets"`
	PublishedAt  time.Time  `json:"published_at"`
	Page         string     `json:"page"`
	ArchiveIndex int64      `json:"archive_index"`
	// PrivacyOverride records an admin's reason for publishing personal data
	// the privacy guard flagged.
	PrivacyOverride string `json:"privacy_override,omitempty"`
	// SelfApproved records that the person who submitted the revision also
	// approved it (a deployment with one member of staff can allow that).
	SelfApproved bool `json:"self_approved,omitempty"`
}

// Archive entry kinds.
const (
	EntryPublish  = "publish"
	EntryWithdraw = "withdraw"
	EntryExpire   = "expire"
)

// ArchiveEntry is one leaf of the transparency log. Leaf is the exact bytes
// hashed into the Merkle tree; everything else is an index over it.
type ArchiveEntry struct {
	Index    int64     `json:"index"`
	Kind     string    `json:"kind"`
	ItemID   string    `json:"item_id"`
	Revision int       `json:"revision"`
	At       time.Time `json:"at"`
	Leaf     []byte    `json:"-"`
}

// leaf is the canonical form of an archive entry. Field order is fixed by the
// struct, so encoding is deterministic.
type leaf struct {
	V        int       `json:"v"`
	Kind     string    `json:"kind"`
	ItemID   string    `json:"item_id"`
	Revision int       `json:"revision"`
	At       time.Time `json:"at"`
	Reason   string    `json:"reason,omitempty"`
	Content  *Revision `json:"content,omitempty"`
}

// NewPublishEntry builds the archive entry for a published revision. The
// revision's ArchiveIndex is not part of the leaf (it is the leaf's position).
func NewPublishEntry(r *Revision) (*ArchiveEntry, error) {
	c := *r
	c.ArchiveIndex = 0
	return newEntry(leaf{V: 1, Kind: EntryPublish, ItemID: r.ID, Revision: r.Revision, At: r.PublishedAt.UTC(), Content: &c})
}

// NewStateEntry builds a withdraw or expire entry for an item's revision.
func NewStateEntry(kind, itemID string, revision int, at time.Time, reason string) (*ArchiveEntry, error) {
	if kind != EntryWithdraw && kind != EntryExpire {
		return nil, fmt.Errorf("archive entry kind %q", kind)
	}
	return newEntry(leaf{V: 1, Kind: kind, ItemID: itemID, Revision: revision, At: at.UTC(), Reason: reason})
}

func newEntry(l leaf) (*ArchiveEntry, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l); err != nil {
		return nil, fmt.Errorf("encode archive leaf: %w", err)
	}
	return &ArchiveEntry{Kind: l.Kind, ItemID: l.ItemID, Revision: l.Revision, At: l.At, Leaf: bytes.TrimSuffix(buf.Bytes(), []byte("\n"))}, nil
}

// DecodeEntry parses an entry's leaf and checks it agrees with the entry's
// index fields. For publish entries it returns the revision, with its
// ArchiveIndex filled from the entry.
func DecodeEntry(e *ArchiveEntry) (*Revision, string, error) {
	var l leaf
	if err := json.Unmarshal(e.Leaf, &l); err != nil {
		return nil, "", fmt.Errorf("archive entry %d: leaf is not valid: %w", e.Index, err)
	}
	if l.Kind != e.Kind || l.ItemID != e.ItemID || l.Revision != e.Revision {
		return nil, "", fmt.Errorf("archive entry %d: leaf says %s %s#%d, row says %s %s#%d",
			e.Index, l.Kind, l.ItemID, l.Revision, e.Kind, e.ItemID, e.Revision)
	}
	if l.Kind == EntryPublish {
		if l.Content == nil || l.Content.ID != l.ItemID || l.Content.Revision != l.Revision {
			return nil, "", fmt.Errorf("archive entry %d: publish leaf without matching content", e.Index)
		}
		l.Content.ArchiveIndex = e.Index
		return l.Content, l.Reason, nil
	}
	return nil, l.Reason, nil
}

// EntryFromLeaf returns the entry a leaf encodes at index: its kind, item,
// revision and time are read from the leaf itself, not from any row.
func EntryFromLeaf(index int64, data []byte) (*ArchiveEntry, error) {
	var l leaf
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("archive entry %d: leaf is not valid: %w", index, err)
	}
	return &ArchiveEntry{Index: index, Kind: l.Kind, ItemID: l.ItemID, Revision: l.Revision, At: l.At, Leaf: data}, nil
}

// Checkpoint is a signed tree head of the archive: its size, root hash and
// the note (golang.org/x/mod/sumdb/note) that signs them.
type Checkpoint struct {
	Size int64     `json:"size"`
	Root string    `json:"root"` // base64 of the tree hash
	Note string    `json:"note"` // the signed note text
	At   time.Time `json:"at"`
}
