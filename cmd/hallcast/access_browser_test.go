package main

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

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

// fakeVoices replaces the browser's voices with one Chinese voice and
// records what is spoken (window.spoken) and each cancel
// (window.cancelled), before any script of the page runs.
const fakeVoices = `(() => {
  const voice = { lang: 'zh-CN', name: 'Test 中文', voiceURI: 'test-zh', default: true, localService: true };
  window.spoken = [];
  window.cancelled = 0;
  speechSynthesis.getVoices = () => [voice];
  speechSynthesis.speak = (u) => window.spoken.push(u.text);
  speechSynthesis.cancel = () => { window.cancelled++; };
})()`

// startKiosk opens a paired kiosk's home page in a portrait tab.
func startAccessKiosk(t *testing.T, b *browser, base, token string, setup ...string) *tab {
	t.Helper()
	p := b.tab(1080, 1920)
	for _, script := range setup {
		if _, err := chromedp.Call(p.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script}); err != nil {
			t.Fatal(err)
		}
	}
	p.open(base + "/kiosk?idle=300&token=" + url.QueryEscape(token))
	p.waitState(20*time.Second, "attract")
	p.click("#attract")
	p.waitState(10*time.Second, "home")
	return p
}

// TestKioskLargeTextAndReadAloud: the top bar's 大字 enlarges the item's
// text at least 1.5× and the page still fits its width, from the home page
// and from an item; 朗读 is hidden without a Chinese voice, and with one
// it reads the item and stops when the item is left.
func TestKioskLargeTextAndReadAloud(t *testing.T) {
	b := newBrowser(t)
	c, _ := startHall(t)
	_, token := newScreen(c, "服务台触摸屏", "kiosk", "lobby")
	items := publicItems(c, "budget")
	if len(items) == 0 {
		t.Fatal("the demo content has no published budget")
	}
	it := items[0]
	shots := screenshotDir(t)
	openItem := func(p *tab) {
		p.click(`[data-nav="search"]`)
		p.waitState(10*time.Second, "search")
		p.click(`[data-nav="home"]`)
		p.waitState(10*time.Second, "home")
		p.click(`[data-category="budget"]`)
		p.waitState(10*time.Second, "category")
		sel := fmt.Sprintf(`[data-item=%s]`, jsString(it.ID))
		p.waitFor(10*time.Second, "the budget in the list", fmt.Sprintf(`document.querySelector(%s)`, jsString(sel)))
		p.click(sel)
		p.waitState(10*time.Second, "item")
		p.waitFor(10*time.Second, "the item's title", `document.querySelector('#view .item-title')`)
	}
	size := func(p *tab, sel string) float64 {
		return eval[float64](p, fmt.Sprintf(`parseFloat(getComputedStyle(document.querySelector(%s)).fontSize)`, jsString(sel)))
	}
	fits := func(p *tab) bool {
		return eval[bool](p, `(() => { const v = document.getElementById('view'); return v.scrollWidth <= v.clientWidth + 1 && document.documentElement.scrollWidth <= innerWidth; })()`)
	}

	t.Run("LargeText", func(t *testing.T) {
		p := startAccessKiosk(t, b, c.base, token)
		// From the home page.
		homeTitle := size(p, ".view-title, .sec-title")
		p.click("#bigtext")
		if !eval[bool](p, `document.documentElement.classList.contains('big') && document.getElementById('bigtext').getAttribute('aria-pressed') === 'true'`) {
			t.Fatal("大字 on the home page did not turn large text on")
		}
		if got := size(p, ".view-title, .sec-title"); got < 1.5*homeTitle-0.05 {
			t.Errorf("home heading %.1f px with large text, %.1f px without: want at least 1.5×", got, homeTitle)
		}
		p.click("#bigtext")
		// From an item page.
		openItem(p)
		title, body := size(p, "#view .item-title"), size(p, "#view .item-view .summary, #view .item-view .body")
		p.click("#bigtext")
		bigTitle, bigBody := size(p, "#view .item-title"), size(p, "#view .item-view .summary, #view .item-view .body")
		if bigTitle < 1.5*title-0.05 || bigBody < 1.5*body-0.05 {
			t.Errorf("item title %.1f → %.1f px, text %.1f → %.1f px: want at least 1.5×", title, bigTitle, body, bigBody)
		}
		if !fits(p) {
			t.Error("with large text the item is wider than the screen: it does not reflow")
		}
		t.Logf("screenshot: %s", p.screenshot(shots, "kiosk-bigtext-item.png"))
		// The bars stay usable: every top-bar button is on screen.
		off := eval[[]string](p, `[...document.querySelectorAll('.topbar button:not([hidden])')].filter((b) => { const r = b.getBoundingClientRect(); return r.right > innerWidth || r.height < 44 || r.width < 44; }).map((b) => b.id)`)
		if len(off) > 0 {
			t.Errorf("top-bar buttons off screen or under 44 px with large text: %v", off)
		}
		// Without a Chinese voice (headless Chromium has none) 朗读 is hidden.
		if eval[bool](p, `speechSynthesis.getVoices().some((v) => /^(zh|cmn)([-_]|$)/i.test(v.lang))`) {
			if eval[bool](p, `document.getElementById('readaloud').hidden`) {
				t.Error("the browser has a Chinese voice but 朗读 is hidden")
			}
		} else if !eval[bool](p, `document.getElementById('readaloud').hidden`) {
			t.Error("朗读 is shown though the browser has no Chinese voice")
		}
		// The session's end turns large text off.
		p.click("#finish")
		p.waitState(10*time.Second, "attract")
		if eval[bool](p, `document.documentElement.classList.contains('big')`) {
			t.Error("large text survived the end of the session")
		}
	})

	t.Run("ReadAloud", func(t *testing.T) {
		p := startAccessKiosk(t, b, c.base, token, fakeVoices)
		if !eval[bool](p, `document.getElementById('readaloud').hidden`) {
			t.Error("朗读 is shown on the home page: it is for items")
		}
		openItem(p)
		p.waitFor(5*time.Second, "朗读 shown with a Chinese voice", `!document.getElementById('readaloud').hidden`)
		p.click("#readaloud")
		spoken := eval[[]string](p, `window.spoken`)
		if len(spoken) == 0 || spoken[0] != it.Title {
			t.Errorf("spoken %q, want the title %q first", spoken, it.Title)
		}
		if !eval[bool](p, `document.getElementById('readaloud').getAttribute('aria-pressed') === 'true'`) {
			t.Error("朗读 is not pressed while reading")
		}
		before := eval[int](p, `window.cancelled`)
		p.click("#back")
		p.waitState(10*time.Second, "category")
		if eval[int](p, `window.cancelled`) <= before {
			t.Error("leaving the item did not stop the reading")
		}
		if !eval[bool](p, `document.getElementById('readaloud').hidden`) {
			t.Error("朗读 is still shown after leaving the item")
		}
	})
}
