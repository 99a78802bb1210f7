// Help for elderly residents, from the top bar on every page:
//
//   - 大字 (#bigtext): large text, 1.5× the normal size, reflowing: every
//     size in the views is in rem, so the class "big" on <html> (a larger
//     root size) enlarges them all; the bars keep their size.
//   - 朗读 (#readaloud): reads the item on screen aloud (title, summary,
//     body) with the browser's speech synthesis, in a Chinese voice
//     (speechSynthesis.getVoices(), a voice whose lang starts with zh or
//     cmn). Without such a voice the button stays hidden. It shows on item
//     pages only, and reading stops when the item is left (the view or the
//     touch session changes) or the button is tapped again.
//
// Both reset when the touch session ends. Test hooks: <html class="big">,
// #readaloud[hidden], #readaloud[aria-pressed].

import { t } from '../shared/i18n.js';

/** The root font size of large text, relative to the normal one. */
export const BIG_SCALE = 1.5;

/** A Chinese voice of the browser, or null. */
export function chineseVoice() {
  const synth = globalThis.speechSynthesis;
  if (!synth || typeof globalThis.SpeechSynthesisUtterance !== 'function') return null;
  const voices = synth.getVoices() || [];
  return voices.find((v) => /^(zh|cmn)([-_]|$)/i.test(v.lang || '')) || null;
}

/** Splits text into sentences short enough for every speech engine. */
export function sentences(text, max = 120) {
  const out = [];
  for (const part of text.split(/(?<=[。！？；!?;\n])/)) {
    let s = part.trim();
    while (s.length > max) {
      out.push(s.slice(0, max));
      s = s.slice(max);
    }
    if (s) out.push(s);
  }
  return out;
}

/** Wires the top bar's 大字 and 朗读 buttons. */
export function setupAccess() {
  const big = document.getElementById('bigtext');
  const read = document.getElementById('readaloud');
  const root = document.documentElement;
  let reading = false;

  const setBig = (on) => {
    root.classList.toggle('big', on);
    big.setAttribute('aria-pressed', String(on));
  };
  big.addEventListener('click', () => setBig(!root.classList.contains('big')));

  const onItem = () => document.body.dataset.state === 'item';

  function stop() {
    if (reading) globalThis.speechSynthesis?.cancel();
    reading = false;
    read.setAttribute('aria-pressed', 'false');
  }

  function update() {
    read.hidden = !(onItem() && chineseVoice());
  }

  function speak() {
    const voice = chineseVoice();
    const view = document.querySelector('#view .item-view');
    if (!voice || !view) return;
    const parts = ['.item-title', '.summary', '.body'].map((sel) => view.querySelector(sel)?.textContent || '').filter(Boolean);
    const list = sentences(parts.join('\n'));
    if (!list.length) return;
    const synth = globalThis.speechSynthesis;
    synth.cancel();
    reading = true;
    read.setAttribute('aria-pressed', 'true');
    list.forEach((s, i) => {
      const u = new SpeechSynthesisUtterance(s);
      u.lang = voice.lang;
      try {
        u.voice = voice;
      } catch {
        /* not a voice this engine knows: the lang picks one */
      }
      u.rate = 0.9;
      if (i === list.length - 1) {
        u.onend = () => {
          reading = false;
          read.setAttribute('aria-pressed', 'false');
        };
      }
      synth.speak(u);
    });
  }

  read.addEventListener('click', () => (reading ? stop() : speak()));

  // Leaving the item (another view, the same view rebuilt for another
  // item, the end of the session) stops the reading.
  let last = '';
  const watch = () => {
    const key = `${document.body.dataset.state}|${document.querySelector('#view .item-view')?.dataset.itemId || ''}`;
    if (key !== last) {
      last = key;
      stop();
      if (document.body.dataset.state === 'attract') setBig(false);
    }
    update();
  };
  new MutationObserver(watch).observe(document.body, { attributes: true, attributeFilter: ['data-state', 'data-session'] });
  new MutationObserver(watch).observe(document.getElementById('view'), { childList: true });
  globalThis.speechSynthesis?.addEventListener?.('voiceschanged', update);
  read.setAttribute('aria-label', t('k.readaloud'));
  watch();
}
