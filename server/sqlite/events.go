package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

const eventCols = `id, kind, at, screen_id, received_at, item_id, revision, media_url, playlist_id,
	duration_ms, dwell_ms, session, subject, level, topic, text, contact, data, misuse`

// eventChunks are the sizes of the multi-row INSERT statements, largest
// first: a batch is cut into these, so only four statements are ever
// prepared. 400 rows × 19 columns is well under SQLite's 32766 parameters.
var eventChunks = [...]int{400, 64, 8, 1}

// eventInsert returns the statement inserting n events.
func eventInsert(n int) string {
	row := "(?" + strings.Repeat(", ?", 18) + ")"
	return "INSERT INTO events (" + eventCols + ") VALUES " + row + strings.Repeat(", "+row, n-1) +
		" ON CONFLICT (id) DO NOTHING RETURNING id"
}

// insertChunk inserts events with one statement and records what each new
// one implies (feedback, cases). It returns how many were new.
func insertChunk(ctx context.Context, tx *sql.Tx, insert *sql.Stmt, events []*hall.Event) (int, error) {
	args := make([]any, 0, len(events)*19)
	for _, e := range events {
		var data any
		if len(e.Data) > 0 {
			data = string(e.Data)
		}
		args = append(args, e.ID, e.Kind, encTime(e.At), e.ScreenID, encTime(e.ReceivedAt),
			e.ItemID, e.Revision, e.MediaURL, e.PlaylistID, e.DurationMS, e.DwellMS, e.Session,
			e.Subject, e.Level, e.Topic, e.Text, e.Contact, data, e.Misuse)
	}
	rows, err := insert.QueryContext(ctx, args...)
	if err != nil {
		return 0, fmt.Errorf("insert: %w", err)
	}
	fresh := make(map[string]bool, len(events))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		fresh[id] = true
	}
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("insert: %w", err)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("insert: %w", err)
	}
	n := len(fresh)
	for _, e := range events {
		if !fresh[e.ID] {
			continue // stored already: what it implies is made already too
		}
		delete(fresh, e.ID) // the first copy in the batch is the one stored
		if err := recordEvent(ctx, tx, e); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func scanEvent(row scanner) (*hall.Event, error) {
	e := &hall.Event{}
	var data sql.NullString
	err := row.Scan(&e.ID, &e.Kind, timeCol{&e.At}, &e.ScreenID, timeCol{&e.ReceivedAt}, &e.ItemID, &e.Revision,
		&e.MediaURL, &e.PlaylistID, &e.DurationMS, &e.DwellMS, &e.Session, &e.Subject, &e.Level,
		&e.Topic, &e.Text, &e.Contact, &data, &e.Misuse)
	if data.Valid {
		e.Data = json.RawMessage(data.String)
	}
	return e, err
}

// InsertEvents stores the events in one transaction, ignoring ids stored
// already (also a second occurrence of an id within events), and returns
// how many were new. In the same transaction each new feedback event
// becomes a row of feedback and each new poor rating not flagged as misuse
// opens a case (see recordEvent); an event stored already makes neither
// again. When it returns nil the events are on disk: the writer runs with
// synchronous=FULL, so the commit has been fsynced.
func (s *Store) InsertEvents(ctx context.Context, events []*hall.Event) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	for i, e := range events {
		if e == nil {
			return 0, fmt.Errorf("sqlite: insert events: event %d is nil", i)
		}
	}
	stmts, err := s.preparedEventInserts(ctx)
	if err != nil {
		return 0, fmt.Errorf("sqlite: insert events: %w", err)
	}
	var inserted int
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// Multi-row inserts: one statement per chunk costs far less than one
		// per event; RETURNING says which ids were new.
		for len(events) > 0 {
			size := eventChunks[len(eventChunks)-1]
			for _, c := range eventChunks {
				if len(events) >= c {
					size = c
					break
				}
			}
			chunk := events[:size]
			events = events[size:]
			n, err := insertChunk(ctx, tx, tx.StmtContext(ctx, stmts[size]), chunk)
			if err != nil {
				return err
			}
			inserted += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: insert %d events: %w", len(events), err)
	}
	return int(inserted), nil
}

// CountEvents returns how many events of the kind are stored; kind ""
// counts every event.
func (s *Store) CountEvents(ctx context.Context, kind string) (int, error) {
	query, args := "SELECT COUNT(*) FROM events", []any{}
	if kind != "" {
		query += " WHERE kind = ?"
		args = append(args, kind)
	}
	var n int
	if err := s.rdb.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count events %q: %w", kind, err)
	}
	return n, nil
}

// ListEvents returns the events of the kind (every kind for "") received
// in [from, to), oldest first by ReceivedAt, then id; a zero from or to
// leaves that end open. limit is clamped as everywhere (default 100, at
// most 1000).
func (s *Store) ListEvents(ctx context.Context, kind string, from, to time.Time, limit int) ([]*hall.Event, error) {
	var (
		where []string
		args  []any
	)
	if kind != "" {
		where, args = append(where, "kind = ?"), append(args, kind)
	}
	if !from.IsZero() {
		where, args = append(where, "received_at >= ?"), append(args, encTime(from))
	}
	if !to.IsZero() {
		where, args = append(where, "received_at < ?"), append(args, encTime(to))
	}
	query := "SELECT " + eventCols + " FROM events"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY received_at, id LIMIT ?"
	args = append(args, clampLimit(limit))
	es, err := queryAll(ctx, s.rdb, scanEvent, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list events: %w", err)
	}
	return es, nil
}
