package hall

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzItemJSON decodes any JSON as an item and as a finance table and
// validates them (docs/RELIABILITY.md):
//
//	go test ./server/hall -run '^$' -fuzz FuzzItemJSON -fuzztime 60s
//
// Nothing panics; a refusal is a validation error naming its field; what
// passes holds every rule, checked here independently.
func FuzzItemJSON(f *testing.F) {
	for _, s := range []string{
		`{"category":"budget","department":"finance","title":"2026年度部门预算","summary":"总额与明细","body":"# 预算\n\n见下表",
		  "cadence":"annual","valid_from":"2026-01-01T00:00:00+08:00","valid_until":"2027-01-01T00:00:00+08:00",
		  "finance":{"currency":"CNY","unit":"wan","lines":[{"code":"1","name":"一般公共预算","amount":300,"budget":310},
		  {"code":"1.1","name":"工资福利","parent":"1","amount":200,"budget":200},{"code":"1.2","name":"公用经费","parent":"1","amount":100,"budget":110}]}}`,
		`{"category":"construction","department":"town","title":"道路改造","stage":"before","matter_id":"mt_1","assets":[{"url":"/media/ab","type":"image"}]}`,
		`{"finance":{"lines":[{"code":"a","name":"x","parent":"b","amount":1},{"code":"b","name":"y","parent":"a","amount":1}]}}`,
		`{"finance":{"lines":[{"code":"a","name":"x","parent":"z","amount":1}]}}`,
		`{"title":"  ","category":"x"}`, `{"lines":[{"code":"1","name":"合计","amount":1000000000000000}]}`, `null`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var it Item
		if json.Unmarshal(data, &it) == nil {
			err := it.Validate()
			checkRefusal(t, err)
			if err == nil {
				checkItem(t, &it)
			}
		}
		var fin Finance
		if json.Unmarshal(data, &fin) == nil {
			err := fin.Validate()
			checkRefusal(t, err)
			if err == nil {
				checkFinance(t, &fin)
			} else if strings.Contains(err.Error(), "loops back") && !hasCycle(fin.Lines) {
				t.Fatalf("refused for a loop that is not there: %v", err)
			}
		}
	})
}

// hasCycle reports whether some line is its own ancestor, following only
// parents that exist.
func hasCycle(lines []FinanceLine) bool {
	parent := map[string]string{}
	for _, l := range lines {
		if _, dup := parent[l.Code]; !dup {
			parent[l.Code] = l.Parent
		}
	}
	for _, l := range lines {
		seen := map[string]bool{}
		for c := l.Code; c != ""; c = parent[c] {
			if seen[c] {
				return true
			}
			seen[c] = true
			if _, ok := parent[c]; !ok {
				break
			}
		}
	}
	return false
}

func checkRefusal(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var he *Error
	if !errors.As(err, &he) || he.Code != EValidation || he.Field == "" || he.Message == "" {
		t.Fatalf("refusal %#v: want a validation error naming its field", err)
	}
}

func checkItem(t *testing.T, it *Item) {
	t.Helper()
	if it.Title == "" || it.Title != strings.TrimSpace(it.Title) || utf8.RuneCountInString(it.Title) > MaxTitleRunes {
		t.Fatalf("title %q accepted", it.Title)
	}
	if !ValidKey(it.Category) || !ValidKey(it.Department) || len(it.Body) > MaxBodyBytes {
		t.Fatalf("item accepted: category %q department %q body %d bytes", it.Category, it.Department, len(it.Body))
	}
	if it.Stage != "" && it.MatterID == "" {
		t.Fatal("a stage without a matter accepted")
	}
	if it.ValidFrom != nil && it.ValidUntil != nil && !it.ValidUntil.After(*it.ValidFrom) {
		t.Fatal("valid_until not after valid_from accepted")
	}
	for _, a := range it.Assets {
		if !strings.HasPrefix(a.URL, "/media/") {
			t.Fatalf("asset %q accepted", a.URL)
		}
	}
	if it.Finance != nil {
		checkFinance(t, it.Finance)
	}
}

// checkFinance checks an accepted table: codes unique, parents known, no
// line its own ancestor, every parent the sum of its children.
func checkFinance(t *testing.T, f *Finance) {
	t.Helper()
	if f.Currency != "CNY" || (f.Unit != "yuan" && f.Unit != "wan") || len(f.Lines) == 0 || len(f.Lines) > MaxFinanceLines {
		t.Fatalf("table accepted: currency %q unit %q, %d lines", f.Currency, f.Unit, len(f.Lines))
	}
	byCode := map[string]FinanceLine{}
	for _, l := range f.Lines {
		if _, dup := byCode[l.Code]; dup || l.Code == "" {
			t.Fatalf("code %q accepted twice or empty", l.Code)
		}
		byCode[l.Code] = l
	}
	sums, budgets, children := map[string]int64{}, map[string]int64{}, map[string]int{}
	budgeted := map[string]bool{}
	for _, l := range f.Lines {
		if l.Amount < -MaxAmount || l.Amount > MaxAmount {
			t.Fatalf("amount %d accepted", l.Amount)
		}
		seen := map[string]bool{l.Code: true}
		for up := l.Parent; up != ""; up = byCode[up].Parent {
			if _, ok := byCode[up]; !ok {
				t.Fatalf("line %q: parent %q unknown but accepted", l.Code, up)
			}
			if seen[up] {
				t.Fatalf("line %q: parent chain loops at %q but accepted", l.Code, up)
			}
			seen[up] = true
		}
		if l.Parent != "" {
			sums[l.Parent] += l.Amount
			children[l.Parent]++
			if l.Budget != nil {
				budgets[l.Parent] += *l.Budget
				budgeted[l.Parent] = true
			}
		}
	}
	for code, n := range children {
		p := byCode[code]
		if n > 0 && p.Amount != sums[code] {
			t.Fatalf("line %q is %d, its children add up to %d, accepted", code, p.Amount, sums[code])
		}
		if p.Budget != nil && budgeted[code] && *p.Budget != budgets[code] {
			t.Fatalf("line %q budget %d, its children's add up to %d, accepted", code, *p.Budget, budgets[code])
		}
	}
}
