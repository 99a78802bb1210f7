// The on-screen keyboard.
//
// Design choice: the kiosk has no IME, and a real Chinese input method (a
// pinyin dictionary with candidate ranking, or handwriting) is far too heavy
// for this page. Chinese is therefore entered as whole words from a panel:
// for search, the category names plus a static list of the words residents
// look for most (预算, 低保, 征兵 …); for feedback, common words and phrases
// (建议, 希望, 不清楚 …). Digits, Latin letters and punctuation are always
// there, and search matches Latin letters against the pinyin of titles
// (budao or its initials bd find 步道). Search also suggests matching titles
// from the server as keys are tapped, so one or two words are usually enough
// to find an item.

import { t } from '../shared/i18n.js';
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

/**
 * A keyboard element. layout: "text" (words, digits, letters, punctuation,
 * space), "search" (words, digits, letters), "phone" (digits), "receipt"
 * (digits and capital letters). onKey(key) gets the text to insert, or
 * "Backspace" or "Clear". Every key is a button [data-key]; a word's key is
 * the word itself.
 */
export function keyboard({ layout, words = [], onKey }) {
  let caps = layout === 'receipt';
  const box = el('div', `keyboard kb-${layout}`);
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
    onKey(k === 'Space' ? ' ' : k);
  }

  function letters() {
    return qwerty.map((r, i) => {
      const keys = r.map((c) => (caps ? c.toUpperCase() : c)).map((c) => key(c));
      if (i === 2 && layout !== 'receipt') keys.unshift(key('Shift', t('kb.shift'), `key wide fn${caps ? ' on' : ''}`));
      return row(...keys);
    });
  }

  function draw() {
    const parts = [];
    if (words.length) {
      parts.push(el('div', 'kb-label', t('kb.words')), el('div', 'kb-words', ...words.map((w) => key(w, w, 'key word'))));
    }
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
