package financefile

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/hallcast/hallcast/server/hall"
)

func parseFile(t *testing.T, path string) *Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Parse(f, path)
	if err != nil {
		t.Fatalf("Parse %s: %v", path, err)
	}
	return res
}

func lineByCode(f *hall.Finance, code string) *hall.FinanceLine {
	for i := range f.Lines {
		if f.Lines[i].Code == code {
			return &f.Lines[i]
		}
	}
	return nil
}

// TestBudgetSample reads the shipped workbook: 万元 from the line above the
// header, hierarchy from the codes 301/30101, budgets and actuals.
func TestBudgetSample(t *testing.T) {
	res := parseFile(t, "../../docs/examples/budget-2026.xlsx")
	if !res.OK() {
		t.Fatalf("problems: %+v", res.Problems)
	}
	f := res.Finance
	if f.Unit != "wan" || len(f.Lines) != 21 {
		t.Fatalf("unit %q, %d lines; want wan, 21", f.Unit, len(f.Lines))
	}
	wage := lineByCode(f, "30101")
	if wage == nil || wage.Parent != "301" || wage.Name != "基本工资" || wage.Amount != 344_000_000 || wage.Budget == nil || *wage.Budget != 412_800_000 {
		t.Errorf("30101: %+v", wage)
	}
	if top := lineByCode(f, "301"); top == nil || top.Parent != "" || top.Amount != 1_068_220_000 {
		t.Errorf("301: %+v", top)
	}
	if res.Rows[0] != 4 {
		t.Errorf("first line from row %d, want 4", res.Rows[0])
	}
}

// TestVillageCSVInGBK reads the shipped CSV as Chinese Excel saves it: GBK,
// a parent column, thousands separators, amounts in 元.
func TestVillageCSVInGBK(t *testing.T) {
	res := parseFile(t, "../../docs/examples/village-finance-2026-10-gbk.csv")
	if !res.OK() {
		t.Fatalf("problems: %+v", res.Problems)
	}
	f := res.Finance
	if f.Unit != "yuan" || len(f.Lines) != 9 {
		t.Fatalf("unit %q, %d lines", f.Unit, len(f.Lines))
	}
	if l := lineByCode(f, "out-05"); l == nil || l.Name != "青石河步道改造（一期）工程款" || l.Parent != "out" || l.Amount != 31_700_000 {
		t.Errorf("out-05: %+v", l)
	}
	if l := lineByCode(f, "out"); l == nil || l.Amount != 103_184_260 || l.Budget != nil {
		t.Errorf("out: %+v", l)
	}
}

func csvResult(t *testing.T, text string) *Result {
	t.Helper()
	res, err := Parse(strings.NewReader(text), "table.csv")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestBrokenFiles(t *testing.T) {
	tests := []struct {
		name    string
		csv     string
		wantRow int
		want    string
		reason  string
	}{
		{"TextAmount", "名称,金额\n办公费,约100万\n", 2, "not a number", "amount"},
		{"MissingParent", "编码,名称,上级,金额\n1,收入,,10\n1-1,补助,9,10\n", 3, "neither a code nor a name", "parent_is_neither_a_code_nor_a_name"},
		{"ParentNotSum", "编码,名称,金额\n301,工资福利,100\n30101,基本工资,60\n30102,津贴,30\n", 2, "add up to", "finance_sum_mismatch"},
		{"TooPrecise", "名称,金额\n办公费,1.234\n", 2, "more decimals than a fen", "amount"},
		{"NoHeader", "a,b\n1,2\n", 0, "no header row", "no_header_row_name_a_column_name_and"},
		{"EmptyName", "名称,金额\n,10\n", 2, "the name is empty", "the_name_is_empty"},
		{"DuplicateCode", "编码,名称,金额\n1,甲,1\n1,乙,2\n", 3, "also on row 2", "code_is_also_on_row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := csvResult(t, tt.csv)
			if res.OK() || len(res.Problems) == 0 {
				t.Fatalf("accepted: %+v", res.Finance)
			}
			p := res.Problems[0]
			if p.Row != tt.wantRow || !strings.Contains(p.Message, tt.want) {
				t.Errorf("problem %+v, want row %d and %q", p, tt.wantRow, tt.want)
			}
			if p.Reason != tt.reason {
				t.Errorf("problem %+v: reason %q, want %q", p, p.Reason, tt.reason)
			}
		})
	}
	t.Run("SumMismatchInTheFileUnit", func(t *testing.T) {
		p := csvResult(t, "编码,名称,金额（万元）\n301,工资福利,100\n30101,基本工资,60\n").Problems[0]
		if p.Unit != "wan" || len(p.Args) != 3 || p.Args[0] != "301" || p.Args[1] != "100000000" || p.Args[2] != "60000000" {
			t.Errorf("problem %+v: want unit wan and args [301 100000000 60000000] (fen)", p)
		}
	})
	t.Run("MergedCell", func(t *testing.T) {
		x := excelize.NewFile()
		x.SetSheetRow("Sheet1", "A1", &[]any{"名称", "金额"})
		x.SetSheetRow("Sheet1", "A2", &[]any{"办公费", 10})
		x.SetSheetRow("Sheet1", "A3", &[]any{"差旅费", 20})
		x.MergeCell("Sheet1", "B2", "B3")
		var buf bytes.Buffer
		if _, err := x.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		res, err := Parse(&buf, "merged.xlsx")
		if err != nil {
			t.Fatal(err)
		}
		if res.OK() || !strings.Contains(res.Problems[0].Message, "B2:B3") {
			t.Errorf("merged cells inside the table: %+v", res.Problems)
		}
	})
	t.Run("NotAWorkbook", func(t *testing.T) {
		if _, err := Parse(strings.NewReader("PK\x03\x04 not really"), "x.xlsx"); hall.ErrorCode(err) != hall.EValidation {
			t.Errorf("a broken workbook: %v", err)
		}
		if _, err := Parse(strings.NewReader("x"), "x.pdf"); hall.ErrorCode(err) != hall.EValidation {
			t.Errorf("a PDF: %v", err)
		}
	})
}

func TestAmounts(t *testing.T) {
	for in, want := range map[string]int64{"1,234.56": 123456, "１２３": 12300, "(1,000)": -100000, "-5.5": -550, "¥8": 800, "-": 0} {
		got, err := money(in, false)
		if err != nil || *got != want {
			t.Errorf("money(%q) = %v, %v; want %d", in, got, err, want)
		}
	}
	if got, err := money("12.345678", true); err != nil || *got != 12345678 { // 123456.78 元
		t.Errorf("万元: %v, %v", got, err)
	}
	for _, bad := range []string{"1e9", "1/2", "abc", "99999999999999999999"} {
		if _, err := money(bad, false); err == nil {
			t.Errorf("money(%q) accepted", bad)
		}
	}
}

// TestRoundTrip: a table written with Write and read with Parse has the
// same lines, in 元 and in 万元.
func TestRoundTrip(t *testing.T) {
	for _, unit := range []string{"yuan", "wan"} {
		budget := int64(1_500_000_00)
		want := &hall.Finance{Currency: "CNY", Unit: unit, Lines: []hall.FinanceLine{
			{Code: "in", Name: "收入合计", Amount: 382966756, Budget: &budget},
			{Code: "in-01", Name: "上级补助", Parent: "in", Amount: 312000000, Budget: &budget},
			{Code: "in-02", Name: "其他收入", Parent: "in", Amount: 70966756},
			{Code: "x", Name: "负数调整", Amount: -12345},
		}}
		want.Lines[0].Budget = &budget
		var buf bytes.Buffer
		if err := Write(&buf, "测试表", want); err != nil {
			t.Fatal(err)
		}
		res, err := Parse(&buf, "round.xlsx")
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK() {
			t.Fatalf("%s: problems %+v", unit, res.Problems)
		}
		// in-02 has no budget of its own: the parent's budget covers only
		// in-01, which the table allows only when the children give none or
		// all — here the parent and in-01 carry the same figure.
		if !reflect.DeepEqual(res.Finance, want) {
			t.Errorf("%s round trip:\n got %+v\nwant %+v", unit, res.Finance, want)
		}
	}
}
