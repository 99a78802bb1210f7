package httpapi

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/hallcast/hallcast/server/accounts"
	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/bulletin"
	"github.com/hallcast/hallcast/server/catalog"
	"github.com/hallcast/hallcast/server/dashboard"
	"github.com/hallcast/hallcast/server/disclosure"
	"github.com/hallcast/hallcast/server/feedback"
	"github.com/hallcast/hallcast/server/financefile"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/manifest"
	"github.com/hallcast/hallcast/server/reports"
	"github.com/hallcast/hallcast/server/scorecard"
	"github.com/hallcast/hallcast/server/signage"
	"github.com/hallcast/hallcast/server/workdays"
)

// The API's handlers decode a request, call one service method and encode
// its answer. These are the services they call, each declared with the
// methods the handlers use (accounts.Service, catalog.Service and so on
// implement them).

// Accounts is staff access: sessions, tokens, users.
type Accounts interface {
	Login(ctx context.Context, username, password, addr string) (*accounts.Login, error)
	Logout(ctx context.Context, actor *hall.User, sess *hall.Session) error
	Session(ctx context.Context, secret string) (*hall.Session, *hall.User, error)
	TokenUser(ctx context.Context, secret string) (*hall.User, error)
	ChangePassword(ctx context.Context, actor *hall.User, keep *hall.Session, current, next string) error
	CreateUser(ctx context.Context, actor *hall.User, in accounts.UserInput) (*hall.User, error)
	ListUsers(ctx context.Context, actor *hall.User) ([]*hall.User, error)
	SetDisabled(ctx context.Context, actor *hall.User, id string, disabled bool) (*hall.User, error)
	CreateToken(ctx context.Context, actor *hall.User, userID string, in accounts.TokenInput) (string, *hall.APIToken, error)
	ListTokens(ctx context.Context, actor *hall.User, all bool) ([]*hall.APIToken, error)
	DeleteToken(ctx context.Context, actor *hall.User, id string) error
}

// Catalog is departments, categories, matters and the calendar.
type Catalog interface {
	ListDepartments(ctx context.Context, actor *hall.User) ([]*hall.Department, error)
	PutDepartment(ctx context.Context, actor *hall.User, d *hall.Department) error
	ListCategories(ctx context.Context, actor *hall.User) ([]*hall.Category, error)
	PutCategory(ctx context.Context, actor *hall.User, c *hall.Category) error
	ListMatters(ctx context.Context, actor *hall.User) ([]*hall.Matter, error)
	CreateMatter(ctx context.Context, actor *hall.User, title string) (*hall.Matter, error)
	CalendarYear(ctx context.Context, actor *hall.User, year int) (*catalog.CalendarYear, error)
	PutCalendarYear(ctx context.Context, actor *hall.User, year int, y workdays.Year) (*catalog.CalendarYear, error)
}

// Desk is the disclosure workflow and its reads.
type Desk interface {
	CreateDraft(ctx context.Context, actor *hall.User, it *hall.Item) error
	UpdateDraft(ctx context.Context, actor *hall.User, id string, in *hall.Item) (*hall.Item, error)
	Preview(ctx context.Context, actor *hall.User, in *hall.Item) (*hall.Revision, error)
	Submit(ctx context.Context, actor *hall.User, id string) (*hall.Item, error)
	Approve(ctx context.Context, actor *hall.User, id string, version int) (*hall.Item, error)
	Publish(ctx context.Context, actor *hall.User, id, override string) (*hall.Revision, error)
	Withdraw(ctx context.Context, actor *hall.User, id, reason string) (*hall.Item, error)
	Return(ctx context.Context, actor *hall.User, id string, version int, comment string) (*hall.Item, error)
	Redact(ctx context.Context, actor *hall.User, id string, revision int, reason string) (*hall.Item, error)
	Item(ctx context.Context, actor *hall.User, id string) (disclosure.ItemView, error)
	List(ctx context.Context, actor *hall.User, f hall.ItemFilter) ([]disclosure.ItemView, error)
	View(ctx context.Context, it *hall.Item) disclosure.ItemView
	ItemRevisions(ctx context.Context, actor *hall.User, id string) ([]*hall.Revision, []*hall.ArchiveEntry, error)
	Diff(ctx context.Context, actor *hall.User, id, from, to string) (*disclosure.DiffView, error)
	Privacy(ctx context.Context, actor *hall.User, id string) ([]disclosure.PrivacyFinding, error)
	ParseFinance(ctx context.Context, actor *hall.User, r io.Reader, name string) (*financefile.Result, error)
	FinanceWorkbook(ctx context.Context, actor *hall.User, id string, w io.Writer) error
	Revision(ctx context.Context, id string, n int) (*hall.Revision, error)
	Revisions(ctx context.Context, id string) ([]*hall.Revision, []*hall.ArchiveEntry, error)
}

// Signage is screens, pairing, halls, playlists, schedules, interrupts.
type Signage interface {
	AuthenticateScreen(ctx context.Context, token string) (*hall.Screen, error)
	CreateScreen(ctx context.Context, actor *hall.User, in signage.ScreenInput) (*hall.Screen, string, error)
	UpdateScreen(ctx context.Context, actor *hall.User, id string, in signage.ScreenInput) (*hall.Screen, error)
	ListScreens(ctx context.Context, actor *hall.User) ([]signage.ScreenView, error)
	RevokeScreen(ctx context.Context, actor *hall.User, id string) error
	Command(ctx context.Context, actor *hall.User, id, name string) (int, error)
	Timeline(ctx context.Context, actor *hall.User, id string, at time.Time) (*manifest.Playing, error)
	Week(ctx context.Context, actor *hall.User, id, from string) (*manifest.Week, error)
	CreatePairing(ctx context.Context, addr string) (*signage.PairingTicket, error)
	PollPairing(ctx context.Context, id, secret string) (*signage.PairingStatus, error)
	ClaimPairing(ctx context.Context, actor *hall.User, code string, in signage.ScreenInput) (*hall.Screen, error)
	ListHalls(ctx context.Context, actor *hall.User) ([]*hall.Hall, error)
	CreateHall(ctx context.Context, actor *hall.User, in signage.HallInput) (*hall.Hall, error)
	UpdateHall(ctx context.Context, actor *hall.User, id string, in signage.HallInput) (*hall.Hall, error)
	ListPlaylists(ctx context.Context, actor *hall.User) ([]*hall.Playlist, error)
	Playlist(ctx context.Context, actor *hall.User, id string) (*hall.Playlist, error)
	PutPlaylist(ctx context.Context, actor *hall.User, id, name string, entries []hall.PlaylistEntry) (*hall.Playlist, error)
	DeletePlaylist(ctx context.Context, actor *hall.User, id string) error
	ListSchedules(ctx context.Context, actor *hall.User) ([]*hall.Schedule, error)
	PutSchedule(ctx context.Context, actor *hall.User, sc *hall.Schedule) (*hall.Schedule, error)
	DeleteSchedule(ctx context.Context, actor *hall.User, id string) error
	CreateInterrupt(ctx context.Context, actor *hall.User, in signage.InterruptInput) (*hall.Interrupt, error)
	ListInterrupts(ctx context.Context, actor *hall.User, all bool) ([]*hall.Interrupt, error)
	ClearInterrupt(ctx context.Context, actor *hall.User, id string) error
}

// Feedback is residents' feedback, staff's replies and cases.
type Feedback interface {
	List(ctx context.Context, actor *hall.User, status string, limit int) ([]feedback.View, error)
	Reply(ctx context.Context, actor *hall.User, id, text string, public bool) (*feedback.View, error)
	Cases(ctx context.Context, actor *hall.User, status string, limit int) ([]feedback.CaseView, error)
	Resolve(ctx context.Context, actor *hall.User, id, note string) (*feedback.CaseView, error)
	PublicReplies(ctx context.Context, limit int) ([]feedback.PublicReply, error)
	Status(ctx context.Context, receipt string) (*feedback.ReceiptStatus, error)
}

// Reports is what auditors read.
type Reports interface {
	Engagement(ctx context.Context, actor *hall.User, from, to time.Time, by string) (*reports.Engagement, error)
	Scorecard(ctx context.Context, actor *hall.User, period string) (*scorecard.Scorecard, error)
	ScorecardRules(ctx context.Context, actor *hall.User) (*reports.ScorecardRules, error)
	PutScorecardRules(ctx context.Context, actor *hall.User, from string, w scorecard.Weights) (*reports.ScorecardRules, error)
	Audit(ctx context.Context, actor *hall.User, f hall.AuditFilter) ([]*hall.AuditEntry, error)
}

// Public is what the public reads besides the archive's own routes: the
// catalogue with counts, the items on a board, the halls, a matter.
type Public interface {
	ListItems(ctx context.Context, sc bulletin.Scope, f hall.ItemFilter) ([]*hall.Item, error)
	Categories(ctx context.Context, sc bulletin.Scope, now time.Time) ([]bulletin.CategoryCount, []*hall.Department, error)
	Halls(ctx context.Context) ([]bulletin.Hall, error)
	Matter(ctx context.Context, id string) (*hall.Matter, []*hall.Item, error)
}

// Dashboard is what staff see first.
type Dashboard interface {
	Get(ctx context.Context, actor *hall.User) (*dashboard.Dashboard, error)
}

// Media is the uploaded files.
type Media interface {
	Put(ctx context.Context, actor *hall.User, src io.Reader, name string) (*hall.Media, error)
	Open(ctx context.Context, sum string) (*hall.Media, *os.File, error)
}

// Events stores events screens send and returns the ids durably stored,
// and those refused (hub.EventIngester).
type Events interface {
	Ingest(ctx context.Context, screenID string, events []*hall.Event) ([]string, []hall.EventRefusal, error)
}

// Limits counts what residents' phones send (hall.LimitStore, the
// store's counters shared by every replica).
type Limits interface {
	Hit(ctx context.Context, key string, n int64, now time.Time, ttl time.Duration) (int64, error)
}

// ArchiveSource is what the auditor's archive check reads: the entries,
// the checkpoints and the item rows they are compared with.
type ArchiveSource interface {
	archive.Source
}
