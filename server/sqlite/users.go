package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

const userCols = "id, username, role, departments, disabled, password_hash, created_at"

func scanUser(row scanner) (*hall.User, error) {
	u := &hall.User{}
	err := row.Scan(&u.ID, &u.Username, &u.Role, jsonCol{&u.Departments}, &u.Disabled, &u.PasswordHash, timeCol{&u.CreatedAt})
	return u, err
}

// userConflict maps a unique violation on users to EConflict.
func userConflict(err error, u *hall.User, id string) error {
	if strings.Contains(err.Error(), "users.username") {
		return hall.Errorf(hall.EConflict, "username %q is taken", u.Username)
	}
	return hall.Errorf(hall.EConflict, "user %q exists", id)
}

// CreateUser inserts u, giving it an id when it has none.
func (s *Store) CreateUser(ctx context.Context, u *hall.User) error {
	id := u.ID
	if id == "" {
		id = hall.NewID("us")
	}
	deps, err := encJSON(u.Departments, u.Departments == nil)
	if err != nil {
		return fmt.Errorf("sqlite: create user: %w", err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err = tx.ExecContext(ctx, "INSERT INTO users ("+userCols+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, u.Username, string(u.Role), deps, u.Disabled, u.PasswordHash, encTime(u.CreatedAt))
		if isDuplicate(err) {
			return userConflict(err, u, id)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create user: %w", err)
		}
		u.ID = id
		return nil
	})
}

// UpdateUser saves every field of u but its id and Disabled.
func (s *Store) UpdateUser(ctx context.Context, u *hall.User) error {
	deps, err := encJSON(u.Departments, u.Departments == nil)
	if err != nil {
		return fmt.Errorf("sqlite: update user: %w", err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET username = ?, role = ?, departments = ?,
			password_hash = ?, created_at = ? WHERE id = ?`,
			u.Username, string(u.Role), deps, u.PasswordHash, encTime(u.CreatedAt), u.ID)
		if isDuplicate(err) {
			return userConflict(err, u, u.ID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: update user: %w", err)
		}
		return rowsAffected(res, "user", u.ID)
	})
}

// UserByID returns the user with the id.
func (s *Store) UserByID(ctx context.Context, id string) (*hall.User, error) {
	u, err := scanUser(s.rdb.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
	if err != nil {
		return nil, noRows(err, "user", id)
	}
	return u, nil
}

// UserByName returns the user with the username (exact match).
func (s *Store) UserByName(ctx context.Context, username string) (*hall.User, error) {
	u, err := scanUser(s.rdb.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE username = ?", username))
	if err != nil {
		return nil, noRows(err, "user", username)
	}
	return u, nil
}

// ListUsers returns every user by username.
func (s *Store) ListUsers(ctx context.Context) ([]*hall.User, error) {
	users, err := queryAll(ctx, s.rdb, scanUser, "SELECT "+userCols+" FROM users ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("sqlite: list users: %w", err)
	}
	return users, nil
}

// CountUsers returns how many users there are.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.rdb.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count users: %w", err)
	}
	return n, nil
}

const sessionCols = "token_hash, user_id, csrf_token, created_at, expires_at, remote_ip"

// CreateSession stores a session; its user must exist.
func (s *Store) CreateSession(ctx context.Context, ss *hall.Session) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO sessions ("+sessionCols+") VALUES (?, ?, ?, ?, ?, ?)",
			ss.TokenHash, ss.UserID, ss.CSRFToken, encTime(ss.CreatedAt), encTime(ss.ExpiresAt), ss.RemoteIP)
		switch {
		case isDuplicate(err):
			return hall.Errorf(hall.EConflict, "session exists")
		case isForeignKey(err):
			return hall.NotFound("user", ss.UserID)
		case err != nil:
			return fmt.Errorf("sqlite: create session: %w", err)
		}
		return nil
	})
}

// SessionByHash returns the session with the token hash, expired or not.
func (s *Store) SessionByHash(ctx context.Context, hash string) (*hall.Session, error) {
	ss := &hall.Session{}
	err := s.rdb.QueryRowContext(ctx, "SELECT "+sessionCols+" FROM sessions WHERE token_hash = ?", hash).
		Scan(&ss.TokenHash, &ss.UserID, &ss.CSRFToken, timeCol{&ss.CreatedAt}, timeCol{&ss.ExpiresAt}, &ss.RemoteIP)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hall.Errorf(hall.ENotFound, "session not found")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: session: %w", err)
	}
	return ss, nil
}

// DeleteSession removes the session; ENotFound when there is none.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", hash)
		if err != nil {
			return fmt.Errorf("sqlite: delete session: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("sqlite: delete session: %w", err)
		}
		if n == 0 {
			return hall.Errorf(hall.ENotFound, "session not found")
		}
		return nil
	})
}

// DeleteUserSessions removes every session of the user (none is not an error).
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
			return fmt.Errorf("sqlite: delete sessions of %q: %w", userID, err)
		}
		return nil
	})
}

// DeleteExpiredSessions removes sessions with ExpiresAt <= now and returns
// how many it removed.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", encTime(now))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired sessions: %w", err)
	}
	return int(n), nil
}

const tokenCols = "id, user_id, name, hash, created_at, last_used, expires_at"

func scanToken(row scanner) (*hall.APIToken, error) {
	t := &hall.APIToken{}
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, timeCol{&t.CreatedAt}, timePtrCol{&t.LastUsed}, timePtrCol{&t.ExpiresAt})
	return t, err
}

// CreateToken stores an API token, giving it an id when it has none; its
// user must exist.
func (s *Store) CreateToken(ctx context.Context, t *hall.APIToken) error {
	id := t.ID
	if id == "" {
		id = hall.NewID("tk")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO api_tokens ("+tokenCols+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, t.UserID, t.Name, t.Hash, encTime(t.CreatedAt), encTimePtr(t.LastUsed), encTimePtr(t.ExpiresAt))
		switch {
		case isDuplicate(err):
			return hall.Errorf(hall.EConflict, "token exists")
		case isForeignKey(err):
			return hall.NotFound("user", t.UserID)
		case err != nil:
			return fmt.Errorf("sqlite: create token: %w", err)
		}
		t.ID = id
		return nil
	})
}

// TokenByHash returns the token with the hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (*hall.APIToken, error) {
	t, err := scanToken(s.rdb.QueryRowContext(ctx, "SELECT "+tokenCols+" FROM api_tokens WHERE hash = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hall.Errorf(hall.ENotFound, "token not found")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: token: %w", err)
	}
	return t, nil
}

// TouchToken records that the token was used at at.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE api_tokens SET last_used = ? WHERE id = ?", encTime(at), id)
		if err != nil {
			return fmt.Errorf("sqlite: touch token: %w", err)
		}
		return rowsAffected(res, "token", id)
	})
}

// ListTokens returns the user's tokens ("" for every user's), oldest first.
func (s *Store) ListTokens(ctx context.Context, userID string) ([]*hall.APIToken, error) {
	tokens, err := queryAll(ctx, s.rdb, scanToken,
		"SELECT "+tokenCols+" FROM api_tokens WHERE ? = '' OR user_id = ? ORDER BY created_at, id", userID, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list tokens: %w", err)
	}
	return tokens, nil
}

// DeleteToken removes the token; ENotFound when there is none.
func (s *Store) DeleteToken(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM api_tokens WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("sqlite: delete token: %w", err)
		}
		return rowsAffected(res, "token", id)
	})
}

// SetPassword replaces the user's password hash and ends every session of
// the user but keepSession.
func (s *Store) SetPassword(ctx context.Context, userID, hash, keepSession string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, userID)
		if err != nil {
			return fmt.Errorf("sqlite: set password: %w", err)
		}
		if err := rowsAffected(res, "user", userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", userID, keepSession); err != nil {
			return fmt.Errorf("sqlite: set password: end sessions: %w", err)
		}
		return nil
	})
}

// SetUserDisabled disables or enables the user; disabling ends the user's
// sessions and deletes the user's API tokens in the same transaction.
func (s *Store) SetUserDisabled(ctx context.Context, userID string, disabled bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET disabled = ? WHERE id = ?", disabled, userID)
		if err != nil {
			return fmt.Errorf("sqlite: set user disabled: %w", err)
		}
		if err := rowsAffected(res, "user", userID); err != nil {
			return err
		}
		if !disabled {
			return nil
		}
		for _, q := range []string{"DELETE FROM sessions WHERE user_id = ?", "DELETE FROM api_tokens WHERE user_id = ?"} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return fmt.Errorf("sqlite: disable user: %w", err)
			}
		}
		return nil
	})
}
