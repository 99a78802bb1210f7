package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/hallcast/hallcast/server/hall"
)

// AppendAudit appends e to the audit log and sets e.ID.
func (s *Store) AppendAudit(ctx context.Context, e *hall.AuditEntry) error {
	return insertAudit(ctx, s.db, e)
}

// insertAudit appends e with the writer or inside a transaction.
func insertAudit(ctx context.Context, db execer, e *hall.AuditEntry) error {
	var id int64
	err := db.QueryRowContext(ctx, `INSERT INTO audit (at, actor, action, target, detail, remote_ip)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		encTime(e.At), e.Actor, e.Action, e.Target, e.Detail, e.RemoteIP).Scan(&id)
	if err != nil {
		return fmt.Errorf("sqlite: append audit: %w", err)
	}
	e.ID = id
	return nil
}

func scanAudit(row scanner) (*hall.AuditEntry, error) {
	e := &hall.AuditEntry{}
	err := row.Scan(&e.ID, timeCol{&e.At}, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.RemoteIP)
	return e, err
}

// ListAudit returns the entries the filter selects, newest first.
func (s *Store) ListAudit(ctx context.Context, f hall.AuditFilter) ([]*hall.AuditEntry, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, a any) {
		where = append(where, cond)
		args = append(args, a)
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.Target != "" {
		add("target = ?", f.Target)
	}
	if !f.From.IsZero() {
		add("at >= ?", encTime(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", encTime(f.To))
	}
	query := "SELECT id, at, actor, action, target, detail, remote_ip FROM audit"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY at DESC, id DESC LIMIT ?"
	args = append(args, clampLimit(f.Limit))
	es, err := queryAll(ctx, s.rdb, scanAudit, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list audit: %w", err)
	}
	return es, nil
}
