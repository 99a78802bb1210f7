package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hallcast/hallcast/server/hall"
)

var (
	_ hall.Dumper = (*Store)(nil)
	_ hall.Loader = (*Store)(nil)
)

// dumpQueries are, per kind, the query selecting every record in a stable
// order and the scan that makes a record of a row, with where it goes in a
// batch.
var dumpQueries = map[string]struct {
	query string
	add   func(b *hall.Batch, row scanner) error
}{
	hall.KindUsers: {"SELECT " + userCols + " FROM users ORDER BY id", func(b *hall.Batch, r scanner) error {
		v, err := scanUser(r)
		b.Users = append(b.Users, v)
		return err
	}},
	hall.KindTokens: {"SELECT " + tokenCols + " FROM api_tokens ORDER BY id", func(b *hall.Batch, r scanner) error {
		v, err := scanToken(r)
		b.Tokens = append(b.Tokens, v)
		return err
	}},
	hall.KindDepartments: {"SELECT key, name_zh, name_en FROM departments ORDER BY key", func(b *hall.Batch, r scanner) error {
		v, err := scanDepartment(r)
		b.Departments = append(b.Departments, v)
		return err
	}},
	hall.KindHalls: {"SELECT " + hallCols + " FROM halls ORDER BY id", func(b *hall.Batch, r scanner) error {
		v, err := scanHall(r)
		b.Halls = append(b.Halls, v)
		return err
	}},
	hall.KindCategories: {"SELECT " + categoryCols + " FROM categories ORDER BY key", func(b *hall.Batch, r scanner) error {
		v, err := scanCategory(r)
		b.Categories = append(b.Categories, v)
		return err
	}},
	hall.KindMatters: {"SELECT id, title, created_at FROM matters ORDER BY id", func(b *hall.Batch, r scanner) error {
		v, err := scanMatter(r)
		b.Matters = append(b.Matters, v)
		return err
	}},
	hall.KindCalendar: {"SELECT year, doc FROM calendar ORDER BY year", func(b *hall.Batch, r scanner) error {
		v := &hall.CalendarYear{}
		b.Calendar = append(b.Calendar, v)
		return r.Scan(&v.Year, &v.Doc)
	}},
	hall.KindSettings: {"SELECT key, doc FROM settings ORDER BY key", func(b *hall.Batch, r scanner) error {
		v := &hall.Setting{}
		b.Settings = append(b.Settings, v)
		return r.Scan(&v.Key, &v.Doc)
	}},
	hall.KindItems: {itemSelect + " ORDER BY id", func(b *hall.Batch, r scanner) error {
		v, err := scanItem(r)
		b.Items = append(b.Items, v)
		return err
	}},
	hall.KindArchive: {"SELECT " + entryCols + " FROM archive ORDER BY idx", func(b *hall.Batch, r scanner) error {
		v, err := scanEntry(r)
		b.Archive = append(b.Archive, v)
		return err
	}},
	hall.KindCheckpoints: {"SELECT size, root, note, at FROM checkpoints ORDER BY size", func(b *hall.Batch, r scanner) error {
		v, err := scanCheckpoint(r)
		b.Checkpoints = append(b.Checkpoints, v)
		return err
	}},
	hall.KindScreens: {"SELECT " + screenCols + " FROM screens ORDER BY id", func(b *hall.Batch, r scanner) error {
		v, err := scanScreen(r)
		b.Screens = append(b.Screens, v)
		return err
	}},
	hall.KindPairings: {"SELECT " + pairingCols + " FROM pairings ORDER BY id", func(b *hall.Batch, r scanner) error {
		v, err := scanPairing(r)
		b.Pairings = append(b.Pairings, v)
		return err
	}},
	hall.KindPlaylists: {"SELECT " + playlistCols + " FROM playlists ORDER BY id", func(b *hall.Batch, r scanner) error {
		v, err := scanPlaylist(r)
		b.Playlists = append(b.Playlists, v)
		return err
	}},
	hall.KindSchedules: {"SELECT " + scheduleCols + " FROM schedules ORDER BY id", func(b *hall.Batch, r scanner) error {
		v, err := scanSchedule(r)
		b.Schedules = append(b.Schedules, v)
		return err
	}},
	hall.KindInterrupts: {"SELECT " + interruptCols + " FROM interrupts ORDER BY id", func(b *hall.Batch, r scanner) error {
		v, err := scanInterrupt(r)
		b.Interrupts = append(b.Interrupts, v)
		return err
	}},
	hall.KindMedia: {"SELECT " + mediaCols + " FROM media ORDER BY sha256", func(b *hall.Batch, r scanner) error {
		m := &hall.Media{}
		b.Media = append(b.Media, m)
		return r.Scan(&m.SHA256, &m.Type, &m.MIME, &m.Size, &m.Name, &m.CreatedBy, timeCol{&m.CreatedAt})
	}},
	hall.KindEvents: {"SELECT " + eventCols + " FROM events ORDER BY rowid", func(b *hall.Batch, r scanner) error {
		v, err := scanEvent(r)
		b.Events = append(b.Events, v)
		return err
	}},
	hall.KindFeedback: {"SELECT " + feedbackCols + " FROM feedback ORDER BY at, id", func(b *hall.Batch, r scanner) error {
		v, err := scanFeedback(r)
		b.Feedback = append(b.Feedback, v)
		return err
	}},
	hall.KindCases: {"SELECT " + caseCols + " FROM cases ORDER BY at, id", func(b *hall.Batch, r scanner) error {
		v, err := scanCase(r)
		b.Cases = append(b.Cases, v)
		return err
	}},
	hall.KindAudit: {"SELECT id, at, actor, action, target, detail, remote_ip FROM audit ORDER BY id", func(b *hall.Batch, r scanner) error {
		v, err := scanAudit(r)
		b.Audit = append(b.Audit, v)
		return err
	}},
}

// Dump streams every record (see hall.Dumper) from one read transaction,
// so the records are one consistent snapshot even while a server writes.
func (s *Store) Dump(ctx context.Context, fn func(*hall.Batch) error) error {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: dump: %w", err)
	}
	defer tx.Rollback()
	for _, kind := range hall.DumpKinds {
		if err := dumpKind(ctx, tx, kind, fn); err != nil {
			return err
		}
	}
	return nil
}

func dumpKind(ctx context.Context, tx *sql.Tx, kind string, fn func(*hall.Batch) error) error {
	q := dumpQueries[kind]
	rows, err := tx.QueryContext(ctx, q.query)
	if err != nil {
		return fmt.Errorf("sqlite: dump %s: %w", kind, err)
	}
	defer rows.Close()
	b := &hall.Batch{Kind: kind}
	for rows.Next() {
		if err := q.add(b, rows); err != nil {
			return fmt.Errorf("sqlite: dump %s: %w", kind, err)
		}
		if b.Len() == hall.DumpBatch {
			if err := fn(b); err != nil {
				return err
			}
			b = &hall.Batch{Kind: kind}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: dump %s: %w", kind, err)
	}
	if b.Len() > 0 {
		return fn(b)
	}
	return nil
}

// dataTables are the tables CheckEmpty looks at: every table of records
// (sessions and counters included, so a store in use is never taken for
// an empty one).
var dataTables = []string{
	"users", "sessions", "api_tokens", "departments", "halls", "categories", "matters", "calendar", "settings",
	"items", "archive", "checkpoints", "screens", "pairings", "playlists", "schedules", "interrupts",
	"media", "events", "feedback", "cases", "audit", "counters",
}

// CheckEmpty returns EConflict naming the tables that hold rows.
func (s *Store) CheckEmpty(ctx context.Context) error {
	var full []string
	for _, t := range dataTables {
		var one int
		err := s.rdb.QueryRowContext(ctx, "SELECT 1 FROM "+t+" LIMIT 1").Scan(&one)
		if err == nil {
			full = append(full, t)
		} else if err != sql.ErrNoRows {
			return fmt.Errorf("sqlite: check empty: %s: %w", t, err)
		}
	}
	if len(full) > 0 {
		return hall.Errorf(hall.EConflict, "the SQLite store is not empty (it holds %s)", strings.Join(full, ", "))
	}
	return nil
}

// Load stores a batch as it is (see hall.Loader). Items, archive leaves,
// feedback, cases and audit entries are written in one transaction per batch;
// the other kinds go through the store's own methods.
func (s *Store) Load(ctx context.Context, b *hall.Batch) error {
	switch b.Kind {
	case hall.KindItems:
		return s.loadTx(ctx, b.Kind, func(tx *sql.Tx) error {
			for _, it := range b.Items {
				v, err := itemValues(it, it.Version)
				if err != nil {
					return fmt.Errorf("item %q: %w", it.ID, err)
				}
				if _, err := tx.ExecContext(ctx, itemInsert, append([]any{it.ID}, v...)...); err != nil {
					return fmt.Errorf("item %q: %w", it.ID, err)
				}
			}
			return nil
		})
	case hall.KindArchive:
		return s.loadTx(ctx, b.Kind, func(tx *sql.Tx) error {
			var next int64
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM archive").Scan(&next); err != nil {
				return err
			}
			for _, e := range b.Archive {
				if e.Index != next {
					return fmt.Errorf("leaf %d comes where leaf %d belongs", e.Index, next)
				}
				next++
				if _, err := tx.ExecContext(ctx, "INSERT INTO archive ("+entryCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
					e.Index, e.Kind, e.ItemID, e.Revision, encTime(e.At), e.Leaf, e.Content, e.Salt); err != nil {
					return fmt.Errorf("leaf %d: %w", e.Index, err)
				}
			}
			return nil
		})
	case hall.KindFeedback:
		return s.loadTx(ctx, b.Kind, func(tx *sql.Tx) error {
			for _, f := range b.Feedback {
				var text, public, by, at any
				if r := f.Reply; r != nil {
					text, public, by, at = r.Text, r.Public, r.By, encTime(r.At)
				}
				// The events made this feedback already; it takes the
				// dumped receipt and reply.
				_, err := tx.ExecContext(ctx, `INSERT INTO feedback (`+feedbackCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
					ON CONFLICT (id) DO UPDATE SET receipt = excluded.receipt, status = excluded.status,
					reply_text = excluded.reply_text, reply_public = excluded.reply_public,
					reply_by = excluded.reply_by, reply_at = excluded.reply_at`,
					f.ID, f.Receipt, f.ScreenID, f.ItemID, f.Topic, f.Text, f.Contact, encTime(f.At), f.Status,
					text, public, by, at)
				if err != nil {
					return fmt.Errorf("feedback %q: %w", f.ID, err)
				}
			}
			return nil
		})
	case hall.KindCases:
		return s.loadTx(ctx, b.Kind, func(tx *sql.Tx) error {
			for _, c := range b.Cases {
				var aspects any
				if len(c.Aspects) > 0 {
					aspects = string(c.Aspects)
				}
				// The events opened this case already; it takes the dumped
				// state.
				_, err := tx.ExecContext(ctx, `INSERT INTO cases (`+caseCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
					ON CONFLICT (id) DO UPDATE SET status = excluded.status, resolved_by = excluded.resolved_by,
					resolved_at = excluded.resolved_at, note = excluded.note`,
					c.ID, c.ScreenID, c.Subject, c.Level, aspects, encTime(c.At), c.Status, c.ResolvedBy,
					encTimePtr(c.ResolvedAt), c.Note)
				if err != nil {
					return fmt.Errorf("case %q: %w", c.ID, err)
				}
			}
			return nil
		})
	case hall.KindAudit:
		return s.loadTx(ctx, b.Kind, func(tx *sql.Tx) error {
			for _, e := range b.Audit {
				if _, err := tx.ExecContext(ctx, `INSERT INTO audit (id, at, actor, action, target, detail, remote_ip)
					VALUES (?, ?, ?, ?, ?, ?, ?)`,
					e.ID, encTime(e.At), e.Actor, e.Action, e.Target, e.Detail, e.RemoteIP); err != nil {
					return fmt.Errorf("audit entry %d: %w", e.ID, err)
				}
			}
			return nil
		})
	}
	ok, err := hall.LoadCommon(ctx, s, b)
	if !ok {
		return fmt.Errorf("sqlite: load: unknown kind %q", b.Kind)
	}
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

func (s *Store) loadTx(ctx context.Context, kind string, fn func(tx *sql.Tx) error) error {
	if err := s.inTx(ctx, fn); err != nil {
		return fmt.Errorf("sqlite: load %s: %w", kind, err)
	}
	return nil
}
