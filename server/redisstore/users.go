package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

// Users: {m}:users (id → userRec), {m}:users:name (username → id).
// Sessions: {m}:sessions (token hash → hall.Session).
// Tokens: {m}:tokens (id → tokenRec), {m}:tokens:hash (hash → id).

type userRec struct {
	*hall.User
	PasswordHash string `json:"password_hash"`
}

func encUser(u *hall.User) string {
	c := *u
	c.CreatedAt = c.CreatedAt.UTC()
	return mustJSON(userRec{User: &c, PasswordHash: u.PasswordHash})
}

func decUser(s string) (*hall.User, error) {
	r := userRec{User: &hall.User{}}
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, err
	}
	r.User.PasswordHash = r.PasswordHash
	return r.User, nil
}

func (s *Store) readUser(ctx context.Context, c goredis.Cmdable, id string) (*hall.User, error) {
	raw, err := c.HGet(ctx, s.mkey("users"), id).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.NotFound("user", id)
	}
	if err != nil {
		return nil, err
	}
	return decUser(raw)
}

// CreateUser inserts u, giving it an id when it has none.
func (s *Store) CreateUser(ctx context.Context, u *hall.User) error {
	id := u.ID
	if id == "" {
		id = hall.NewID("us")
	}
	users, names := s.mkey("users"), s.mkey("users", "name")
	err := s.update(ctx, "create user", []string{users, names}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		if ok, err := tx.HExists(ctx, users, id).Result(); err != nil || ok {
			return nil, orConflict(err, "user %q exists", id)
		}
		if ok, err := tx.HExists(ctx, names, u.Username).Result(); err != nil || ok {
			return nil, orConflict(err, "username %q is taken", u.Username)
		}
		c := *u
		c.ID = id
		return func(p goredis.Pipeliner) {
			p.HSet(ctx, users, id, encUser(&c))
			p.HSet(ctx, names, u.Username, id)
		}, nil
	})
	if err != nil {
		return err
	}
	u.ID = id
	return nil
}

// orConflict returns err when it is not nil, else an EConflict error.
func orConflict(err error, format string, args ...any) error {
	if err != nil {
		return err
	}
	return hall.Errorf(hall.EConflict, format, args...)
}

// UpdateUser saves every field of u but its id and Disabled.
func (s *Store) UpdateUser(ctx context.Context, u *hall.User) error {
	users, names := s.mkey("users"), s.mkey("users", "name")
	return s.update(ctx, "update user", []string{users, names}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		old, err := s.readUser(ctx, tx, u.ID)
		if err != nil {
			return nil, err
		}
		if old.Username != u.Username {
			if ok, err := tx.HExists(ctx, names, u.Username).Result(); err != nil || ok {
				return nil, orConflict(err, "username %q is taken", u.Username)
			}
		}
		c := *u
		c.Disabled = old.Disabled
		return func(p goredis.Pipeliner) {
			if old.Username != u.Username {
				p.HDel(ctx, names, old.Username)
				p.HSet(ctx, names, u.Username, u.ID)
			}
			p.HSet(ctx, users, u.ID, encUser(&c))
		}, nil
	})
}

// UserByID returns the user with the id.
func (s *Store) UserByID(ctx context.Context, id string) (*hall.User, error) {
	u, err := s.readUser(ctx, s.rdb, id)
	return u, s.wrap("user", err)
}

// UserByName returns the user with the username (exact match).
func (s *Store) UserByName(ctx context.Context, username string) (*hall.User, error) {
	id, err := s.rdb.HGet(ctx, s.mkey("users", "name"), username).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.NotFound("user", username)
	}
	if err != nil {
		return nil, s.wrap("user by name", err)
	}
	u, err := s.readUser(ctx, s.rdb, id)
	return u, s.wrap("user by name", err)
}

// ListUsers returns every user by username.
func (s *Store) ListUsers(ctx context.Context) ([]*hall.User, error) {
	users, err := hgetAll(ctx, s.rdb, s.mkey("users"), decUser)
	if err != nil {
		return nil, s.wrap("list users", err)
	}
	slices.SortFunc(users, func(a, b *hall.User) int { return strings.Compare(a.Username, b.Username) })
	return users, nil
}

// CountUsers returns how many users there are.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	n, err := s.rdb.HLen(ctx, s.mkey("users")).Result()
	return int(n), s.wrap("count users", err)
}

// SetPassword replaces the user's password hash and ends every session of
// the user but keepSession.
func (s *Store) SetPassword(ctx context.Context, userID, hash, keepSession string) error {
	users, sessions := s.mkey("users"), s.mkey("sessions")
	return s.update(ctx, "set password", []string{users, sessions}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		u, err := s.readUser(ctx, tx, userID)
		if err != nil {
			return nil, err
		}
		ended, err := s.userSessions(ctx, tx, userID, keepSession)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = hash
		return func(p goredis.Pipeliner) {
			p.HSet(ctx, users, userID, encUser(u))
			if len(ended) > 0 {
				p.HDel(ctx, sessions, ended...)
			}
		}, nil
	})
}

// SetUserDisabled disables or enables the user; disabling ends the user's
// sessions and deletes the user's API tokens in the same transaction.
func (s *Store) SetUserDisabled(ctx context.Context, userID string, disabled bool) error {
	users, sessions, tokens, hashes := s.mkey("users"), s.mkey("sessions"), s.mkey("tokens"), s.mkey("tokens", "hash")
	return s.update(ctx, "set user disabled", []string{users, sessions, tokens, hashes}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		u, err := s.readUser(ctx, tx, userID)
		if err != nil {
			return nil, err
		}
		var ended []string
		var gone []*hall.APIToken
		if disabled {
			if ended, err = s.userSessions(ctx, tx, userID, ""); err != nil {
				return nil, err
			}
			if gone, err = s.listTokens(ctx, tx, userID); err != nil {
				return nil, err
			}
		}
		u.Disabled = disabled
		return func(p goredis.Pipeliner) {
			p.HSet(ctx, users, userID, encUser(u))
			if len(ended) > 0 {
				p.HDel(ctx, sessions, ended...)
			}
			for _, t := range gone {
				p.HDel(ctx, tokens, t.ID)
				p.HDel(ctx, hashes, t.Hash)
			}
		}, nil
	})
}

func encSession(ss *hall.Session) string {
	c := *ss
	c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	return mustJSON(&c)
}

func decSession(s string) (*hall.Session, error) {
	ss := &hall.Session{}
	return ss, json.Unmarshal([]byte(s), ss)
}

// userSessions returns the token hashes of the user's sessions but keep.
func (s *Store) userSessions(ctx context.Context, c goredis.Cmdable, userID, keep string) ([]string, error) {
	all, err := hgetAll(ctx, c, s.mkey("sessions"), decSession)
	if err != nil {
		return nil, err
	}
	var hashes []string
	for _, ss := range all {
		if ss.UserID == userID && ss.TokenHash != keep {
			hashes = append(hashes, ss.TokenHash)
		}
	}
	return hashes, nil
}

// CreateSession stores a session; its user must exist.
func (s *Store) CreateSession(ctx context.Context, ss *hall.Session) error {
	users, sessions := s.mkey("users"), s.mkey("sessions")
	return s.update(ctx, "create session", []string{users, sessions}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		if ok, err := tx.HExists(ctx, users, ss.UserID).Result(); err != nil || !ok {
			return nil, orNotFound(err, "user", ss.UserID)
		}
		if ok, err := tx.HExists(ctx, sessions, ss.TokenHash).Result(); err != nil || ok {
			return nil, orConflict(err, "session exists")
		}
		return func(p goredis.Pipeliner) { p.HSet(ctx, sessions, ss.TokenHash, encSession(ss)) }, nil
	})
}

// orNotFound returns err when it is not nil, else an ENotFound error.
func orNotFound(err error, kind, id string) error {
	if err != nil {
		return err
	}
	return hall.NotFound(kind, id)
}

// SessionByHash returns the session with the token hash, expired or not.
func (s *Store) SessionByHash(ctx context.Context, hash string) (*hall.Session, error) {
	var ss hall.Session
	ok, err := hgetJSON(ctx, s.rdb, s.mkey("sessions"), hash, &ss)
	if err != nil {
		return nil, s.wrap("session", err)
	}
	if !ok {
		return nil, hall.Errorf(hall.ENotFound, "session not found")
	}
	return &ss, nil
}

// DeleteSession removes the session; ENotFound when there is none.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	sessions := s.mkey("sessions")
	return s.update(ctx, "delete session", []string{sessions}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		if ok, err := tx.HExists(ctx, sessions, hash).Result(); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			return nil, hall.Errorf(hall.ENotFound, "session not found")
		}
		return func(p goredis.Pipeliner) { p.HDel(ctx, sessions, hash) }, nil
	})
}

// DeleteUserSessions removes every session of the user (none is not an error).
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	sessions := s.mkey("sessions")
	return s.update(ctx, "delete user sessions", []string{sessions}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		ended, err := s.userSessions(ctx, tx, userID, "")
		if err != nil {
			return nil, err
		}
		return func(p goredis.Pipeliner) {
			if len(ended) > 0 {
				p.HDel(ctx, sessions, ended...)
			}
		}, nil
	})
}

// DeleteExpiredSessions removes sessions with ExpiresAt <= now and returns
// how many it removed.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	sessions := s.mkey("sessions")
	var n int
	err := s.update(ctx, "delete expired sessions", []string{sessions}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		all, err := hgetAll(ctx, tx, sessions, decSession)
		if err != nil {
			return nil, err
		}
		var expired []string
		for _, ss := range all {
			if !ss.ExpiresAt.After(now) {
				expired = append(expired, ss.TokenHash)
			}
		}
		n = len(expired)
		return func(p goredis.Pipeliner) {
			if len(expired) > 0 {
				p.HDel(ctx, sessions, expired...)
			}
		}, nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

type tokenRec struct {
	*hall.APIToken
	Hash string `json:"hash"`
}

func encToken(t *hall.APIToken) string {
	c := *t
	c.CreatedAt, c.LastUsed, c.ExpiresAt = c.CreatedAt.UTC(), utcPtr(c.LastUsed), utcPtr(c.ExpiresAt)
	return mustJSON(tokenRec{APIToken: &c, Hash: t.Hash})
}

func decToken(s string) (*hall.APIToken, error) {
	r := tokenRec{APIToken: &hall.APIToken{}}
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, err
	}
	r.APIToken.Hash = r.Hash
	return r.APIToken, nil
}

// CreateToken stores an API token, giving it an id when it has none; its
// user must exist.
func (s *Store) CreateToken(ctx context.Context, t *hall.APIToken) error {
	id := t.ID
	if id == "" {
		id = hall.NewID("tk")
	}
	users, tokens, hashes := s.mkey("users"), s.mkey("tokens"), s.mkey("tokens", "hash")
	err := s.update(ctx, "create token", []string{users, tokens, hashes}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		if ok, err := tx.HExists(ctx, users, t.UserID).Result(); err != nil || !ok {
			return nil, orNotFound(err, "user", t.UserID)
		}
		if ok, err := tx.HExists(ctx, tokens, id).Result(); err != nil || ok {
			return nil, orConflict(err, "token exists")
		}
		if ok, err := tx.HExists(ctx, hashes, t.Hash).Result(); err != nil || ok {
			return nil, orConflict(err, "token exists")
		}
		c := *t
		c.ID = id
		return func(p goredis.Pipeliner) {
			p.HSet(ctx, tokens, id, encToken(&c))
			p.HSet(ctx, hashes, t.Hash, id)
		}, nil
	})
	if err != nil {
		return err
	}
	t.ID = id
	return nil
}

func (s *Store) readToken(ctx context.Context, c goredis.Cmdable, id string) (*hall.APIToken, error) {
	raw, err := c.HGet(ctx, s.mkey("tokens"), id).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.NotFound("token", id)
	}
	if err != nil {
		return nil, err
	}
	return decToken(raw)
}

// TokenByHash returns the token with the hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (*hall.APIToken, error) {
	id, err := s.rdb.HGet(ctx, s.mkey("tokens", "hash"), hash).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.Errorf(hall.ENotFound, "token not found")
	}
	if err != nil {
		return nil, s.wrap("token", err)
	}
	t, err := s.readToken(ctx, s.rdb, id)
	if hall.IsCode(err, hall.ENotFound) {
		return nil, hall.Errorf(hall.ENotFound, "token not found")
	}
	return t, s.wrap("token", err)
}

// TouchToken records that the token was used at at.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	tokens := s.mkey("tokens")
	return s.update(ctx, "touch token", []string{tokens}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		t, err := s.readToken(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		t.LastUsed = &at
		return func(p goredis.Pipeliner) { p.HSet(ctx, tokens, id, encToken(t)) }, nil
	})
}

// listTokens returns the user's tokens ("" for every user's), oldest first
// (then by id).
func (s *Store) listTokens(ctx context.Context, c goredis.Cmdable, userID string) ([]*hall.APIToken, error) {
	all, err := hgetAll(ctx, c, s.mkey("tokens"), decToken)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, t := range all {
		if userID == "" || t.UserID == userID {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *hall.APIToken) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// ListTokens returns the user's tokens ("" for every user's), oldest first.
func (s *Store) ListTokens(ctx context.Context, userID string) ([]*hall.APIToken, error) {
	out, err := s.listTokens(ctx, s.rdb, userID)
	return out, s.wrap("list tokens", err)
}

// DeleteToken removes the token; ENotFound when there is none.
func (s *Store) DeleteToken(ctx context.Context, id string) error {
	tokens, hashes := s.mkey("tokens"), s.mkey("tokens", "hash")
	return s.update(ctx, "delete token", []string{tokens, hashes}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		t, err := s.readToken(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		return func(p goredis.Pipeliner) {
			p.HDel(ctx, tokens, id)
			p.HDel(ctx, hashes, t.Hash)
		}, nil
	})
}
