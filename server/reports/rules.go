package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/scorecard"
)

// SettingsStore keeps the scorecard rules.
type SettingsStore interface {
	Setting(ctx context.Context, key string) ([]byte, error)
	PutSetting(ctx context.Context, key string, doc []byte) error
}

// RulesKey is the setting the scorecard rules are kept under.
const RulesKey = "scorecard.rules"

// RuleVersion is the scorecard's weights from a month on, until the next
// version's month.
type RuleVersion struct {
	From    string            `json:"from"` // YYYY-MM
	Weights scorecard.Weights `json:"weights"`
	By      string            `json:"by,omitempty"`
	At      time.Time         `json:"at"`
}

// ScorecardRules is every version of the rules, oldest first; periods
// before the first are scored with the defaults.
type ScorecardRules struct {
	Defaults scorecard.Weights `json:"defaults"`
	Current  scorecard.Weights `json:"current"` // for this month
	Versions []RuleVersion     `json:"versions"`
}

func (s *Service) rules(ctx context.Context) ([]RuleVersion, error) {
	if s.Settings == nil {
		return nil, nil
	}
	doc, err := s.Settings.Setting(ctx, RulesKey)
	if hall.IsCode(err, hall.ENotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var vs []RuleVersion
	if err := json.Unmarshal(doc, &vs); err != nil {
		return nil, fmt.Errorf("reports: scorecard rules: %w", err)
	}
	return vs, nil
}

// weightsAt returns the weights of the version in force in month (YYYY-MM).
func weightsAt(vs []RuleVersion, month string) scorecard.Weights {
	w := scorecard.DefaultWeights()
	for _, v := range vs {
		if v.From <= month {
			w = v.Weights
		}
	}
	return w
}

// ScorecardRules returns the rules' versions. Auditors and admins.
func (s *Service) ScorecardRules(ctx context.Context, actor *hall.User) (*ScorecardRules, error) {
	if err := auditor(actor); err != nil {
		return nil, err
	}
	vs, err := s.rules(ctx)
	if err != nil {
		return nil, err
	}
	if vs == nil {
		vs = []RuleVersion{}
	}
	return &ScorecardRules{Defaults: scorecard.DefaultWeights(), Current: weightsAt(vs, s.Now().In(s.zone()).Format("2006-01")), Versions: vs}, nil
}

// PutScorecardRules sets the weights from month from (YYYY-MM) on: this
// month or a later one, never an earlier, so periods already scored keep
// their rules. A version of the same month is replaced. Admins only.
func (s *Service) PutScorecardRules(ctx context.Context, actor *hall.User, from string, w scorecard.Weights) (*ScorecardRules, error) {
	if actor.Role != hall.RoleAdmin {
		return nil, hall.Errorf(hall.EForbidden, "only admins change the scorecard rules")
	}
	if s.Settings == nil {
		return nil, hall.Errorf(hall.EInternal, "the scorecard rules cannot be kept")
	}
	from = strings.TrimSpace(from)
	if _, err := time.Parse("2006-01", from); err != nil {
		return nil, hall.FieldError("from", "want YYYY-MM")
	}
	now := s.Now()
	if this := now.In(s.zone()).Format("2006-01"); from < this {
		return nil, hall.FieldError("from", "rules apply from this month (%s) on: earlier periods keep the rules they were scored with", this)
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	vs, err := s.rules(ctx)
	if err != nil {
		return nil, err
	}
	v := RuleVersion{From: from, Weights: w, By: actor.Username, At: now.UTC()}
	if i := slices.IndexFunc(vs, func(x RuleVersion) bool { return x.From == from }); i >= 0 {
		vs[i] = v
	} else {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b RuleVersion) int { return strings.Compare(a.From, b.From) })
	doc, _ := json.Marshal(vs)
	detail := fmt.Sprintf("from %s: timeliness %d, completeness %d, responsiveness %d, satisfaction %d",
		from, w.Timeliness, w.Completeness, w.Responsiveness, w.Satisfaction)
	if err := s.Settings.PutSetting(hall.Audited(ctx, now, actor.Username, "scorecard.rules", RulesKey, detail), RulesKey, doc); err != nil {
		return nil, err
	}
	return s.ScorecardRules(ctx, actor)
}
