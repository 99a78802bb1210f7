package storetest

import (
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

func testAudit(t *testing.T, s hall.Store) {
	ctx := t.Context()
	list, err := s.ListAudit(ctx, hall.AuditFilter{})
	mustOK(t, err, "ListAudit")
	if len(list) != 0 {
		t.Errorf("ListAudit of an empty store: got %d, want 0", len(list))
	}

	entries := []*hall.AuditEntry{
		{At: at(1 * time.Minute).In(cst), Actor: "wang", Action: "item.create", Target: "it_1", Detail: `{"title":"预算"}`, RemoteIP: "10.0.0.2"},
		{At: at(2 * time.Minute), Actor: "li", Action: "item.approve", Target: "it_1"},
		{At: at(3 * time.Minute), Actor: "li", Action: "item.publish", Target: "it_1"},
		{At: at(4 * time.Minute), Actor: "system", Action: "item.expire", Target: "it_2"},
		{At: at(5 * time.Minute), Actor: "screen:sc_1", Action: "screen.connect"},
		{At: at(30 * time.Second), Actor: "wang", Action: "user.login"}, // appended late, happened first
	}
	var last int64
	for i, e := range entries {
		mustOK(t, s.AppendAudit(ctx, e), "AppendAudit")
		if e.ID <= last {
			t.Errorf("entry %d: ID %d, want more than %d", i, e.ID, last)
		}
		last = e.ID
		e.At = e.At.UTC()
	}
	byID := func(ids ...int) []*hall.AuditEntry {
		out := []*hall.AuditEntry{}
		for _, i := range ids {
			out = append(out, entries[i])
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    hall.AuditFilter
		want []*hall.AuditEntry
	}{
		{"All", hall.AuditFilter{}, byID(4, 3, 2, 1, 0, 5)},
		{"Actor", hall.AuditFilter{Actor: "li"}, byID(2, 1)},
		{"Action", hall.AuditFilter{Action: "item.publish"}, byID(2)},
		{"Target", hall.AuditFilter{Target: "it_1"}, byID(2, 1, 0)},
		{"ActorAndTarget", hall.AuditFilter{Actor: "wang", Target: "it_1"}, byID(0)},
		{"From", hall.AuditFilter{From: at(3 * time.Minute)}, byID(4, 3, 2)},
		{"To", hall.AuditFilter{To: at(2 * time.Minute).In(cst)}, byID(0, 5)},
		{"FromTo", hall.AuditFilter{From: at(2 * time.Minute), To: at(4 * time.Minute)}, byID(2, 1)},
		{"Limit", hall.AuditFilter{Limit: 2}, byID(4, 3)},
		{"NoMatch", hall.AuditFilter{Actor: "nobody"}, byID()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListAudit(ctx, tc.f)
			mustOK(t, err, "ListAudit")
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			same(t, "ListAudit", got, tc.want)
		})
	}

	t.Run("DefaultLimit", func(t *testing.T) {
		for i := range 100 {
			mustOK(t, s.AppendAudit(ctx, &hall.AuditEntry{At: at(time.Hour + time.Duration(i)*time.Second), Actor: "bulk", Action: "test"}), "AppendAudit")
		}
		got, err := s.ListAudit(ctx, hall.AuditFilter{})
		mustOK(t, err, "ListAudit")
		if len(got) != 100 {
			t.Errorf("ListAudit with no limit: got %d entries, want the default 100", len(got))
		}
		got, err = s.ListAudit(ctx, hall.AuditFilter{Limit: 5000})
		mustOK(t, err, "ListAudit")
		if len(got) != 106 {
			t.Errorf("ListAudit with a large limit: got %d entries, want 106", len(got))
		}
	})
}
