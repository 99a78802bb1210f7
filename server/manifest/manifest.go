// Package manifest builds what each screen plays: its resolved timeline for
// the next 24 hours, the item revisions that timeline needs and the
// interrupts in force, encoded as the MANIFEST JSON of the device protocol
// (docs/PROTOCOL.md, "The manifest").
//
// A manifest names nothing about the screen it was built for, so screens
// with the same timeline get byte-identical JSON under one ETag. The Builder
// computes it once for all screens that resolve alike and reuses it until
// the hour turns, Invalidate is called, or MaxAge passes (so items whose
// validity starts or ends, and interrupts that run out, show up without an
// explicit change).
package manifest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/hallcast/hallcast/playlists"
	"github.com/hallcast/hallcast/server/hall"
)

// Window is how far ahead a manifest reaches from its generated_at.
const Window = 24 * time.Hour

// Source is what the builder reads from the store (parts of
// hall.CatalogStore, hall.ItemStore and hall.ScreenStore).
type Source interface {
	Hall(ctx context.Context, id string) (*hall.Hall, error)
	ListSchedules(ctx context.Context) ([]*hall.Schedule, error)
	Playlist(ctx context.Context, id string) (*hall.Playlist, error)
	// Item is used for playlist entries naming one item: it is live when
	// its Public state is live.
	Item(ctx context.Context, id string) (*hall.Item, error)
	// ListItems is called with Public, LiveAt and Category set, for
	// playlist entries naming a category.
	ListItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error)
	ListInterrupts(ctx context.Context, activeAt time.Time) ([]*hall.Interrupt, error)
}

// Manifest is one encoded manifest. ETag is the first 16 hex digits of the
// SHA-256 of JSON, without quotes: the websocket protocol carries it as is,
// and an HTTP handler quotes it for the ETag header.
type Manifest struct {
	ETag string
	JSON []byte
}

// Document is the MANIFEST JSON. Field order is fixed by the struct and map
// keys are sorted by encoding/json, so equal documents encode to equal bytes.
type Document struct {
	GeneratedAt time.Time          `json:"generated_at"`
	ValidUntil  time.Time          `json:"valid_until"`
	TZ          string             `json:"tz"`
	Timeline    []Slot             `json:"timeline"`
	Items       map[string]ItemRef `json:"items"`
	Interrupts  []Interrupt        `json:"interrupts"`
}

// Slot is one stretch of the timeline with its expanded entries. The entry
// playing at t is found with playlists.Position(Entries, Anchor, t).
type Slot struct {
	From       time.Time       `json:"from"`
	To         time.Time       `json:"to"`
	PlaylistID string          `json:"playlist_id"`
	Anchor     time.Time       `json:"anchor"`
	Entries    []playlists.Cue `json:"entries"`
}

// ItemRef says which revision of an item the timeline plays and where its
// immutable content is.
type ItemRef struct {
	Revision int    `json:"revision"`
	URL      string `json:"url"`
}

// Interrupt is an interrupt as screens see it: in the manifest and, with a
// "type", in the interrupt frame.
type Interrupt struct {
	ID     string    `json:"id"`
	Level  string    `json:"level"`
	Text   string    `json:"text,omitempty"`
	ItemID string    `json:"item_id,omitempty"`
	Until  time.Time `json:"until"`
}

// InterruptOf returns the screen-facing part of an interrupt (not its
// target or author).
func InterruptOf(i *hall.Interrupt) Interrupt {
	return Interrupt{ID: i.ID, Level: i.Level, Text: i.Text, ItemID: i.ItemID, Until: i.Until}
}

// RevisionURL is where one published revision of an item is served.
func RevisionURL(itemID string, revision int) string {
	return "/api/v1/public/items/" + url.PathEscape(itemID) + "/revisions/" + strconv.Itoa(revision)
}

// Encode encodes a document and computes its ETag.
func Encode(doc *Document) (*Manifest, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("manifest: encode: %w", err)
	}
	data := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return &Manifest{ETag: ETagOf(data), JSON: data}, nil
}

// ETagOf returns the first 16 hex digits of the SHA-256 of data.
func ETagOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}
