// Package accounts is staff access to hallcast: users and their roles,
// console sessions, API tokens, and logins under attack. Every change is
// written with its audit entry in one store transaction. The HTTP API, the
// command line and the first start all go through it.
package accounts

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/hall"
)

// Store is what the service reads and writes.
type Store interface {
	hall.UserStore
	hall.LimitStore
	Department(ctx context.Context, key string) (*hall.Department, error)
	AppendAudit(ctx context.Context, e *hall.AuditEntry) error
}

// Service runs staff access. Store, Hasher, Now and Logger are required.
type Service struct {
	Store  Store
	Hasher auth.Hasher
	Now    func() time.Time
	Logger *slog.Logger
	// SessionTTL bounds console sessions; zero means 12 hours.
	SessionTTL time.Duration
	// TokenTTL is how long a new API token lasts unless its maker says
	// otherwise; zero means DefaultTokenTTL.
	TokenTTL time.Duration
	// Hashes bounds the password hashes computed at once (each takes the
	// hasher's memory); zero means DefaultHashes. HashWait is how long a
	// login waits for a free slot before it is refused; zero means 3 s.
	Hashes   int
	HashWait time.Duration

	slotsOnce sync.Once
	slots     chan struct{}
	dummyOnce sync.Once
	dummy     string
}

// Defaults.
const (
	DefaultSessionTTL = 12 * time.Hour
	DefaultTokenTTL   = 365 * 24 * time.Hour
	MaxTokenTTL       = 3 * 365 * 24 * time.Hour
	DefaultHashes     = 4
)

// APITokenPrefix marks staff API tokens ("hct_…"); screens' tokens have
// their own prefix, so one is never taken for the other.
const APITokenPrefix = "hct_"

// SessionPrefix marks console session secrets.
const SessionPrefix = "hcs_"

// System is the actor of changes made by the command line or at the first
// start: an admin that is nobody's account.
func System(name string) *hall.User {
	return &hall.User{Username: name, Role: hall.RoleAdmin}
}

func (s *Service) audited(ctx context.Context, actor *hall.User, action, target, detail string) context.Context {
	return hall.Audited(ctx, s.Now(), hall.ActorName(actor), action, target, detail)
}

func (s *Service) sessionTTL() time.Duration {
	if s.SessionTTL > 0 {
		return s.SessionTTL
	}
	return DefaultSessionTTL
}

// hashSlot takes one of the slots for computing a password hash, waiting at
// most a few seconds; it returns the release, or ERateLimited when every
// slot stays busy. Each hash takes the hasher's memory (argon2id), so the
// slots bound what a burst of logins can take.
func (s *Service) hashSlot(ctx context.Context) (func(), error) {
	s.slotsOnce.Do(func() {
		n := s.Hashes
		if n <= 0 {
			n = DefaultHashes
		}
		s.slots = make(chan struct{}, n)
	})
	wait := s.HashWait
	if wait <= 0 {
		wait = 3 * time.Second
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, nil
	case <-t.C:
		e := hall.Errorf(hall.ERateLimited, "the server is busy checking other logins: try again in a few seconds")
		e.RetryAfter = 5 * time.Second
		return nil, e
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// hash hashes a password in a hash slot.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	release, err := s.hashSlot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return s.Hasher.Hash(password)
}

// verify checks a password against a hash in a hash slot.
func (s *Service) verify(ctx context.Context, hash, password string) (bool, error) {
	if len(password) > auth.MaxPasswordBytes {
		return false, nil
	}
	release, err := s.hashSlot(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return auth.Verify(hash, password) == nil, nil
}

// dummyHash is a valid hash of nothing in particular, at the real cost, so
// checking an unknown username takes as long as checking a known one.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = s.Hasher.Hash("not a password of anyone") })
	return s.dummy
}

// UserInput is a new account.
type UserInput struct {
	Username    string    `json:"username"`
	Password    string    `json:"password"`
	Role        hall.Role `json:"role"`
	Departments []string  `json:"departments"`
}

// newUser validates a new account and hashes its password.
func (s *Service) newUser(ctx context.Context, in UserInput) (*hall.User, error) {
	username := strings.ToLower(strings.TrimSpace(in.Username))
	if !hall.ValidKey(username) {
		return nil, hall.FieldError("username", "want lower-case letters, digits, '-' or '_' (at most 40)")
	}
	if !in.Role.Valid() {
		return nil, hall.FieldError("role", "want admin, editor, reviewer or auditor")
	}
	if err := auth.CheckPasswordRules(in.Password); err != nil {
		return nil, hall.FieldError("password", "%v", err).WithReason("password_rules")
	}
	departments := in.Departments
	if departments == nil {
		departments = []string{}
	}
	for i, d := range departments {
		field := "departments[" + strconv.Itoa(i) + "]"
		if !hall.ValidKey(d) {
			return nil, hall.FieldError(field, "not a department key")
		}
		if _, err := s.Store.Department(ctx, d); hall.IsCode(err, hall.ENotFound) {
			return nil, hall.FieldError(field, "no department %q", d)
		} else if err != nil {
			return nil, err
		}
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	return &hall.User{ID: hall.NewID("us"), Username: username, Role: in.Role, Departments: departments,
		PasswordHash: hash, CreatedAt: s.Now().UTC()}, nil
}

// CreateUser adds a staff account.
func (s *Service) CreateUser(ctx context.Context, actor *hall.User, in UserInput) (*hall.User, error) {
	if !actor.Has() {
		return nil, hall.Errorf(hall.EForbidden, "only admins add staff")
	}
	u, err := s.newUser(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateUser(s.audited(ctx, actor, "user.create", u.Username, string(u.Role)), u); err != nil {
		return nil, err
	}
	return u, nil
}

// FirstAdmin creates the account "admin" when there is no user at all and
// returns it, or nil when there are users already.
func (s *Service) FirstAdmin(ctx context.Context, password string) (*hall.User, error) {
	n, err := s.Store.CountUsers(ctx)
	if err != nil || n > 0 {
		return nil, err
	}
	return s.CreateUser(ctx, System("system"), UserInput{Username: "admin", Password: password, Role: hall.RoleAdmin})
}

// ListUsers lists the staff accounts by username.
func (s *Service) ListUsers(ctx context.Context, actor *hall.User) ([]*hall.User, error) {
	if !actor.Has() {
		return nil, hall.Errorf(hall.EForbidden, "only admins list staff")
	}
	return s.Store.ListUsers(ctx)
}

// SetDisabled disables an account — its sessions and API tokens end at once
// — or enables it again. Admins cannot disable themselves, so a hall never
// locks itself out by mistake.
func (s *Service) SetDisabled(ctx context.Context, actor *hall.User, id string, disabled bool) (*hall.User, error) {
	if !actor.Has() {
		return nil, hall.Errorf(hall.EForbidden, "only admins disable or enable staff")
	}
	u, err := s.Store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if disabled && u.ID == actor.ID {
		return nil, hall.Errorf(hall.EConflict, "you cannot disable your own account: ask another admin")
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	if err := s.Store.SetUserDisabled(s.audited(ctx, actor, action, u.Username, ""), u.ID, disabled); err != nil {
		return nil, err
	}
	u.Disabled = disabled
	return u, nil
}

// ChangePassword sets the actor's own password. Every other session of the
// actor ends; keep (the session making the change, if any) stays.
func (s *Service) ChangePassword(ctx context.Context, actor *hall.User, keep *hall.Session, current, next string) error {
	if actor == nil || actor.ID == "" {
		return hall.Errorf(hall.EUnauthenticated, "log in first")
	}
	ok, err := s.verify(ctx, actor.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		return hall.FieldError("current", "wrong password")
	}
	if err := auth.CheckPasswordRules(next); err != nil {
		return hall.FieldError("new", "%v", err).WithReason("password_rules")
	}
	if next == current {
		return hall.FieldError("new", "choose a password different from the current one")
	}
	hash, err := s.hash(ctx, next)
	if err != nil {
		return err
	}
	keepHash := ""
	if keep != nil {
		keepHash = keep.TokenHash
	}
	return s.Store.SetPassword(s.audited(ctx, actor, "user.password", actor.Username, ""), actor.ID, hash, keepHash)
}
