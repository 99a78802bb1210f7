package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/search"
)

// itemCols are the items columns after id, in the order itemValues gives.
var itemCols = []string{
	"category", "department", "title", "summary", "body", "stage", "matter_id", "cadence",
	"valid_from", "valid_until", "finance", "assets",
	"status", "version", "created_by", "created_at", "updated_by", "updated_at", "submitted_by", "approved_by",
	"pub_revision", "pub_archive_index", "pub_category", "pub_department", "pub_title", "pub_summary",
	"pub_stage", "pub_matter_id", "pub_cadence", "pub_search_text", "pub_has_finance",
	"pub_published_at", "pub_first_published", "pub_valid_from", "pub_valid_until",
	"pub_withdrawn_at", "pub_withdraw_reason", "pub_expired_at", "pub_index_title", "pub_index_text",
	"pub_redacted", "pub_redact_reason",
	"hall_id", "pub_hall_id",
	"returned",
}

var (
	itemSelect = "SELECT id, " + strings.Join(itemCols, ", ") + " FROM items"
	itemInsert = "INSERT INTO items (id, " + strings.Join(itemCols, ", ") + ") VALUES (?" + strings.Repeat(", ?", len(itemCols)) + ")"
	itemUpdate = "UPDATE items SET " + strings.Join(itemCols, " = ?, ") + " = ? WHERE id = ? AND version = ?"
)

// itemValues returns it's columns in itemCols order, with version as given.
func itemValues(it *hall.Item, version int) ([]any, error) {
	finance, err := encJSON(it.Finance, it.Finance == nil)
	if err != nil {
		return nil, fmt.Errorf("encode finance: %w", err)
	}
	assets, err := encJSON(it.Assets, it.Assets == nil)
	if err != nil {
		return nil, fmt.Errorf("encode assets: %w", err)
	}
	v := []any{
		it.Category, it.Department, it.Title, it.Summary, it.Body, string(it.Stage), it.MatterID, string(it.Cadence),
		encTimePtr(it.ValidFrom), encTimePtr(it.ValidUntil), finance, assets,
		string(it.Status), version, it.CreatedBy, encTime(it.CreatedAt), it.UpdatedBy, encTime(it.UpdatedAt),
		it.SubmittedBy, it.ApprovedBy,
	}
	if p := it.Public; p != nil {
		v = append(v, p.Revision, p.ArchiveIndex, p.Category, p.Department, p.Title, p.Summary,
			string(p.Stage), p.MatterID, string(p.Cadence), p.SearchText, p.HasFinance,
			encTime(p.PublishedAt), encTime(p.FirstPublished), encTimePtr(p.ValidFrom), encTimePtr(p.ValidUntil),
			encTimePtr(p.WithdrawnAt), p.WithdrawReason, encTimePtr(p.ExpiredAt), p.Index.Title, p.Index.Text,
			p.Redacted, p.RedactReason)
	} else {
		v = append(v, make([]any, 22)...)
	}
	v = append(v, it.Hall, nil)
	if it.Public != nil {
		v[len(v)-1] = it.Public.Hall
	}
	returned, err := encJSON(it.Returned, it.Returned == nil)
	if err != nil {
		return nil, fmt.Errorf("encode returned: %w", err)
	}
	return append(v, returned), nil
}

func scanItem(row scanner) (*hall.Item, error) {
	it := &hall.Item{}
	var (
		p           hall.PublicState
		pubRevision sql.NullInt64
		archiveIdx  sql.NullInt64
		hasFinance  sql.NullBool
		redacted    sql.NullBool
		published   sql.NullString
		first       sql.NullString
	)
	err := row.Scan(&it.ID,
		&it.Category, &it.Department, &it.Title, &it.Summary, &it.Body, &it.Stage, &it.MatterID, &it.Cadence,
		timePtrCol{&it.ValidFrom}, timePtrCol{&it.ValidUntil}, jsonCol{&it.Finance}, jsonCol{&it.Assets},
		&it.Status, &it.Version, &it.CreatedBy, timeCol{&it.CreatedAt}, &it.UpdatedBy, timeCol{&it.UpdatedAt},
		&it.SubmittedBy, &it.ApprovedBy,
		&pubRevision, &archiveIdx, strCol{&p.Category}, strCol{&p.Department}, strCol{&p.Title}, strCol{&p.Summary},
		strCol{(*string)(&p.Stage)}, strCol{&p.MatterID}, strCol{(*string)(&p.Cadence)}, strCol{&p.SearchText}, &hasFinance,
		&published, &first, timePtrCol{&p.ValidFrom}, timePtrCol{&p.ValidUntil},
		timePtrCol{&p.WithdrawnAt}, strCol{&p.WithdrawReason}, timePtrCol{&p.ExpiredAt},
		strCol{&p.Index.Title}, strCol{&p.Index.Text}, &redacted, strCol{&p.RedactReason},
		&it.Hall, strCol{&p.Hall},
		jsonCol{&it.Returned})
	if err != nil {
		return nil, err
	}
	if pubRevision.Valid {
		p.Revision = int(pubRevision.Int64)
		p.ArchiveIndex = archiveIdx.Int64
		p.HasFinance = hasFinance.Bool
		p.Redacted = redacted.Bool
		if p.PublishedAt, err = decTime(published.String); err != nil {
			return nil, err
		}
		if p.FirstPublished, err = decTime(first.String); err != nil {
			return nil, err
		}
		it.Public = &p
	}
	return it, nil
}

// CreateItem inserts it at version 1, giving it an id when it has none.
func (s *Store) CreateItem(ctx context.Context, it *hall.Item) error {
	id := it.ID
	if id == "" {
		id = hall.NewID("it")
	}
	v, err := itemValues(it, 1)
	if err != nil {
		return fmt.Errorf("sqlite: create item: %w", err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err = tx.ExecContext(ctx, itemInsert, append([]any{id}, v...)...)
		if isDuplicate(err) {
			return hall.Errorf(hall.EConflict, "item %q exists", id)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create item: %w", err)
		}
		it.ID, it.Version = id, 1
		return nil
	})
}

// Item returns the item with the id.
func (s *Store) Item(ctx context.Context, id string) (*hall.Item, error) {
	it, err := scanItem(s.rdb.QueryRowContext(ctx, itemSelect+" WHERE id = ?", id))
	if err != nil {
		return nil, noRows(err, "item", id)
	}
	return it, nil
}

// UpdateItem saves it when the stored version is it.Version, then bumps
// it.Version.
func (s *Store) UpdateItem(ctx context.Context, it *hall.Item) error {
	if err := s.inTx(ctx, func(tx *sql.Tx) error { return updateItem(ctx, tx, it) }); err != nil {
		return err
	}
	it.Version++
	return nil
}

// updateItem writes it as version it.Version+1 if the stored version is
// it.Version. It does not change it.
func updateItem(ctx context.Context, db execer, it *hall.Item) error {
	v, err := itemValues(it, it.Version+1)
	if err != nil {
		return fmt.Errorf("sqlite: update item %q: %w", it.ID, err)
	}
	res, err := db.ExecContext(ctx, itemUpdate, append(v, it.ID, it.Version)...)
	if err != nil {
		return fmt.Errorf("sqlite: update item %q: %w", it.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: update item %q: %w", it.ID, err)
	}
	if n == 1 {
		return nil
	}
	var stored int
	err = db.QueryRowContext(ctx, "SELECT version FROM items WHERE id = ?", it.ID).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		return hall.NotFound("item", it.ID)
	}
	if err != nil {
		return fmt.Errorf("sqlite: update item %q: %w", it.ID, err)
	}
	return hall.Errorf(hall.EConflict, "item %q was changed by someone else (version %d, yours %d)", it.ID, stored, it.Version)
}

// SaveWithEntry appends e to the archive and saves it, in one transaction.
// Only when both succeed are e.Index, it.Version and, for a publish,
// it.Public.ArchiveIndex changed.
func (s *Store) SaveWithEntry(ctx context.Context, it *hall.Item, e *hall.ArchiveEntry) error {
	if e.ItemID != it.ID {
		return fmt.Errorf("sqlite: archive entry for item %q saved with item %q", e.ItemID, it.ID)
	}
	publish := e.Kind == hall.EntryPublish
	if publish && it.Public == nil {
		return fmt.Errorf("sqlite: publish entry for item %q without a public state", it.ID)
	}
	var idx int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(idx), -1) + 1 FROM archive").Scan(&idx); err != nil {
			return fmt.Errorf("sqlite: archive size: %w", err)
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO archive (idx, kind, item_id, revision, at, leaf, content, salt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			idx, e.Kind, e.ItemID, e.Revision, encTime(e.At), e.Leaf, e.Content, e.Salt)
		if isDuplicate(err) {
			return hall.Errorf(hall.EConflict, "revision %d of item %q is in the archive already", e.Revision, e.ItemID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: append archive entry: %w", err)
		}
		saved := *it
		if publish {
			p := *it.Public
			p.ArchiveIndex = idx
			saved.Public = &p
		}
		return updateItem(ctx, tx, &saved)
	})
	if err != nil {
		return err
	}
	e.Index = idx
	it.Version++
	if publish {
		it.Public.ArchiveIndex = idx
	}
	return nil
}

// RedactRevision deletes the content and salt stored beside the publish
// entry of e's revision, appends e (a redact entry) and saves it, in one
// transaction; as SaveWithEntry otherwise. Deleted content is overwritten
// in the database file (secure_delete, set in the DSN), and the
// write-ahead log, which still holds the pages as they were, is checkpointed
// and truncated afterwards.
func (s *Store) RedactRevision(ctx context.Context, it *hall.Item, e *hall.ArchiveEntry) error {
	if e.Kind != hall.EntryRedact || e.ItemID != it.ID {
		return fmt.Errorf("sqlite: redact entry %s for item %q saved with item %q", e.Kind, e.ItemID, it.ID)
	}
	var idx int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE archive SET content = NULL, salt = NULL WHERE item_id = ? AND revision = ? AND kind = ? AND content IS NOT NULL",
			e.ItemID, e.Revision, hall.EntryPublish)
		if err != nil {
			return fmt.Errorf("sqlite: redact revision: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return hall.Errorf(hall.EConflict, "revision %d of item %q has no stored content to redact", e.Revision, e.ItemID)
		}
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(idx), -1) + 1 FROM archive").Scan(&idx); err != nil {
			return fmt.Errorf("sqlite: archive size: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO archive (idx, kind, item_id, revision, at, leaf) VALUES (?, ?, ?, ?, ?, ?)",
			idx, e.Kind, e.ItemID, e.Revision, encTime(e.At), e.Leaf); err != nil {
			return fmt.Errorf("sqlite: append archive entry: %w", err)
		}
		if err := updateItem(ctx, tx, it); err != nil {
			return err
		}
		// The search index keeps a deleted document's terms in its segments
		// until they are merged: merge them now.
		if _, err := tx.ExecContext(ctx, "INSERT INTO item_search (item_search) VALUES ('optimize')"); err != nil {
			return fmt.Errorf("sqlite: optimize the search index: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.Index = idx
	it.Version++
	if _, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("sqlite: checkpoint the write-ahead log after a redaction: %w", err)
	}
	return nil
}

// escapeLike escapes LIKE's wildcards (and the escape character) in s.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// searchMatches selects the item ids whose published revision matches an
// FTS5 expression.
const searchMatches = `SELECT k.item_id FROM item_search JOIN item_search_keys k ON k.k = item_search.rowid
	WHERE item_search MATCH ?`

// ListItems returns the items the filter selects: public ones by their
// latest publication, newest first; others by last update, newest first.
// With Q, public ones come by relevance first (bm25 over the index, the
// title weighing search.TitleWeight times the text).
func (s *Store) ListItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error) {
	query, args, err := listItemsQuery(f)
	if err != nil || query == "" {
		return []*hall.Item{}, err
	}
	items, err := queryAll(ctx, s.rdb, scanItem, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list items: %w", err)
	}
	return items, nil
}

// listItemsQuery returns the query ListItems runs for f and its arguments;
// "" when f selects nothing (a public search for punctuation only).
func listItemsQuery(f hall.ItemFilter) (string, []any, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	from := "items"
	order := "updated_at DESC, items.id"
	ranked := false // by relevance: a public search
	col := func(name string) string { return name }
	if f.Public {
		col = func(name string) string { return "pub_" + name }
		add("pub_revision IS NOT NULL")
		order = "pub_published_at DESC, items.id"
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		pq, err := search.ParseQuery(q)
		if err != nil {
			return "", nil, hall.FieldError("q", "%v", err).WithReason("search_query_invalid")
		}
		switch {
		case f.Public && pq.Empty():
			return "", nil, nil
		case f.Public:
			from = "item_search JOIN item_search_keys k ON k.k = item_search.rowid JOIN items ON items.id = k.item_id"
			add("item_search MATCH ?", pq.FTS5())
			ranked = true
		default:
			// Working copies have no index document: each word is a
			// substring of the title, summary or body, as typed; or the
			// published revision matches.
			var words []string
			for _, w := range strings.Fields(q) {
				p := "%" + escapeLike(w) + "%"
				words = append(words, `(title LIKE ? ESCAPE '\' OR summary LIKE ? ESCAPE '\' OR body LIKE ? ESCAPE '\')`)
				args = append(args, p, p, p)
			}
			cond := strings.Join(words, " AND ")
			if !pq.Empty() {
				cond += " OR items.id IN (" + searchMatches + ")"
				args = append(args, pq.FTS5())
			}
			where = append(where, "("+cond+")")
		}
	}
	if f.Category != "" {
		add(col("category")+" = ?", f.Category)
	}
	if f.Department != "" {
		add(col("department")+" = ?", f.Department)
	}
	if len(f.Departments) > 0 {
		add(col("department")+" IN (?"+strings.Repeat(", ?", len(f.Departments)-1)+")", anys(f.Departments)...)
	}
	if f.Status != "" {
		add("status = ?", string(f.Status))
	}
	if f.MatterID != "" {
		add(col("matter_id")+" = ?", f.MatterID)
	}
	if len(f.Halls) > 0 {
		add(col("hall_id")+" IN (?"+strings.Repeat(", ?", len(f.Halls)-1)+")", anys(f.Halls)...)
	}
	if len(f.Categories) > 0 {
		add(col("category")+" IN (?"+strings.Repeat(", ?", len(f.Categories)-1)+")", anys(f.Categories)...)
	}
	if f.Public {
		if !f.LiveAt.IsZero() {
			t := encTime(f.LiveAt)
			add(`pub_withdrawn_at IS NULL
				AND (pub_valid_from IS NULL OR pub_valid_from <= ?)
				AND (pub_valid_until IS NULL OR pub_valid_until > ?)`, t, t)
		}
		if !f.PublishedFrom.IsZero() {
			add("pub_published_at >= ?", encTime(f.PublishedFrom))
		}
		if !f.PublishedTo.IsZero() {
			add("pub_published_at < ?", encTime(f.PublishedTo))
		}
	}
	cols := "items.id, " + strings.Join(itemCols, ", ")
	var query string
	if ranked {
		// Rank on the index and the few columns the filters read, then
		// read whole rows for the page only: a whole row is large (body,
		// search text, index document), and SQLite reads every selected
		// column of each match before sorting.
		query = fmt.Sprintf(`SELECT %s FROM (SELECT items.id AS rid, bm25(item_search, %g, 1.0) AS score, pub_published_at AS pa
			FROM %s WHERE %s ORDER BY score, pa DESC, rid LIMIT ? OFFSET ?) AS r
			JOIN items ON items.id = r.rid ORDER BY r.score, r.pa DESC, r.rid`,
			cols, search.TitleWeight, from, strings.Join(where, " AND "))
	} else {
		query = "SELECT " + cols + " FROM " + from
		if len(where) > 0 {
			query += " WHERE " + strings.Join(where, " AND ")
		}
		query += " ORDER BY " + order + " LIMIT ? OFFSET ?"
	}
	args = append(args, clampLimit(f.Limit), max(f.Offset, 0))
	return query, args, nil
}

// backfillSearch gives each item published before the index existed its
// index document, made from its stored title and search text; the triggers
// index it. It works in batches, each its own transaction, and only on rows
// still without a document, so two processes opening the file at once do
// the same harmless work.
func backfillSearch(ctx context.Context, db *sql.DB) error {
	const batch = 200
	type row struct{ id, title, text string }
	for {
		rows, err := queryAll(ctx, db, func(sc scanner) (row, error) {
			var r row
			err := sc.Scan(&r.id, strCol{&r.title}, strCol{&r.text})
			return r, err
		}, `SELECT id, pub_title, pub_search_text FROM items
			WHERE pub_revision IS NOT NULL AND pub_index_title IS NULL LIMIT ?`, batch)
		if err != nil {
			return fmt.Errorf("search back-fill: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("search back-fill: %w", err)
		}
		for _, r := range rows {
			// The search text starts with the title (disclosure.Publish).
			d := search.Index(r.title, strings.TrimPrefix(r.text, r.title))
			if _, err := tx.ExecContext(ctx, `UPDATE items SET pub_index_title = ?, pub_index_text = ?
				WHERE id = ? AND pub_index_title IS NULL`, d.Title, d.Text, r.id); err != nil {
				tx.Rollback()
				return fmt.Errorf("search back-fill: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("search back-fill: %w", err)
		}
		if len(rows) < batch {
			return nil
		}
	}
}

// anys returns ss as query arguments.
func anys(ss []string) []any {
	a := make([]any, len(ss))
	for i, s := range ss {
		a[i] = s
	}
	return a
}
