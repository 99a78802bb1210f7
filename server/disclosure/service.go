// Package disclosure is the review workflow of disclosure items: drafting,
// submitting, approving, publishing (an immutable revision appended to the
// archive), withdrawing and expiring, with the privacy guard on publish.
// The HTTP API, the command line and the demo seed all go through it.
package disclosure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/privacy"
	"github.com/hallcast/hallcast/server/search"
)

// Renderer turns Markdown into sanitised HTML and plain text.
type Renderer interface {
	Render(src string) (string, error)
	PlainText(src string) string
}

// Archive is the transparency log the workflow appends to.
type Archive interface {
	// Checkpoint signs the tree head after an append.
	Checkpoint(ctx context.Context) (*hall.Checkpoint, error)
	// PublicItems lists items by the public state their archive entries
	// define (only ID and Public are set), as hall.ItemStore.ListItems does
	// with Public set.
	PublicItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error)
}

// Store is what the workflow reads and writes.
type Store interface {
	hall.ItemStore
	hall.ArchiveStore
	Category(ctx context.Context, key string) (*hall.Category, error)
	Department(ctx context.Context, key string) (*hall.Department, error)
	Matter(ctx context.Context, id string) (*hall.Matter, error)
	Hall(ctx context.Context, id string) (*hall.Hall, error)
}

// Calendar tells when a cadence next falls due.
type Calendar interface {
	NextDue(ctx context.Context, cadence string, last time.Time, loc *time.Location) (time.Time, bool)
}

// Service runs the workflow. Store, Renderer, Archive, Now and Logger are
// required; without Notifier nothing is announced to the screens, without
// Calendar items carry no next due date.
type Service struct {
	Store    Store
	Renderer Renderer
	Archive  Archive
	Now      func() time.Time
	Notifier hall.Notifier
	Calendar Calendar
	Logger   *slog.Logger
	// Zone is the hall's zone due dates are counted in (nil: the default).
	Zone *time.Location
	// Attachments runs the privacy guard on an item's PDF attachments at
	// publish (nil: not checked there).
	Attachments interface {
		CheckAttachment(ctx context.Context, url, name, field string) error
	}
	// Files deletes media files that only a redacted revision referenced
	// (nil: files are kept). ListPlaylists tells which media screens play.
	Files interface {
		RemoveFile(ctx context.Context, sha string) error
	}
	Playlists interface {
		ListPlaylists(ctx context.Context) ([]*hall.Playlist, error)
	}
	// AllowSelfApproval lets the submitter of an item approve it too, for a
	// hall with one member of staff; each such revision says so in the
	// archive. By default a second person must approve.
	AllowSelfApproval bool
}

func (s *Service) audited(ctx context.Context, actor *hall.User, action, target, detail string) context.Context {
	return hall.Audited(ctx, s.Now(), hall.ActorName(actor), action, target, detail)
}

// CreateDraft stores a new draft by actor, who must be an editor of the
// item's department (or an admin).
func (s *Service) CreateDraft(ctx context.Context, actor *hall.User, it *hall.Item) error {
	if !actor.Has(hall.RoleEditor) {
		return hall.Errorf(hall.EForbidden, "only editors draft disclosures")
	}
	if err := s.check(ctx, actor, it); err != nil {
		return err
	}
	now := s.Now().UTC()
	it.ID, it.Status, it.Public = hall.NewID("it"), hall.StatusDraft, nil
	it.CreatedBy, it.UpdatedBy, it.CreatedAt, it.UpdatedAt = actor.Username, actor.Username, now, now
	it.SubmittedBy, it.ApprovedBy = "", ""
	return s.Store.CreateItem(s.audited(ctx, actor, "item.create", it.ID, it.Title), it)
}

// UpdateDraft replaces the working copy's content with in's, if the stored
// version is still in.Version. Any edit returns the item to draft; a
// published revision stays on show until the next publish.
func (s *Service) UpdateDraft(ctx context.Context, actor *hall.User, id string, in *hall.Item) (*hall.Item, error) {
	it, err := s.Store.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Has(hall.RoleEditor) || !actor.InDepartment(it.Department) {
		return nil, hall.Errorf(hall.EForbidden, "item %s belongs to department %q", id, it.Department)
	}
	if in.Version != 0 && in.Version != it.Version {
		return nil, hall.Errorf(hall.EConflict, "item %s was changed (version %d, yours %d): reload and edit again", id, it.Version, in.Version).WithReason("stale_version")
	}
	if err := s.check(ctx, actor, in); err != nil {
		return nil, err
	}
	it.Category, it.Department, it.Hall, it.Title, it.Summary, it.Body = in.Category, in.Department, in.Hall, in.Title, in.Summary, in.Body
	it.Stage, it.MatterID, it.Cadence, it.ValidFrom, it.ValidUntil = in.Stage, in.MatterID, in.Cadence, in.ValidFrom, in.ValidUntil
	it.Finance, it.Assets = in.Finance, in.Assets
	it.Status, it.SubmittedBy, it.ApprovedBy = hall.StatusDraft, "", ""
	it.UpdatedBy, it.UpdatedAt = actor.Username, s.Now().UTC()
	if err := s.Store.UpdateItem(s.audited(ctx, actor, "item.update", it.ID, it.Title), it); err != nil {
		return nil, err
	}
	return it, nil
}

// check validates an item's fields and that what it names exists and is the
// actor's to write.
func (s *Service) check(ctx context.Context, actor *hall.User, it *hall.Item) error {
	if err := it.Validate(); err != nil {
		return err
	}
	if _, err := s.Store.Category(ctx, it.Category); hall.IsCode(err, hall.ENotFound) {
		return hall.FieldError("category", "no category %q", it.Category)
	} else if err != nil {
		return err
	}
	if _, err := s.Store.Department(ctx, it.Department); hall.IsCode(err, hall.ENotFound) {
		return hall.FieldError("department", "no department %q", it.Department)
	} else if err != nil {
		return err
	}
	if !actor.InDepartment(it.Department) {
		return hall.Errorf(hall.EForbidden, "you do not edit for department %q", it.Department)
	}
	if it.Hall != "" {
		if _, err := s.Store.Hall(ctx, it.Hall); hall.IsCode(err, hall.ENotFound) {
			return hall.FieldError("hall", "no hall %q", it.Hall)
		} else if err != nil {
			return err
		}
	}
	if it.MatterID != "" {
		if _, err := s.Store.Matter(ctx, it.MatterID); hall.IsCode(err, hall.ENotFound) {
			return hall.FieldError("matter_id", "no matter %q", it.MatterID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Preview answers the revision it would publish now, from a working copy
// that is not saved: checked with a draft's limits (the title, category and
// department may still be empty), the body rendered and sanitised as on
// publish, the finance table as given. Nothing is stored or audited, and
// the preview has no archive index yet. Any member of staff may preview.
func (s *Service) Preview(_ context.Context, actor *hall.User, it *hall.Item) (*hall.Revision, error) {
	if actor == nil || !actor.Has(hall.RoleEditor, hall.RoleReviewer, hall.RoleAuditor) {
		return nil, hall.Errorf(hall.EForbidden, "only staff preview disclosures")
	}
	if err := it.ValidateUnfinished(); err != nil {
		return nil, err
	}
	html, err := s.Renderer.Render(it.Body)
	if err != nil {
		return nil, hall.FieldError("body", "%v", err).WithReason("body_unrenderable")
	}
	rev := &hall.Revision{
		Category: it.Category, Department: it.Department, Hall: it.Hall, Title: it.Title, Summary: it.Summary,
		Body: it.Body, BodyHTML: html, Finance: it.Finance, Stage: it.Stage, MatterID: it.MatterID,
		Cadence: it.Cadence, ValidFrom: it.ValidFrom, ValidUntil: it.ValidUntil, Assets: it.Assets,
		PublishedAt: s.Now().UTC(), Revision: 1,
	}
	if rev.Assets == nil {
		rev.Assets = []hall.Asset{}
	}
	return rev, nil
}

// Submit sends a draft for review.
func (s *Service) Submit(ctx context.Context, actor *hall.User, id string) (*hall.Item, error) {
	return s.transition(ctx, actor, id, "item.submit", []hall.Role{hall.RoleEditor}, hall.StatusDraft, func(it *hall.Item) error {
		it.Status, it.SubmittedBy, it.Returned = hall.StatusSubmitted, actor.Username, nil
		return nil
	})
}

// Approve accepts a submitted item at the version the reviewer read
// (version 0: whatever is there now); EConflict when it has changed since.
// Only reviewers (and admins) approve, and never the person who submitted
// the item, admins included, unless the service allows self-approval.
func (s *Service) Approve(ctx context.Context, actor *hall.User, id string, version int) (*hall.Item, error) {
	return s.transition(ctx, actor, id, "item.approve", []hall.Role{hall.RoleReviewer}, hall.StatusSubmitted, func(it *hall.Item) error {
		if version != 0 && version != it.Version {
			return hall.Errorf(hall.EConflict, "item %s changed since you read it (version %d, you read %d): read it again before approving", id, it.Version, version).WithReason("stale_version")
		}
		if it.SubmittedBy == actor.Username && !s.AllowSelfApproval {
			return hall.Errorf(hall.EForbidden, "you submitted item %s: another reviewer must approve it", id)
		}
		it.Status, it.ApprovedBy = hall.StatusApproved, actor.Username
		return nil
	})
}

// MaxReturnComment bounds a reviewer's comment on an item sent back.
const MaxReturnComment = 1000

// Return sends a submitted or approved item back to draft with the
// reviewer's comment, which the editor sees on the item until submitting
// it again. version is the item version the reviewer read (0: no check).
func (s *Service) Return(ctx context.Context, actor *hall.User, id string, version int, comment string) (*hall.Item, error) {
	comment = strings.TrimSpace(comment)
	if comment == "" {
		return nil, hall.FieldError("comment", "say what to change").WithReason("return_comment_required")
	}
	if len([]rune(comment)) > MaxReturnComment {
		return nil, hall.FieldError("comment", "at most %d characters", MaxReturnComment)
	}
	it, err := s.Store.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Has(hall.RoleReviewer) || !actor.InDepartment(it.Department) {
		return nil, hall.Errorf(hall.EForbidden, "not allowed for your role on department %q", it.Department).WithReason("role_not_allowed")
	}
	if it.Status != hall.StatusSubmitted && it.Status != hall.StatusApproved {
		return nil, hall.Errorf(hall.EConflict, "item %s is %s, not submitted or approved", id, it.Status).WithReason("wrong_status")
	}
	if version != 0 && version != it.Version {
		return nil, hall.Errorf(hall.EConflict, "item %s changed since you read it (version %d, you read %d): read it again before sending it back", id, it.Version, version).WithReason("stale_version")
	}
	now := s.Now().UTC()
	it.Status, it.SubmittedBy, it.ApprovedBy = hall.StatusDraft, "", ""
	it.Returned = &hall.ReturnNote{By: actor.Username, At: now, Comment: comment}
	it.UpdatedBy, it.UpdatedAt = actor.Username, now
	if err := s.Store.UpdateItem(s.audited(ctx, actor, "item.return", it.ID, comment), it); err != nil {
		return nil, err
	}
	return it, nil
}

func (s *Service) transition(ctx context.Context, actor *hall.User, id, action string, roles []hall.Role, from hall.Status, apply func(*hall.Item) error) (*hall.Item, error) {
	it, err := s.Store.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Has(roles...) || !actor.InDepartment(it.Department) {
		return nil, hall.Errorf(hall.EForbidden, "not allowed for your role on department %q", it.Department).WithReason("role_not_allowed")
	}
	if it.Status != from {
		return nil, hall.Errorf(hall.EConflict, "item %s is %s, not %s", id, it.Status, from).WithReason("wrong_status")
	}
	if err := apply(it); err != nil {
		return nil, err
	}
	it.UpdatedBy, it.UpdatedAt = actor.Username, s.Now().UTC()
	if err := s.Store.UpdateItem(s.audited(ctx, actor, action, it.ID, ""), it); err != nil {
		return nil, err
	}
	return it, nil
}

// PrivacyFinding is one occurrence of personal data the guard blocks.
type PrivacyFinding struct {
	Field  string `json:"field"`
	Kind   string `json:"kind"` // id_card, mobile, bank_card
	Offset int    `json:"offset"`
	Masked string `json:"masked"` // what to write instead
}

// ScanPrivacy lists the unmasked personal data in an item's public text.
// Each text is normalised with NFKC first, so full-width digits (１３８…)
// and other compatibility forms are caught as their ASCII equivalents;
// Offset is a byte offset into the normalised text.
func ScanPrivacy(it *hall.Item) []PrivacyFinding {
	var out []PrivacyFinding
	scan := func(field, text string) {
		for _, f := range privacy.Scan(norm.NFKC.String(text)) {
			out = append(out, PrivacyFinding{Field: field, Kind: f.Kind, Offset: f.Start, Masked: f.Masked})
		}
	}
	scan("title", it.Title)
	scan("summary", it.Summary)
	scan("body", it.Body)
	if it.Finance != nil {
		for i, l := range it.Finance.Lines {
			scan(fmt.Sprintf("finance.lines[%d].name", i), l.Name)
			scan(fmt.Sprintf("finance.lines[%d].code", i), l.Code)
		}
	}
	for i, a := range it.Assets {
		scan(fmt.Sprintf("assets[%d].name", i), a.Name)
	}
	return out
}

// checkAttachments runs the privacy guard on the item's PDF attachments
// (uploads are checked already; this covers files kept before the guard
// read PDFs). It returns the first attachment's validation error, naming
// it; the second result is any other failure.
func (s *Service) checkAttachments(ctx context.Context, it *hall.Item) (*hall.Error, error) {
	if s.Attachments == nil {
		return nil, nil
	}
	for i, a := range it.Assets {
		if a.Type != "pdf" {
			continue
		}
		err := s.Attachments.CheckAttachment(ctx, a.URL, a.Name, fmt.Sprintf("assets[%d]", i))
		var herr *hall.Error
		switch {
		case err == nil:
		case errors.As(err, &herr) && herr.Code == hall.EValidation:
			return herr, nil
		case hall.IsCode(err, hall.ENotFound):
			return &hall.Error{Code: hall.EValidation, Field: fmt.Sprintf("assets[%d]", i),
				Message: fmt.Sprintf("attachment %q is not in the media library: upload it again", a.Name)}, nil
		default:
			return nil, err
		}
	}
	return nil, nil
}

// Publish makes the approved working copy a new immutable revision, appends
// it to the archive and signs the new tree head. Personal data blocks it
// unless an admin gives an override reason, which is recorded in the revision.
func (s *Service) Publish(ctx context.Context, actor *hall.User, id, override string) (*hall.Revision, error) {
	it, err := s.Store.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Has(hall.RoleReviewer) || !actor.InDepartment(it.Department) {
		return nil, hall.Errorf(hall.EForbidden, "only reviewers of department %q publish", it.Department)
	}
	if it.Status != hall.StatusApproved {
		return nil, hall.Errorf(hall.EConflict, "item %s is %s, not approved", id, it.Status)
	}
	override = strings.TrimSpace(override)
	findings := ScanPrivacy(it)
	attachErr, err := s.checkAttachments(ctx, it)
	if err != nil {
		return nil, err
	}
	if len(findings) > 0 || attachErr != nil {
		switch {
		case override == "" && len(findings) > 0:
			return nil, &hall.Error{Code: hall.EValidation, Field: findings[0].Field, Details: findings,
				Message: fmt.Sprintf("%d unmasked personal number(s) would be published; mask them (e.g. %s) or, as an admin, publish with a recorded reason", len(findings), findings[0].Masked)}
		case override == "":
			return nil, attachErr
		case actor.Role != hall.RoleAdmin:
			return nil, hall.Errorf(hall.EForbidden, "only an admin may publish personal data")
		}
	} else {
		override = ""
	}
	html, err := s.Renderer.Render(it.Body)
	if err != nil {
		return nil, hall.FieldError("body", "%v", err).WithReason("body_unrenderable")
	}
	cur, err := s.publicState(ctx, it.ID)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	rev := &hall.Revision{
		ID: it.ID, Category: it.Category, Department: it.Department, Hall: it.Hall, Title: it.Title, Summary: it.Summary,
		Body: it.Body, BodyHTML: html, Finance: it.Finance, Stage: it.Stage, MatterID: it.MatterID,
		Cadence: it.Cadence, ValidFrom: it.ValidFrom, ValidUntil: it.ValidUntil, Assets: it.Assets,
		PublishedAt: now, Page: "/p/" + it.ID, PrivacyOverride: override, Revision: 1,
		SelfApproved: it.ApprovedBy != "" && it.ApprovedBy == it.SubmittedBy,
	}
	if rev.Assets == nil {
		rev.Assets = []hall.Asset{}
	}
	if cur != nil {
		rev.Revision = cur.Revision + 1
	}
	entry, err := hall.NewPublishEntry(rev)
	if err != nil {
		return nil, err
	}
	if it.Public, err = hall.NextPublicState(cur, entry, s.Renderer.PlainText); err != nil {
		return nil, err
	}
	it.Public.Index = search.Revision(rev, s.Renderer.PlainText)
	it.Status, it.UpdatedBy, it.UpdatedAt = hall.StatusPublished, actor.Username, now
	detail := fmt.Sprintf("revision %d", rev.Revision)
	if override != "" {
		detail += ", privacy override: " + override
	}
	if err := s.Store.SaveWithEntry(s.audited(ctx, actor, "item.publish", it.ID, detail), it, entry); err != nil {
		return nil, err
	}
	rev.ArchiveIndex = entry.Index
	s.afterAppend(ctx, hall.Change{Kind: hall.ChangeContent, Entry: hall.EntryPublish, ItemID: it.ID, Category: it.Public.Category, Revision: rev.Revision})
	return rev, nil
}

// Withdraw takes a published item off show, recording why in the archive.
// The revisions stay in the archive; nothing published is deleted.
func (s *Service) Withdraw(ctx context.Context, actor *hall.User, id, reason string) (*hall.Item, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, hall.FieldError("reason", "say why the item is withdrawn")
	}
	if len([]rune(reason)) > 500 {
		return nil, hall.FieldError("reason", "at most 500 characters")
	}
	it, err := s.Store.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Has(hall.RoleReviewer) || !actor.InDepartment(it.Department) {
		return nil, hall.Errorf(hall.EForbidden, "only reviewers of department %q withdraw", it.Department)
	}
	cur, err := s.publicState(ctx, it.ID)
	if err != nil {
		return nil, err
	}
	if cur == nil || cur.WithdrawnAt != nil {
		return nil, hall.Errorf(hall.EConflict, "item %s is not published", id)
	}
	now := s.Now().UTC()
	entry, err := hall.NewStateEntry(hall.EntryWithdraw, it.ID, cur.Revision, now, reason)
	if err != nil {
		return nil, err
	}
	index := it.Public.Index // the revision's, made when it was published
	if it.Public, err = hall.NextPublicState(cur, entry, s.Renderer.PlainText); err != nil {
		return nil, err
	}
	it.Public.Index = index
	it.Status, it.UpdatedBy, it.UpdatedAt = hall.StatusWithdrawn, actor.Username, now
	if err := s.Store.SaveWithEntry(s.audited(ctx, actor, "item.withdraw", it.ID, reason), it, entry); err != nil {
		return nil, err
	}
	s.afterAppend(ctx, hall.Change{Kind: hall.ChangeContent, Entry: hall.EntryWithdraw, ItemID: it.ID, Category: it.Public.Category, Revision: it.Public.Revision})
	return it, nil
}

// ExpireDue records in the archive every published item whose valid_until
// has passed, once each, and returns how many it recorded. What it reads
// comes from the archive's entries (the valid_until of the revision's own
// publish entry), never from the editable item rows, and each expire entry
// is dated now: the time the server saw the expiry, never earlier than the
// revision's publication.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	now := s.Now().UTC()
	items, err := hall.AllItems(ctx, hall.ListFunc(s.Archive.PublicItems), hall.ItemFilter{Public: true})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, listed := range items {
		if !due(listed.Public, now) {
			continue
		}
		it, err := s.Store.Item(ctx, listed.ID)
		if err != nil {
			return n, err
		}
		cur, err := s.publicState(ctx, it.ID)
		if err != nil {
			return n, err
		}
		if !due(cur, now) {
			continue // changed since the listing
		}
		entry, err := hall.NewStateEntry(hall.EntryExpire, it.ID, cur.Revision, now,
			"valid_until "+cur.ValidUntil.UTC().Format(time.RFC3339)+" passed")
		if err != nil {
			return n, err
		}
		index := hall.SearchDoc{}
		if it.Public != nil {
			index = it.Public.Index // the revision's, made when it was published
		}
		if it.Public, err = hall.NextPublicState(cur, entry, s.Renderer.PlainText); err != nil {
			return n, err
		}
		it.Public.Index = index
		if err := s.Store.SaveWithEntry(s.audited(ctx, nil, "item.expire", it.ID, ""), it, entry); hall.IsCode(err, hall.EConflict) {
			continue // edited meanwhile; the next sweep sees it again
		} else if err != nil {
			return n, err
		}
		n++
		s.afterAppend(ctx, hall.Change{Kind: hall.ChangeContent, Entry: hall.EntryExpire, ItemID: it.ID, Category: it.Public.Category, Revision: cur.Revision})
	}
	return n, nil
}

// due reports whether a public state's expiry is to be recorded at now:
// published, neither withdrawn nor expired yet, valid_until passed, and now
// not before the publication (a clock behind it waits).
func due(p *hall.PublicState, now time.Time) bool {
	return p != nil && p.WithdrawnAt == nil && p.ExpiredAt == nil && p.ValidUntil != nil &&
		!now.Before(*p.ValidUntil) && !now.Before(p.PublishedAt)
}

// publicState derives an item's public state from its archive entries (nil
// when it was never published). The workflow builds on this, never on the
// stored row, so a row edited behind the server's back is corrected by the
// next change instead of being carried forward.
func (s *Service) publicState(ctx context.Context, id string) (*hall.PublicState, error) {
	entries, err := s.Store.ItemEntries(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := hall.ReplayPublicState(entries, s.Renderer.PlainText)
	if err != nil {
		return nil, fmt.Errorf("archive entries of item %s: %w", id, err)
	}
	return p, nil
}

// afterAppend tells the push path first (screens should not wait for the
// signature), then signs the new tree head. Neither can undo the append: a
// failure to sign is logged and retried on the next checkpoint request.
func (s *Service) afterAppend(ctx context.Context, c hall.Change) {
	if s.Notifier != nil {
		s.Notifier.Notify(context.WithoutCancel(ctx), c)
	}
	if _, err := s.Archive.Checkpoint(ctx); err != nil {
		s.Logger.Error("sign archive checkpoint", "err", err)
	}
}

// Redact deletes the content of revision n of an item for good: personal
// data published by mistake. Only an admin redacts, with a reason. The
// content and its salt are deleted from the store, a redact entry naming
// the revision and the reason (never the content) is appended to the
// archive, and, when n is the item's current revision, the item is
// withdrawn by the same entry, its search index emptied and its working
// copy, if it still holds the redacted text, cleared. The leaf of the
// revision stays, so every proof still holds. A revision archived in leaf
// format 1 carries its content inside its leaf and cannot be redacted
// (EConflict).
func (s *Service) Redact(ctx context.Context, actor *hall.User, id string, n int, reason string) (*hall.Item, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, hall.FieldError("reason", "say why the revision is redacted")
	}
	if len([]rune(reason)) > 500 {
		return nil, hall.FieldError("reason", "at most 500 characters")
	}
	if found := privacy.Scan(norm.NFKC.String(reason)); len(found) > 0 {
		// The reason goes into the archive for good.
		return nil, hall.FieldError("reason", "the reason is public and permanent: it must not contain personal numbers (write %s instead)", found[0].Masked)
	}
	if actor == nil || actor.Role != hall.RoleAdmin {
		return nil, hall.Errorf(hall.EForbidden, "only an admin redacts a revision")
	}
	it, err := s.Store.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	entries, err := s.Store.ItemEntries(ctx, id)
	if err != nil {
		return nil, err
	}
	var pub *hall.ArchiveEntry
	for _, e := range entries {
		if e.Kind == hall.EntryPublish && e.Revision == n {
			pub = e
		}
	}
	if pub == nil {
		return nil, hall.NotFound("revision", fmt.Sprintf("%s#%d", id, n))
	}
	if hall.Redactions(entries)[n] != nil {
		return nil, hall.Errorf(hall.EConflict, "revision %d of item %s is redacted already", n, id)
	}
	rev, _, err := hall.DecodeEntry(pub)
	if err != nil {
		return nil, fmt.Errorf("archive entry %d: %w", pub.Index, err)
	}
	if pub.Content == nil {
		return nil, hall.Errorf(hall.EConflict, "revision %d of item %s was archived in leaf format 1, with its content inside the leaf: it cannot be removed without breaking the archive; withdraw it instead", n, id)
	}
	cur, err := hall.ReplayPublicState(entries, s.Renderer.PlainText)
	if err != nil {
		return nil, fmt.Errorf("archive entries of item %s: %w", id, err)
	}
	now := s.Now().UTC()
	entry, err := hall.NewStateEntry(hall.EntryRedact, id, n, now, reason)
	if err != nil {
		return nil, err
	}
	next, err := hall.NextPublicState(cur, entry, s.Renderer.PlainText)
	if err != nil {
		return nil, err
	}
	current := n == cur.Revision
	if current {
		next.Index = hall.SearchDoc{}
		it.Status = hall.StatusWithdrawn
	} else if it.Public != nil {
		next.Index = it.Public.Index // the current revision's, untouched
	}
	it.Public = next
	if it.Title == rev.Title || it.Body == rev.Body {
		// The working copy still holds the redacted text: clear it.
		it.Title, it.Summary, it.Body, it.Finance, it.Assets = "（内容已删除）", "", "", nil, nil
		if it.Status != hall.StatusPublished && it.Status != hall.StatusWithdrawn {
			it.Status = hall.StatusDraft
		}
		it.SubmittedBy, it.ApprovedBy = "", ""
	}
	it.UpdatedBy, it.UpdatedAt = actor.Username, now
	detail := fmt.Sprintf("revision %d: %s", n, reason)
	if err := s.Store.RedactRevision(s.audited(ctx, actor, "item.redact", id, detail), it, entry); err != nil {
		return nil, err
	}
	s.afterAppend(ctx, hall.Change{Kind: hall.ChangeContent, Entry: hall.EntryRedact, ItemID: id, Category: rev.Category, Revision: n})
	if err := s.removeOrphanFiles(ctx, rev); err != nil {
		// The redaction stands; the files are kept and the failure logged.
		s.Logger.Error("redaction: remove media files only the revision referenced", "item", id, "revision", n, "err", err)
	}
	return it, nil
}

// removeOrphanFiles deletes the media files rev referenced (as assets or in
// its body) that nothing else references: no stored revision content, no
// item's working copy, no playlist.
func (s *Service) removeOrphanFiles(ctx context.Context, rev *hall.Revision) error {
	if s.Files == nil {
		return nil
	}
	candidates := map[string]bool{}
	for _, a := range rev.Assets {
		candidates[a.URL] = true
	}
	for _, m := range mediaRef.FindAllString(rev.Body, -1) {
		candidates[m] = true
	}
	if len(candidates) == 0 {
		return nil
	}
	used := func(text []byte) {
		for url := range candidates {
			if bytes.Contains(text, []byte(url)) {
				delete(candidates, url)
			}
		}
	}
	size, err := s.Store.ArchiveSize(ctx)
	if err != nil {
		return err
	}
	for from := int64(0); from < size && len(candidates) > 0; from += 500 {
		entries, err := s.Store.ArchiveEntries(ctx, from, min(from+500, size))
		if err != nil {
			return err
		}
		for _, e := range entries {
			used(e.Leaf) // format 1 carries its content inline
			used(e.Content)
		}
	}
	items, err := hall.AllItems(ctx, hall.ListFunc(s.Store.ListItems), hall.ItemFilter{})
	if err != nil {
		return err
	}
	for _, it := range items {
		used([]byte(it.Body))
		for _, a := range it.Assets {
			used([]byte(a.URL))
		}
	}
	if s.Playlists != nil {
		pls, err := s.Playlists.ListPlaylists(ctx)
		if err != nil {
			return err
		}
		for _, p := range pls {
			for _, e := range p.Entries {
				used([]byte(e.MediaURL))
			}
		}
	}
	for url := range candidates {
		sha, ok := strings.CutPrefix(url, "/media/")
		if !ok {
			continue
		}
		if err := s.Files.RemoveFile(ctx, sha); err != nil {
			return err
		}
	}
	return nil
}

// mediaRef finds the media files a Markdown body names.
var mediaRef = regexp.MustCompile(`/media/[0-9a-f]{64}`)

// Revisions returns every published revision of an item, oldest first,
// with the item's withdraw, expire and redact entries. A redacted revision
// is a placeholder with Redacted set.
func (s *Service) Revisions(ctx context.Context, id string) ([]*hall.Revision, []*hall.ArchiveEntry, error) {
	entries, err := s.Store.ItemEntries(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	redacted := hall.Redactions(entries)
	var revs []*hall.Revision
	for _, e := range entries {
		if e.Kind != hall.EntryPublish {
			continue
		}
		if red := redacted[e.Revision]; red != nil {
			revs = append(revs, &hall.Revision{ID: id, Revision: e.Revision, PublishedAt: e.At, ArchiveIndex: e.Index, Redacted: red})
			continue
		}
		r, _, err := hall.DecodeEntry(e)
		if err != nil {
			return nil, nil, err
		}
		revs = append(revs, r)
	}
	return revs, entries, nil
}

// Revision returns one published revision; EGone, with the reason, when it
// was redacted.
func (s *Service) Revision(ctx context.Context, id string, n int) (*hall.Revision, error) {
	e, err := s.Store.RevisionEntry(ctx, id, n)
	if err != nil {
		return nil, err
	}
	r, _, err := hall.DecodeEntry(e)
	if errors.Is(err, hall.ErrContentGone) {
		entries, lerr := s.Store.ItemEntries(ctx, id)
		if lerr != nil {
			return nil, lerr
		}
		if red := hall.Redactions(entries)[n]; red != nil {
			return nil, Gone(id, n, red)
		}
	}
	return r, err
}

// Gone is the error for a redacted revision: EGone, with the reason.
func Gone(id string, n int, red *hall.Redaction) error {
	return &hall.Error{Code: hall.EGone, Details: red,
		Message: fmt.Sprintf("revision %d of item %s was redacted on %s: %s", n, id, red.At.Format("2006-01-02"), red.Reason)}
}
