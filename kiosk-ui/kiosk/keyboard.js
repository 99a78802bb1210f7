// The on-screen keyboard.
//
// Chinese is typed in pinyin (the "text" layout with ime: true, used for
// feedback): letters go into a pinyin buffer shown above the keys, the
// candidates for it (words and phrases first, then characters, see
// pinyin.js) replace the word panel, in pages of large buttons, and a tap
// on one inserts it and takes its syllables off the buffer. Backspace
// edits the buffer first; space, digits and punctuation first insert the
// first candidate. The 中/英 key switches letters between pinyin and Latin
// letters. The fixed word panel stays for a quick start, and for search,
// which matches Latin letters against the pinyin of titles (budao or its
// initials bd find 步道) and suggests titles as keys are tapped.

import { t, lang } from '../shared/i18n.js';
import { el, button } from './ui.js';

export const SEARCH_WORDS = [
  '预算', '决算', '财务', '收支', '工程', '建设', '项目', '救助', '救灾', '低保', '特困', '征兵',
  '任免', '人事', '党员', '办事', '指南', '投诉', '举报', '补贴', '补助', '公示', '年度', '月度',
  '季度', '招商', '政策', '道路', '医保', '养老', '教育', '就业', '住房', '村务', '资金', '2026', '2025',
];

export const FEEDBACK_WORDS = [
  '建议', '希望', '公开', '不清楚', '太慢', '谢谢', '请问', '什么时候', '为什么', '怎么办', '在哪里',
  '能不能', '多久', '办理', '排队', '窗口', '工作人员', '态度', '很好', '满意', '不满意', '需要',
  '增加', '改进', '及时', '更新', '信息', '资金', '补贴', '项目', '材料', '问题', '我', '我们',
  '你们', '的', '了', '是', '不', '有', '没有', '在', '和', '吗', '时间', '电话', '小时', '今天',
];

const digits = '1234567890'.split('');
const qwerty = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'].map((r) => r.split(''));
const punct = '，。？！、：,.?!-'.split('');

/** The pinyin dictionary, with its code loaded on first use (it is not needed to start). */
const loadDict = () => import('./pinyin.js').then((m) => m.loadDict());

/** Candidates shown on one page of the candidate bar. */
export const CANDIDATES_PER_PAGE = 8;

/** Pinyin letters typed at most before a candidate must be picked. */
const MAX_PINYIN = 24;

/**
 * A keyboard element. layout: "text" (words, digits, letters, punctuation,
 * space), "search" (words, digits, letters), "phone" (digits), "receipt"
 * (digits and capital letters). onKey(key) gets the text to insert, or
 * "Backspace" or "Clear". Every key is a button [data-key]; a word's key is
 * the word itself. ime: letters are pinyin (the 中/英 key [data-key=IME]
 * switches); onCompose(pinyin) is told the buffer whenever it changes. The
 * candidates are buttons [data-candidate], the pages' buttons
 * [data-key=CandPrev] and [data-key=CandNext], the buffer .kb-compose
 * [data-pinyin].
 */
export function keyboard({ layout, words = [], onKey, ime = false, onCompose = (_p) => {} }) {
  let caps = layout === 'receipt';
  let zh = ime && lang() === 'zh'; // pinyin first, Latin letters first in English
  let pinyin = '';
  let page = 0;
  /** @type {{text: string, take: number}[] | null} null while the dictionary loads */
  let cands = [];
  let failed = false;
  const box = el('div', `keyboard kb-${layout}`);
  const top = el('div', 'kb-top');
  const key = (k, label = k, cls = 'key') => button(cls, label, () => press(k), { key: k });
  const row = (...keys) => el('div', 'kb-row', ...keys);
  const bksp = () => key('Backspace', '⌫', 'key wide fn');
  const clear = () => key('Clear', t('kb.clear'), 'key wide fn');

  function press(k) {
    if (k === 'Shift') {
      caps = !caps;
      draw();
      return;
    }
    if (k === 'IME') {
      commit();
      zh = !zh;
      draw();
      return;
    }
    if (k === 'CandPrev' || k === 'CandNext') {
      page += k === 'CandNext' ? 1 : -1;
      drawTop();
      return;
    }
    if (pinyin) {
      if (k === 'Backspace') return compose(pinyin.slice(0, -1));
      if (k === 'Clear') return compose('');
      if (zh && /^[a-z]$/i.test(k)) return compose(pinyin + k.toLowerCase());
      commit();
    } else if (zh && /^[a-z]$/i.test(k)) {
      return compose(k.toLowerCase());
    }
    onKey(k === 'Space' ? ' ' : k);
  }

  /** Sets the pinyin buffer and looks up its candidates. */
  function compose(p) {
    pinyin = p.slice(0, MAX_PINYIN);
    page = 0;
    onCompose(pinyin);
    if (!pinyin) {
      cands = [];
      drawTop();
      return;
    }
    const want = pinyin;
    cands = null;
    drawTop();
    loadDict().then(
      (dict) => {
        if (pinyin !== want) return;
        failed = false;
        cands = dict.candidates(pinyin);
        drawTop();
      },
      (err) => {
        console.warn('kiosk: pinyin dictionary:', err);
        if (pinyin !== want) return;
        failed = true;
        cands = [];
        drawTop();
      },
    );
  }

  /** Inserts a candidate and takes its syllables off the buffer. */
  function pick(c) {
    onKey(c.text);
    compose(pinyin.slice(c.take));
  }

  /** Inserts the first candidate and any letters it leaves (the letters when there is none). */
  function commit() {
    if (!pinyin) return;
    const c = cands && cands[0];
    onKey(c ? c.text + pinyin.slice(c.take) : pinyin);
    pinyin = '';
    cands = [];
    onCompose('');
    drawTop();
  }

  /** The part above the keys: the word panel, or the pinyin and its candidates. */
  function drawTop() {
    if (!pinyin) {
      top.replaceChildren(...(words.length ? [el('div', 'kb-label', t('kb.words')), el('div', 'kb-words', ...words.map((w) => key(w, w, 'key word')))] : []));
      return;
    }
    const shown = el('div', 'kb-compose', pinyin);
    shown.dataset.pinyin = pinyin;
    const bar = el('div', 'kb-cands');
    bar.setAttribute('aria-live', 'polite');
    if (cands == null) {
      bar.append(el('span', 'kb-status', t('common.loading')));
    } else if (!cands.length) {
      bar.append(el('span', 'kb-status', t(failed ? 'kb.noDict' : 'kb.none')));
    } else {
      const pages = Math.ceil(cands.length / CANDIDATES_PER_PAGE);
      page = Math.max(0, Math.min(page, pages - 1));
      const prev = key('CandPrev', '‹', 'key fn cand-page');
      prev.disabled = page === 0;
      prev.setAttribute('aria-label', t('kb.prev'));
      const next = key('CandNext', '›', 'key fn cand-page');
      next.disabled = page >= pages - 1;
      next.setAttribute('aria-label', t('kb.next'));
      const list = cands.slice(page * CANDIDATES_PER_PAGE, (page + 1) * CANDIDATES_PER_PAGE).map((c) => button('key cand', c.text, () => pick(c), { candidate: c.text }));
      bar.append(prev, el('div', 'kb-cand-list', ...list), next);
      bar.dataset.page = String(page + 1);
      bar.dataset.pages = String(pages);
    }
    top.replaceChildren(el('div', 'kb-label', t('kb.pinyin')), shown, bar);
  }

  function letters() {
    return qwerty.map((r, i) => {
      const keys = r.map((c) => (caps && !zh ? c.toUpperCase() : c)).map((c) => key(c));
      if (i === 2 && layout !== 'receipt') {
        if (ime) {
          const sw = key('IME', [el('b', null, zh ? '中' : '英'), el('small', null, zh ? '/英' : '/中')], `key wide fn ime${zh ? ' on' : ''}`);
          sw.setAttribute('aria-label', t(zh ? 'kb.toEn' : 'kb.toZh'));
          sw.dataset.mode = zh ? 'zh' : 'en';
          keys.unshift(sw);
        }
        if (!zh) keys.unshift(key('Shift', t('kb.shift'), `key wide fn${caps ? ' on' : ''}`));
      }
      return row(...keys);
    });
  }

  function draw() {
    const parts = [top];
    drawTop();
    if (layout === 'phone') {
      parts.push(el('div', 'kb-pad', ...'123456789'.split('').map((d) => key(d)), clear(), key('0'), bksp()));
    } else {
      parts.push(row(...digits.map((d) => key(d)), bksp()), ...letters());
      if (layout === 'receipt') parts.push(row(clear()));
      else parts.push(row(...(layout === 'text' ? punct.map((p) => key(p)) : []), key('Space', t('kb.space'), 'key space fn'), clear()));
    }
    box.replaceChildren(...parts);
  }
  draw();
  if (zh) loadDict().catch(() => {}); // ready before the first letter
  return box;
}

/**
 * Applies a key to a string: inserts text (up to max characters, counted
 * as code points), deletes the last character, or clears.
 */
export function applyKey(value, k, max = Infinity) {
  const chars = [...value];
  if (k === 'Backspace') return chars.slice(0, -1).join('');
  if (k === 'Clear') return '';
  const add = [...k];
  if (chars.length + add.length > max) return chars.concat(add.slice(0, Math.max(0, max - chars.length))).join('');
  return value + k;
}
