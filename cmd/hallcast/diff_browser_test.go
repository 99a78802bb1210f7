package main

import (
	"testing"
	"time"
)

// TestRevisionDiffBrowser: a reviewer sees what an edit changes against the
// published revision before approving it (a title and a finance line), and
// a resident sees what revision 2 changed on the public page.
func TestRevisionDiffBrowser(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	item := map[string]any{"category": "finance", "department": "finance", "title": "2026年11月财务收支公开",
		"summary": "本月收支", "body": "## 说明\n\n本月收支如下。",
		"finance": map[string]any{"currency": "CNY", "unit": "yuan", "lines": []map[string]any{
			{"code": "1", "name": "支出合计", "amount": 300000},
			{"code": "1.1", "name": "办公费", "parent": "1", "amount": 100000},
			{"code": "1.2", "name": "道路维修", "parent": "1", "amount": 200000},
		}}}
	var made struct{ Item struct{ ID string } }
	c.must("POST", "/api/v1/items", item, &made)
	id := made.Item.ID
	c.publish(id)

	var cur struct{ Item struct{ Version int } }
	c.must("GET", "/api/v1/items/"+id, nil, &cur)
	item["version"] = cur.Item.Version
	item["title"] = "2026年11月财务收支公开（更正）"
	item["finance"] = map[string]any{"currency": "CNY", "unit": "yuan", "lines": []map[string]any{
		{"code": "1", "name": "支出合计", "amount": 350000},
		{"code": "1.1", "name": "办公费", "parent": "1", "amount": 150000},
		{"code": "1.2", "name": "道路维修", "parent": "1", "amount": 200000},
	}}
	c.must("PUT", "/api/v1/items/"+id, item, nil)
	c.must("POST", "/api/v1/items/"+id+"/submit", nil, nil)

	p := b.tab(1440, 1000)
	loginConsole(p, c.base, "reviewer", "a-long-reviewer-password")
	p.open(c.base + "/admin#items/" + id)
	p.waitFor(10*time.Second, "the changes before approving", `document.querySelector('#item-changes .diff-finance tr[data-code="1.1"][data-op="changed"]')`)
	if got := p.text(`#item-changes .diff-field[data-field="title"] td.ins`); got != "2026年11月财务收支公开（更正）" {
		t.Errorf("the title change shows %q", got)
	}
	if got := p.text(`#item-changes tr[data-code="1.1"] td.num`); got != "1,000.00 → 1,500.00" {
		t.Errorf("the amount change of line 1.1 reads %q, want 1,000.00 → 1,500.00", got)
	}

	reviewer := *c
	reviewer.token = c.reviewerToken
	reviewer.must("POST", "/api/v1/items/"+id+"/approve", nil, nil)
	c.must("POST", "/api/v1/items/"+id+"/publish", nil, nil)

	phone := b.tab(390, 844)
	phone.open(c.base + "/p/" + id)
	phone.waitState(15*time.Second, "ready")
	phone.click(`button[data-diff="2"]`)
	phone.waitFor(10*time.Second, "revision 2's changes", `document.querySelector('#history .diff tr[data-code="1"][data-op="changed"]')`)
}
