package search

import (
	"slices"
	"strings"
	"testing"
)

func TestIndexTitle(t *testing.T) {
	d := Index("步道改造")
	want := "步道 道改 改造 步 道 改 造 budaogaizao daogaizao gaizao zao bdgz dgz gz z"
	if d.Title != want {
		t.Errorf("Index(步道改造).Title:\n got %q\nwant %q", d.Title, want)
	}
	if d.Text != "" {
		t.Errorf("Index with no text: Text %q, want empty", d.Text)
	}
}

func TestTerms(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"滨河步道", "滨河 河步 步道 滨 河 步 道"},
		{"预算：3,280元", "预算 预 算 3280 元"},
		{"全角３２８０元", "全角 全 角 3280 元"},
		{"合计3,280.50元", "合计 合 计 3280 50 元"},
		{"1,234,567", "1234567"},
		{"12,34", "12 34"},
		{"1234,567", "1234 567"},
		{"第1,2,3条", "第 1 2 3 条"},
		{"第１，２８０户", "第 1280 户"},
		{"G318国道 Road-Works", "g 318 国道 国 道 road works"},
		{"ＲＯＡＤ Straße", "road strasse"},
		{"財政收支公開", "财政 政收 收支 支公 公开 财 政 收 支 公 开"},
		{"頭髮", "头发 头 发"},
		{"100% 完成!", "100 完成 完 成"},
		{"", ""},
	} {
		if got := strings.Join(terms(normalize(tc.in)), " "); got != tc.want {
			t.Errorf("terms(%q):\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestPinyinTerms(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2025年预算", "nianyusuan yusuan suan nys ys s"},
		{"預算", "yusuan suan ys s"}, // traditional: the simplified reading
		{"绿化", "lvhua hua lh h"},
		{"Road 路", "lu l"},
		{"", ""},
	} {
		if got := strings.Join(pinyinTerms(tc.in), " "); got != tc.want {
			t.Errorf("pinyinTerms(%q):\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	long := strings.Repeat("公开", 30)
	for _, term := range pinyinTerms(long) {
		if len(term) > maxPinyinSyllables*len("gong") {
			t.Errorf("pinyin term of a long title has %d letters: %q", len(term), term)
		}
	}
}

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"步道 改造", `"步道" AND "改造"`},
		{"步道改造", `"步道 道改 改造"`},
		{"  步  ", `"步"`},
		{"3280", `"3280"`},
		{"３，２８０", `"3280"`},
		{"3280元", `"3280" AND "元"`},
		{"BuDao bd", `"budao"* AND "bd"*`},
		{"預算", `"预算"`},
		{"预算 預算", `"预算"`}, // the same word twice
		{"步道\u3000改造", `"步道" AND "改造"`},
		{"%", ""},
		{"", ""},
	} {
		q, err := ParseQuery(tc.in)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", tc.in, err)
			continue
		}
		if got := q.FTS5(); got != tc.want {
			t.Errorf("ParseQuery(%q).FTS5():\n got %s\nwant %s", tc.in, got, tc.want)
		}
		if q.Empty() != (tc.want == "") {
			t.Errorf("ParseQuery(%q).Empty() = %v", tc.in, q.Empty())
		}
	}
}

func TestParseQueryLimits(t *testing.T) {
	ok := []string{strings.Repeat("步", MaxQueryRunes), strings.TrimSpace(strings.Repeat("a ", MaxWords))}
	for _, q := range ok {
		if _, err := ParseQuery(q); err != nil {
			t.Errorf("ParseQuery(%q): %v", q, err)
		}
	}
	bad := map[string]string{
		strings.Repeat("步", MaxQueryRunes+1):                "at most 100 characters",
		strings.TrimSpace(strings.Repeat("a ", MaxWords+1)): "at most 10 words",
	}
	for q, want := range bad {
		if _, err := ParseQuery(q); err == nil || err.Error() != want {
			t.Errorf("ParseQuery(%q): error %v, want %q", q, err, want)
		}
	}
}

// A revision the way the disclosure service indexes one.
var road = Index("滨河步道改造工程（二期）",
	"征求居民意见",
	"工程预算共计3,280元，其中铺装费用3280.50元。Road works 由县交通局负责。",
	"預算總額 上级补助")

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"步道 改造", true},
		{"改造 步道", true},
		{"步道改造", true},
		{"河步道", true},
		{"步", true},
		{"步道", true},
		{"二期", true},
		{"步道 桥梁", false},
		{"桥", false},
		{"道步", false},
		{"工程二期", false}, // 程 and 二 are not next to each other: （ stands between
		{"3280", true},
		{"3,280", true},
		{"３２８０", true},
		{"3280.50", true},
		{"328", false},
		{"50元", true}, // 50 and 元, each a word of its own
		{"51元", false},
		{"预算", true},
		{"預算", true},
		{"预算总额", true},
		{"budao", true},
		{"BUDAO", true},
		{"gaizao", true},
		{"binhebudao", true},
		{"bd", true},
		{"bdgz", true},
		{"bhbdgzgc", true},
		{"erqi", true},
		{"daobu", false},
		{"road", true},
		{"ROAD WORKS", true},
		{"roadworks", false},
		{"交通局 road 3280", true},
		{"交通局 road 3281", false},
		{"%", false},
	} {
		q, err := ParseQuery(tc.q)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", tc.q, err)
		}
		if _, got := q.Score(road); got != tc.want {
			t.Errorf("%q matches %v, want %v (query %s)", tc.q, got, tc.want, q.FTS5())
		}
	}
}

func TestMatchKeepsRunsApart(t *testing.T) {
	d := Index("步道，改造")
	for q, want := range map[string]bool{"步道 改造": true, "步道改造": false, "道改": false} {
		pq, _ := ParseQuery(q)
		if _, got := pq.Score(d); got != want {
			t.Errorf("%q in %q: %v, want %v", q, "步道，改造", got, want)
		}
	}
}

func TestScoreTitleFirst(t *testing.T) {
	inTitle := Index("村道路灯维修", "本月完成。")
	inBody := Index("三月工作简报", strings.Repeat("村道路灯已修好。", 20))
	q, _ := ParseQuery("路灯")
	st, ok1 := q.Score(inTitle)
	sb, ok2 := q.Score(inBody)
	if !ok1 || !ok2 {
		t.Fatalf("路灯 should match both: %v %v", ok1, ok2)
	}
	if st <= sb {
		t.Errorf("title match scores %.2f, body-only match (20 times) %.2f: want the title first", st, sb)
	}
}

func TestDocTerms(t *testing.T) {
	got := Index("预算", "预算 3280").Terms()
	want := []string{"预算", "预", "算", "yusuan", "suan", "ys", "s", "3280"}
	if !slices.Equal(got, want) {
		t.Errorf("Terms: got %q, want %q", got, want)
	}
}

// Every term is a run of letters and digits, so a tokenizer that splits on
// spaces sees exactly the terms.
func TestTermsHaveNoSpaces(t *testing.T) {
	for _, term := range road.Terms() {
		if term == "" || strings.ContainsFunc(term, func(r rune) bool { return r == ' ' || r == '"' || r == '*' }) {
			t.Errorf("bad term %q", term)
		}
	}
}

func BenchmarkIndex(b *testing.B) {
	body := strings.Repeat("本月一般公共預算收入3,280万元，与支出明细详见附表。Road works 已完工。", 100)
	for b.Loop() {
		Index("2025年第一季度滨河步道改造工程财政收支公开", "乡村振兴专项资金使用情况", body)
	}
}

func BenchmarkParseQuery(b *testing.B) {
	for b.Loop() {
		if _, err := ParseQuery("步道 改造 3,280 budao 預算"); err != nil {
			b.Fatal(err)
		}
	}
}
