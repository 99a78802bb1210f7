package hall

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func budget(n int64) *int64 { return &n }

func TestFinanceValidate(t *testing.T) {
	lines := func(ls ...FinanceLine) *Finance { return &Finance{Lines: ls} }
	tests := []struct {
		name      string
		f         *Finance
		wantField string
	}{
		{"OK", lines(
			FinanceLine{Code: "301", Name: "工资福利", Amount: 300, Budget: budget(400)},
			FinanceLine{Code: "30101", Name: "基本工资", Parent: "301", Amount: 200, Budget: budget(250)},
			FinanceLine{Code: "30102", Name: "津贴补贴", Parent: "301", Amount: 100, Budget: budget(150)},
			FinanceLine{Code: "302", Name: "商品和服务", Amount: 50},
		), ""},
		{"Nested", lines(
			FinanceLine{Code: "1", Name: "总", Amount: 6},
			FinanceLine{Code: "1.1", Name: "甲", Parent: "1", Amount: 6},
			FinanceLine{Code: "1.1.1", Name: "甲一", Parent: "1.1", Amount: 2},
			FinanceLine{Code: "1.1.2", Name: "甲二", Parent: "1.1", Amount: 4},
		), ""},
		{"ErrParentNotSum", lines(
			FinanceLine{Code: "301", Name: "工资福利", Amount: 301},
			FinanceLine{Code: "30101", Name: "基本工资", Parent: "301", Amount: 300},
		), "finance.lines[0].amount"},
		{"ErrBudgetNotSum", lines(
			FinanceLine{Code: "301", Name: "工资福利", Amount: 300, Budget: budget(1)},
			FinanceLine{Code: "30101", Name: "基本工资", Parent: "301", Amount: 300, Budget: budget(2)},
		), "finance.lines[0].budget"},
		{"ErrUnknownParent", lines(
			FinanceLine{Code: "301", Name: "工资福利", Amount: 1},
			FinanceLine{Code: "30101", Name: "基本工资", Parent: "309", Amount: 1},
		), "finance.lines[1].parent"},
		{"ErrCycle", lines(
			FinanceLine{Code: "a", Name: "甲", Parent: "b", Amount: 1},
			FinanceLine{Code: "b", Name: "乙", Parent: "a", Amount: 1},
		), "finance.lines[0].parent"},
		{"ErrDuplicateCode", lines(
			FinanceLine{Code: "301", Name: "甲", Amount: 1},
			FinanceLine{Code: "301", Name: "乙", Amount: 1},
		), "finance.lines[1].code"},
		{"ErrNoName", lines(FinanceLine{Code: "301", Name: "  ", Amount: 1}), "finance.lines[0].name"},
		{"ErrAbsurdAmount", lines(FinanceLine{Code: "301", Name: "甲", Amount: MaxAmount + 1}), "finance.lines[0].amount"},
		{"ErrNoLines", lines(), "finance.lines"},
		{"ErrCurrency", &Finance{Currency: "USD", Lines: []FinanceLine{{Code: "1", Name: "甲"}}}, "finance.currency"},
		{"ErrUnit", &Finance{Unit: "jiao", Lines: []FinanceLine{{Code: "1", Name: "甲"}}}, "finance.unit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				if tt.f.Currency != "CNY" || tt.f.Unit != "yuan" {
					t.Errorf("defaults: currency %q unit %q, want CNY yuan", tt.f.Currency, tt.f.Unit)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != EValidation || e.Field != tt.wantField {
				t.Errorf("got %v, want a validation error on %s", err, tt.wantField)
			}
		})
	}
}

func TestItemValidate(t *testing.T) {
	good := func() *Item {
		return &Item{Category: "finance", Department: "caizheng", Title: " 2026年预算 ", Body: "正文"}
	}
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	tests := []struct {
		name      string
		edit      func(*Item)
		wantField string
	}{
		{"OK", func(*Item) {}, ""},
		{"ErrNoTitle", func(it *Item) { it.Title = "   " }, "title"},
		{"ErrStageWithoutMatter", func(it *Item) { it.Stage = StageBefore }, "matter_id"},
		{"ErrBadStage", func(it *Item) { it.Stage = "later"; it.MatterID = "mt_1" }, "stage"},
		{"ErrBadCadence", func(it *Item) { it.Cadence = "weekly" }, "cadence"},
		{"ErrAbsurdDate", func(it *Item) { it.ValidUntil = at("9999-01-01T00:00:00Z") }, "valid_until"},
		{"ErrUntilBeforeFrom", func(it *Item) {
			it.ValidFrom, it.ValidUntil = at("2026-05-01T00:00:00+08:00"), at("2026-04-01T00:00:00+08:00")
		}, "valid_until"},
		{"ErrForeignAsset", func(it *Item) { it.Assets = []Asset{{URL: "https://evil.example/x.png"}} }, "assets[0].url"},
		{"ErrFinanceNamed", func(it *Item) { it.Finance = &Finance{} }, "finance.lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := good()
			tt.edit(it)
			err := it.Validate()
			if got := fieldOf(err); got != tt.wantField {
				t.Errorf("got error %v (field %q), want field %q", err, got, tt.wantField)
			}
			if tt.wantField == "" && it.Title != "2026年预算" {
				t.Errorf("title %q, want it trimmed", it.Title)
			}
		})
	}
}

func fieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	if err != nil {
		return "(not a hall.Error)"
	}
	return ""
}

func TestTarget(t *testing.T) {
	p := Placement{ID: "s1", HallID: "h1", Kind: KindKiosk, Groups: []string{"lobby", "east"}}
	tests := []struct {
		name  string
		t     Target
		match bool
		spec  int
	}{
		{"Empty", Target{}, true, SpecificityAll},
		{"Kind", Target{Kinds: []string{KindKiosk}}, true, SpecificityKind},
		{"OtherKind", Target{Kinds: []string{KindLED}}, false, SpecificityKind},
		{"HallAndKind", Target{Halls: []string{"h1"}, Kinds: []string{KindKiosk}}, true, SpecificityHall},
		{"AnyGroup", Target{Groups: []string{"west", "east"}}, true, SpecificityGroup},
		{"ScreenButOtherGroup", Target{Screens: []string{"s1"}, Groups: []string{"west"}}, false, SpecificityScreen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.t.Matches(p); got != tt.match {
				t.Errorf("Matches: got %t, want %t", got, tt.match)
			}
			if got := tt.t.Specificity(); got != tt.spec {
				t.Errorf("Specificity: got %d, want %d", got, tt.spec)
			}
		})
	}
	if err := (Target{Kinds: []string{"billboard"}}).Validate(); fieldOf(err) != "target.kinds[0]" {
		t.Errorf("Validate of an unknown kind: %v", err)
	}
	if err := (Target{Screens: []string{" "}}).Validate(); fieldOf(err) != "target.screens[0]" {
		t.Errorf("Validate of a blank screen id: %v", err)
	}
}

func TestScreenPlacement(t *testing.T) {
	sc := &Screen{ID: "s1", HallID: "h1", Kind: KindLED, Groups: []string{"g"}}
	if p := sc.Placement(nil); p.TZ != DefaultTZ || p.DefaultPlaylistID != "" {
		t.Errorf("Placement without a hall: %+v", p)
	}
	p := sc.Placement(&Hall{ID: "h1", TZ: "Europe/Berlin", DefaultPlaylistID: "pl"})
	if p.TZ != "Europe/Berlin" || p.DefaultPlaylistID != "pl" || p.ID != "s1" || p.Kind != KindLED {
		t.Errorf("Placement in a hall: %+v", p)
	}
}

func TestLoadZone(t *testing.T) {
	if loc, err := LoadZone(""); err != nil || loc.String() != DefaultTZ {
		t.Errorf(`LoadZone(""): %v, %v`, loc, err)
	}
	for _, bad := range []string{"Local", "Mars/Olympus"} {
		if _, err := LoadZone(bad); fieldOf(err) != "tz" {
			t.Errorf("LoadZone(%q): %v, want a validation error on tz", bad, err)
		}
	}
}

func TestRoles(t *testing.T) {
	admin := &User{Role: RoleAdmin}
	editor := &User{Role: RoleEditor, Departments: []string{"finance"}}
	reviewer := &User{Role: RoleReviewer}
	disabled := &User{Role: RoleAdmin, Disabled: true}
	var nobody *User
	for _, c := range []struct {
		u     *User
		roles []Role
		want  bool
	}{
		{admin, nil, true},
		{admin, []Role{RoleEditor}, true},
		{editor, nil, false},
		{editor, []Role{RoleEditor}, true},
		{editor, []Role{RoleReviewer}, false},
		{disabled, []Role{RoleEditor}, false},
		{nobody, nil, false},
	} {
		if got := c.u.Has(c.roles...); got != c.want {
			t.Errorf("%+v.Has(%v) = %t, want %t", c.u, c.roles, got, c.want)
		}
	}
	if !editor.InDepartment("finance") || editor.InDepartment("construction") {
		t.Errorf("editor's departments misread")
	}
	if !reviewer.InDepartment("anything") || (&User{Role: RoleEditor}).InDepartment("finance") {
		t.Errorf("a reviewer without departments reviews everything; an editor without departments edits nothing")
	}
}

func TestErrors(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", FieldError("title", "required"))
	if ErrorCode(err) != EValidation || !IsCode(err, EValidation) || IsCode(nil, EValidation) {
		t.Errorf("ErrorCode through wrapping: %q", ErrorCode(err))
	}
	if ErrorCode(errors.New("disk on fire")) != EInternal || ErrorCode(nil) != "" {
		t.Errorf("plain errors are internal, nil has no code")
	}
	if got := NotFound("item", "it_1").Error(); got != `not_found: item "it_1" not found` {
		t.Errorf("NotFound: %q", got)
	}
}

func TestAuditContext(t *testing.T) {
	ctx := context.Background()
	if AuditFrom(ctx) != nil || RemoteAddrFrom(ctx) != "" {
		t.Fatal("an empty context carries an audit entry or an address")
	}
	ctx = WithRemoteAddr(ctx, "10.0.0.7")
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	ctx = Audited(ctx, at, ActorName(&User{Username: "li"}), "item.publish", "it_1", "revision 2")
	e := AuditFrom(ctx)
	if e == nil || e.Actor != "li" || e.Action != "item.publish" || e.Target != "it_1" || e.Detail != "revision 2" ||
		e.RemoteIP != "10.0.0.7" || !e.At.Equal(at) || e.At.Location() != time.UTC {
		t.Errorf("Audited entry: %+v", e)
	}
	if ActorName(nil) != "system" {
		t.Errorf("ActorName(nil) = %q", ActorName(nil))
	}
}

func TestReceipt(t *testing.T) {
	for id, want := range map[string]string{
		"5f3a9c1e-77b2-4c1d-9e0f-000000000000": "FK5F3A9C1E",
		"ab-cd":                                "FKABCD",
		"--":                                   "FK",
	} {
		if got := Receipt(id); got != want {
			t.Errorf("Receipt(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestPublicStateLive(t *testing.T) {
	from, until := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	p := &PublicState{ValidFrom: &from, ValidUntil: &until}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{{from.Add(-time.Second), false}, {from, true}, {until.Add(-time.Second), true}, {until, false}} {
		if got := p.Live(c.at); got != c.want {
			t.Errorf("Live(%v) = %t, want %t", c.at, got, c.want)
		}
	}
	withdrawn := *p
	withdrawn.WithdrawnAt = &from
	if withdrawn.Live(from.Add(time.Hour)) || (*PublicState)(nil).Live(from) {
		t.Errorf("withdrawn or never published items are not live")
	}
}
