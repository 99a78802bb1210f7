package ingest

import (
	"sort"
	"sync"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

// Misuse rules for ratings from one kiosk.
const (
	// BurstWindow and BurstLimit: more than BurstLimit ratings from one
	// screen within BurstWindow are a burst; the ones past the limit are
	// flagged.
	BurstWindow = time.Minute
	BurstLimit  = 5
	// rememberFor bounds how long a screen's ratings are remembered.
	rememberFor = 30 * time.Minute
)

// MisuseFlagger flags ratings that break "one rating per subject per touch
// session", and bursts of presses from one kiosk. Flagged ratings are still
// stored, and left out of results. It remembers recent ratings per screen
// in memory (a screen talks to one server at a time).
type MisuseFlagger struct {
	mu      sync.Mutex
	screens map[string]*screenRatings
}

type screenRatings struct {
	recent []rated // by At
}

type rated struct {
	at      time.Time
	session string
	subject string
	id      string
}

// NewMisuseFlagger returns an empty flagger.
func NewMisuseFlagger() *MisuseFlagger {
	return &MisuseFlagger{screens: map[string]*screenRatings{}}
}

// Flag sets Misuse on the ratings among events that break the rules.
func (f *MisuseFlagger) Flag(events []*hall.Event) {
	var ratings []*hall.Event
	for _, e := range events {
		if e.Kind == hall.EventRating {
			ratings = append(ratings, e)
		}
	}
	if len(ratings) == 0 {
		return
	}
	sort.SliceStable(ratings, func(i, j int) bool { return ratings[i].At.Before(ratings[j].At) })
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range ratings {
		s := f.screens[e.ScreenID]
		if s == nil {
			if len(f.screens) > 100_000 {
				clear(f.screens)
			}
			s = &screenRatings{}
			f.screens[e.ScreenID] = s
		}
		e.Misuse = s.check(e)
	}
}

// check records a rating and says whether it is misuse.
func (s *screenRatings) check(e *hall.Event) bool {
	// Forget what is too old to matter, relative to this rating.
	cut := e.At.Add(-rememberFor)
	i := 0
	for i < len(s.recent) && s.recent[i].at.Before(cut) {
		i++
	}
	s.recent = s.recent[i:]
	misuse := false
	inWindow := 0
	for _, r := range s.recent {
		if r.id == e.ID {
			return false // the same event sent again: stored once anyway
		}
		if e.Session != "" && r.session == e.Session && r.subject == e.Subject {
			misuse = true
		}
		if !r.at.Before(e.At.Add(-BurstWindow)) && !r.at.After(e.At) {
			inWindow++
		}
	}
	if inWindow >= BurstLimit {
		misuse = true
	}
	// Keep recent sorted by time even if events arrive out of order.
	j := sort.Search(len(s.recent), func(k int) bool { return s.recent[k].at.After(e.At) })
	s.recent = append(s.recent, rated{})
	copy(s.recent[j+1:], s.recent[j:])
	s.recent[j] = rated{at: e.At, session: e.Session, subject: e.Subject, id: e.ID}
	return misuse
}
