package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/search"
)

// fullItem returns an item with every field set, published once.
func fullItem() *hall.Item {
	return &hall.Item{
		Category:   "finance",
		Department: "caizheng",
		Title:      "2025年1月财政收支情况",
		Summary:    "本月一般公共预算收入与支出明细",
		Body:       "## 说明\n\n详见下表。<b>粗体</b> & 100%",
		Stage:      hall.StageAfter,
		MatterID:   "mt_budget",
		Cadence:    hall.CadenceMonthly,
		ValidFrom:  ptr(at(-24 * time.Hour).In(cst)),
		ValidUntil: ptr(at(30 * 24 * time.Hour)),
		Finance: &hall.Finance{Currency: "CNY", Unit: "wan", Lines: []hall.FinanceLine{
			{Code: "1", Name: "收入合计", Amount: 150000, Budget: ptr(int64(200000))},
			{Code: "1.1", Name: "上级补助", Parent: "1", Amount: 100000, Budget: ptr(int64(120000))},
			{Code: "1.2", Name: "其他收入", Parent: "1", Amount: 50000, Budget: ptr(int64(80000))},
			{Code: "2", Name: "支出合计", Amount: -3},
		}},
		Assets: []hall.Asset{
			{URL: "/media/3f2a.pdf", Type: "pdf", Name: "收支明细表.pdf"},
			{URL: "/media/91bc.jpg", Type: "image"},
		},
		Status:      hall.StatusPublished,
		Version:     7, // CreateItem sets 1
		CreatedBy:   "wang",
		CreatedAt:   t0.In(cst),
		UpdatedBy:   "li",
		UpdatedAt:   at(2 * time.Hour),
		SubmittedBy: "wang",
		ApprovedBy:  "li",
		Returned:    &hall.ReturnNote{By: "li", At: at(90 * time.Minute).UTC(), Comment: "第3行金额请核对"},
		Public: &hall.PublicState{
			Revision:       3,
			ArchiveIndex:   41,
			Category:       "finance",
			Department:     "caizheng",
			Title:          "2025年1月财政收支情况",
			Summary:        "本月一般公共预算收入与支出明细",
			Stage:          hall.StageAfter,
			MatterID:       "mt_budget",
			Cadence:        hall.CadenceMonthly,
			SearchText:     "2025年1月财政收支情况 本月一般公共预算收入与支出明细 说明 详见下表",
			Index:          index("2025年1月财政收支情况", "本月一般公共预算收入与支出明细", "说明 详见下表", "收入合计 上级补助"),
			HasFinance:     true,
			PublishedAt:    at(2 * time.Hour).In(cst),
			FirstPublished: at(time.Hour),
			ValidFrom:      ptr(at(-24 * time.Hour)),
			ValidUntil:     ptr(at(30 * 24 * time.Hour)),
			WithdrawnAt:    ptr(at(3 * time.Hour)),
			WithdrawReason: "数据有误，更正后重新公开",
			ExpiredAt:      ptr(at(4 * time.Hour).In(cst)),
		},
	}
}

// index returns the index document of a revision, as the disclosure service
// makes it at publish.
func index(title string, text ...string) hall.SearchDoc {
	return hall.SearchDoc(search.Index(title, text...))
}

// inUTC returns a copy of it with every time in UTC, as a store returns it.
func inUTC(it *hall.Item) *hall.Item {
	c := *it
	utc := func(p *time.Time) *time.Time {
		if p == nil {
			return nil
		}
		return ptr(p.UTC())
	}
	c.ValidFrom, c.ValidUntil = utc(it.ValidFrom), utc(it.ValidUntil)
	c.CreatedAt, c.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	if it.Public != nil {
		p := *it.Public
		p.PublishedAt, p.FirstPublished = p.PublishedAt.UTC(), p.FirstPublished.UTC()
		p.ValidFrom, p.ValidUntil = utc(p.ValidFrom), utc(p.ValidUntil)
		p.WithdrawnAt, p.ExpiredAt = utc(p.WithdrawnAt), utc(p.ExpiredAt)
		c.Public = &p
	}
	return &c
}

func wantItem(t *testing.T, s hall.Store, want *hall.Item) {
	t.Helper()
	got, err := s.Item(t.Context(), want.ID)
	mustOK(t, err, "Item "+want.ID)
	want = inUTC(want)
	same(t, "Item "+want.ID, got, want)
	if got.Public != nil && want.Public != nil && got.Public.SearchText != want.Public.SearchText {
		t.Errorf("Public.SearchText: got %q, want %q", got.Public.SearchText, want.Public.SearchText)
	}
}

func testItems(t *testing.T, s hall.Store) {
	ctx := t.Context()

	full := fullItem()
	mustOK(t, s.CreateItem(ctx, full), "CreateItem")
	wantPrefix(t, "CreateItem", full.ID, "it_")
	if full.Version != 1 {
		t.Errorf("CreateItem: Version %d, want 1", full.Version)
	}
	t.Run("RoundTrip", func(t *testing.T) {
		wantItem(t, s, full)
		got, err := s.Item(ctx, full.ID)
		mustOK(t, err, "Item")
		wantUTC(t, "UpdatedAt", got.UpdatedAt)
		wantUTC(t, "Public.PublishedAt", got.Public.PublishedAt)
		wantUTC(t, "ValidFrom", *got.ValidFrom)
	})

	minimal := &hall.Item{ID: "it_minimal", Category: "policy", Department: "minzheng", Title: "低保申请办事指南",
		Status: hall.StatusDraft, CreatedAt: t0, UpdatedAt: t0}
	mustOK(t, s.CreateItem(ctx, minimal), "CreateItem with an id")
	t.Run("Minimal", func(t *testing.T) {
		if minimal.ID != "it_minimal" {
			t.Errorf("CreateItem replaced the given id: got %q", minimal.ID)
		}
		wantItem(t, s, minimal)
	})
	t.Run("ErrDuplicateID", func(t *testing.T) {
		dup := &hall.Item{ID: "it_minimal", Category: "policy", Department: "minzheng", Title: "重复",
			Status: hall.StatusDraft, CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, s.CreateItem(ctx, dup), hall.EConflict, "CreateItem with a taken id")
		wantItem(t, s, minimal)
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := s.Item(ctx, "it_missing")
		wantCode(t, err, hall.ENotFound, "Item of a missing id")
	})

	t.Run("Update", func(t *testing.T) {
		it := *minimal
		it.Title = "最低生活保障申请办事指南"
		it.Body = "携带身份证、户口簿。"
		it.Finance = &hall.Finance{Currency: "CNY", Unit: "yuan", Lines: []hall.FinanceLine{{Code: "a", Name: "保障金", Amount: 76000}}}
		it.Assets = []hall.Asset{{URL: "/media/aa.png", Type: "image"}}
		it.ValidUntil = ptr(at(90 * 24 * time.Hour))
		it.Status = hall.StatusPublished
		it.UpdatedAt = at(time.Hour)
		it.Public = &hall.PublicState{Revision: 1, Category: "policy", Department: "minzheng", Title: it.Title,
			SearchText: it.Title + " " + it.Body, Index: index(it.Title, it.Body),
			PublishedAt: at(time.Hour), FirstPublished: at(time.Hour)}
		mustOK(t, s.UpdateItem(ctx, &it), "UpdateItem")
		if it.Version != 2 {
			t.Errorf("UpdateItem: Version %d, want 2", it.Version)
		}
		wantItem(t, s, &it)

		// Fields can be cleared again, and a new index document replaces
		// the old one.
		it.Finance, it.Assets, it.ValidUntil = nil, nil, nil
		it.Public.Index = index("低保", "")
		it.Public.WithdrawnAt = ptr(at(2 * time.Hour))
		mustOK(t, s.UpdateItem(ctx, &it), "UpdateItem clearing fields")
		if it.Version != 3 {
			t.Errorf("second UpdateItem: Version %d, want 3", it.Version)
		}
		wantItem(t, s, &it)
	})
}

func testItemsConflict(t *testing.T, s hall.Store) {
	ctx := t.Context()
	it := &hall.Item{Category: "policy", Department: "minzheng", Title: "原标题", Status: hall.StatusDraft, CreatedAt: t0, UpdatedAt: t0}
	mustOK(t, s.CreateItem(ctx, it), "CreateItem")

	a, err := s.Item(ctx, it.ID)
	mustOK(t, err, "Item")
	b, err := s.Item(ctx, it.ID)
	mustOK(t, err, "Item")

	a.Title = "甲改的标题"
	mustOK(t, s.UpdateItem(ctx, a), "UpdateItem of the current version")
	b.Title = "乙改的标题"
	wantCode(t, s.UpdateItem(ctx, b), hall.EConflict, "UpdateItem of a stale version")
	if b.Version != 1 {
		t.Errorf("refused UpdateItem changed Version to %d, want 1", b.Version)
	}
	wantItem(t, s, a)

	b, err = s.Item(ctx, it.ID)
	mustOK(t, err, "Item")
	b.Title = "乙重新改的标题"
	mustOK(t, s.UpdateItem(ctx, b), "UpdateItem after re-reading")
	if b.Version != 3 {
		t.Errorf("UpdateItem after re-reading: Version %d, want 3", b.Version)
	}

	ghost := *b
	ghost.ID = "it_ghost"
	wantCode(t, s.UpdateItem(ctx, &ghost), hall.ENotFound, "UpdateItem of a missing id")
}

// listFixture is the set of items the filter cases select from. Working
// copies are ordered by UpdatedAt, public ones by PublishedAt:
//
//	id         updated  published  public state
//	it_fin1    5h       1h         live
//	it_fin2    4h       3h         valid until 10h
//	it_road    3h       -          never published
//	it_tie     3h       -          never published
//	it_bridge  2h       2h         withdrawn at 6h
//	it_moved   1h       4h         valid from 10h; working copy moved to another category
func listFixture() []*hall.Item {
	pub := func(it *hall.Item, published time.Duration, search string) *hall.PublicState {
		return &hall.PublicState{Revision: 1, Category: it.Category, Department: it.Department, Title: it.Title,
			Summary: it.Summary, Stage: it.Stage, MatterID: it.MatterID, SearchText: search,
			Index:       index(it.Title, it.Summary, it.Body),
			PublishedAt: at(published), FirstPublished: at(published)}
	}
	item := func(id, category, dept, title, summary, body string, status hall.Status, updated time.Duration) *hall.Item {
		return &hall.Item{ID: id, Category: category, Department: dept, Title: title, Summary: summary, Body: body,
			Status: status, CreatedAt: t0, UpdatedAt: at(updated)}
	}

	fin1 := item("it_fin1", "finance", "caizheng", "2025年第一季度财政收支公开", "乡村振兴专项资金使用情况",
		"详见附表：一般公共预算收入。", hall.StatusPublished, 5*time.Hour)
	fin1.Public = pub(fin1, time.Hour, "2025年第一季度财政收支公开 乡村振兴专项资金使用情况 详见附表：一般公共预算收入。")

	fin2 := item("it_fin2", "finance", "caizheng", "2025年度部门预算 100% 完成", "", "", hall.StatusPublished, 4*time.Hour)
	fin2.Public = pub(fin2, 3*time.Hour, "2025年度部门预算 100% 完成")
	fin2.Public.ValidUntil = ptr(at(10 * time.Hour))

	road := item("it_road", "construction", "jianshe", "道路硬化工程 Road Works", "征求意见", "", hall.StatusDraft, 3*time.Hour)
	road.Stage, road.MatterID = hall.StageBefore, "mt_road"

	tie := item("it_tie", "finance", "caizheng", "Same time", "", "", hall.StatusDraft, 3*time.Hour)

	bridge := item("it_bridge", "construction", "jianshe", "桥梁维修 bridge_repair", "", "已完工", hall.StatusWithdrawn, 2*time.Hour)
	bridge.Stage, bridge.MatterID = hall.StageAfter, "mt_road"
	bridge.Public = pub(bridge, 2*time.Hour, "桥梁维修 bridge_repair 已完工")
	bridge.Public.WithdrawnAt = ptr(at(6 * time.Hour))
	bridge.Public.WithdrawReason = "重复发布"

	moved := item("it_moved", "policy", "minzheng", "救灾物资发放", "", "受灾群众名单", hall.StatusPublished, time.Hour)
	moved.Public = pub(moved, 4*time.Hour, "救灾物资发放 受灾群众名单")
	moved.Public.ValidFrom = ptr(at(10 * time.Hour))
	moved.Category, moved.Title, moved.Status = "relief", "救灾物资发放（修订稿）", hall.StatusDraft

	// On village boards: fin1 as published, road as drafted; moved is
	// published on the township's board and moved to a village's since.
	fin1.Hall, fin1.Public.Hall = "hl_v1", "hl_v1"
	road.Hall = "hl_v1"
	moved.Hall = "hl_v2"

	return []*hall.Item{fin1, fin2, road, tie, bridge, moved}
}

func testListItemsFilters(t *testing.T, s hall.Store) {
	ctx := t.Context()
	for _, it := range listFixture() {
		mustOK(t, s.CreateItem(ctx, it), "CreateItem "+it.ID)
	}

	tests := []struct {
		name string
		f    hall.ItemFilter
		want []string
	}{
		{"All", hall.ItemFilter{}, []string{"it_fin1", "it_fin2", "it_road", "it_tie", "it_bridge", "it_moved"}},
		{"Category", hall.ItemFilter{Category: "finance"}, []string{"it_fin1", "it_fin2", "it_tie"}},
		{"CategoryOfWorkingCopy", hall.ItemFilter{Category: "relief"}, []string{"it_moved"}},
		{"Department", hall.ItemFilter{Department: "jianshe"}, []string{"it_road", "it_bridge"}},
		{"Departments", hall.ItemFilter{Departments: []string{"jianshe", "minzheng"}}, []string{"it_road", "it_bridge", "it_moved"}},
		{"Status", hall.ItemFilter{Status: hall.StatusDraft}, []string{"it_road", "it_tie", "it_moved"}},
		{"Matter", hall.ItemFilter{MatterID: "mt_road"}, []string{"it_road", "it_bridge"}},
		{"CategoryAndStatus", hall.ItemFilter{Category: "finance", Status: hall.StatusPublished}, []string{"it_fin1", "it_fin2"}},
		{"QChineseTitle", hall.ItemFilter{Q: "财政收支"}, []string{"it_fin1"}},
		{"QChineseSummary", hall.ItemFilter{Q: "乡村振兴"}, []string{"it_fin1"}},
		{"QChineseBody", hall.ItemFilter{Q: "公共预算"}, []string{"it_fin1"}},
		{"QSharedWord", hall.ItemFilter{Q: "2025"}, []string{"it_fin1", "it_fin2"}},
		{"QCaseInsensitive", hall.ItemFilter{Q: "road works"}, []string{"it_road"}},
		{"QTrimmed", hall.ItemFilter{Q: "  征求意见 "}, []string{"it_road"}},
		{"QPercentIsLiteral", hall.ItemFilter{Q: "%"}, []string{"it_fin2"}},
		{"QUnderscoreIsLiteral", hall.ItemFilter{Q: "_"}, []string{"it_bridge"}},
		{"QBackslash", hall.ItemFilter{Q: `\`}, nil},
		{"QWorkingCopyTitle", hall.ItemFilter{Q: "修订稿"}, []string{"it_moved"}},
		{"QNoMatch", hall.ItemFilter{Q: "征兵"}, nil},
		{"Halls", hall.ItemFilter{Halls: []string{"hl_v1"}}, []string{"it_fin1", "it_road"}},
		{"HallsTownship", hall.ItemFilter{Halls: []string{""}}, []string{"it_fin2", "it_tie", "it_bridge"}},
		{"HallsOfWorkingCopy", hall.ItemFilter{Halls: []string{"hl_v2"}}, []string{"it_moved"}},
		{"Categories", hall.ItemFilter{Categories: []string{"relief", "construction"}}, []string{"it_road", "it_bridge", "it_moved"}},
		{"Limit", hall.ItemFilter{Limit: 2}, []string{"it_fin1", "it_fin2"}},
		{"Offset", hall.ItemFilter{Limit: 2, Offset: 2}, []string{"it_road", "it_tie"}},
		{"OffsetPastEnd", hall.ItemFilter{Offset: 10}, nil},

		{"Public", hall.ItemFilter{Public: true}, []string{"it_moved", "it_fin2", "it_bridge", "it_fin1"}},
		{"PublicCategory", hall.ItemFilter{Public: true, Category: "policy"}, []string{"it_moved"}},
		{"PublicIgnoresWorkingCategory", hall.ItemFilter{Public: true, Category: "relief"}, nil},
		{"PublicDepartment", hall.ItemFilter{Public: true, Department: "jianshe"}, []string{"it_bridge"}},
		{"PublicDepartments", hall.ItemFilter{Public: true, Departments: []string{"caizheng", "minzheng"}}, []string{"it_moved", "it_fin2", "it_fin1"}},
		{"PublicMatter", hall.ItemFilter{Public: true, MatterID: "mt_road"}, []string{"it_bridge"}},
		{"PublicHalls", hall.ItemFilter{Public: true, Halls: []string{"", "hl_v2"}}, []string{"it_moved", "it_fin2", "it_bridge"}},
		{"PublicHallsIgnoresWorkingCopy", hall.ItemFilter{Public: true, Halls: []string{"hl_v2"}}, nil},
		{"PublicCategories", hall.ItemFilter{Public: true, Categories: []string{"policy", "construction"}}, []string{"it_moved", "it_bridge"}},
		{"PublicCategoriesAndQ", hall.ItemFilter{Public: true, Categories: []string{"finance"}, Q: "2025"}, []string{"it_fin2", "it_fin1"}},
		{"PublicQ", hall.ItemFilter{Public: true, Q: "受灾群众"}, []string{"it_moved"}},
		{"PublicQBodyText", hall.ItemFilter{Public: true, Q: "已完工"}, []string{"it_bridge"}},
		{"PublicQIgnoresWorkingCopy", hall.ItemFilter{Public: true, Q: "修订稿"}, nil},
		{"PublicLiveAt5h", hall.ItemFilter{Public: true, LiveAt: at(5 * time.Hour)}, []string{"it_fin2", "it_fin1"}},
		{"PublicLiveAt20h", hall.ItemFilter{Public: true, LiveAt: at(20 * time.Hour)}, []string{"it_moved", "it_fin1"}},
		{"PublicLiveAtBoundary", hall.ItemFilter{Public: true, LiveAt: at(10 * time.Hour).In(cst)}, []string{"it_moved", "it_fin1"}},
		{"PublicLiveAndQ", hall.ItemFilter{Public: true, LiveAt: at(5 * time.Hour), Q: "2025"}, []string{"it_fin2", "it_fin1"}},
		{"PublishedRange", hall.ItemFilter{Public: true, PublishedFrom: at(2 * time.Hour), PublishedTo: at(4 * time.Hour)}, []string{"it_fin2", "it_bridge"}},
		{"PublishedFrom", hall.ItemFilter{Public: true, PublishedFrom: at(3 * time.Hour)}, []string{"it_moved", "it_fin2"}},
		{"PublishedTo", hall.ItemFilter{Public: true, PublishedTo: at(2 * time.Hour)}, []string{"it_fin1"}},
		{"PublicLimitOffset", hall.ItemFilter{Public: true, Limit: 2, Offset: 1}, []string{"it_fin2", "it_bridge"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, err := s.ListItems(ctx, tc.f)
			mustOK(t, err, "ListItems")
			var got []string
			for _, it := range items {
				got = append(got, it.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ListItems(%+v):\n got %q\nwant %q", tc.f, got, tc.want)
			}
		})
	}

	t.Run("FullItems", func(t *testing.T) {
		want := listFixture()[4] // it_bridge
		want.Version = 1
		items, err := s.ListItems(ctx, hall.ItemFilter{Public: true, Q: "bridge"})
		mustOK(t, err, "ListItems")
		if len(items) != 1 {
			t.Fatalf("ListItems: got %d items, want 1", len(items))
		}
		same(t, "listed item", items[0], inUTC(want))
	})
}

func testListItemsLimit(t *testing.T, s hall.Store) {
	ctx := t.Context()
	const n = 101
	for i := range n {
		it := &hall.Item{ID: fmt.Sprintf("it_%03d", i), Category: "policy", Department: "minzheng",
			Title: fmt.Sprintf("第%d条", i), Status: hall.StatusDraft, CreatedAt: t0, UpdatedAt: at(time.Duration(i) * time.Minute)}
		mustOK(t, s.CreateItem(ctx, it), "CreateItem")
	}
	items, err := s.ListItems(ctx, hall.ItemFilter{})
	mustOK(t, err, "ListItems")
	if len(items) != 100 {
		t.Errorf("ListItems with no limit: got %d items, want the default 100", len(items))
	}
	if len(items) > 0 && items[0].ID != "it_100" {
		t.Errorf("ListItems first item: got %s, want it_100 (the newest)", items[0].ID)
	}
	items, err = s.ListItems(ctx, hall.ItemFilter{Limit: 5000})
	mustOK(t, err, "ListItems")
	if len(items) != n {
		t.Errorf("ListItems with a large limit: got %d items, want %d", len(items), n)
	}
}

// searchFixture is the set of items the search cases select from, in
// category construction unless said. Public ones by PublishedAt:
//
//	id          published  public state
//	it_trail    1h         live: 滨河步道改造工程预算公示 … 3,280元 … 步道铺装
//	it_trad     2h         live, finance, written in traditional characters: 村級財務公開 … 預算
//	it_light    3h         live: 村道路灯维修 … ３２８０元
//	it_brief    4h         live: 三月工作简报 … 路灯 … 步道改造
//	it_old      5h         withdrawn: 步道改造旧方案
//	it_draft    -          never published: 步道改造设计方案（草稿）
func searchFixture() []*hall.Item {
	item := func(id, category, title, summary, body string, published time.Duration) *hall.Item {
		it := &hall.Item{ID: id, Category: category, Department: "jianshe", Title: title, Summary: summary, Body: body,
			Status: hall.StatusDraft, CreatedAt: t0, UpdatedAt: at(published)}
		if published > 0 {
			it.Status = hall.StatusPublished
			it.Public = &hall.PublicState{Revision: 1, Category: category, Department: "jianshe", Title: title,
				Summary: summary, SearchText: title + "\n" + summary + "\n" + body, Index: index(title, summary, body),
				PublishedAt: at(published), FirstPublished: at(published)}
		}
		return it
	}
	old := item("it_old", "construction", "步道改造旧方案", "", "已作废。", 5*time.Hour)
	old.Public.WithdrawnAt, old.Public.WithdrawReason = ptr(at(6*time.Hour)), "方案调整"
	return []*hall.Item{
		item("it_trail", "construction", "滨河步道改造工程预算公示", "征求居民意见",
			"工程预算共计3,280元，用于步道铺装。", time.Hour),
		item("it_trad", "finance", "村級財務公開", "", "本年度預算執行情況良好。", 2*time.Hour),
		item("it_light", "construction", "村道路灯维修", "", "更换路灯12盏，费用３２８０元。", 3*time.Hour),
		item("it_brief", "construction", "三月工作简报", "", "村道路灯已全部修好，步道改造进展顺利。", 4*time.Hour),
		old,
		item("it_draft", "construction", "步道改造设计方案（草稿）", "", "", 0),
	}
}

func testListItemsSearch(t *testing.T, s hall.Store) {
	ctx := t.Context()
	for _, it := range searchFixture() {
		mustOK(t, s.CreateItem(ctx, it), "CreateItem "+it.ID)
	}
	pub := func(q string) hall.ItemFilter { return hall.ItemFilter{Public: true, Q: q} }
	live := func(q string) hall.ItemFilter { return hall.ItemFilter{Public: true, Q: q, LiveAt: at(7 * time.Hour)} }

	// ranked cases want this order; the others want these items in any order.
	tests := []struct {
		name   string
		f      hall.ItemFilter
		want   []string
		ranked bool
	}{
		{"SeveralWordsAND", pub("步道 改造"), []string{"it_trail", "it_brief", "it_old"}, false},
		{"SeveralWordsNarrow", pub("步道 铺装"), []string{"it_trail"}, false},
		{"SeveralWordsApart", pub("路灯 步道"), []string{"it_brief"}, false},
		{"WordInAnyOrder", pub("改造 步道"), []string{"it_trail", "it_brief", "it_old"}, false},
		{"Phrase", pub("步道改造"), []string{"it_trail", "it_brief", "it_old"}, false},
		{"PhraseNotScattered", pub("步道工程"), nil, false},
		{"NumberPlain", pub("3280"), []string{"it_trail", "it_light"}, false},
		{"NumberWithSeparator", pub("3,280"), []string{"it_trail", "it_light"}, false},
		{"NumberFullWidth", pub("３２８０"), []string{"it_trail", "it_light"}, false},
		{"NumberExact", pub("328"), nil, false},
		{"TraditionalQuery", pub("預算"), []string{"it_trail", "it_trad"}, true},
		{"SimplifiedQueryTraditionalText", pub("预算"), []string{"it_trail", "it_trad"}, true},
		{"SimplifiedQueryTraditionalTitle", pub("财务公开"), []string{"it_trad"}, false},
		{"PinyinFull", pub("budao"), []string{"it_trail", "it_old"}, false},
		{"PinyinFullWhole", pub("binhebudaogaizao"), []string{"it_trail"}, false},
		{"PinyinFromTheMiddle", pub("ludeng"), []string{"it_light"}, false},
		{"PinyinCaseInsensitive", pub("LuDeng"), []string{"it_light"}, false},
		{"PinyinInitials", pub("bdgz"), []string{"it_trail", "it_old"}, false},
		{"PinyinInitialsPrefix", pub("ldwx"), []string{"it_light"}, false},
		{"PinyinTitleOnly", pub("jianbao"), []string{"it_brief"}, false},
		{"OneCharacter", pub("灯"), []string{"it_light", "it_brief"}, false},
		{"TwoCharacters", pub("铺装"), []string{"it_trail"}, false},
		{"RankTitleAboveBody", pub("路灯"), []string{"it_light", "it_brief"}, true},
		{"RankLimit", hall.ItemFilter{Public: true, Q: "路灯", Limit: 1}, []string{"it_light"}, true},
		{"RankOffset", hall.ItemFilter{Public: true, Q: "路灯", Limit: 1, Offset: 1}, []string{"it_brief"}, true},
		{"WithCategory", hall.ItemFilter{Public: true, Q: "预算", Category: "finance"}, []string{"it_trad"}, false},
		{"WithLiveAt", live("步道 改造"), []string{"it_trail", "it_brief"}, false},
		{"WithPublishedRange", hall.ItemFilter{Public: true, Q: "步道", PublishedFrom: at(2 * time.Hour)}, []string{"it_brief", "it_old"}, false},
		{"NeverPublishedIsNotPublic", pub("草稿"), nil, false},
		{"NoMatch", pub("桥梁"), nil, false},
		{"PunctuationOnly", pub("%%"), nil, false},
		{"TenWords", pub("步 道 改 造 工 程 预 算 公 示"), []string{"it_trail"}, false},

		{"StaffSubstringWords", hall.ItemFilter{Q: "步道 改造"}, []string{"it_trail", "it_brief", "it_old", "it_draft"}, false},
		{"StaffPublishedRevision", hall.ItemFilter{Q: "預算"}, []string{"it_trail", "it_trad"}, false},
		{"StaffPinyin", hall.ItemFilter{Q: "ludeng"}, []string{"it_light"}, false},
		{"StaffDraft", hall.ItemFilter{Q: "草稿"}, []string{"it_draft"}, false},
		{"StaffWithStatus", hall.ItemFilter{Q: "步道", Status: hall.StatusDraft}, []string{"it_draft"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, err := s.ListItems(ctx, tc.f)
			mustOK(t, err, "ListItems")
			var got []string
			for _, it := range items {
				got = append(got, it.ID)
			}
			want := tc.want
			if !tc.ranked {
				got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
			}
			if !slices.Equal(got, want) {
				t.Errorf("ListItems(Q %q, public %v):\n got %q\nwant %q", tc.f.Q, tc.f.Public, got, want)
			}
		})
	}

	t.Run("ErrTooManyWords", func(t *testing.T) {
		for _, public := range []bool{true, false} {
			_, err := s.ListItems(ctx, hall.ItemFilter{Public: public, Q: "步 道 改 造 工 程 预 算 公 示 栏"})
			wantCode(t, err, hall.EValidation, fmt.Sprintf("ListItems with 11 words (public %v)", public))
		}
	})

	t.Run("ReindexOnSave", func(t *testing.T) {
		it, err := s.Item(ctx, "it_light")
		mustOK(t, err, "Item")
		it.Public.Title, it.Public.Index = "村道桥梁维修", index("村道桥梁维修", "更换护栏。")
		mustOK(t, s.UpdateItem(ctx, it), "UpdateItem")
		for q, want := range map[string][]string{"桥梁": {"it_light"}, "qiaoliang": {"it_light"}, "路灯": {"it_brief"}} {
			items, err := s.ListItems(ctx, pub(q))
			mustOK(t, err, "ListItems")
			var got []string
			for _, it := range items {
				got = append(got, it.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("after the new revision, Q %q: got %q, want %q", q, got, want)
			}
		}

		// A refused save changes no index.
		stale := *it
		stale.Version--
		stale.Public = ptr(*it.Public)
		stale.Public.Index = index("路灯维修", "")
		wantCode(t, s.UpdateItem(ctx, &stale), hall.EConflict, "UpdateItem of a stale version")
		if items, err := s.ListItems(ctx, pub("路灯")); err != nil || len(items) != 1 || items[0].ID != "it_brief" {
			t.Errorf("after a refused save, Q 路灯: got %d items (%v), want it_brief alone", len(items), err)
		}

		// A save that carries the item's index document unchanged (as a
		// withdraw does) keeps it searchable.
		e, err := hall.NewStateEntry(hall.EntryWithdraw, it.ID, it.Public.Revision, at(8*time.Hour), "重复")
		mustOK(t, err, "NewStateEntry")
		it.Public.WithdrawnAt = ptr(at(8 * time.Hour))
		mustOK(t, s.SaveWithEntry(ctx, it, e), "SaveWithEntry")
		items, err := s.ListItems(ctx, pub("桥梁"))
		mustOK(t, err, "ListItems")
		if len(items) != 1 || items[0].ID != "it_light" {
			t.Errorf("after a withdraw, Q 桥梁: got %d items, want it_light", len(items))
		}
		wantItem(t, s, it)
	})
}
