package main

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/poll"
)

// TestKioskPinyinFeedback types 你好 on the kiosk's keyboard by pinyin
// ("nihao", then the candidate), checks that backspace edits the pinyin
// first and that the 中/英 key switches to Latin letters, sends the
// feedback and expects the server to store 你好.
func TestKioskPinyinFeedback(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	_, token := newScreen(c, "服务台触摸屏", "kiosk", "lobby")
	shots := screenshotDir(t)
	p := b.tab(1080, 1920)
	p.open(c.base + "/kiosk?idle=300&token=" + url.QueryEscape(token))
	p.waitState(20*time.Second, "attract")
	p.waitFor(10*time.Second, "the websocket", `document.body.dataset.connection === 'open'`)
	p.click("#attract")
	p.waitState(10*time.Second, "home")
	p.click(`[data-nav="feedback"]`)
	p.waitState(10*time.Second, "feedback")
	p.click(`[data-topic="other"]`)

	value := func() string { return eval[string](p, `document.getElementById('feedback-text').dataset.value || ''`) }
	for _, k := range "nihaoo" {
		p.click(fmt.Sprintf(`[data-key=%s]`, jsString(string(k))))
	}
	p.waitFor(5*time.Second, "the pinyin nihaoo", `document.querySelector('.kb-compose')?.dataset.pinyin === 'nihaoo'`)
	p.click(`[data-key="Backspace"]`)
	p.waitFor(5*time.Second, "backspace takes a letter off the pinyin", `document.querySelector('.kb-compose')?.dataset.pinyin === 'nihao'`)
	if got := value(); got != "" {
		t.Fatalf("the text is %q while pinyin is typed, want it empty", got)
	}
	p.waitFor(10*time.Second, "你好 among the candidates, first", `document.querySelector('[data-candidate]')?.dataset.candidate === '你好'`)
	sizes := eval[[]float64](p, `[...document.querySelectorAll('.kb-cands button')].flatMap((b) => { const r = b.getBoundingClientRect(); return [r.width, r.height]; })`)
	for _, s := range sizes {
		if s < 44 {
			t.Errorf("a candidate button is %.0f px, want at least 44 px (%v)", s, sizes)
			break
		}
	}
	if n := eval[int](p, `Number(document.querySelector('.kb-cands').dataset.pages)`); n < 2 {
		t.Errorf("nihao has %d page of candidates, want several (characters after the words)", n)
	}
	p.click(`[data-key="CandNext"]`)
	p.waitFor(5*time.Second, "the second page", `document.querySelector('.kb-cands').dataset.page === '2'`)
	p.click(`[data-key="CandPrev"]`)
	p.waitFor(5*time.Second, "the first page again", `document.querySelector('.kb-cands').dataset.page === '1'`)
	t.Logf("screenshot: %s", p.screenshot(shots, "ime-1-candidates.png"))
	p.click(`[data-candidate="你好"]`)
	if got := value(); got != "你好" {
		t.Fatalf("after picking 你好 the text is %q", got)
	}
	if n := eval[int](p, `document.querySelectorAll('.kb-compose').length`); n != 0 {
		t.Errorf("the pinyin buffer is still shown after it was used up")
	}

	// Latin letters: 英, a letter, back to 中; backspace then edits the text.
	p.click(`[data-key="IME"]`)
	p.waitFor(5*time.Second, "Latin letters", `document.querySelector('[data-key="IME"]').dataset.mode === 'en'`)
	p.click(`[data-key="a"]`)
	if got := value(); got != "你好a" {
		t.Errorf("a Latin letter gives %q, want 你好a", got)
	}
	p.click(`[data-key="IME"]`)
	p.click(`[data-key="Backspace"]`)
	if got := value(); got != "你好" {
		t.Fatalf("backspace with no pinyin gives %q, want 你好", got)
	}

	p.click("#feedback-submit")
	p.waitFor(5*time.Second, "the receipt", `document.getElementById('receipt')`)
	receipt := p.text("#receipt")
	p.waitFor(15*time.Second, "an empty outbox", `document.body.dataset.outbox === '0'`)
	var fb struct {
		Feedback []struct{ Text, Receipt string }
	}
	poll.Until(t, 10*time.Second, "the feedback stored", func() (bool, string) {
		c.must("GET", "/api/v1/feedback", nil, &fb)
		return len(fb.Feedback) == 1, fmt.Sprintf("%+v", fb.Feedback)
	})
	if f := fb.Feedback[0]; f.Text != "你好" || f.Receipt != receipt {
		t.Errorf("stored %+v, want text 你好 with receipt %s", f, receipt)
	}
}

// TestPhoneRatesAndSendsFeedback opens an item's public page at phone size,
// rates the item, sends a message and sees its receipt; the server stores
// both, and the rating buttons stay pressed.
func TestPhoneRatesAndSendsFeedback(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	items := publicItems(c, "budget")
	if len(items) == 0 {
		t.Fatal("the demo content has no published budget")
	}
	it := items[0]
	p := b.tab(390, 844)
	p.open(c.base + "/p/" + url.PathEscape(it.ID))
	p.waitState(20*time.Second, "ready")
	p.waitFor(10*time.Second, "the rating and feedback", `document.querySelector('#respond #rate-phone [data-level="5"]') && document.getElementById('fb-text')`)
	small := eval[[]string](p, `[...document.querySelectorAll('#respond button, #respond textarea, #respond input')].filter((e) => { const r = e.getBoundingClientRect(); return r.height < 44 || r.width < 44; }).map((e) => e.outerHTML.slice(0, 80))`)
	if len(small) > 0 {
		t.Errorf("targets under 44 px: %v", small)
	}
	if w := eval[float64](p, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %.0f px wide on a 390 px phone", w)
	}

	p.click(`#rate-phone [data-level="4"]`)
	p.waitFor(10*time.Second, "the rating stored", `document.querySelector('#rate-phone[data-rated="4"] [data-level="4"][aria-pressed="true"]')`)

	p.click(`#respond [data-topic="content"]`)
	p.typeInto("#fb-text", "希望把明细写得更清楚")
	p.typeInto("#fb-contact", "13800001111")
	p.click("#fb-submit")
	p.waitFor(10*time.Second, "the receipt", `document.getElementById('fb-receipt')`)
	receipt := p.text("#fb-receipt")
	t.Logf("screenshot: %s", p.screenshot(screenshotDir(t), "phone-receipt.png"))

	var fb struct {
		Feedback []struct{ Text, Receipt, Topic, ItemID string }
	}
	c.must("GET", "/api/v1/feedback", nil, &fb)
	if len(fb.Feedback) != 1 || fb.Feedback[0].Text != "希望把明细写得更清楚" || fb.Feedback[0].Receipt != receipt || fb.Feedback[0].Topic != "content" {
		t.Errorf("feedback stored %+v, want the message with receipt %s", fb.Feedback, receipt)
	}
	row := engagement(c, "item")[it.ID]
	if row.Ratings != 1 || row.Levels != [5]int{0, 0, 0, 1, 0} {
		t.Errorf("item ratings %d levels %v, want one rating at level 4", row.Ratings, row.Levels)
	}
}
