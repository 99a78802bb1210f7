package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// eventItem is the item an event concerns: a rating names it in its
// subject ("item:<id>"; other subjects, such as "service:hall", stand for
// themselves), every other kind in item_id.
const eventItem = `CASE WHEN e.kind = 'rating'
	THEN (CASE WHEN substr(e.subject, 1, 5) = 'item:' THEN substr(e.subject, 6) ELSE e.subject END)
	ELSE e.item_id END`

// engagementKey returns the SQL expression of a grouping's key and whether
// it needs the items joined (as i, on the event's item); ok is false for
// an unknown grouping.
func engagementKey(by string) (expr string, items, ok bool) {
	switch by {
	case hall.ByItem:
		return eventItem, false, true
	case hall.ByScreen:
		return "e.screen_id", false, true
	case hall.ByDay:
		return "date(e.at, ?)", false, true // the parameter is the zone offset modifier
	case hall.ByCategory:
		return "COALESCE(i.pub_category, '')", true, true
	case hall.ByDepartment:
		return "COALESCE(i.pub_department, '')", true, true
	}
	return "", false, false
}

// engagementSums are the columns of an EngagementRow after its key, summed
// per group; misuse ratings count only in the misuse column. It takes one
// parameter, hall.PoorLevel.
const engagementSums = `
	SUM(e.kind = 'impression'),
	SUM(CASE WHEN e.kind = 'impression' THEN e.duration_ms ELSE 0 END),
	SUM(e.kind = 'view'),
	SUM(CASE WHEN e.kind = 'view' THEN e.dwell_ms ELSE 0 END),
	SUM(e.kind = 'rating' AND NOT e.misuse),
	SUM(CASE WHEN e.kind = 'rating' AND NOT e.misuse THEN e.level ELSE 0 END),
	SUM(e.kind = 'rating' AND NOT e.misuse AND e.level = 1),
	SUM(e.kind = 'rating' AND NOT e.misuse AND e.level = 2),
	SUM(e.kind = 'rating' AND NOT e.misuse AND e.level = 3),
	SUM(e.kind = 'rating' AND NOT e.misuse AND e.level = 4),
	SUM(e.kind = 'rating' AND NOT e.misuse AND e.level = 5),
	SUM(e.kind = 'rating' AND NOT e.misuse AND e.level <= ?),
	SUM(e.kind = 'rating' AND e.misuse),
	SUM(e.kind = 'feedback')`

func scanEngagement(row scanner) (*hall.EngagementRow, error) {
	r := &hall.EngagementRow{}
	err := row.Scan(&r.Key, &r.Impressions, &r.ImpressionMS, &r.Views, &r.DwellMS, &r.Ratings, &r.RatingSum,
		&r.Levels[0], &r.Levels[1], &r.Levels[2], &r.Levels[3], &r.Levels[4], &r.Poor, &r.Misuse, &r.Feedback)
	return r, err
}

// Engagement sums the impressions, views, ratings and feedback whose At is
// in [from, to) per group, ordered by key; a zero from or to leaves that
// end open. Items are grouped by the item an event concerns (a rating's
// subject; the hall's service ratings under "service:hall"); categories
// and departments are those of the item's published revision, "" for
// events of no published item; days are the dates of At shifted by offsetS
// seconds. Groups with no events do not appear.
func (s *Store) Engagement(ctx context.Context, from, to time.Time, by string, offsetS int) ([]*hall.EngagementRow, error) {
	query, args, err := engagementQuery(from, to, by, offsetS)
	if err != nil {
		return nil, err
	}
	rows, err := queryAll(ctx, s.rdb, scanEngagement, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: engagement by %s: %w", by, err)
	}
	return rows, nil
}

// engagementQuery returns the query Engagement runs and its arguments.
func engagementQuery(from, to time.Time, by string, offsetS int) (string, []any, error) {
	expr, items, ok := engagementKey(by)
	if !ok {
		return "", nil, hall.FieldError("by", "want item, category, department, screen or day")
	}
	var args []any
	if by == hall.ByDay {
		args = append(args, fmt.Sprintf("%+d seconds", offsetS))
	}
	args = append(args, hall.PoorLevel)
	query := "SELECT " + expr + " AS grp," + engagementSums + " FROM events e"
	if items {
		query += " LEFT JOIN items i ON i.id = " + eventItem
	}
	query += " WHERE e.kind IN ('impression', 'view', 'rating', 'feedback')"
	if !from.IsZero() {
		query, args = query+" AND e.at >= ?", append(args, encTime(from))
	}
	if !to.IsZero() {
		query, args = query+" AND e.at < ?", append(args, encTime(to))
	}
	return query + " GROUP BY grp ORDER BY grp", args, nil
}
