package storetest

import (
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
)

func testCatalog(t *testing.T, s hall.Store) {
	ctx := t.Context()

	t.Run("Departments", func(t *testing.T) {
		_, err := s.Department(ctx, "caizheng")
		wantCode(t, err, hall.ENotFound, "Department of a missing key")

		cz := &hall.Department{Key: "caizheng", Name: hall.Text{ZH: "财政所", EN: "Finance Office"}}
		mz := &hall.Department{Key: "minzheng", Name: hall.Text{ZH: "民政办"}}
		ag := &hall.Department{Key: "agri", Name: hall.Text{ZH: "农业服务中心"}}
		for _, d := range []*hall.Department{cz, mz, ag} {
			mustOK(t, s.PutDepartment(ctx, d), "PutDepartment "+d.Key)
		}
		got, err := s.Department(ctx, "caizheng")
		mustOK(t, err, "Department")
		same(t, "Department", got, cz)

		renamed := &hall.Department{Key: "minzheng", Name: hall.Text{ZH: "社会事务办", EN: "Social Affairs"}}
		mustOK(t, s.PutDepartment(ctx, renamed), "PutDepartment of an existing key")
		got, err = s.Department(ctx, "minzheng")
		mustOK(t, err, "Department")
		same(t, "updated Department", got, renamed)

		list, err := s.ListDepartments(ctx)
		mustOK(t, err, "ListDepartments")
		same(t, "ListDepartments (by key)", list, []*hall.Department{ag, cz, renamed})
	})

	t.Run("Halls", func(t *testing.T) {
		_, err := s.Hall(ctx, "hl_missing")
		wantCode(t, err, hall.ENotFound, "Hall of a missing id")

		east := &hall.Hall{Name: "东城街道便民服务中心", TZ: "Asia/Shanghai", CreatedAt: at(time.Hour).In(cst)}
		mustOK(t, s.CreateHall(ctx, east), "CreateHall")
		wantPrefix(t, "CreateHall", east.ID, "hl_")
		east.CreatedAt = at(time.Hour)
		east.Kind = hall.HallTown // a hall saved without a kind is a town's
		west := &hall.Hall{ID: "hl_west", Name: "西镇政务服务大厅", TZ: "Asia/Urumqi", Kind: hall.HallTown, DefaultPlaylistID: "pl_1", CreatedAt: t0}
		mustOK(t, s.CreateHall(ctx, west), "CreateHall with an id")
		village := &hall.Hall{ID: "hl_village", Name: "西镇红旗村村务公开栏", TZ: "Asia/Urumqi", Kind: hall.HallVillage, Parent: "hl_west", CreatedAt: at(2 * time.Hour)}
		mustOK(t, s.CreateHall(ctx, village), "CreateHall of a village")
		got, err := s.Hall(ctx, village.ID)
		mustOK(t, err, "Hall of a village")
		same(t, "Hall of a village", got, village)

		got, err = s.Hall(ctx, east.ID)
		mustOK(t, err, "Hall")
		same(t, "Hall", got, east)
		wantUTC(t, "CreatedAt", got.CreatedAt)

		wantCode(t, s.CreateHall(ctx, &hall.Hall{ID: "hl_west", Name: "x", TZ: "Asia/Shanghai", CreatedAt: t0}),
			hall.EConflict, "CreateHall with a taken id")

		east.Name = "东城街道政务服务中心"
		east.DefaultPlaylistID = "pl_main"
		east.Kind, east.Parent = hall.HallCommunity, "hl_west"
		mustOK(t, s.UpdateHall(ctx, east), "UpdateHall")
		got, err = s.Hall(ctx, east.ID)
		mustOK(t, err, "Hall")
		same(t, "updated Hall", got, east)
		wantCode(t, s.UpdateHall(ctx, &hall.Hall{ID: "hl_missing", Name: "x", TZ: "Asia/Shanghai"}),
			hall.ENotFound, "UpdateHall of a missing id")

		list, err := s.ListHalls(ctx)
		mustOK(t, err, "ListHalls")
		same(t, "ListHalls (oldest first)", list, []*hall.Hall{west, east, village})
	})

	t.Run("Categories", func(t *testing.T) {
		_, err := s.Category(ctx, "finance")
		wantCode(t, err, hall.ENotFound, "Category of a missing key")

		finance := &hall.Category{Key: "finance", Name: hall.Text{ZH: "财务公开", EN: "Finances"}, Cadence: hall.CadenceMonthly, Sort: 1,
			Group: hall.GroupFinance, Departments: []string{"caizheng", "jingguan"}}
		build := &hall.Category{Key: "construction", Name: hall.Text{ZH: "城镇建设"}, Cadence: hall.CadenceOnce, Immediate: true, Sort: 2}
		relief := &hall.Category{Key: "relief", Name: hall.Text{ZH: "救灾救济"}, Cadence: hall.CadenceOnce, Immediate: true, Sort: 2}
		policy := &hall.Category{Key: "policy", Name: hall.Text{ZH: "政策法规"}, Cadence: hall.CadenceAnnual, Sort: 0}
		for _, c := range []*hall.Category{finance, build, relief, policy} {
			mustOK(t, s.PutCategory(ctx, c), "PutCategory "+c.Key)
		}
		got, err := s.Category(ctx, "construction")
		mustOK(t, err, "Category")
		same(t, "Category", got, build)

		finance.Sort = 3
		finance.Cadence = hall.CadenceQuarterly
		finance.Name.EN = "Village finances"
		mustOK(t, s.PutCategory(ctx, finance), "PutCategory of an existing key")
		got, err = s.Category(ctx, "finance")
		mustOK(t, err, "Category")
		same(t, "updated Category", got, finance)

		list, err := s.ListCategories(ctx)
		mustOK(t, err, "ListCategories")
		same(t, "ListCategories (by sort, then key)", list, []*hall.Category{policy, build, relief, finance})
	})

	t.Run("Matters", func(t *testing.T) {
		_, err := s.Matter(ctx, "mt_missing")
		wantCode(t, err, hall.ENotFound, "Matter of a missing id")

		road := &hall.Matter{Title: "村道硬化工程", CreatedAt: t0.In(cst)}
		mustOK(t, s.CreateMatter(ctx, road), "CreateMatter")
		wantPrefix(t, "CreateMatter", road.ID, "mt_")
		road.CreatedAt = t0
		school := &hall.Matter{ID: "mt_school", Title: "小学校舍改造", CreatedAt: at(time.Hour)}
		mustOK(t, s.CreateMatter(ctx, school), "CreateMatter with an id")
		wantCode(t, s.CreateMatter(ctx, &hall.Matter{ID: "mt_school", Title: "x", CreatedAt: t0}),
			hall.EConflict, "CreateMatter with a taken id")

		got, err := s.Matter(ctx, road.ID)
		mustOK(t, err, "Matter")
		same(t, "Matter", got, road)

		list, err := s.ListMatters(ctx)
		mustOK(t, err, "ListMatters")
		same(t, "ListMatters (newest first)", list, []*hall.Matter{school, road})
	})
}
