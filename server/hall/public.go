package hall

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The public state of an item is defined by its archive entries alone: the
// publish entry of its latest revision and the withdraw and expire entries
// after it. The functions below are that one definition; the publish
// workflow, the archive's public index and `hallcast archive verify` all
// derive public states with them, so a stored row that disagrees with its
// entries is an edit made behind the server's back.

// TextFunc returns the plain text of a revision's Markdown body, for search.
type TextFunc func(markdown string) string

// NextPublicState returns an item's public state after archive entry e,
// given its state before (nil before the item's first publish). prev is not
// changed. text gives the body's plain text for SearchText; nil uses the
// Markdown as written. It fails when e cannot follow prev: a revision
// number out of sequence, a withdrawal or expiry of a revision that is not
// the latest, or of one already withdrawn or expired.
//
// A publish entry whose content was deleted gives a state with only its
// revision, archive index and times, marked Redacted (never live); a redact
// entry naming the latest revision clears every field that came from its
// content and withdraws it (if it was not withdrawn already), one naming an
// earlier revision leaves the state as it is.
func NextPublicState(prev *PublicState, e *ArchiveEntry, text TextFunc) (*PublicState, error) {
	rev, reason, err := DecodeEntry(e)
	if errors.Is(err, ErrContentGone) {
		rev, err = &Revision{ID: e.ItemID, Revision: e.Revision, PublishedAt: e.At, Redacted: &Redaction{}}, nil
	}
	if err != nil {
		return nil, err
	}
	switch e.Kind {
	case EntryRedact:
		switch {
		case prev == nil:
			return nil, fmt.Errorf("archive entry %d: redaction of item %s, which was never published", e.Index, e.ItemID)
		case e.Revision < 1 || e.Revision > prev.Revision:
			return nil, fmt.Errorf("archive entry %d: redaction of revision %d of item %s, whose latest revision is %d", e.Index, e.Revision, e.ItemID, prev.Revision)
		case e.Revision < prev.Revision:
			next := *prev
			return &next, nil
		}
		return redactedState(prev, e.At.UTC(), reason), nil
	case EntryPublish:
		if rev.Redacted != nil {
			want := 1
			if prev != nil {
				want = prev.Revision + 1
			}
			if rev.Revision != want {
				return nil, fmt.Errorf("archive entry %d publishes revision %d of item %s, want revision %d", e.Index, rev.Revision, e.ItemID, want)
			}
			first := rev.PublishedAt.UTC()
			if prev != nil {
				first = prev.FirstPublished
			}
			return &PublicState{Revision: rev.Revision, ArchiveIndex: e.Index, PublishedAt: rev.PublishedAt.UTC(),
				FirstPublished: first, Redacted: true}, nil
		}
		want := 1
		if prev != nil {
			want = prev.Revision + 1
		}
		if rev.Revision != want {
			return nil, fmt.Errorf("archive entry %d publishes revision %d of item %s, want revision %d", e.Index, rev.Revision, e.ItemID, want)
		}
		first := rev.PublishedAt.UTC()
		if prev != nil {
			first = prev.FirstPublished
		}
		return &PublicState{
			Revision: rev.Revision, ArchiveIndex: e.Index, Category: rev.Category, Department: rev.Department,
			Hall: rev.Hall, Title: rev.Title, Summary: rev.Summary, Stage: rev.Stage, MatterID: rev.MatterID, Cadence: rev.Cadence,
			SearchText: SearchText(rev, text), HasFinance: rev.Finance != nil,
			PublishedAt: rev.PublishedAt.UTC(), FirstPublished: first,
			ValidFrom: utcPtr(rev.ValidFrom), ValidUntil: utcPtr(rev.ValidUntil),
		}, nil
	case EntryWithdraw, EntryExpire:
		switch {
		case prev == nil:
			return nil, fmt.Errorf("archive entry %d: %s of item %s, which was never published", e.Index, e.Kind, e.ItemID)
		case e.Revision != prev.Revision:
			return nil, fmt.Errorf("archive entry %d: %s of revision %d of item %s, whose latest revision is %d", e.Index, e.Kind, e.Revision, e.ItemID, prev.Revision)
		case prev.WithdrawnAt != nil:
			return nil, fmt.Errorf("archive entry %d: %s of item %s, already withdrawn", e.Index, e.Kind, e.ItemID)
		case prev.Redacted && e.Kind == EntryWithdraw:
			return nil, fmt.Errorf("archive entry %d: withdrawal of item %s, whose revision was redacted", e.Index, e.ItemID)
		}
		next := *prev
		at := e.At.UTC()
		if e.Kind == EntryWithdraw {
			next.WithdrawnAt, next.WithdrawReason = &at, reason
		} else {
			if prev.ExpiredAt != nil {
				return nil, fmt.Errorf("archive entry %d: expiry of item %s, already expired", e.Index, e.ItemID)
			}
			next.ExpiredAt = &at
		}
		return &next, nil
	}
	return nil, fmt.Errorf("archive entry %d: unknown kind %q", e.Index, e.Kind)
}

// redactedState is prev after its revision's content was redacted at at:
// nothing that came from the content is kept, and it is withdrawn.
func redactedState(prev *PublicState, at time.Time, reason string) *PublicState {
	next := &PublicState{Revision: prev.Revision, ArchiveIndex: prev.ArchiveIndex, PublishedAt: prev.PublishedAt,
		FirstPublished: prev.FirstPublished, Redacted: true, RedactReason: reason,
		WithdrawnAt: prev.WithdrawnAt, WithdrawReason: prev.WithdrawReason, ExpiredAt: prev.ExpiredAt}
	if next.WithdrawnAt == nil {
		next.WithdrawnAt, next.WithdrawReason = &at, reason
	}
	return next
}

// Redactions returns, from an item's entries, the redaction of each
// redacted revision, by revision number.
func Redactions(entries []*ArchiveEntry) map[int]*Redaction {
	out := map[int]*Redaction{}
	for _, e := range entries {
		if e.Kind != EntryRedact {
			continue
		}
		_, reason, err := DecodeEntry(e)
		if err != nil {
			continue
		}
		out[e.Revision] = &Redaction{At: e.At.UTC(), Reason: reason}
	}
	return out
}

// ReplayPublicState folds an item's archive entries, oldest first, into its
// public state; nil when there are none.
func ReplayPublicState(entries []*ArchiveEntry, text TextFunc) (*PublicState, error) {
	var p *PublicState
	for _, e := range entries {
		next, err := NextPublicState(p, e, text)
		if err != nil {
			return nil, err
		}
		p = next
	}
	return p, nil
}

// SearchText is what public search matches for a revision: its title,
// summary, body text and finance line names.
func SearchText(r *Revision, text TextFunc) string {
	body := r.Body
	if text != nil {
		body = text(r.Body)
	}
	var fin strings.Builder
	if r.Finance != nil {
		for _, l := range r.Finance.Lines {
			fin.WriteString(l.Name)
			fin.WriteByte(' ')
		}
	}
	return strings.Join([]string{r.Title, r.Summary, body, fin.String()}, "\n")
}

// DiffPublicState compares a stored public state with the one derived from
// the archive and names the first field that differs, with both values; ""
// when they agree. SearchText is not compared: it depends on the Markdown
// renderer's version, and public search reads the archive's own text.
func DiffPublicState(stored, derived *PublicState) (field, got, want string) {
	switch {
	case stored == nil && derived == nil:
		return "", "", ""
	case stored == nil:
		return "revision", "never published", fmt.Sprintf("revision %d", derived.Revision)
	case derived == nil:
		return "revision", fmt.Sprintf("revision %d", stored.Revision), "never published"
	}
	fields := []struct {
		name string
		a, b string
	}{
		{"revision", itoa(stored.Revision), itoa(derived.Revision)},
		{"archive_index", fmt.Sprint(stored.ArchiveIndex), fmt.Sprint(derived.ArchiveIndex)},
		{"category", stored.Category, derived.Category},
		{"department", stored.Department, derived.Department},
		{"title", stored.Title, derived.Title},
		{"summary", stored.Summary, derived.Summary},
		{"stage", string(stored.Stage), string(derived.Stage)},
		{"matter_id", stored.MatterID, derived.MatterID},
		{"cadence", string(stored.Cadence), string(derived.Cadence)},
		{"has_finance", fmt.Sprint(stored.HasFinance), fmt.Sprint(derived.HasFinance)},
		{"published_at", timeText(&stored.PublishedAt), timeText(&derived.PublishedAt)},
		{"first_published", timeText(&stored.FirstPublished), timeText(&derived.FirstPublished)},
		{"valid_from", timeText(stored.ValidFrom), timeText(derived.ValidFrom)},
		{"valid_until", timeText(stored.ValidUntil), timeText(derived.ValidUntil)},
		{"withdrawn_at", timeText(stored.WithdrawnAt), timeText(derived.WithdrawnAt)},
		{"withdraw_reason", stored.WithdrawReason, derived.WithdrawReason},
		{"expired_at", timeText(stored.ExpiredAt), timeText(derived.ExpiredAt)},
		{"redacted", fmt.Sprint(stored.Redacted), fmt.Sprint(derived.Redacted)},
	}
	for _, f := range fields {
		if f.a != f.b {
			return f.name, f.a, f.b
		}
	}
	return "", "", ""
}

func timeText(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
