package hall

import (
	"context"
	"time"
)

// Engagement groupings.
const (
	ByItem       = "item"
	ByCategory   = "category"
	ByDepartment = "department"
	ByScreen     = "screen"
	ByDay        = "day"
)

// EngagementRow is what residents did with one group (an item, a screen,
// a day…) in a period. Ratings flagged as misuse are counted apart and left
// out of Ratings, RatingSum and Poor.
type EngagementRow struct {
	Key          string   `json:"key"`
	Impressions  int64    `json:"impressions"`
	ImpressionMS int64    `json:"impression_ms"`
	Views        int64    `json:"views"`
	DwellMS      int64    `json:"dwell_ms"`
	Ratings      int64    `json:"ratings"`
	RatingSum    int64    `json:"rating_sum"`
	Levels       [5]int64 `json:"levels"` // counts of levels 1…5
	Poor         int64    `json:"poor"`
	Misuse       int64    `json:"misuse"`
	Feedback     int64    `json:"feedback"`
}

// ReportStore aggregates events.
type ReportStore interface {
	// Engagement groups the events whose time is in [from, to) by the
	// grouping; for ByDay, days start at local midnight for a zone offset
	// of offsetS seconds east of UTC.
	Engagement(ctx context.Context, from, to time.Time, by string, offsetS int) ([]*EngagementRow, error)
}
