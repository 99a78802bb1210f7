package httpapi

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/hall"
)

type archiveEntryView struct {
	Index    int64     `json:"index"`
	Kind     string    `json:"kind"`
	ItemID   string    `json:"item_id"`
	Revision int       `json:"revision"`
	At       time.Time `json:"at"`
	Title    string    `json:"title,omitempty"`
	Category string    `json:"category,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	URL      string    `json:"url,omitempty"`
	LeafHash string    `json:"leaf_hash"`
}

// inclusionView is an inclusion proof as JSON: hashes in base64, the
// RFC 6962 audit path from the leaf up.
type inclusionView struct {
	Index    int64    `json:"index"`
	Size     int64    `json:"size"`
	Root     string   `json:"root"`
	LeafHash string   `json:"leaf_hash"`
	Leaf     string   `json:"leaf"` // the exact bytes hashed (JSON text)
	Proof    []string `json:"proof"`
	// Content and Salt (hex) of a format-2 publish entry, the leaf's
	// content_hash being SHA-256(salt || content); absent once redacted.
	Content string `json:"content,omitempty"`
	Salt    string `json:"salt,omitempty"`
}

// consistencyView is a consistency proof between two tree sizes.
type consistencyView struct {
	From     int64    `json:"from"`
	To       int64    `json:"to"`
	FromRoot string   `json:"from_root"`
	ToRoot   string   `json:"to_root"`
	Proof    []string `json:"proof"`
}

func hashStrings(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.String()
	}
	return out
}

// listArchive lists archive entries oldest first: every published revision
// with its leaf index, and every withdrawal and expiry. Each entry is read
// from its leaf, checked against the signed tree.
func (s *Server) listArchive(c echo.Context) error {
	ctx := c.Request().Context()
	from, err := queryInt(c, "from", 0, 0, 1<<40)
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	entries, size, err := s.Archive.Entries(ctx, int64(from), int64(from)+int64(limit))
	if err != nil {
		return err
	}
	out := make([]archiveEntryView, len(entries))
	for i, e := range entries {
		v := archiveEntryView{Index: e.Index, Kind: e.Kind, ItemID: e.ItemID, Revision: e.Revision, At: e.At, LeafHash: tlog.RecordHash(e.Leaf).String()}
		rev, reason, err := hall.DecodeEntry(e)
		if errors.Is(err, hall.ErrContentGone) {
			// Redacted (a later redact entry says why): its URL answers 410.
			v.URL = revisionURL(e.ItemID, e.Revision)
			out[i] = v
			continue
		}
		if err != nil {
			return err
		}
		v.Reason = reason
		if rev != nil {
			v.Title, v.Category, v.URL = rev.Title, rev.Category, revisionURL(rev.ID, rev.Revision)
		}
		out[i] = v
	}
	return c.JSON(http.StatusOK, map[string]any{"size": size, "entries": out})
}

// checkpoint serves the signed tree head in note format.
func (s *Server) checkpoint(c echo.Context) error {
	cp, err := s.Archive.Checkpoint(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.String(http.StatusOK, cp.Note)
}

// archiveKey serves the key that verifies checkpoints.
func (s *Server) archiveKey(c echo.Context) error {
	return c.String(http.StatusOK, s.ArchiveKey+"\n")
}

func int64Query(c echo.Context, name string, required bool) (int64, bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		if required {
			return 0, false, hall.FieldError(name, "required")
		}
		return 0, false, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false, hall.FieldError(name, "want a whole number from 0")
	}
	return n, true, nil
}

// inclusionProof proves that entry {index} is in the tree of size N
// (default: the current size).
func (s *Server) inclusionProof(c echo.Context) error {
	index, err := strconv.ParseInt(c.Param("index"), 10, 64)
	if err != nil || index < 0 {
		return hall.FieldError("index", "want a whole number from 0")
	}
	size, ok, err := int64Query(c, "size", false)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if !ok {
		cp, err := s.Archive.Checkpoint(ctx)
		switch {
		case err == nil:
			size = cp.Size
		case s.Archive.Err() != nil:
			// No new head is signed: prove against the tree as held.
			size = s.Archive.Size()
		default:
			return err
		}
	}
	proof, root, err := s.Archive.InclusionProof(ctx, index, size)
	if err != nil {
		return err
	}
	entries, _, err := s.Archive.Entries(ctx, index, index+1)
	if err != nil {
		return err
	}
	if len(entries) != 1 {
		return hall.NotFound("archive entry", strconv.FormatInt(index, 10))
	}
	v := inclusionView{Index: index, Size: size, Root: root.String(),
		LeafHash: tlog.RecordHash(entries[0].Leaf).String(), Leaf: string(entries[0].Leaf), Proof: hashStrings(proof)}
	if e := entries[0]; e.Content != nil {
		v.Content, v.Salt = string(e.Content), hex.EncodeToString(e.Salt)
	}
	return c.JSON(http.StatusOK, v)
}

// consistencyProof proves that the tree of size from is a prefix of the
// tree of size to: nothing published was changed or removed.
func (s *Server) consistencyProof(c echo.Context) error {
	from, _, err := int64Query(c, "from", true)
	if err != nil {
		return err
	}
	to, _, err := int64Query(c, "to", true)
	if err != nil {
		return err
	}
	proof, fromRoot, toRoot, err := s.Archive.ConsistencyProof(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, consistencyView{From: from, To: to, FromRoot: fromRoot.String(), ToRoot: toRoot.String(), Proof: hashStrings(proof)})
}

// verifyArchive recomputes the whole archive, checks every checkpoint and
// compares every item row with the public state its entries define.
func (s *Server) verifyArchive(c echo.Context) error {
	rep, err := archive.Verify(c.Request().Context(), s.Store, s.Verifier, s.Origin)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// maxAlarmBody bounds a witness's report.
const maxAlarmBody = 16 << 10

// archiveAlarm takes a witness's report of a broken history; the alarm
// desk weighs it (a validly signed head that the archive no longer fits
// confirms it and stops signing), counts it and writes it to the audit log.
func (s *Server) archiveAlarm(c echo.Context) error {
	if err := s.Alarms.Admit(c.Request().Context(), c.RealIP()); err != nil {
		return err
	}
	if c.Request().ContentLength > maxAlarmBody {
		return hall.Errorf(hall.ETooLarge, "body exceeds %d bytes", maxAlarmBody)
	}
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, maxAlarmBody)
	var r archive.DeviceReport
	if err := bind(c, &r); err != nil {
		return err
	}
	v, err := s.Alarms.Receive(c.Request().Context(), c.RealIP(), &r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, v)
}
