package storetest

import (
	"testing"

	"github.com/hallcast/hallcast/server/hall"
)

func testSettings(t *testing.T, s hall.Store) {
	ctx := t.Context()
	_, err := s.Setting(ctx, "scorecard.rules")
	wantCode(t, err, hall.ENotFound, "Setting of a missing key")
	all, err := s.Settings(ctx)
	mustOK(t, err, "Settings")
	if len(all) != 0 {
		t.Errorf("Settings of an empty store: %q", all)
	}
	mustOK(t, s.PutSetting(ctx, "scorecard.rules", []byte(`{"versions":[]}`)), "PutSetting")
	mustOK(t, s.PutSetting(ctx, "scorecard.rules", []byte(`{"versions":[{"from":"2027-01"}]}`)), "PutSetting again")
	mustOK(t, s.PutSetting(ctx, "other", []byte(`{}`)), "PutSetting of another key")
	doc, err := s.Setting(ctx, "scorecard.rules")
	mustOK(t, err, "Setting")
	if string(doc) != `{"versions":[{"from":"2027-01"}]}` {
		t.Errorf("Setting = %s, want the last document put", doc)
	}
	all, err = s.Settings(ctx)
	mustOK(t, err, "Settings")
	if len(all) != 2 || string(all["other"]) != `{}` {
		t.Errorf("Settings = %q", all)
	}
}
