package markdown

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func mustRender(tb testing.TB, r *Renderer, src string) string {
	tb.Helper()
	got, err := r.Render(src)
	if err != nil {
		tb.Fatalf("Render(%q): %v", src, err)
	}
	return got
}

func TestRenderStructure(t *testing.T) {
	r := New()
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"Heading", "# 财务公开\n\n## 二级", []string{"<h1>财务公开</h1>", "<h2>二级</h2>"}},
		{"Emphasis", "**加粗** *斜体* ~~删除~~", []string{"<strong>加粗</strong>", "<em>斜体</em>", "<del>删除</del>"}},
		{"Table", "| 项目 | 金额 |\n|:--|--:|\n| 办公费 | 1,200.00 |\n", []string{
			"<table>", "<th align=\"left\">项目</th>", "<th align=\"right\">金额</th>",
			"<td align=\"left\">办公费</td>", "<td align=\"right\">1,200.00</td>",
		}},
		{"UnorderedList", "- 甲\n- 乙", []string{"<ul>", "<li>甲</li>", "<li>乙</li>"}},
		{"OrderedList", "1. 申请\n2. 受理", []string{"<ol>", "<li>申请</li>", "<li>受理</li>"}},
		{"CodeEscaped", "`<b>x</b>`", []string{"<code>&lt;b&gt;x&lt;/b&gt;</code>"}},
		{"RelativeLink", "[详情](/items/3)", []string{`<a href="/items/3" rel="nofollow">详情</a>`}},
		{"ExternalLink", "[政府网](https://www.gov.cn/)", []string{
			`href="https://www.gov.cn/"`, `rel="nofollow noreferrer noopener"`, `target="_blank"`,
		}},
		{"Linkify", "见 https://www.gov.cn/zhengce 网页", []string{`<a href="https://www.gov.cn/zhengce"`, ">https://www.gov.cn/zhengce</a>"}},
		{"ChineseIntact", "乡镇政务服务大厅：办事指南、监督投诉渠道。", []string{"<p>乡镇政务服务大厅：办事指南、监督投诉渠道。</p>"}},
		{"MediaImage", "![公示图](/media/ab12.png)", []string{`<img src="/media/ab12.png" alt="公示图">`}},
		{"HTTPSImage", "![图](https://example.com/a.png)", []string{`<img src="https://example.com/a.png" alt="图">`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustRender(t, r, tt.src)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Render(%q) = %q, want it to contain %q", tt.src, got, w)
				}
			}
		})
	}
}

func TestRenderSanitises(t *testing.T) {
	r := New()
	tests := []struct {
		name    string
		src     string
		forbid  []string
		keepTxt string // text that must survive, if any
	}{
		{"ScriptBlock", "<script>alert(1)</script>\n\n正文", []string{"<script", "alert(1)"}, "正文"},
		{"InlineScript", "前<script>alert(1)</script>后", []string{"<script", "</script"}, "后"},
		{"OnError", `图 <img src="x" onerror="alert(1)"> 尾`, []string{"onerror", "<img", "alert"}, "尾"},
		{"JavascriptLink", "[点我](javascript:alert(1))", []string{"javascript:", "href"}, "点我"},
		{"JavascriptLinkMixedCase", "[点我](JaVaScRiPt:alert(1))", []string{"alert", "href"}, "点我"},
		{"JavascriptHTMLLink", `<a href="javascript:alert(1)">点我</a>`, []string{"javascript:", "href"}, ""},
		{"Iframe", `<iframe src="https://evil.example/"></iframe>`, []string{"<iframe", "evil"}, ""},
		{"Style", `<p style="color:red">红</p>`, []string{"style="}, ""},
		{"StyleInTable", "| a |\n|:-:|\n| b |", []string{"style="}, ""},
		{"HTTPImage", "![外链](http://example.com/a.png)", []string{"<img", "http://example.com"}, "外链"},
		{"DataImage", "![内嵌](data:image/png;base64,AAAA)", []string{"<img", "data:"}, "内嵌"},
		{"RelativeNonMediaImage", "![相对](/admin/x.png)", []string{"<img", "/admin"}, "相对"},
		{"MediaTraversalImage", "![穿越](/media/../admin)", []string{"<img", "/admin"}, "穿越"},
		{"ProtocolRelativeImage", "![无协议](//evil.example/a.png)", []string{"<img", "evil"}, "无协议"},
		{"HTMLComment", "<!-- 注释 -->\n\n文", []string{"<!--", "注释"}, "文"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustRender(t, r, tt.src)
			for _, f := range tt.forbid {
				if strings.Contains(strings.ToLower(got), strings.ToLower(f)) {
					t.Errorf("Render(%q) = %q, must not contain %q", tt.src, got, f)
				}
			}
			if tt.keepTxt != "" && !strings.Contains(got, tt.keepTxt) {
				t.Errorf("Render(%q) = %q, want it to keep %q", tt.src, got, tt.keepTxt)
			}
		})
	}
}

func TestRenderTooLarge(t *testing.T) {
	r := New()
	if _, err := r.Render(strings.Repeat("a", MaxSourceBytes)); err != nil {
		t.Fatalf("Render at the limit: %v, want nil", err)
	}
	_, err := r.Render(strings.Repeat("a", MaxSourceBytes+1))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Render over the limit: err = %v, want ErrTooLarge", err)
	}
}

func TestPlainText(t *testing.T) {
	r := New()
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"Inline", "# 标题\n\n正文**加粗**和[链接](https://example.com)", "标题\n正文加粗和链接"},
		{"Lists", "- 甲\n- 乙", "甲\n乙"},
		{"Table", "| 项目 | 金额 |\n|--|--|\n| 办公费 | 1200 |", "项目 金额\n办公费 1200"},
		{"RawHTMLDropped", "前<b>中</b>后\n\n<div>块</div>", "前中后"},
		{"EntitiesAndEscapes", `a &amp; b \* c`, "a & b * c"},
		{"Code", "`x<y`\n\n```\nline1\nline2\n```", "x<y\nline1\nline2"},
		{"ImageAlt", "![公示图](/media/a.png)", "公示图"},
		{"AutoLink", "<https://www.gov.cn>", "https://www.gov.cn"},
		{"SoftBreak", "第一行\n第二行", "第一行\n第二行"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.PlainText(tt.src); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestPlainTextTruncatesAtRuneBoundary(t *testing.T) {
	r := New()
	src := strings.Repeat("字", MaxSourceBytes) // 3 bytes per rune
	got := r.PlainText(src)
	if len(got) > MaxSourceBytes {
		t.Fatalf("len(PlainText) = %d, want <= %d", len(got), MaxSourceBytes)
	}
	if strings.Trim(got, "字") != "" {
		t.Fatalf("PlainText kept a partial rune")
	}
}

func TestConcurrentUse(t *testing.T) {
	r := New()
	src := "# 标题\n\n| a | b |\n|--|--|\n| 1 | 2 |\n\n<script>x</script>"
	want := mustRender(t, r, src)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				got, err := r.Render(src)
				if err != nil || got != want {
					errs <- got
					return
				}
				_ = r.PlainText(src)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("concurrent Render = %q, want %q", got, want)
	}
}
