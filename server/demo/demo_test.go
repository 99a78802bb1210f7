package demo

import (
	"context"
	"crypto/rand"
	"log/slog"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/disclosure"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/markdown"
	"github.com/hallcast/hallcast/server/sqlite"
)

func mustStore(tb testing.TB) *sqlite.Store {
	tb.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "hallcast.db"))
	if err != nil {
		tb.Fatalf("sqlite.Open: %v", err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

func newDesk(tb testing.TB, store *sqlite.Store) *disclosure.Service {
	tb.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, "hallcast.test")
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return &disclosure.Service{
		Store:    store,
		Renderer: markdown.New(),
		Archive:  archive.New(store, signer, ""),
		Now:      time.Now,
		Logger:   slog.New(slog.DiscardHandler),
	}
}

func newAdmin() *hall.User {
	return &hall.User{ID: hall.NewID("us"), Username: "admin", Role: hall.RoleAdmin}
}

// mustSeed seeds a fresh database and returns the store and the result.
func mustSeed(tb testing.TB) (*sqlite.Store, *Result) {
	tb.Helper()
	store := mustStore(tb)
	res, err := Seed(context.Background(), store, newDesk(tb, store), newAdmin())
	if err != nil {
		tb.Fatalf("Seed: %v", err)
	}
	return store, res
}

var allItemKeys = []string{
	ItemBudget, ItemMonthlyFinance, ItemWorksBefore, ItemWorksDuring, ItemWorksAfter,
	ItemPersonnel, ItemAssistance, ItemComplaints, ItemResidencePermit, ItemConscription,
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	store, res := mustSeed(t)

	item := func(t *testing.T, key string) *hall.Item {
		t.Helper()
		id, ok := res.Items[key]
		if !ok {
			t.Fatalf("Result.Items has no %q (have %v)", key, res.ItemOrder)
		}
		it, err := store.Item(ctx, id)
		if err != nil {
			t.Fatalf("Item(%s): %v", id, err)
		}
		return it
	}

	t.Run("Hall", func(t *testing.T) {
		h, err := store.Hall(ctx, res.HallID)
		if err != nil {
			t.Fatalf("Hall(%q): %v", res.HallID, err)
		}
		if h.Name != HallName || h.TZ != "Asia/Shanghai" {
			t.Errorf("hall = %q in %q, want %q in Asia/Shanghai", h.Name, h.TZ, HallName)
		}
		halls, err := store.ListHalls(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(halls) != 1 {
			t.Errorf("got %d halls, want 1", len(halls))
		}
		if h.DefaultPlaylistID != DefaultPlaylist {
			t.Fatalf("hall plays %q by default, want %q", h.DefaultPlaylistID, DefaultPlaylist)
		}
		p, err := store.Playlist(ctx, DefaultPlaylist)
		if err != nil {
			t.Fatal(err)
		}
		cats, err := store.ListCategories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		known := map[string]bool{}
		for _, c := range cats {
			known[c.Key] = true
		}
		for i, e := range p.Entries {
			if !known[e.Category] {
				t.Errorf("default playlist entry %d plays unknown category %q", i, e.Category)
			}
		}
	})

	t.Run("Departments", func(t *testing.T) {
		ds, err := store.ListDepartments(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, d.Key)
			if d.Name.ZH == "" || d.Name.EN == "" {
				t.Errorf("department %q name = %+v, want Chinese and English", d.Key, d.Name)
			}
		}
		want := []string{"armed-forces", "civil-affairs", "construction", "discipline", "finance", "party-office", "service-center"}
		if !slices.Equal(got, want) {
			t.Errorf("departments = %v, want %v", got, want)
		}
		if len(res.Departments) != len(want) {
			t.Errorf("Result.Departments = %v, want %d keys", res.Departments, len(want))
		}
	})

	t.Run("Categories", func(t *testing.T) {
		cs, err := store.ListCategories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 13 {
			t.Fatalf("got %d categories, want 13", len(cs))
		}
		var keys, immediate []string
		for _, c := range cs {
			keys = append(keys, c.Key)
			if c.Immediate {
				immediate = append(immediate, c.Key)
			}
		}
		if !slices.Equal(keys, res.Categories) {
			t.Errorf("catalogue order = %v, want the seed order %v", keys, res.Categories)
		}
		if keys[0] != "finance" || keys[len(keys)-1] != "complaints" {
			t.Errorf("catalogue runs %s … %s, want finance … complaints", keys[0], keys[len(keys)-1])
		}
		if want := []string{"construction", "relief", "conscription"}; !slices.Equal(immediate, want) {
			t.Errorf("immediate categories = %v, want %v", immediate, want)
		}
		cadences := map[string]hall.Cadence{}
		for _, c := range cs {
			cadences[c.Key] = c.Cadence
		}
		for key, want := range map[string]hall.Cadence{
			"finance": hall.CadenceMonthly, "budget": hall.CadenceAnnual, "assistance": hall.CadenceMonthly,
			"party-members": hall.CadenceQuarterly, "personnel": hall.CadenceOnce,
		} {
			if cadences[key] != want {
				t.Errorf("category %s cadence = %q, want %q", key, cadences[key], want)
			}
		}
	})

	t.Run("ResultNamesEveryItem", func(t *testing.T) {
		if !slices.Equal(res.ItemOrder, allItemKeys) {
			t.Errorf("ItemOrder = %v, want %v", res.ItemOrder, allItemKeys)
		}
		if len(res.Items) != len(allItemKeys) {
			t.Errorf("Items has %d entries, want %d", len(res.Items), len(allItemKeys))
		}
	})

	t.Run("EveryItemPublished", func(t *testing.T) {
		indexes := map[int64]string{}
		for _, key := range allItemKeys {
			it := item(t, key)
			if it.Status != hall.StatusPublished {
				t.Errorf("%s status = %q, want published", key, it.Status)
			}
			if it.Public == nil {
				t.Errorf("%s has no published revision", key)
				continue
			}
			if it.Public.Revision != 1 || it.Public.Title != it.Title {
				t.Errorf("%s public = revision %d %q, want revision 1 %q", key, it.Public.Revision, it.Public.Title, it.Title)
			}
			if other, dup := indexes[it.Public.ArchiveIndex]; dup {
				t.Errorf("%s and %s share archive index %d", key, other, it.Public.ArchiveIndex)
			}
			indexes[it.Public.ArchiveIndex] = key
			if n := len([]rune(it.Summary)); n < 20 || n > hall.MaxSummaryRunes {
				t.Errorf("%s summary has %d characters, want a sentence or two", key, n)
			}
		}
		size, err := store.ArchiveSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if size != int64(len(allItemKeys)) {
			t.Errorf("archive size = %d, want one entry per item (%d)", size, len(allItemKeys))
		}
	})

	t.Run("NoPersonalData", func(t *testing.T) {
		for _, key := range allItemKeys {
			if found := disclosure.ScanPrivacy(item(t, key)); len(found) > 0 {
				t.Errorf("%s: privacy guard found %+v", key, found)
			}
		}
	})

	t.Run("MaskedRosterPresent", func(t *testing.T) {
		body := item(t, ItemAssistance).Body
		for _, want := range []string{"张*明", "330106********2318", "330106********052X"} {
			if !strings.Contains(body, want) {
				t.Errorf("assistance body lacks %q", want)
			}
		}
	})

	t.Run("NoUnfilledPlaceholders", func(t *testing.T) {
		placeholder := regexp.MustCompile(`\{[A-Za-z0-9]+\}`)
		for _, key := range allItemKeys {
			it := item(t, key)
			if p := placeholder.FindString(it.Body + it.Summary); p != "" {
				t.Errorf("%s still contains %s", key, p)
			}
		}
	})

	t.Run("BudgetFinance", func(t *testing.T) {
		it := item(t, ItemBudget)
		f := it.Finance
		if f == nil {
			t.Fatal("budget has no finance table")
		}
		if err := f.Validate(); err != nil {
			t.Fatalf("budget finance: %v", err)
		}
		if n := len(f.Lines); n < 12 || n > 20 {
			t.Errorf("budget has %d lines, want 12–20", n)
		}
		if f.Unit != "wan" {
			t.Errorf("budget unit = %q, want wan", f.Unit)
		}
		total := line(f, "total")
		if total.Budget == nil || *total.Budget <= total.Amount {
			t.Errorf("budget total = %d spent of %v, want a budget above the spending so far", total.Amount, total.Budget)
		}
		if !strings.Contains(it.Body, wanText(*total.Budget)+"万元") {
			t.Errorf("budget body does not state the total %s万元", wanText(*total.Budget))
		}
		if it.Cadence != hall.CadenceAnnual || it.Category != "budget" || it.Department != "finance" {
			t.Errorf("budget filed as %s/%s/%s, want budget/finance/annual", it.Category, it.Department, it.Cadence)
		}
	})

	t.Run("FinanceTablesValidate", func(t *testing.T) {
		for _, key := range []string{ItemBudget, ItemMonthlyFinance, ItemWorksBefore, ItemWorksAfter, ItemAssistance} {
			it := item(t, key)
			if it.Finance == nil {
				t.Errorf("%s has no finance table", key)
				continue
			}
			if err := it.Finance.Validate(); err != nil {
				t.Errorf("%s finance: %v", key, err)
			}
		}
	})

	t.Run("MonthlyBalance", func(t *testing.T) {
		f := item(t, ItemMonthlyFinance).Finance
		in, out, bal := line(f, "in").Amount, line(f, "out").Amount, line(f, "balance").Amount
		if bal != in-out {
			t.Errorf("balance = %d, want income %d − spending %d = %d", bal, in, out, in-out)
		}
	})

	t.Run("AssistanceTotalsMatchRoster", func(t *testing.T) {
		f := item(t, ItemAssistance).Finance
		var want int64
		for _, r := range roster() {
			want += yuan(r.amount)
		}
		if got := line(f, "total").Amount; got != want {
			t.Errorf("finance total = %d, want the roster's %d", got, want)
		}
	})

	t.Run("MatterStages", func(t *testing.T) {
		m, err := store.Matter(ctx, res.MatterID)
		if err != nil {
			t.Fatalf("Matter(%q): %v", res.MatterID, err)
		}
		if m.Title != "青石河滨河步道改造工程" {
			t.Errorf("matter title = %q", m.Title)
		}
		its, err := store.ListItems(ctx, hall.ItemFilter{Public: true, MatterID: res.MatterID})
		if err != nil {
			t.Fatal(err)
		}
		stages := map[hall.Stage]int{}
		for _, it := range its {
			stages[it.Public.Stage]++
			if it.Category != "construction" || it.Department != "construction" {
				t.Errorf("stage %s filed as %s/%s, want construction/construction", it.Stage, it.Category, it.Department)
			}
		}
		want := map[hall.Stage]int{hall.StageBefore: 1, hall.StageDuring: 1, hall.StageAfter: 1}
		if len(its) != 3 || stages[hall.StageBefore] != 1 || stages[hall.StageDuring] != 1 || stages[hall.StageAfter] != 1 {
			t.Errorf("matter items by stage = %v (%d items), want %v", stages, len(its), want)
		}
		after := item(t, ItemWorksAfter).Finance
		if total := line(after, "total"); total.Budget == nil || *total.Budget != line(item(t, ItemWorksBefore).Finance, "total").Amount {
			t.Errorf("settlement budget %v does not match the estimate published before", total.Budget)
		}
	})

	t.Run("ConscriptionExpires", func(t *testing.T) {
		p := item(t, ItemConscription).Public
		until := time.Date(2027, 6, 30, 16, 0, 0, 0, time.UTC) // midnight after 30 June, Beijing time
		if p.ValidUntil == nil || !p.ValidUntil.Equal(until) {
			t.Fatalf("valid_until = %v, want %v", p.ValidUntil, until)
		}
		if !p.Live(until.Add(-time.Minute)) || p.Live(until) {
			t.Errorf("Live just before/at valid_until = %v/%v, want true/false", p.Live(until.Add(-time.Minute)), p.Live(until))
		}
		live := func(at time.Time) int {
			its, err := store.ListItems(ctx, hall.ItemFilter{Public: true, LiveAt: at})
			if err != nil {
				t.Fatal(err)
			}
			return len(its)
		}
		if got, want := live(until.Add(-time.Hour)), len(allItemKeys); got != want {
			t.Errorf("live items before expiry = %d, want %d", got, want)
		}
		if got, want := live(until.Add(time.Hour)), len(allItemKeys)-1; got != want {
			t.Errorf("live items after expiry = %d, want %d", got, want)
		}
	})
}

func TestSeedRejects(t *testing.T) {
	store := mustStore(t)
	desk := newDesk(t, store)
	editor := &hall.User{ID: hall.NewID("us"), Username: "editor", Role: hall.RoleEditor, Departments: []string{"finance"}}
	tests := []struct {
		name  string
		store hall.Store
		desk  *disclosure.Service
		admin *hall.User
	}{
		{"NoStore", nil, desk, newAdmin()},
		{"NoService", store, nil, newAdmin()},
		{"NoAdmin", store, desk, nil},
		{"NotAnAdmin", store, desk, editor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Seed(context.Background(), tt.store, tt.desk, tt.admin); err == nil {
				t.Fatal("Seed succeeded, want an error")
			}
			halls, err := store.ListHalls(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(halls) != 0 {
				t.Errorf("a rejected seed created %d halls, want none", len(halls))
			}
		})
	}
}

func TestMoneyText(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"YuanZero", yuanText(0), "0.00"},
		{"YuanFen", yuanText(5), "0.05"},
		{"YuanThousands", yuanText(123_456), "1,234.56"},
		{"YuanMillions", yuanText(382_966_756), "3,829,667.56"},
		{"YuanNegative", yuanText(-14_440_526), "-144,405.26"},
		{"WanExact", wanText(yuan(45_520_000)), "4,552.00"},
		{"WanRoundsHalfUp", wanText(yuan(36_591_350)), "3,659.14"},
		{"WanRoundsDown", wanText(yuan(12_340)), "1.23"},
		{"RateOneDecimal", rateText(36_591_350, 45_520_000), "80.4%"},
		{"RateOverPlan", rateText(655_300, 642_000), "102.1%"},
		{"RateNoPlan", rateText(10, 0), "—"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
