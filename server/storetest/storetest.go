// Package storetest is the contract every hall.Store backend passes. A
// backend's tests call Run with a constructor for empty stores:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) hall.Store {
//			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "hallcast.db"))
//			...
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Beyond hall/store.go the contract fixes: times come back in UTC; list
// orders (users by username, halls oldest first, matters newest first, tokens
// oldest first, audit newest first by At); deletes of a missing session or
// token are ENotFound; ListTokens("") lists every user's tokens; ItemEntries
// of an unknown item is empty, not an error; a negative ArchiveEntries start
// is EValidation; DeleteExpiredSessions removes sessions with ExpiresAt <= now.
// A session or token of a missing user, and a screen of a missing hall, is
// ENotFound and stores nothing.
//
// For screens and events: generated ids are prefixed "sc_", "pr_", "ir_";
// a taken screen id or token hash is EConflict; Screen and
// ScreenByTokenHash return revoked screens too; ListScreens leaves out the
// revoked, by name, then id; RevokeScreen and ClearInterrupt are ENotFound
// when done already; SaveScreenStatus of a missing screen is ENotFound.
// A pairing is live while now < ExpiresAt; CreatePairing judges live by the
// wall clock; ClaimPairing of a claimed or expired pairing is EConflict.
// Playlists, schedules and targets come back exactly as put (nil and empty
// lists told apart); playlists list by name, then id, schedules by id;
// deleting a playlist leaves its schedules. ListInterrupts lists newest
// (CreatedAt) first; active at t means not cleared and Until after t.
// PutMedia keeps the first record of a hash. InsertEvents keeps the first
// copy of an id, also within one batch; ListEvents lists by ReceivedAt, then
// id, a zero from or to leaving that end open, with the default and maximum
// limits of ListAudit (100, 1000).
//
// For search (ItemFilter.Q): terms come from server/search; a store keeps
// PublicState.Index exactly as given (it never makes one) and returns it,
// and the index changes with the item, atomically: a refused save changes
// neither. search.ParseQuery(Q) gives the words; an error from it is
// EValidation on field "q". With Public, an item matches when its Index
// matches every word (an empty query matches nothing): a word's terms one
// after the other in one field of the Index, the last one as a prefix when
// Word.Prefix. Results come best first, a match in the Index's Title before
// a match only in its Text, ties in the usual order (newest published
// first). SQLite does this with FTS5 (search.Query.FTS5, bm25 weighted
// search.TitleWeight to 1). A store without a full-text engine can keep a
// set of item ids per term (search.Doc(p.Index).Terms()), intersect the sets
// of each word's terms, expand a prefix word through a sorted term
// dictionary, then keep and rank the candidates with search.Query.Score on
// search.Doc(p.Index), which decides phrases and order exactly. Without
// Public, an item matches when every word of Q (split at white space, as
// typed) is a substring of its working copy's title, summary or body (ASCII
// letters case-insensitively, % and _ literal), or when its published
// revision matches as above; the order stays by last update.
//
// For feedback and cases: a feedback event stored for the first time
// becomes feedback with status "open", dated when the server received it
// (ReceivedAt, not the kiosk's At), and the receipt hall.Receipt(id), or,
// when another feedback holds that, the receipt with the smallest suffix
// 1, 2, … that is free; FeedbackByReceipt matches exactly. A second reply
// replaces the first. ListFeedback lists newest (At) first, then id
// descending; PublicReplies lists feedback whose reply is public, newest
// reply first; ListCases lists oldest (At) first, then id. An unknown status
// is EValidation; limits are those of ListEvents. A case's Aspects are the
// "aspects" member of the rating's Data as sent, nil when absent or null;
// ResolveCase of a missing case is ENotFound.
//
// For Engagement: a zero from or to leaves that end open; only the four
// event kinds count; a rating's item is its subject's ("item:<id>", any
// other subject standing for itself), not its ItemID; categories and
// departments are those of the item's published revision, "" when there is
// none; groups with no events are left out; rows come ordered by key; an
// unknown grouping is EValidation.
package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// Run runs the contract suite. newStore must return a new, empty store and
// arrange (with t.Cleanup) for it to be closed; each subtest gets its own.
func Run(t *testing.T, newStore func(t *testing.T) hall.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s hall.Store)
	}{
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"Tokens", testTokens},
		{"Catalog", testCatalog},
		{"Items", testItems},
		{"ItemsConflict", testItemsConflict},
		{"ListItemsFilters", testListItemsFilters},
		{"ListItemsLimit", testListItemsLimit},
		{"ListItemsSearch", testListItemsSearch},
		{"Archive", testArchive},
		{"ArchiveConcurrent", testArchiveConcurrent},
		{"Checkpoints", testCheckpoints},
		{"Redaction", testRedaction},
		{"Calendar", testCalendar},
		{"Settings", testSettings},
		{"Audit", testAudit},
		{"Screens", testScreens},
		{"Pairings", testPairings},
		{"Playlists", testPlaylists},
		{"Schedules", testSchedules},
		{"Interrupts", testInterrupts},
		{"Media", testMedia},
		{"Events", testEvents},
		{"EventsBatch", testEventsBatch},
		{"EventsConcurrent", testEventsConcurrent},
		{"Feedback", testFeedback},
		{"Cases", testCases},
		{"Engagement", testEngagement},
		{"Credentials", testCredentials},
		{"Limits", testLimits},
		{"UpdateScreen", testUpdateScreen},
		{"AuditWithChange", testAuditWithChange},
		{"MissingOwners", testMissingOwners},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

// contextLike names the context the audit steps write with.
type contextLike = context.Context

// t0 is the suite's reference time, with nanoseconds to check precision.
var t0 = time.Date(2025, 3, 3, 9, 30, 0, 123456789, time.UTC)

// cst is China Standard Time; times given in it must come back in UTC.
var cst = time.FixedZone("CST", 8*60*60)

func at(d time.Duration) time.Time { return t0.Add(d) }

func ptr[T any](v T) *T { return &v }

// mustOK fails the test now when err is not nil.
func mustOK(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// wantCode checks that err carries the hall error code.
func wantCode(tb testing.TB, err error, code, what string) {
	tb.Helper()
	if got := hall.ErrorCode(err); got != code {
		tb.Errorf("%s: got error %v (code %q), want code %q", what, err, got, code)
	}
}

// same checks got and want are deeply equal (times included, location and
// all), showing both as JSON when they are not.
func same(tb testing.TB, what string, got, want any) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("%s:\n got %s\nwant %s\n(fields hidden from JSON are compared too)", what, dump(got), dump(want))
	}
}

func dump(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// wantUTC checks that a time the store returned is in UTC.
func wantUTC(tb testing.TB, what string, t time.Time) {
	tb.Helper()
	if t.Location() != time.UTC {
		tb.Errorf("%s: location %v, want UTC", what, t.Location())
	}
}

// wantPrefix checks an id the store generated.
func wantPrefix(tb testing.TB, what, id, prefix string) {
	tb.Helper()
	if !strings.HasPrefix(id, prefix) || len(id) <= len(prefix) {
		tb.Errorf("%s: id %q, want prefix %q", what, id, prefix)
	}
}
