package hall

import (
	"context"
	"fmt"
)

// Dumping and loading copy a whole deployment from one store to another
// (hallcast migrate). A Dumper streams every record it keeps, kind by kind in
// DumpKinds order; a Loader takes those batches into an empty store and keeps
// ids, times, versions and the archive exactly. Sessions are not dumped:
// they are short-lived logins, and staff sign in again on the new store.
// Counters (LimitStore) are not dumped either: they only last minutes.

// Record kinds, in the order a Dumper emits them and a Loader needs them
// (screens after halls, feedback and cases after the events they come from).
const (
	KindUsers       = "users"
	KindTokens      = "tokens"
	KindDepartments = "departments"
	KindHalls       = "halls"
	KindCategories  = "categories"
	KindMatters     = "matters"
	KindCalendar    = "calendar"
	KindSettings    = "settings"
	KindItems       = "items"
	KindArchive     = "archive"
	KindCheckpoints = "checkpoints"
	KindScreens     = "screens"
	KindPairings    = "pairings"
	KindPlaylists   = "playlists"
	KindSchedules   = "schedules"
	KindInterrupts  = "interrupts"
	KindMedia       = "media"
	KindEvents      = "events"
	KindFeedback    = "feedback"
	KindCases       = "cases"
	KindAudit       = "audit"
)

// DumpKinds lists every kind in dump order.
var DumpKinds = []string{
	KindUsers, KindTokens, KindDepartments, KindHalls, KindCategories, KindMatters, KindCalendar,
	KindSettings, KindItems, KindArchive, KindCheckpoints, KindScreens, KindPairings, KindPlaylists, KindSchedules,
	KindInterrupts, KindMedia, KindEvents, KindFeedback, KindCases, KindAudit,
}

// DumpBatch is the most records a Dumper puts in one batch.
const DumpBatch = 1000

// CalendarYear is one year of the working-day calendar.
type CalendarYear struct {
	Year int
	Doc  []byte
}

// Setting is one settings document (scorecard rules…).
type Setting struct {
	Key string
	Doc []byte
}

// Batch is a run of records of one kind: Kind names it, and only the slice
// of that kind is set.
type Batch struct {
	Kind        string
	Users       []*User
	Tokens      []*APIToken
	Departments []*Department
	Halls       []*Hall
	Categories  []*Category
	Matters     []*Matter
	Calendar    []*CalendarYear
	Settings    []*Setting
	Items       []*Item // with Version and Public (and its search document) as stored
	Archive     []*ArchiveEntry
	Checkpoints []*Checkpoint
	Screens     []*Screen // revoked ones too
	Pairings    []*Pairing
	Playlists   []*Playlist
	Schedules   []*Schedule
	Interrupts  []*Interrupt
	Media       []*Media
	Events      []*Event
	Feedback    []*Feedback
	Cases       []*Case
	Audit       []*AuditEntry
}

// Len returns the number of records in the batch.
func (b *Batch) Len() int {
	switch b.Kind {
	case KindUsers:
		return len(b.Users)
	case KindTokens:
		return len(b.Tokens)
	case KindDepartments:
		return len(b.Departments)
	case KindHalls:
		return len(b.Halls)
	case KindCategories:
		return len(b.Categories)
	case KindMatters:
		return len(b.Matters)
	case KindCalendar:
		return len(b.Calendar)
	case KindSettings:
		return len(b.Settings)
	case KindItems:
		return len(b.Items)
	case KindArchive:
		return len(b.Archive)
	case KindCheckpoints:
		return len(b.Checkpoints)
	case KindScreens:
		return len(b.Screens)
	case KindPairings:
		return len(b.Pairings)
	case KindPlaylists:
		return len(b.Playlists)
	case KindSchedules:
		return len(b.Schedules)
	case KindInterrupts:
		return len(b.Interrupts)
	case KindMedia:
		return len(b.Media)
	case KindEvents:
		return len(b.Events)
	case KindFeedback:
		return len(b.Feedback)
	case KindCases:
		return len(b.Cases)
	case KindAudit:
		return len(b.Audit)
	}
	return 0
}

// Dumper streams every record of a store.
type Dumper interface {
	// Dump calls fn with every record, kind by kind in DumpKinds order, in
	// batches of at most DumpBatch records of one kind, in a stable order
	// within a kind (the archive by leaf index, the audit log by id; events
	// in the order stored on SQLite, by shard, kind and time received on
	// Redis: no order of events changes what a Loader makes of them). It
	// holds about one batch in memory at a time. It stops at fn's first error and returns it.
	// fn must not keep the batch after it returns.
	Dump(ctx context.Context, fn func(*Batch) error) error
}

// Loader fills an empty store with dumped records.
type Loader interface {
	// CheckEmpty returns an error of code EConflict naming what it found
	// when the store holds any record; it writes nothing.
	CheckEmpty(ctx context.Context) error
	// Load stores a batch as it is: ids, times, versions, archive indexes
	// and audit ids kept. Batches come in DumpKinds order, the archive
	// gap-free from index 0. Events are stored as InsertEvents stores them,
	// so whatever the store derives from them (report counters) is made;
	// feedback and cases then take the dumped state (receipt, reply,
	// resolution).
	Load(ctx context.Context, b *Batch) error
}

// LoadCommon loads a batch of a kind that the store's own methods keep
// exactly (every kind but items, archive, feedback, cases and audit,
// which need the backend's own writes), and reports whether it handled the kind.
func LoadCommon(ctx context.Context, s Store, b *Batch) (bool, error) {
	each := func(n int, fn func(i int) error) error {
		for i := range n {
			if err := fn(i); err != nil {
				return fmt.Errorf("load %s: %w", b.Kind, err)
			}
		}
		return nil
	}
	var err error
	switch b.Kind {
	case KindUsers:
		err = each(len(b.Users), func(i int) error { c := *b.Users[i]; return s.CreateUser(ctx, &c) })
	case KindTokens:
		err = each(len(b.Tokens), func(i int) error { c := *b.Tokens[i]; return s.CreateToken(ctx, &c) })
	case KindDepartments:
		err = each(len(b.Departments), func(i int) error { return s.PutDepartment(ctx, b.Departments[i]) })
	case KindHalls:
		err = each(len(b.Halls), func(i int) error { c := *b.Halls[i]; return s.CreateHall(ctx, &c) })
	case KindCategories:
		err = each(len(b.Categories), func(i int) error { return s.PutCategory(ctx, b.Categories[i]) })
	case KindMatters:
		err = each(len(b.Matters), func(i int) error { c := *b.Matters[i]; return s.CreateMatter(ctx, &c) })
	case KindCalendar:
		err = each(len(b.Calendar), func(i int) error {
			return s.PutCalendarYear(ctx, b.Calendar[i].Year, b.Calendar[i].Doc)
		})
	case KindSettings:
		err = each(len(b.Settings), func(i int) error { return s.PutSetting(ctx, b.Settings[i].Key, b.Settings[i].Doc) })
	case KindCheckpoints:
		err = each(len(b.Checkpoints), func(i int) error { return s.SaveCheckpoint(ctx, b.Checkpoints[i]) })
	case KindScreens:
		err = each(len(b.Screens), func(i int) error { c := *b.Screens[i]; return s.CreateScreen(ctx, &c) })
	case KindPairings:
		err = each(len(b.Pairings), func(i int) error { c := *b.Pairings[i]; return s.CreatePairing(ctx, &c) })
	case KindPlaylists:
		err = each(len(b.Playlists), func(i int) error { return s.PutPlaylist(ctx, b.Playlists[i]) })
	case KindSchedules:
		err = each(len(b.Schedules), func(i int) error { return s.PutSchedule(ctx, b.Schedules[i]) })
	case KindInterrupts:
		err = each(len(b.Interrupts), func(i int) error { c := *b.Interrupts[i]; return s.CreateInterrupt(ctx, &c) })
	case KindMedia:
		err = each(len(b.Media), func(i int) error { return s.PutMedia(ctx, b.Media[i]) })
	case KindEvents:
		if _, err := s.InsertEvents(ctx, b.Events); err != nil {
			return true, fmt.Errorf("load events: %w", err)
		}
	default:
		return false, nil
	}
	return true, err
}
