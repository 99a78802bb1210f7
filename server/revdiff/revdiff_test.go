package revdiff

import (
	"reflect"
	"testing"

	"github.com/hallcast/hallcast/server/hall"
)

func ptr[T any](v T) *T { return &v }

func TestCompare(t *testing.T) {
	a := &hall.Revision{Title: "2026年10月财务收支", Summary: "本月收支", Body: "## 说明\n\n本月收入如下。\n\n详见附表。",
		Finance: &hall.Finance{Currency: "CNY", Unit: "yuan", Lines: []hall.FinanceLine{
			{Code: "1", Name: "支出合计", Amount: 300000},
			{Code: "1.1", Name: "办公费", Parent: "1", Amount: 100000},
			{Code: "1.2", Name: "道路维修", Parent: "1", Amount: 200000, Budget: ptr(int64(200000))},
		}}}
	b := &hall.Revision{Title: "2026年10月财务收支（更正）", Summary: "本月收支", Body: "## 说明\n\n本月收入更正如下。\n\n详见附表。",
		Finance: &hall.Finance{Currency: "CNY", Unit: "yuan", Lines: []hall.FinanceLine{
			{Code: "1", Name: "支出合计", Amount: 350000},
			{Code: "1.2", Name: "道路维修", Parent: "1", Amount: 200000, Budget: ptr(int64(200000))},
			{Code: "1.3", Name: "绿化", Parent: "1", Amount: 150000},
		}}}
	d := Compare(a, b)
	if d.Unchanged {
		t.Fatal("two different revisions compare as unchanged")
	}
	if want := []Field{{"title", a.Title, b.Title}}; !reflect.DeepEqual(d.Fields, want) {
		t.Errorf("fields %+v, want %+v", d.Fields, want)
	}
	wantBody := []Line{{"=", "## 说明"}, {"=", ""}, {"-", "本月收入如下。"}, {"+", "本月收入更正如下。"}, {"=", ""}, {"=", "详见附表。"}}
	if !reflect.DeepEqual(d.Body, wantBody) {
		t.Errorf("body %+v\nwant %+v", d.Body, wantBody)
	}
	var ops []string
	for _, f := range d.Finance {
		ops = append(ops, f.Code+" "+f.Op)
	}
	if want := []string{"1 changed", "1.1 removed", "1.3 added"}; !reflect.DeepEqual(ops, want) {
		t.Errorf("finance %q, want %q", ops, want)
	}
	if d.Finance[0].From.Amount != 300000 || d.Finance[0].To.Amount != 350000 {
		t.Errorf("changed line amounts %d → %d", d.Finance[0].From.Amount, d.Finance[0].To.Amount)
	}

	same := Compare(a, a)
	if !same.Unchanged || same.Body != nil || same.Finance != nil || len(same.Fields) != 0 {
		t.Errorf("a revision against itself: %+v", same)
	}
	// A budget added to a line is a change.
	c := *b
	c.Finance = &hall.Finance{Currency: "CNY", Unit: "wan", Lines: append([]hall.FinanceLine(nil), b.Finance.Lines...)}
	c.Finance.Lines[2].Budget = ptr(int64(150000))
	d = Compare(b, &c)
	if len(d.Finance) != 1 || d.Finance[0].Code != "1.3" || d.Finance[0].Op != "changed" {
		t.Errorf("budget added: %+v", d.Finance)
	}
	if len(d.Fields) != 1 || d.Fields[0].Field != "finance.unit" {
		t.Errorf("unit changed: %+v", d.Fields)
	}
}
