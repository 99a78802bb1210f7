package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

const screenCols = "id, name, kind, hall_id, groups, token_hash, created_at, revoked_at, last_seen, version, showing"

func scanScreen(row scanner) (*hall.Screen, error) {
	sc := &hall.Screen{}
	err := row.Scan(&sc.ID, &sc.Name, &sc.Kind, &sc.HallID, jsonCol{&sc.Groups}, &sc.TokenHash,
		timeCol{&sc.CreatedAt}, timePtrCol{&sc.RevokedAt}, timePtrCol{&sc.LastSeen}, &sc.Version, jsonCol{&sc.Showing})
	return sc, err
}

// CreateScreen inserts sc, giving it an id when it has none; its hall must
// exist (ENotFound otherwise) and its token hash must be new (EConflict).
func (s *Store) CreateScreen(ctx context.Context, sc *hall.Screen) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return insertScreen(ctx, tx, sc) })
}

func insertScreen(ctx context.Context, tx *sql.Tx, sc *hall.Screen) error {
	id := sc.ID
	if id == "" {
		id = hall.NewID("sc")
	}
	groups, err := encJSON(sc.Groups, sc.Groups == nil)
	if err != nil {
		return fmt.Errorf("sqlite: create screen: %w", err)
	}
	showing, err := encJSON(sc.Showing, sc.Showing == nil)
	if err != nil {
		return fmt.Errorf("sqlite: create screen: %w", err)
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO screens ("+screenCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		id, sc.Name, sc.Kind, sc.HallID, groups, sc.TokenHash, encTime(sc.CreatedAt),
		encTimePtr(sc.RevokedAt), encTimePtr(sc.LastSeen), sc.Version, showing)
	switch {
	case isDuplicate(err) && strings.Contains(err.Error(), "screens.token_hash"):
		return hall.Errorf(hall.EConflict, "screen token exists")
	case isDuplicate(err):
		return hall.Errorf(hall.EConflict, "screen %q exists", id)
	case isForeignKey(err):
		return hall.NotFound("hall", sc.HallID)
	case err != nil:
		return fmt.Errorf("sqlite: create screen: %w", err)
	}
	sc.ID = id
	return nil
}

// UpdateScreen saves the screen's name, kind, hall and groups; ENotFound
// when it is missing or revoked.
func (s *Store) UpdateScreen(ctx context.Context, sc *hall.Screen) error {
	groups, err := encJSON(sc.Groups, sc.Groups == nil)
	if err != nil {
		return fmt.Errorf("sqlite: update screen: %w", err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE screens SET name = ?, kind = ?, hall_id = ?, groups = ? WHERE id = ? AND revoked_at IS NULL",
			sc.Name, sc.Kind, sc.HallID, groups, sc.ID)
		if isForeignKey(err) {
			return hall.NotFound("hall", sc.HallID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: update screen: %w", err)
		}
		return rowsAffected(res, "screen", sc.ID)
	})
}

// Screen returns the screen with the id, revoked or not.
func (s *Store) Screen(ctx context.Context, id string) (*hall.Screen, error) {
	sc, err := scanScreen(s.rdb.QueryRowContext(ctx, "SELECT "+screenCols+" FROM screens WHERE id = ?", id))
	if err != nil {
		return nil, noRows(err, "screen", id)
	}
	return sc, nil
}

// ScreenByTokenHash returns the screen with the token hash, revoked or not:
// the caller tells a revoked screen apart by RevokedAt.
func (s *Store) ScreenByTokenHash(ctx context.Context, hash string) (*hall.Screen, error) {
	sc, err := scanScreen(s.rdb.QueryRowContext(ctx, "SELECT "+screenCols+" FROM screens WHERE token_hash = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hall.Errorf(hall.ENotFound, "screen not found")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: screen by token: %w", err)
	}
	return sc, nil
}

// ListScreens returns the screens not revoked, by name, then id.
func (s *Store) ListScreens(ctx context.Context) ([]*hall.Screen, error) {
	scs, err := queryAll(ctx, s.rdb, scanScreen,
		"SELECT "+screenCols+" FROM screens WHERE revoked_at IS NULL ORDER BY name, id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: list screens: %w", err)
	}
	return scs, nil
}

// RevokeScreen marks the screen revoked at at; ENotFound when it is missing
// or revoked already.
func (s *Store) RevokeScreen(ctx context.Context, id string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE screens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", encTime(at), id)
		if err != nil {
			return fmt.Errorf("sqlite: revoke screen %q: %w", id, err)
		}
		return rowsAffected(res, "screen", id)
	})
}

// SaveScreenStatus stores what the screen last reported.
func (s *Store) SaveScreenStatus(ctx context.Context, id string, seen time.Time, version string, showing *hall.Showing) error {
	sh, err := encJSON(showing, showing == nil)
	if err != nil {
		return fmt.Errorf("sqlite: save status of screen %q: %w", id, err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE screens SET last_seen = ?, version = ?, showing = ? WHERE id = ?",
			encTime(seen), version, sh, id)
		if err != nil {
			return fmt.Errorf("sqlite: save status of screen %q: %w", id, err)
		}
		return rowsAffected(res, "screen", id)
	})
}

const pairingCols = "id, code, secret_hash, expires_at, screen_id, token"

func scanPairing(row scanner) (*hall.Pairing, error) {
	p := &hall.Pairing{}
	err := row.Scan(&p.ID, &p.Code, &p.SecretHash, timeCol{&p.ExpiresAt}, strCol{&p.ScreenID}, &p.Token)
	return p, err
}

// CreatePairing stores p, giving it an id when it has none. Its code must
// not be held by a pairing unexpired now (by the wall clock): EConflict.
// Expired pairings holding the code are removed first.
func (s *Store) CreatePairing(ctx context.Context, p *hall.Pairing) error {
	id := p.ID
	if id == "" {
		id = hall.NewID("pr")
	}
	now := encTime(time.Now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM pairings WHERE code = ? AND expires_at <= ?", p.Code, now); err != nil {
			return fmt.Errorf("sqlite: create pairing: delete expired: %w", err)
		}
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM pairings WHERE code = ? LIMIT 1", p.Code).Scan(&one)
		if err == nil {
			return hall.Errorf(hall.EConflict, "pairing code %s is in use", p.Code)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: create pairing: %w", err)
		}
		var screenID any
		if p.ScreenID != "" {
			screenID = p.ScreenID
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO pairings ("+pairingCols+") VALUES (?, ?, ?, ?, ?, ?)",
			id, p.Code, p.SecretHash, encTime(p.ExpiresAt), screenID, p.Token)
		switch {
		case isDuplicate(err):
			return hall.Errorf(hall.EConflict, "pairing %q exists", id)
		case isForeignKey(err):
			return hall.NotFound("screen", p.ScreenID)
		case err != nil:
			return fmt.Errorf("sqlite: create pairing: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	p.ID = id
	return nil
}

// Pairing returns the pairing with the id, expired or not.
func (s *Store) Pairing(ctx context.Context, id string) (*hall.Pairing, error) {
	p, err := scanPairing(s.rdb.QueryRowContext(ctx, "SELECT "+pairingCols+" FROM pairings WHERE id = ?", id))
	if err != nil {
		return nil, noRows(err, "pairing", id)
	}
	return p, nil
}

// PairingByCode returns the pairing with the code that is unexpired at now
// (ExpiresAt after now).
func (s *Store) PairingByCode(ctx context.Context, code string, now time.Time) (*hall.Pairing, error) {
	p, err := scanPairing(s.rdb.QueryRowContext(ctx,
		"SELECT "+pairingCols+" FROM pairings WHERE code = ? AND expires_at > ? ORDER BY expires_at DESC LIMIT 1",
		code, encTime(now)))
	if err != nil {
		return nil, noRows(err, "pairing code", code)
	}
	return p, nil
}

// ClaimPairing creates the screen and sets it and the token on a pairing
// unclaimed and unexpired at now. ENotFound when the pairing or the screen's
// hall is missing, EConflict when it is claimed or expired.
func (s *Store) ClaimPairing(ctx context.Context, id string, sc *hall.Screen, token string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var (
			exp     time.Time
			claimed sql.NullString
		)
		err := tx.QueryRowContext(ctx, "SELECT expires_at, screen_id FROM pairings WHERE id = ?", id).Scan(timeCol{&exp}, &claimed)
		if err != nil {
			return noRows(err, "pairing", id)
		}
		if claimed.Valid {
			return hall.Errorf(hall.EConflict, "pairing %q is claimed already", id)
		}
		if !now.Before(exp) {
			return hall.Errorf(hall.EConflict, "pairing %q has expired", id)
		}
		if err := insertScreen(ctx, tx, sc); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE pairings SET screen_id = ?, token = ? WHERE id = ?", sc.ID, token, id)
		if err != nil {
			return fmt.Errorf("sqlite: claim pairing %q: %w", id, err)
		}
		return nil
	})
}

// DeletePairing removes the pairing; ENotFound when there is none.
func (s *Store) DeletePairing(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM pairings WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("sqlite: delete pairing %q: %w", id, err)
		}
		return rowsAffected(res, "pairing", id)
	})
}

// DeleteExpiredPairings removes pairings with ExpiresAt <= now, claimed or
// not, and returns how many it removed.
func (s *Store) DeleteExpiredPairings(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM pairings WHERE expires_at <= ?", encTime(now))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired pairings: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired pairings: %w", err)
	}
	return int(n), nil
}

// targetDoc is how a hall.Target is stored: without omitempty, so a nil
// list (null) and an empty one ([]) come back as they went in.
type targetDoc struct {
	Screens []string `json:"screens"`
	Groups  []string `json:"groups"`
	Halls   []string `json:"halls"`
	Kinds   []string `json:"kinds"`
}

func encTarget(t hall.Target) (string, error) {
	b, err := json.Marshal(targetDoc(t))
	if err != nil {
		return "", fmt.Errorf("encode target: %w", err)
	}
	return string(b), nil
}

// targetCol scans a target column.
type targetCol struct{ p *hall.Target }

func (c targetCol) Scan(v any) error {
	var d targetDoc
	if err := (jsonCol{&d}).Scan(v); err != nil {
		return err
	}
	*c.p = hall.Target(d)
	return nil
}

const playlistCols = "id, name, entries, updated_at"

func scanPlaylist(row scanner) (*hall.Playlist, error) {
	p := &hall.Playlist{}
	err := row.Scan(&p.ID, &p.Name, jsonCol{&p.Entries}, timeCol{&p.UpdatedAt})
	return p, err
}

// PutPlaylist inserts or replaces the playlist by id.
func (s *Store) PutPlaylist(ctx context.Context, p *hall.Playlist) error {
	entries, err := encJSON(p.Entries, p.Entries == nil)
	if err != nil {
		return fmt.Errorf("sqlite: put playlist %q: %w", p.ID, err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err = tx.ExecContext(ctx, "INSERT INTO playlists ("+playlistCols+`) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, entries = excluded.entries, updated_at = excluded.updated_at`,
			p.ID, p.Name, entries, encTime(p.UpdatedAt))
		if err != nil {
			return fmt.Errorf("sqlite: put playlist %q: %w", p.ID, err)
		}
		return nil
	})
}

// Playlist returns the playlist with the id.
func (s *Store) Playlist(ctx context.Context, id string) (*hall.Playlist, error) {
	p, err := scanPlaylist(s.rdb.QueryRowContext(ctx, "SELECT "+playlistCols+" FROM playlists WHERE id = ?", id))
	if err != nil {
		return nil, noRows(err, "playlist", id)
	}
	return p, nil
}

// ListPlaylists returns every playlist by name, then id.
func (s *Store) ListPlaylists(ctx context.Context) ([]*hall.Playlist, error) {
	ps, err := queryAll(ctx, s.rdb, scanPlaylist, "SELECT "+playlistCols+" FROM playlists ORDER BY name, id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: list playlists: %w", err)
	}
	return ps, nil
}

// DeletePlaylist removes the playlist; ENotFound when there is none.
// Schedules naming it are left alone.
func (s *Store) DeletePlaylist(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM playlists WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("sqlite: delete playlist %q: %w", id, err)
		}
		return rowsAffected(res, "playlist", id)
	})
}

const scheduleCols = "id, playlist_id, target, days, start_clock, end_clock, from_date, until_date, priority, updated_at, day_type"

func scanSchedule(row scanner) (*hall.Schedule, error) {
	sc := &hall.Schedule{}
	err := row.Scan(&sc.ID, &sc.PlaylistID, targetCol{&sc.Target}, jsonCol{&sc.Days},
		&sc.Start, &sc.End, &sc.From, &sc.Until, &sc.Priority, timeCol{&sc.UpdatedAt}, &sc.DayType)
	return sc, err
}

// PutSchedule inserts or replaces the schedule by id. Its playlist is not
// checked.
func (s *Store) PutSchedule(ctx context.Context, sc *hall.Schedule) error {
	target, err := encTarget(sc.Target)
	if err != nil {
		return fmt.Errorf("sqlite: put schedule %q: %w", sc.ID, err)
	}
	days, err := encJSON(sc.Days, sc.Days == nil)
	if err != nil {
		return fmt.Errorf("sqlite: put schedule %q: %w", sc.ID, err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err = tx.ExecContext(ctx, "INSERT INTO schedules ("+scheduleCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET playlist_id = excluded.playlist_id, target = excluded.target,
			days = excluded.days, start_clock = excluded.start_clock, end_clock = excluded.end_clock,
			from_date = excluded.from_date, until_date = excluded.until_date, priority = excluded.priority,
			updated_at = excluded.updated_at, day_type = excluded.day_type`,
			sc.ID, sc.PlaylistID, target, days, sc.Start, sc.End, sc.From, sc.Until, sc.Priority, encTime(sc.UpdatedAt), sc.DayType)
		if err != nil {
			return fmt.Errorf("sqlite: put schedule %q: %w", sc.ID, err)
		}
		return nil
	})
}

// Schedule returns the schedule with the id.
func (s *Store) Schedule(ctx context.Context, id string) (*hall.Schedule, error) {
	sc, err := scanSchedule(s.rdb.QueryRowContext(ctx, "SELECT "+scheduleCols+" FROM schedules WHERE id = ?", id))
	if err != nil {
		return nil, noRows(err, "schedule", id)
	}
	return sc, nil
}

// ListSchedules returns every schedule by id.
func (s *Store) ListSchedules(ctx context.Context) ([]*hall.Schedule, error) {
	scs, err := queryAll(ctx, s.rdb, scanSchedule, "SELECT "+scheduleCols+" FROM schedules ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: list schedules: %w", err)
	}
	return scs, nil
}

// DeleteSchedule removes the schedule; ENotFound when there is none.
func (s *Store) DeleteSchedule(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM schedules WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("sqlite: delete schedule %q: %w", id, err)
		}
		return rowsAffected(res, "schedule", id)
	})
}

const interruptCols = "id, target, level, text, item_id, until, created_by, created_at, cleared_at"

func scanInterrupt(row scanner) (*hall.Interrupt, error) {
	i := &hall.Interrupt{}
	err := row.Scan(&i.ID, targetCol{&i.Target}, &i.Level, &i.Text, &i.ItemID, timeCol{&i.Until},
		&i.CreatedBy, timeCol{&i.CreatedAt}, timePtrCol{&i.ClearedAt})
	return i, err
}

// CreateInterrupt inserts i, giving it an id when it has none.
func (s *Store) CreateInterrupt(ctx context.Context, i *hall.Interrupt) error {
	id := i.ID
	if id == "" {
		id = hall.NewID("ir")
	}
	target, err := encTarget(i.Target)
	if err != nil {
		return fmt.Errorf("sqlite: create interrupt: %w", err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err = tx.ExecContext(ctx, "INSERT INTO interrupts ("+interruptCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			id, target, i.Level, i.Text, i.ItemID, encTime(i.Until), i.CreatedBy, encTime(i.CreatedAt), encTimePtr(i.ClearedAt))
		if isDuplicate(err) {
			return hall.Errorf(hall.EConflict, "interrupt %q exists", id)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create interrupt: %w", err)
		}
		i.ID = id
		return nil
	})
}

// Interrupt returns the interrupt with the id, cleared or not.
func (s *Store) Interrupt(ctx context.Context, id string) (*hall.Interrupt, error) {
	i, err := scanInterrupt(s.rdb.QueryRowContext(ctx, "SELECT "+interruptCols+" FROM interrupts WHERE id = ?", id))
	if err != nil {
		return nil, noRows(err, "interrupt", id)
	}
	return i, nil
}

// ListInterrupts returns, newest first, every interrupt when activeAt is
// zero, else those active at activeAt: not cleared, Until after activeAt.
func (s *Store) ListInterrupts(ctx context.Context, activeAt time.Time) ([]*hall.Interrupt, error) {
	query := "SELECT " + interruptCols + " FROM interrupts"
	var args []any
	if !activeAt.IsZero() {
		query += " WHERE cleared_at IS NULL AND until > ?"
		args = append(args, encTime(activeAt))
	}
	is, err := queryAll(ctx, s.rdb, scanInterrupt, query+" ORDER BY created_at DESC, id DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list interrupts: %w", err)
	}
	return is, nil
}

// ClearInterrupt marks the interrupt cleared at at; ENotFound when it is
// missing or cleared already.
func (s *Store) ClearInterrupt(ctx context.Context, id string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE interrupts SET cleared_at = ? WHERE id = ? AND cleared_at IS NULL", encTime(at), id)
		if err != nil {
			return fmt.Errorf("sqlite: clear interrupt %q: %w", id, err)
		}
		return rowsAffected(res, "interrupt", id)
	})
}

const mediaCols = "sha256, type, mime, size, name, created_by, created_at"

// PutMedia stores the media record unless one with its hash exists, which
// is then left as it is.
func (s *Store) PutMedia(ctx context.Context, m *hall.Media) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO media ("+mediaCols+") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
			m.SHA256, m.Type, m.MIME, m.Size, m.Name, m.CreatedBy, encTime(m.CreatedAt))
		if err != nil {
			return fmt.Errorf("sqlite: put media %s: %w", m.SHA256, err)
		}
		return nil
	})
}

// Media returns the media record with the hash.
func (s *Store) Media(ctx context.Context, sha string) (*hall.Media, error) {
	m := &hall.Media{}
	err := s.rdb.QueryRowContext(ctx, "SELECT "+mediaCols+" FROM media WHERE sha256 = ?", sha).
		Scan(&m.SHA256, &m.Type, &m.MIME, &m.Size, &m.Name, &m.CreatedBy, timeCol{&m.CreatedAt})
	if err != nil {
		return nil, noRows(err, "media", sha)
	}
	return m, nil
}
