package ingest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// Default rules for ratings and feedback from one kiosk.
const (
	// BurstWindow and BurstLimit: of the ratings one kiosk sends within
	// BurstWindow (a fixed window from the first, by the server's clock),
	// those past the first BurstLimit are a burst and flagged as misuse.
	BurstWindow = time.Minute
	BurstLimit  = 5
	// SessionWindow is how long a touch session's ratings are remembered
	// for "one rating per subject per session".
	SessionWindow = 30 * time.Minute
	// FeedbackWindow and FeedbackLimit: one kiosk may leave FeedbackLimit
	// messages within FeedbackWindow (a fixed window from the first, by the
	// server's clock); more are refused.
	FeedbackWindow = 10 * time.Minute
	FeedbackLimit  = 20
	// ClockSlack is how far a kiosk's clock may be off when a rating is
	// checked against the item's publication: an item published or taken
	// down within ClockSlack of the rating's time is taken as public.
	ClockSlack = 5 * time.Minute
)

// RulesStore is what the rules read and count in. The counters are the
// store's (hall.LimitStore), shared by every replica of the server, so a
// kiosk is judged alike whichever replica it talks to.
type RulesStore interface {
	Hit(ctx context.Context, key string, n int64, now time.Time, ttl time.Duration) (int64, error)
	ItemEntries(ctx context.Context, itemID string) ([]*hall.ArchiveEntry, error)
	Feedback(ctx context.Context, id string) (*hall.Feedback, error)
}

// RulesConfig tunes the rules; zero fields take the defaults above, a
// negative FeedbackLimit lifts the feedback limit.
type RulesConfig struct {
	BurstLimit     int
	BurstWindow    time.Duration
	SessionWindow  time.Duration
	FeedbackLimit  int
	FeedbackWindow time.Duration
}

// Rules decides, before events are stored, which ratings and feedback are
// refused and which ratings are misuse. Everything is judged by the time
// the server received an event (hall.Event.ReceivedAt), never by the
// kiosk's clock, except whether a rated item was public when it was rated,
// which is judged at the rating's own time (bounded by hub.DecodeEvents to
// the week before its receipt):
//
//   - a rating of an item that was not public at its time (not yet
//     published, or withdrawn or expired by then), or of a revision not yet
//     published then, is refused (hall.EValidation);
//   - feedback past FeedbackLimit within FeedbackWindow from one kiosk is
//     refused (hall.ERateLimited); feedback stored already is acknowledged
//     again and not counted;
//   - a rating past BurstLimit within BurstWindow from one kiosk is misuse;
//   - a rating whose session and subject match an earlier rating from the
//     same kiosk within SessionWindow is misuse.
//
// Misuse ratings are stored with Misuse set: kept, left out of results,
// and they open no case. A rating sent again (its ack lost) is judged
// again: the copy stored first is the one kept, but it counts once more
// towards its kiosk's burst window.
type Rules struct {
	store RulesStore
	cfg   RulesConfig
}

// NewRules returns the rules over the store.
func NewRules(store RulesStore, cfg RulesConfig) *Rules {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.BurstWindow, BurstWindow)
	def(&cfg.SessionWindow, SessionWindow)
	def(&cfg.FeedbackWindow, FeedbackWindow)
	if cfg.BurstLimit <= 0 {
		cfg.BurstLimit = BurstLimit
	}
	if cfg.FeedbackLimit == 0 {
		cfg.FeedbackLimit = FeedbackLimit
	}
	return &Rules{store: store, cfg: cfg}
}

// Keys of the shared counters. Session and subject are length-prefixed, so
// no two pairs make the same key.
func burstKey(screenID string) string    { return "ingest:ratings:" + screenID }
func feedbackKey(screenID string) string { return "ingest:feedback:" + screenID }
func ratedKey(screenID, session, subject string) string {
	return fmt.Sprintf("ingest:rated:%s:%d:%s:%s", screenID, len(session), session, subject)
}

// Vet applies the rules to events one screen sent together: it returns the
// events to store (ratings among them flagged as misuse where they break a
// rule) and those refused. An error means nothing was judged: the caller
// stores nothing and acknowledges nothing.
func (r *Rules) Vet(ctx context.Context, screenID string, events []*hall.Event) (keep []*hall.Event, refused []hall.EventRefusal, err error) {
	refuse := map[*hall.Event]hall.EventRefusal{}
	var received time.Time
	var ratings, feedback []*hall.Event
	seen := map[string]bool{}
	for _, e := range events {
		if e.ReceivedAt.After(received) {
			received = e.ReceivedAt
		}
		if seen[e.ID] {
			continue // a second copy in the batch: the first is stored
		}
		seen[e.ID] = true
		switch e.Kind {
		case hall.EventRating:
			ratings = append(ratings, e)
		case hall.EventFeedback:
			feedback = append(feedback, e)
		}
	}
	if err := r.checkPublic(ctx, ratings, refuse); err != nil {
		return nil, nil, err
	}
	if err := r.limitFeedback(ctx, screenID, feedback, received, refuse); err != nil {
		return nil, nil, err
	}
	ratings = slices.DeleteFunc(ratings, func(e *hall.Event) bool { _, no := refuse[e]; return no })
	if err := r.flagMisuse(ctx, screenID, ratings, received); err != nil {
		return nil, nil, err
	}
	if len(refuse) == 0 {
		return events, nil, nil
	}
	refusedIDs := map[string]bool{}
	for _, e := range events {
		if why, no := refuse[e]; no {
			refused = append(refused, why)
			refusedIDs[e.ID] = true
		}
	}
	for _, e := range events {
		if !refusedIDs[e.ID] {
			keep = append(keep, e)
		}
	}
	return keep, refused, nil
}

// checkPublic refuses ratings of items that were not public at the
// rating's time.
func (r *Rules) checkPublic(ctx context.Context, ratings []*hall.Event, refuse map[*hall.Event]hall.EventRefusal) error {
	entries := map[string][]*hall.ArchiveEntry{}
	for _, e := range ratings {
		itemID, ok := strings.CutPrefix(e.Subject, "item:")
		if !ok {
			continue
		}
		list, read := entries[itemID]
		if !read {
			var err error
			if list, err = r.store.ItemEntries(ctx, itemID); err != nil {
				return fmt.Errorf("ingest: archive entries of %s: %w", itemID, err)
			}
			entries[itemID] = list
		}
		if msg := notPublic(list, e.Revision, e.At); msg != "" {
			refuse[e] = hall.EventRefusal{ID: e.ID, Code: hall.EValidation,
				Message: fmt.Sprintf("subject.item_id: %s %s at %s", itemID, msg, e.At.UTC().Format(time.RFC3339))}
		}
	}
	return nil
}

// notPublic says why an item with these archive entries (oldest first) was
// not public at t, or of the revision rev when it is not 0; "" when it
// was. A kiosk's clock may be ClockSlack off either way.
func notPublic(entries []*hall.ArchiveEntry, rev int, t time.Time) string {
	if len(entries) == 0 {
		return "is not a published item"
	}
	live, revSeen := false, rev == 0
	for _, e := range entries {
		switch e.Kind {
		case hall.EntryPublish:
			if !e.At.After(t.Add(ClockSlack)) {
				live = true
				revSeen = revSeen || e.Revision == rev
			}
		case hall.EntryWithdraw, hall.EntryExpire:
			if !e.At.After(t.Add(-ClockSlack)) {
				live = false
			}
		}
	}
	switch {
	case !revSeen:
		return fmt.Sprintf("revision %d was not published yet", rev)
	case !live:
		return "was not public"
	}
	return ""
}

// limitFeedback refuses the feedback past the kiosk's limit, keeping the
// earliest by the kiosk's clock. Feedback stored already is not counted.
func (r *Rules) limitFeedback(ctx context.Context, screenID string, feedback []*hall.Event, received time.Time, refuse map[*hall.Event]hall.EventRefusal) error {
	if r.cfg.FeedbackLimit < 0 || len(feedback) == 0 {
		return nil
	}
	var fresh []*hall.Event
	for _, e := range feedback {
		_, err := r.store.Feedback(ctx, e.ID)
		switch {
		case hall.IsCode(err, hall.ENotFound):
			fresh = append(fresh, e)
		case err != nil:
			return fmt.Errorf("ingest: look up feedback %q: %w", e.ID, err)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	slices.SortStableFunc(fresh, func(a, b *hall.Event) int { return a.At.Compare(b.At) })
	n := int64(len(fresh))
	count, err := r.store.Hit(ctx, feedbackKey(screenID), n, received, r.cfg.FeedbackWindow)
	if err != nil {
		return fmt.Errorf("ingest: count feedback of %s: %w", screenID, err)
	}
	allowed := max(0, min(n, int64(r.cfg.FeedbackLimit)-(count-n)))
	for _, e := range fresh[allowed:] {
		refuse[e] = hall.EventRefusal{ID: e.ID, Code: hall.ERateLimited,
			Message: fmt.Sprintf("feedback: at most %d messages in %s from one kiosk; not stored", r.cfg.FeedbackLimit, r.cfg.FeedbackWindow)}
	}
	return nil
}

// flagMisuse sets Misuse on the ratings past the kiosk's burst limit and on
// repeats within a touch session. Earlier ratings by the kiosk's clock are
// counted first.
func (r *Rules) flagMisuse(ctx context.Context, screenID string, ratings []*hall.Event, received time.Time) error {
	if len(ratings) == 0 {
		return nil
	}
	slices.SortStableFunc(ratings, func(a, b *hall.Event) int { return a.At.Compare(b.At) })
	n := int64(len(ratings))
	count, err := r.store.Hit(ctx, burstKey(screenID), n, received, r.cfg.BurstWindow)
	if err != nil {
		return fmt.Errorf("ingest: count ratings of %s: %w", screenID, err)
	}
	// The i-th rating here is number count-n+i+1 in the window.
	var inLimit []*hall.Event
	for i, e := range ratings {
		if count-n+int64(i)+1 > int64(r.cfg.BurstLimit) {
			e.Misuse = true
		} else if e.Session != "" {
			inLimit = append(inLimit, e)
		}
	}
	// One rating per subject per session: the counter of the pair says
	// whether one came before.
	bySession := map[string][]*hall.Event{}
	var keys []string
	for _, e := range inLimit {
		k := ratedKey(screenID, e.Session, e.Subject)
		if bySession[k] == nil {
			keys = append(keys, k)
		}
		bySession[k] = append(bySession[k], e)
	}
	for _, k := range keys {
		same := bySession[k]
		m := int64(len(same))
		c, err := r.store.Hit(ctx, k, m, received, r.cfg.SessionWindow)
		if err != nil {
			return fmt.Errorf("ingest: count session ratings of %s: %w", screenID, err)
		}
		for i, e := range same {
			if i > 0 || c > m {
				e.Misuse = true
			}
		}
	}
	return nil
}
