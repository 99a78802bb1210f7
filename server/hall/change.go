package hall

import (
	"context"
	"time"
)

// Every change is validated, audited and announced in one place, its
// service. The audit entry travels with the change into the store, which
// writes both in one transaction; the announcement goes to the push path
// through a Notifier once the change is stored.

type auditKey struct{}

// WithAudit returns a context carrying e. The store method that writes with
// this context appends e to the audit log in the same transaction as its
// change, so both are kept or neither is; a write that fails leaves no entry.
// Each service operation makes exactly one store write with it.
func WithAudit(ctx context.Context, e *AuditEntry) context.Context {
	return context.WithValue(ctx, auditKey{}, e)
}

// AuditFrom returns the audit entry ctx carries, or nil.
func AuditFrom(ctx context.Context) *AuditEntry {
	e, _ := ctx.Value(auditKey{}).(*AuditEntry)
	return e
}

type remoteAddrKey struct{}

// WithRemoteAddr returns a context carrying the address a request came
// from, for the audit entries of the changes it makes.
func WithRemoteAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, remoteAddrKey{}, addr)
}

// RemoteAddrFrom returns the address ctx carries, or "".
func RemoteAddrFrom(ctx context.Context) string {
	a, _ := ctx.Value(remoteAddrKey{}).(string)
	return a
}

// Audited returns ctx carrying a new audit entry: at, by actor (a username,
// "system", "cli" or "screen:<id>"), the action ("screen.revoke"), its
// target and detail, and the remote address ctx carries.
func Audited(ctx context.Context, at time.Time, actor, action, target, detail string) context.Context {
	return WithAudit(ctx, &AuditEntry{At: at.UTC(), Actor: actor, Action: action, Target: target, Detail: detail,
		RemoteIP: RemoteAddrFrom(ctx)})
}

// ActorName names a user in the audit log; nil is "system".
func ActorName(u *User) string {
	if u == nil {
		return "system"
	}
	return u.Username
}

// Change kinds the push path acts on.
const (
	// ChangeContent: an item was published, withdrawn, expired or redacted;
	// screens that play it or its category get new manifests.
	ChangeContent = "content"
	// ChangeSignage: a playlist, schedule, hall default or screen's
	// placement changed; every screen is re-resolved.
	ChangeSignage = "signage"
	// ChangeInterrupt: Interrupt starts on the screens it targets.
	ChangeInterrupt = "interrupt"
	// ChangeInterruptClear: the interrupt InterruptID ends.
	ChangeInterruptClear = "interrupt_clear"
	// ChangeRevoke: screen ScreenID was revoked; its connections close.
	ChangeRevoke = "revoke"
	// ChangeCommand: send Command ("reload", "identify") to ScreenID.
	ChangeCommand = "command"
)

// Change is what a service announces after storing a change.
type Change struct {
	Kind string `json:"kind"`
	// Entry is the archive entry kind of a ChangeContent: EntryPublish,
	// EntryWithdraw, EntryExpire or EntryRedact.
	Entry       string     `json:"entry,omitempty"`
	ItemID      string     `json:"item_id,omitempty"`
	Category    string     `json:"category,omitempty"`
	Revision    int        `json:"revision,omitempty"`
	ScreenID    string     `json:"screen_id,omitempty"`
	Interrupt   *Interrupt `json:"interrupt,omitempty"`
	InterruptID string     `json:"interrupt_id,omitempty"`
	Command     string     `json:"command,omitempty"`
}

// Notifier announces stored changes to the push path: the screens this
// process holds and, through a broker, those every other replica holds.
// Notify does not fail: a screen that misses an announcement catches up from
// its manifest etag when it reconnects, and the push path re-resolves every
// screen periodically.
type Notifier interface {
	Notify(ctx context.Context, c Change)
}

// NotifyFunc adapts a function to Notifier.
type NotifyFunc func(ctx context.Context, c Change)

// Notify calls f.
func (f NotifyFunc) Notify(ctx context.Context, c Change) { f(ctx, c) }
