package hall

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
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
	// Redacted is set, on a placeholder carrying only ID, Revision,
	// PublishedAt and ArchiveIndex, for a revision whose content was
	// redacted. It is never part of archived content.
	Redacted *Redaction `json:"redacted,omitempty"`
}

// Redaction says when and why a revision's content was removed.
type Redaction struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// Archive entry kinds.
const (
	EntryPublish  = "publish"
	EntryWithdraw = "withdraw"
	EntryExpire   = "expire"
	// EntryRedact records that a revision's content was deleted; the entry's
	// Revision names it and its reason says why.
	EntryRedact = "redact"
)

// Leaf format versions. Format 1 (the first deployments) carries a publish
// entry's revision inline in the leaf; format 2 carries only content_hash,
// SHA-256 of the entry's salt followed by its content, with the content and
// the salt stored beside the leaf so that they can be deleted (redacted)
// without changing the leaf. New entries are written in format 2; format-1
// leaves stay as they are and verify as before.
const (
	LeafInline  = 1
	LeafHashed  = 2
	saltBytes   = 32
	leafCurrent = LeafHashed
)

// ErrContentGone is wrapped by DecodeEntry's error for a format-2 publish
// entry whose content (and salt) is no longer stored: redacted, if a later
// redact entry names the revision.
var ErrContentGone = errors.New("revision content is not stored")

// ArchiveEntry is one leaf of the transparency log. Leaf is the exact bytes
// hashed into the Merkle tree; everything else is an index over it.
type ArchiveEntry struct {
	Index    int64     `json:"index"`
	Kind     string    `json:"kind"`
	ItemID   string    `json:"item_id"`
	Revision int       `json:"revision"`
	At       time.Time `json:"at"`
	Leaf     []byte    `json:"-"`
	// Content and Salt are stored beside a format-2 publish leaf: the
	// revision as canonical JSON and the random salt its leaf's
	// content_hash commits to with it. Both are nil once the revision is
	// redacted, and for every other entry.
	Content []byte `json:"-"`
	Salt    []byte `json:"-"`
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
	Content  *Revision `json:"content,omitempty"` // format 1 only
	// ContentHash is, in format 2, hex SHA-256(salt || content).
	ContentHash string `json:"content_hash,omitempty"`
}

// NewPublishEntry builds the archive entry for a published revision, in
// leaf format 2: the leaf commits to the revision's content by a salted
// hash, and the content and a fresh random salt travel beside it in the
// entry. The revision's ArchiveIndex is not part of the content (it is the
// leaf's position).
func NewPublishEntry(r *Revision) (*ArchiveEntry, error) {
	c := *r
	c.ArchiveIndex, c.Redacted = 0, nil
	content, err := canonicalJSON(&c)
	if err != nil {
		return nil, fmt.Errorf("encode revision content: %w", err)
	}
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	e, err := newEntry(leaf{V: leafCurrent, Kind: EntryPublish, ItemID: r.ID, Revision: r.Revision, At: r.PublishedAt.UTC(),
		ContentHash: ContentHash(salt, content)})
	if err != nil {
		return nil, err
	}
	e.Content, e.Salt = content, salt
	return e, nil
}

// ContentHash is what a format-2 publish leaf commits to: hex
// SHA-256(salt || content). The salt has a fixed length, so the
// concatenation is unambiguous; it keeps a short content from being guessed
// from its hash once the content is redacted.
func ContentHash(salt, content []byte) string {
	h := sha256.New()
	h.Write(salt)
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// NewStateEntry builds a withdraw, expire or redact entry for an item's
// revision. A redact entry's reason says why the content was removed; it
// never contains the content.
func NewStateEntry(kind, itemID string, revision int, at time.Time, reason string) (*ArchiveEntry, error) {
	if kind != EntryWithdraw && kind != EntryExpire && kind != EntryRedact {
		return nil, fmt.Errorf("archive entry kind %q", kind)
	}
	v := LeafInline
	if kind == EntryRedact {
		v = LeafHashed // format 1 had no redact entries
	}
	return newEntry(leaf{V: v, Kind: kind, ItemID: itemID, Revision: revision, At: at.UTC(), Reason: reason})
}

func canonicalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func newEntry(l leaf) (*ArchiveEntry, error) {
	data, err := canonicalJSON(l)
	if err != nil {
		return nil, fmt.Errorf("encode archive leaf: %w", err)
	}
	return &ArchiveEntry{Kind: l.Kind, ItemID: l.ItemID, Revision: l.Revision, At: l.At, Leaf: data}, nil
}

// DecodeEntry parses an entry's leaf and checks it agrees with the entry's
// index fields. For publish entries it returns the revision, with its
// ArchiveIndex filled from the entry: from the leaf itself in format 1, from
// the entry's Content in format 2 after checking it against the leaf's
// content_hash (an error wrapping ErrContentGone when the content is not
// stored). For withdraw, expire and redact entries it returns the reason.
func DecodeEntry(e *ArchiveEntry) (*Revision, string, error) {
	var l leaf
	if err := json.Unmarshal(e.Leaf, &l); err != nil {
		return nil, "", fmt.Errorf("archive entry %d: leaf is not valid: %w", e.Index, err)
	}
	if l.Kind != e.Kind || l.ItemID != e.ItemID || l.Revision != e.Revision {
		return nil, "", fmt.Errorf("archive entry %d: leaf says %s %s#%d, row says %s %s#%d",
			e.Index, l.Kind, l.ItemID, l.Revision, e.Kind, e.ItemID, e.Revision)
	}
	if l.Kind != EntryPublish {
		return nil, l.Reason, nil
	}
	switch l.V {
	case LeafInline:
	case LeafHashed:
		if l.Content != nil {
			return nil, "", fmt.Errorf("archive entry %d: format-2 publish leaf with inline content", e.Index)
		}
		if e.Content == nil {
			return nil, "", fmt.Errorf("archive entry %d (revision %d of item %s): %w", e.Index, l.Revision, l.ItemID, ErrContentGone)
		}
		got := ContentHash(e.Salt, e.Content)
		if subtle.ConstantTimeCompare([]byte(got), []byte(l.ContentHash)) != 1 {
			return nil, "", fmt.Errorf("archive entry %d: the stored content hashes to %s, the leaf commits to %s", e.Index, got, l.ContentHash)
		}
		var r Revision
		if err := json.Unmarshal(e.Content, &r); err != nil {
			return nil, "", fmt.Errorf("archive entry %d: stored content is not valid: %w", e.Index, err)
		}
		l.Content = &r
	default:
		return nil, "", fmt.Errorf("archive entry %d: unknown leaf format %d", e.Index, l.V)
	}
	if l.Content == nil || l.Content.ID != l.ItemID || l.Content.Revision != l.Revision {
		return nil, "", fmt.Errorf("archive entry %d: publish leaf without matching content", e.Index)
	}
	l.Content.ArchiveIndex = e.Index
	return l.Content, l.Reason, nil
}

// EntryFromLeaf returns the entry a leaf encodes at index: its kind, item,
// revision and time are read from the leaf itself, not from any row. The
// entry has no Content or Salt: callers holding a stored entry copy them
// over (DecodeEntry checks them against the leaf).
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
