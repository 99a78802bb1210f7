package storetest

import (
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// engagementDay is the first day of the engagement fixture, 00:00 UTC.
var engagementDay = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// engagementFixture stores published items and a known set of events from
// 2026-11-26T00:00Z to 2026-11-28T00:00Z, plus two just outside.
func engagementFixture(t *testing.T, s hall.Store) {
	t.Helper()
	ctx := t.Context()
	publish := func(id, category, department string) *hall.Item {
		it := &hall.Item{ID: id, Category: category, Department: department, Title: "标题 " + id,
			Status: hall.StatusApproved, CreatedAt: t0, UpdatedAt: t0}
		mustOK(t, s.CreateItem(ctx, it), "CreateItem "+id)
		mustOK(t, s.SaveWithEntry(ctx, it, publishEntry(t, it, 1, t0)), "SaveWithEntry "+id)
		return it
	}
	budget := publish("it_budget", "finance", "caizheng")
	publish("it_jobs", "personnel", "zuzhi")
	// The working copy moves to another category; reports follow the
	// published revision.
	budget.Category, budget.Department = "personnel", "zuzhi"
	mustOK(t, s.UpdateItem(ctx, budget), "UpdateItem it_budget")
	draft := &hall.Item{ID: "it_draft", Category: "construction", Department: "jianshe", Title: "未发布",
		Status: hall.StatusDraft, CreatedAt: t0, UpdatedAt: t0}
	mustOK(t, s.CreateItem(ctx, draft), "CreateItem it_draft")

	h := func(d time.Duration) time.Time { return engagementDay.Add(d) }
	shown := func(id, item string, when time.Time, ms int64) *hall.Event {
		return &hall.Event{ID: id, Kind: hall.EventImpression, At: when, ScreenID: "sc_wall", ReceivedAt: when,
			ItemID: item, Revision: 1, DurationMS: ms}
	}
	viewed := func(id, item string, when time.Time, ms int64) *hall.Event {
		return &hall.Event{ID: id, Kind: hall.EventView, At: when, ScreenID: "sc_kiosk", ReceivedAt: when,
			ItemID: item, Revision: 1, DwellMS: ms}
	}
	rated := func(id, subject string, level int, misuse bool, when time.Time) *hall.Event {
		return &hall.Event{ID: id, Kind: hall.EventRating, At: when, ScreenID: "sc_kiosk", ReceivedAt: when,
			Subject: subject, Level: level, Misuse: misuse}
	}
	left := func(id, item string, when time.Time) *hall.Event {
		return &hall.Event{ID: id, Kind: hall.EventFeedback, At: when, ScreenID: "sc_kiosk", ReceivedAt: when,
			ItemID: item, Topic: "item", Text: "意见"}
	}
	jobs := rated("rate-6", hall.ItemSubject("it_jobs"), 3, false, h(27*time.Hour))
	jobs.ItemID = "it_budget" // a rating's item is its subject's
	events := []*hall.Event{
		shown("imp-1", "it_budget", h(time.Hour), 20000),
		shown("imp-2", "it_budget", h(17*time.Hour+30*time.Minute).In(cst), 15000),
		shown("imp-3", "it_jobs", h(25*time.Hour), 10000),
		viewed("view-1", "it_budget", h(2*time.Hour), 30000),
		viewed("view-2", "it_draft", h(26*time.Hour), 5000),
		rated("rate-1", hall.ItemSubject("it_budget"), 1, false, h(3*time.Hour)),
		rated("rate-2", hall.ItemSubject("it_budget"), 4, false, h(4*time.Hour)),
		rated("rate-3", hall.ItemSubject("it_budget"), 2, true, h(4*time.Hour+time.Second)),
		rated("rate-4", hall.SubjectHall, 5, false, h(5*time.Hour)),
		rated("rate-5", hall.SubjectHall, 1, true, h(5*time.Hour+time.Second)),
		jobs,
		left("fb-1", "it_budget", h(6*time.Hour)),
		left("fb-2", "", h(30*time.Hour)),
		shown("out-1", "it_budget", h(-time.Nanosecond), 99000),
		viewed("out-2", "it_budget", h(48*time.Hour), 99000),
	}
	wantInserted(t, s, events, len(events), "InsertEvents of the engagement fixture")
}

func testEngagement(t *testing.T, s hall.Store) {
	ctx := t.Context()
	from, to := engagementDay, engagementDay.Add(48*time.Hour)
	got, err := s.Engagement(ctx, from, to, hall.ByItem, 0)
	mustOK(t, err, "Engagement of an empty store")
	if len(got) != 0 {
		t.Errorf("Engagement of an empty store: got %s, want no rows", dump(got))
	}
	engagementFixture(t, s)

	// The groups the fixture makes, by what they hold.
	budget := &hall.EngagementRow{Impressions: 2, ImpressionMS: 35000, Views: 1, DwellMS: 30000,
		Ratings: 2, RatingSum: 5, Levels: [5]int64{1, 0, 0, 1, 0}, Poor: 1, Misuse: 1, Feedback: 1}
	jobs := &hall.EngagementRow{Impressions: 1, ImpressionMS: 10000, Ratings: 1, RatingSum: 3, Levels: [5]int64{0, 0, 1, 0, 0}}
	draft := &hall.EngagementRow{Views: 1, DwellMS: 5000}
	hallService := &hall.EngagementRow{Ratings: 1, RatingSum: 5, Levels: [5]int64{0, 0, 0, 0, 1}, Misuse: 1}
	noItem := &hall.EngagementRow{Feedback: 1}
	// unpublished: the draft's view, the hall's ratings and feedback on no item.
	unpublished := &hall.EngagementRow{Views: 1, DwellMS: 5000, Ratings: 1, RatingSum: 5,
		Levels: [5]int64{0, 0, 0, 0, 1}, Misuse: 1, Feedback: 1}
	keyed := func(key string, r *hall.EngagementRow) *hall.EngagementRow {
		c := *r
		c.Key = key
		return &c
	}

	for _, tc := range []struct {
		name     string
		from, to time.Time
		by       string
		offsetS  int
		want     []*hall.EngagementRow
	}{
		{"Item", from, to, hall.ByItem, 0, []*hall.EngagementRow{
			keyed("", noItem), keyed("it_budget", budget), keyed("it_draft", draft), keyed("it_jobs", jobs),
			keyed("service:hall", hallService)}},
		{"Category", from, to, hall.ByCategory, 0, []*hall.EngagementRow{
			keyed("", unpublished), keyed("finance", budget), keyed("personnel", jobs)}},
		{"Department", from.In(cst), to.In(cst), hall.ByDepartment, 0, []*hall.EngagementRow{
			keyed("", unpublished), keyed("caizheng", budget), keyed("zuzhi", jobs)}},
		{"Screen", from, to, hall.ByScreen, 0, []*hall.EngagementRow{
			{Key: "sc_kiosk", Views: 2, DwellMS: 35000, Ratings: 4, RatingSum: 13, Levels: [5]int64{1, 0, 1, 1, 1},
				Poor: 1, Misuse: 2, Feedback: 2},
			{Key: "sc_wall", Impressions: 3, ImpressionMS: 45000}}},
		{"DayUTC", from, to, hall.ByDay, 0, []*hall.EngagementRow{
			{Key: "2026-11-26", Impressions: 2, ImpressionMS: 35000, Views: 1, DwellMS: 30000, Ratings: 3, RatingSum: 10,
				Levels: [5]int64{1, 0, 0, 1, 1}, Poor: 1, Misuse: 2, Feedback: 1},
			{Key: "2026-11-27", Impressions: 1, ImpressionMS: 10000, Views: 1, DwellMS: 5000, Ratings: 1, RatingSum: 3,
				Levels: [5]int64{0, 0, 1, 0, 0}, Feedback: 1}}},
		// +8h moves imp-2 (17:30Z) to 01:30 the next day.
		{"DayEast", from, to, hall.ByDay, 8 * 3600, []*hall.EngagementRow{
			{Key: "2026-11-26", Impressions: 1, ImpressionMS: 20000, Views: 1, DwellMS: 30000, Ratings: 3, RatingSum: 10,
				Levels: [5]int64{1, 0, 0, 1, 1}, Poor: 1, Misuse: 2, Feedback: 1},
			{Key: "2026-11-27", Impressions: 2, ImpressionMS: 25000, Views: 1, DwellMS: 5000, Ratings: 1, RatingSum: 3,
				Levels: [5]int64{0, 0, 1, 0, 0}, Feedback: 1}}},
		// −5h moves the first hours back a day; rate-4 (05:00Z) lands on
		// midnight, the start of the 26th.
		{"DayWest", from, to, hall.ByDay, -5 * 3600, []*hall.EngagementRow{
			{Key: "2026-11-25", Impressions: 1, ImpressionMS: 20000, Views: 1, DwellMS: 30000, Ratings: 2, RatingSum: 5,
				Levels: [5]int64{1, 0, 0, 1, 0}, Poor: 1, Misuse: 1},
			{Key: "2026-11-26", Impressions: 2, ImpressionMS: 25000, Views: 1, DwellMS: 5000, Ratings: 2, RatingSum: 8,
				Levels: [5]int64{0, 0, 1, 0, 1}, Misuse: 1, Feedback: 1},
			{Key: "2026-11-27", Feedback: 1}}},
		// [17:30Z, 26:00Z): from is inclusive, to exclusive (view-2 is at 26:00Z).
		{"Window", engagementDay.Add(17*time.Hour + 30*time.Minute).In(cst), engagementDay.Add(26 * time.Hour), hall.ByScreen, 0,
			[]*hall.EngagementRow{{Key: "sc_wall", Impressions: 2, ImpressionMS: 25000}}},
		{"OpenEnds", time.Time{}, time.Time{}, hall.ByScreen, 0, []*hall.EngagementRow{
			{Key: "sc_kiosk", Views: 3, DwellMS: 134000, Ratings: 4, RatingSum: 13, Levels: [5]int64{1, 0, 1, 1, 1},
				Poor: 1, Misuse: 2, Feedback: 2},
			{Key: "sc_wall", Impressions: 4, ImpressionMS: 144000}}},
		{"NoEvents", to.Add(time.Nanosecond), to.Add(time.Hour), hall.ByItem, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Engagement(ctx, tc.from, tc.to, tc.by, tc.offsetS)
			mustOK(t, err, "Engagement")
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			same(t, "Engagement by "+tc.by, got, tc.want)
		})
	}
	t.Run("ErrUnknownGrouping", func(t *testing.T) {
		_, err := s.Engagement(ctx, from, to, "week", 0)
		wantCode(t, err, hall.EValidation, "Engagement by week")
	})
}
