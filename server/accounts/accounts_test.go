package accounts

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/sqlite"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newService(t *testing.T) (*Service, *clock) {
	s, clk, _ := newServiceStore(t)
	return s, clk
}

func newServiceStore(t *testing.T) (*Service, *clock, *sqlite.Store) {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "hallcast.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clk := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s := &Service{Store: store, Hasher: auth.Hasher{Memory: 64, Time: 1, Threads: 1}, Now: clk.Now}
	if _, err := s.FirstAdmin(t.Context(), "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	return s, clk, store
}

func code(err error) string { return hall.ErrorCode(err) }

// TestLoginBurst: many parallel guesses at one account from one address
// are counted before any password is checked, so no more than the allowed
// attempts are ever checked and a correct password among the burst fails.
func TestLoginBurst(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	var (
		mu     sync.Mutex
		counts = map[string]int{}
		wg     sync.WaitGroup
	)
	for i := range 49 {
		wg.Go(func() {
			_, err := s.Login(ctx, "admin", fmt.Sprint("guess-", i), "203.0.113.9")
			mu.Lock()
			counts[code(err)]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if counts[hall.EUnauthenticated] != AttemptsPerWindow {
		t.Errorf("%d attempts had their password checked, want %d: %v", counts[hall.EUnauthenticated], AttemptsPerWindow, counts)
	}
	if counts[hall.ERateLimited] != 49-AttemptsPerWindow {
		t.Errorf("%d attempts refused, want %d: %v", counts[hall.ERateLimited], 49-AttemptsPerWindow, counts)
	}
	// The right password, once the burst used up the window, is refused too.
	if _, err := s.Login(ctx, "admin", "correct horse battery", "203.0.113.9"); code(err) != hall.ERateLimited {
		t.Errorf("correct password after the burst: %v, want rate_limited", err)
	}
}

// TestOwnerNotLockedOut: a stranger's failures lock out the stranger's
// address only; the owner logs in from the office.
func TestOwnerNotLockedOut(t *testing.T) {
	s, clk := newService(t)
	ctx := t.Context()
	for range AttemptsPerWindow {
		if _, err := s.Login(ctx, "admin", "wrong password", "198.51.100.7"); code(err) != hall.EUnauthenticated {
			t.Fatalf("failed login: %v", err)
		}
	}
	_, err := s.Login(ctx, "admin", "wrong password", "198.51.100.7")
	if code(err) != hall.ERateLimited {
		t.Fatalf("attempt past the limit: %v, want rate_limited", err)
	}
	var he *hall.Error
	if e, ok := err.(*hall.Error); ok {
		he = e
	}
	if he == nil || he.RetryAfter != AttemptWindow {
		t.Errorf("RetryAfter: %+v, want %s", he, AttemptWindow)
	}
	if _, err := s.Login(ctx, "admin", "correct horse battery", "192.0.2.10"); err != nil {
		t.Fatalf("owner from another address: %v", err)
	}

	// The stranger waits out the window, fails again: the next window is
	// twice as long.
	clk.Add(AttemptWindow)
	for range AttemptsPerWindow {
		s.Login(ctx, "admin", "wrong password", "198.51.100.7")
	}
	if _, err := s.Login(ctx, "admin", "wrong password", "198.51.100.7"); code(err) != hall.ERateLimited {
		t.Fatalf("second window: %v, want rate_limited", err)
	}
	clk.Add(AttemptWindow)
	if _, err := s.Login(ctx, "admin", "correct horse battery", "198.51.100.7"); code(err) != hall.ERateLimited {
		t.Errorf("one window later in a doubled window: %v, want rate_limited", err)
	}
	clk.Add(AttemptWindow)
	if _, err := s.Login(ctx, "admin", "correct horse battery", "198.51.100.7"); err != nil {
		t.Errorf("after the doubled window: %v, want a login", err)
	}
}

// TestHashSlots: when every slot for computing a password hash is taken, a
// login is refused after a short wait instead of allocating more memory.
func TestHashSlots(t *testing.T) {
	s, _ := newService(t)
	s.HashWait = 50 * time.Millisecond
	ctx := t.Context()
	var releases []func()
	for range cap(s.slots) { // every slot (DefaultHashes)
		r, err := s.hashSlot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, r)
	}
	if _, err := s.Login(ctx, "admin", "correct horse battery", "192.0.2.1"); code(err) != hall.ERateLimited {
		t.Errorf("login with every hash slot busy: %v, want rate_limited", err)
	}
	releases[0]()
	if _, err := s.Login(ctx, "admin", "correct horse battery", "192.0.2.2"); err != nil {
		t.Errorf("login with a slot free: %v", err)
	}
	for _, r := range releases[1:] {
		r()
	}
}

// TestDisableEndsAccess: disabling an account ends its session and tokens
// at once, and it cannot log in until enabled again.
func TestDisableEndsAccess(t *testing.T) {
	s, _, store := newServiceStore(t)
	ctx := t.Context()
	admin, err := s.Store.UserByName(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	clerk, err := s.CreateUser(ctx, admin, UserInput{Username: "wang", Password: "a long password", Role: hall.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.Login(ctx, "wang", "a long password", "192.0.2.3")
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := s.CreateToken(ctx, clerk, "", TokenInput{Name: "script"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetDisabled(ctx, admin, clerk.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(ctx, l.Secret); code(err) != hall.EUnauthenticated {
		t.Errorf("session of a disabled user: %v", err)
	}
	if _, err := s.TokenUser(ctx, secret); code(err) != hall.EUnauthenticated {
		t.Errorf("token of a disabled user: %v", err)
	}
	if _, err := s.Login(ctx, "wang", "a long password", "192.0.2.3"); code(err) != hall.EUnauthenticated {
		t.Errorf("login of a disabled user: %v", err)
	}
	if _, err := s.SetDisabled(ctx, admin, admin.ID, true); code(err) != hall.EConflict {
		t.Errorf("an admin disabling themself: %v, want conflict", err)
	}
	if _, err := s.SetDisabled(ctx, admin, clerk.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Login(ctx, "wang", "a long password", "192.0.2.3"); err != nil {
		t.Errorf("login after enabling: %v", err)
	}
	audit, err := store.ListAudit(ctx, hall.AuditFilter{Target: "wang"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action)
	}
	if fmt.Sprint(actions) != "[session.login user.enable user.disable session.login user.create]" {
		t.Errorf("audit of wang: %v", actions)
	}
}

// TestTokenExpiry: a token stops working when it expires.
func TestTokenExpiry(t *testing.T) {
	s, clk := newService(t)
	ctx := t.Context()
	admin, err := s.Store.UserByName(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	secret, tok, err := s.CreateToken(ctx, admin, "", TokenInput{Name: "1 day", TTL: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(clk.Now().Add(24*time.Hour)) {
		t.Fatalf("ExpiresAt %v", tok.ExpiresAt)
	}
	if _, err := s.TokenUser(ctx, secret); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	clk.Add(24 * time.Hour)
	if _, err := s.TokenUser(ctx, secret); code(err) != hall.EUnauthenticated {
		t.Errorf("expired token: %v", err)
	}
	if _, _, err := s.CreateToken(ctx, admin, "", TokenInput{TTL: 10 * 365 * 24 * time.Hour}); code(err) != hall.EValidation {
		t.Errorf("a ten-year token: %v, want validation", err)
	}
	if _, _, err := s.CreateToken(context.Background(), &hall.User{ID: "x", Role: hall.RoleEditor}, admin.ID, TokenInput{}); code(err) != hall.EForbidden {
		t.Errorf("an editor making a token for the admin: %v, want forbidden", err)
	}
}
