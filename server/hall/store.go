package hall

import (
	"context"
	"time"
)

// The store is split by concern; each consumer declares the part it uses.
// Every backend (SQLite, Redis) implements all of them and passes the one
// contract suite in server/storetest.
//
// Conventions for every method: a missing record is an *Error with code
// ENotFound; a duplicate key or a stale version is EConflict; other
// failures are plain errors (internal). Every method that writes appends the
// audit entry its context carries (WithAudit) in the same transaction as its
// change, and appends none when it fails.

// UserStore keeps staff accounts, console sessions and API tokens.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error // EConflict on a taken username
	// UpdateUser saves the user's role, departments and password hash. It
	// does not change Disabled: SetUserDisabled does.
	UpdateUser(ctx context.Context, u *User) error
	// SetPassword replaces the user's password hash and ends every session
	// of the user but keepSession (a session token hash; "" ends them all).
	SetPassword(ctx context.Context, userID, hash, keepSession string) error
	// SetUserDisabled disables or enables the user; disabling also ends the
	// user's sessions and deletes the user's API tokens, in one step.
	SetUserDisabled(ctx context.Context, userID string, disabled bool) error
	UserByID(ctx context.Context, id string) (*User, error)
	UserByName(ctx context.Context, username string) (*User, error)
	ListUsers(ctx context.Context) ([]*User, error)
	CountUsers(ctx context.Context) (int, error)

	CreateSession(ctx context.Context, s *Session) error
	SessionByHash(ctx context.Context, hash string) (*Session, error)
	DeleteSession(ctx context.Context, hash string) error
	DeleteUserSessions(ctx context.Context, userID string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	CreateToken(ctx context.Context, t *APIToken) error
	TokenByHash(ctx context.Context, hash string) (*APIToken, error)
	TouchToken(ctx context.Context, id string, at time.Time) error
	ListTokens(ctx context.Context, userID string) ([]*APIToken, error) // "": every user's
	DeleteToken(ctx context.Context, id string) error
}

// CatalogStore keeps departments, halls, categories and matters.
type CatalogStore interface {
	PutDepartment(ctx context.Context, d *Department) error // insert or update by key
	Department(ctx context.Context, key string) (*Department, error)
	ListDepartments(ctx context.Context) ([]*Department, error)

	CreateHall(ctx context.Context, h *Hall) error
	UpdateHall(ctx context.Context, h *Hall) error
	Hall(ctx context.Context, id string) (*Hall, error)
	ListHalls(ctx context.Context) ([]*Hall, error)

	PutCategory(ctx context.Context, c *Category) error // insert or update by key
	Category(ctx context.Context, key string) (*Category, error)
	ListCategories(ctx context.Context) ([]*Category, error) // by Sort, then key

	CreateMatter(ctx context.Context, m *Matter) error
	Matter(ctx context.Context, id string) (*Matter, error)
	ListMatters(ctx context.Context) ([]*Matter, error)
}

// ItemStore keeps disclosure items and appends to the archive.
type ItemStore interface {
	CreateItem(ctx context.Context, it *Item) error // it.Version becomes 1
	Item(ctx context.Context, id string) (*Item, error)
	// UpdateItem saves it when the stored version is it.Version, then bumps
	// it.Version; EConflict otherwise.
	UpdateItem(ctx context.Context, it *Item) error
	ListItems(ctx context.Context, f ItemFilter) ([]*Item, error)
	// SaveWithEntry atomically appends the entry to the archive (setting
	// e.Index to the next leaf index) and saves the item as UpdateItem does.
	// The item's Public.ArchiveIndex, when the entry is a publish, is set to
	// the same index before saving.
	SaveWithEntry(ctx context.Context, it *Item, e *ArchiveEntry) error
	// SaveWithEntry stores a publish entry's Content and Salt beside its
	// leaf; ArchiveEntries, ItemEntries and RevisionEntry return them.

	// RedactRevision atomically deletes the Content and Salt stored with
	// the publish entry of e's revision (EConflict when there are none:
	// already redacted, or a format-1 leaf), appends e, a redact entry
	// (setting e.Index), and saves it as UpdateItem does.
	RedactRevision(ctx context.Context, it *Item, e *ArchiveEntry) error
}

// ArchiveStore reads the archive and keeps its signed checkpoints.
type ArchiveStore interface {
	ArchiveSize(ctx context.Context) (int64, error)
	// ArchiveEntries returns the entries with from <= index < to, in order.
	ArchiveEntries(ctx context.Context, from, to int64) ([]*ArchiveEntry, error)
	// ItemEntries returns every archive entry of one item, oldest first.
	ItemEntries(ctx context.Context, itemID string) ([]*ArchiveEntry, error)
	// RevisionEntry returns the publish entry of one revision.
	RevisionEntry(ctx context.Context, itemID string, revision int) (*ArchiveEntry, error)
	SaveCheckpoint(ctx context.Context, c *Checkpoint) error // ignores a size already saved
	Checkpoints(ctx context.Context) ([]*Checkpoint, error)  // by size
	LatestCheckpoint(ctx context.Context) (*Checkpoint, error)
}

// CalendarStore keeps the working-day calendar, one JSON document a year.
type CalendarStore interface {
	CalendarYear(ctx context.Context, year int) ([]byte, error)
	PutCalendarYear(ctx context.Context, year int, doc []byte) error
	CalendarYears(ctx context.Context) (map[int][]byte, error)
}

// SettingsStore keeps a deployment's settings, one JSON document per key
// ("scorecard.rules"…). Setting answers ENotFound for a key never put.
type SettingsStore interface {
	Setting(ctx context.Context, key string) ([]byte, error)
	PutSetting(ctx context.Context, key string, doc []byte) error
	Settings(ctx context.Context) (map[string][]byte, error)
}

// AuditStore keeps the audit log.
type AuditStore interface {
	AppendAudit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
}

// LimitStore keeps short-lived counters that every replica shares: failed
// logins, requests per address, ratings per kiosk. A counter's window starts
// at its first hit and lasts ttl; a hit at or after the window's end starts
// a new window. Times are the server's (never a device's).
type LimitStore interface {
	// Hit adds n to key's counter at now and returns the count in the
	// current window, in one atomic step.
	Hit(ctx context.Context, key string, n int64, now time.Time, ttl time.Duration) (int64, error)
	// Count returns key's count in the window current at now, 0 if none.
	Count(ctx context.Context, key string, now time.Time) (int64, error)
	// ResetCount forgets key's counter.
	ResetCount(ctx context.Context, key string) error
	// DeleteExpiredCounters drops counters whose window ended by now (a
	// backend whose counters expire by themselves returns 0).
	DeleteExpiredCounters(ctx context.Context, now time.Time) (int, error)
}

// Store is the whole storage of a hallcast deployment.
type Store interface {
	UserStore
	CatalogStore
	ItemStore
	ArchiveStore
	CalendarStore
	SettingsStore
	AuditStore
	ScreenStore
	EventStore
	FeedbackStore
	ReportStore
	LimitStore
	// Ping reports whether the store is reachable (readiness).
	Ping(ctx context.Context) error
	Close() error
}
