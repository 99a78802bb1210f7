package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/search"
)

// TestSearchBackfill opens a database made before the search index (schema
// version 7) that holds a published item, and finds the item by what the
// index adds: the document is made from the stored title and search text
// when the store opens.
func TestSearchBackfill(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hallcast.db")
	all, err := fs.Sub(migrationFiles, "migrations")
	mustOK(t, err)
	old := fstest.MapFS{}
	names, err := fs.Glob(all, "*.sql")
	mustOK(t, err)
	for _, name := range names {
		if name >= "0008" {
			continue
		}
		b, err := fs.ReadFile(all, name)
		mustOK(t, err)
		old[name] = &fstest.MapFile{Data: b}
	}
	s, err := open(ctx, path, old)
	mustOK(t, err)
	at := encTime(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC))
	_, err = s.DB().ExecContext(ctx, `INSERT INTO items (id, category, department, title, status, version, created_at, updated_at,
		pub_revision, pub_archive_index, pub_category, pub_department, pub_title, pub_summary, pub_search_text,
		pub_has_finance, pub_published_at, pub_first_published)
		VALUES ('it_old', 'construction', 'jianshe', '滨河步道改造工程', 'published', 2, ?, ?,
		1, 0, 'construction', 'jianshe', '滨河步道改造工程', '', ?, 0, ?, ?)`,
		at, at, "滨河步道改造工程\n\n工程預算共计3,280元。\n", at, at)
	mustOK(t, err)
	mustOK(t, s.Close())

	s = MustOpen(t, path)
	for _, q := range []string{"步道 改造", "3280", "预算", "budao", "bdgz"} {
		items, err := s.ListItems(ctx, hall.ItemFilter{Public: true, Q: q})
		mustOK(t, err)
		if len(items) != 1 || items[0].ID != "it_old" {
			t.Errorf("Q %q after the back-fill: got %d items, want it_old", q, len(items))
		}
	}
	it, err := s.Item(ctx, "it_old")
	mustOK(t, err)
	d := search.Index("滨河步道改造工程", "\n\n工程預算共计3,280元。\n")
	if it.Public.Index != hall.SearchDoc(d) {
		t.Errorf("back-filled index %+v, want %+v", it.Public.Index, d)
	}
	if it.Version != 2 {
		t.Errorf("back-fill changed the version to %d", it.Version)
	}
}

// TestSearchPlan checks that a public search starts from the full-text
// index and reads the filtered columns of each match from the covering
// index, not from the rows.
func TestSearchPlan(t *testing.T) {
	s := MustOpen(t, filepath.Join(t.TempDir(), "hallcast.db"))
	f := hall.ItemFilter{Public: true, Q: "步道 改造", Category: "construction", LiveAt: time.Now(), Limit: 20}
	query, args, err := listItemsQuery(f)
	mustOK(t, err)
	rows, err := s.rdb.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	mustOK(t, err)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		mustOK(t, rows.Scan(&id, &parent, &unused, &detail))
		plan = append(plan, detail)
	}
	mustOK(t, rows.Err())
	want := []string{"SCAN item_search VIRTUAL TABLE INDEX", "SEARCH items USING COVERING INDEX items_public_search"}
	for _, w := range want {
		if !slices.ContainsFunc(plan, func(p string) bool { return strings.HasPrefix(p, w) }) {
			t.Errorf("query plan lacks %q:\n%s", w, strings.Join(plan, "\n"))
		}
	}
	if slices.ContainsFunc(plan, func(p string) bool { return strings.HasPrefix(p, "SCAN items") }) {
		t.Errorf("query plan scans items:\n%s", strings.Join(plan, "\n"))
	}
}

// searchCorpus returns n published items of made-up but plausible township
// disclosures: a place, a project and a kind in the title, a few sentences
// with amounts in the body.
func searchCorpus(n int) []*hall.Item {
	r := rand.New(rand.NewPCG(1, 2))
	places := []string{"滨河", "东关", "西街", "南山", "北岭", "青石", "柳林", "杏花", "桃园", "新村", "老街", "河湾"}
	projects := []string{"步道改造", "道路硬化", "路灯维修", "桥梁加固", "饮水安全", "危房改造", "污水管网", "绿化提升",
		"文化广场", "卫生室建设", "学校修缮", "农田水利", "低保发放", "临时救助", "医保补贴", "养老服务"}
	kinds := []string{"工程预算公示", "项目进展", "资金使用情况", "验收结果公告", "招标公告", "征求意见", "年度报告", "月度收支"}
	sentences := []string{
		"本项目由镇人民政府组织实施，村民委员会负责日常监督。",
		"資金來源為上級專項補助和鎮級財政配套。",
		"工程于三月开工，预计六月底前完工并组织验收。",
		"如对公示内容有异议，请在公示期内向镇纪委反映。",
		"施工期间请过往群众注意安全，绕行通过。",
		"项目共惠及农户%d户，受益群众%d人。",
		"合计支出%d,%03d元，其中材料费%d元。",
		"本年度一般公共预算收入%d万元。",
	}
	items := make([]*hall.Item, n)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range items {
		title := fmt.Sprintf("%d年%s%s%s", 2020+r.IntN(6), places[r.IntN(len(places))], projects[r.IntN(len(projects))], kinds[r.IntN(len(kinds))])
		var body strings.Builder
		for range 8 + r.IntN(16) {
			s := sentences[r.IntN(len(sentences))]
			switch strings.Count(s, "%") {
			case 1:
				s = fmt.Sprintf(s, r.IntN(5000))
			case 2:
				s = fmt.Sprintf(s, r.IntN(500), r.IntN(2000))
			case 3:
				s = fmt.Sprintf(s, 1+r.IntN(99), r.IntN(1000), r.IntN(99999))
			}
			body.WriteString(s)
		}
		published := base.Add(time.Duration(i) * time.Hour)
		items[i] = &hall.Item{ID: fmt.Sprintf("it_%05d", i), Category: "construction", Department: "jianshe",
			Title: title, Body: body.String(), Status: hall.StatusPublished, CreatedAt: published, UpdatedAt: published,
			Public: &hall.PublicState{Revision: 1, Category: "construction", Department: "jianshe", Title: title,
				SearchText: title + "\n" + body.String(), Index: hall.SearchDoc(search.Index(title, body.String())),
				PublishedAt: published, FirstPublished: published}}
	}
	return items
}

// BenchmarkListItemsSearch lists the 20 best of 5,000 published items for
// queries of each kind, as the kiosk's search box asks for them.
//
//	go test -run '^$' -bench ListItemsSearch -benchtime 2s ./server/sqlite/
func BenchmarkListItemsSearch(b *testing.B) {
	ctx := context.Background()
	s := MustOpen(b, filepath.Join(b.TempDir(), "hallcast.db"))
	corpus := searchCorpus(5000)
	// One transaction for the set-up: CreateItem commits (and syncs) each.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, it := range corpus {
		v, err := itemValues(it, 1)
		if err == nil {
			_, err = tx.ExecContext(ctx, itemInsert, append([]any{it.ID}, v...)...)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"", "步道 改造", "步道改造", "3280", "預算", "budao", "bdgz", "灯", "2025 滨河 公示"} {
		name := q
		if name == "" {
			name = "none"
		}
		b.Run(name, func(b *testing.B) {
			f := hall.ItemFilter{Public: true, Q: q, LiveAt: time.Now(), Limit: 20}
			items, err := s.ListItems(ctx, f)
			if err != nil {
				b.Fatal(err)
			}
			if len(items) == 0 {
				b.Fatalf("Q %q found nothing", q)
			}
			for b.Loop() {
				if _, err := s.ListItems(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
