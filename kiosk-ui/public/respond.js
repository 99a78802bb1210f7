// Rating and feedback on the public item page, for an item live now: the
// kiosk's question (1–5) and a message with an optional phone number, sent
// to POST /api/v1/public/items/{id}/rating and …/feedback; the receipt
// number is shown once the message is stored.
//
// Test hooks: #respond; rating buttons #rate-phone [data-level=N], pressed
// one aria-pressed=true, #rate-phone[data-rated] once stored; topics
// [data-topic]; #fb-text, #fb-contact, #fb-submit; the receipt #fb-receipt;
// an error #respond-error[data-code].

import { t } from '../shared/i18n.js';
import { h } from '../shared/dom.js';

const TOPICS = ['content', 'efficiency', 'attitude', 'environment', 'other'];
export const MAX_TEXT = 500;

/**
 * What the resident did on this page, kept across re-renders (language).
 * @typedef {{rated: number, rating: boolean, topic: string, text: string, contact: string, receipt: string, sending: boolean, error: string}} RespondState
 */

/** @returns {RespondState} */
export function newRespondState(itemId) {
  let rated = 0;
  try {
    rated = Number(sessionStorage.getItem(`hallcast.rated.${itemId}`)) || 0;
  } catch {
    /* private mode */
  }
  return { rated, rating: false, topic: 'content', text: '', contact: '', receipt: '', sending: false, error: '' };
}

async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    credentials: 'omit',
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(data?.error?.message || `HTTP ${res.status}`);
    /** @type {any} */ (err).code = data?.error?.code || 'failed';
    throw err;
  }
  return data;
}

const errorText = (code) => t(`resp.err.${['rate_limited', 'conflict', 'validation'].includes(code) ? code : 'failed'}`);

/**
 * The section for item id; s is its state, rerender() redraws it.
 * @param {string} id
 * @param {RespondState} s
 * @param {() => void} rerender
 */
export function buildRespond(id, s, rerender) {
  const base = `/api/v1/public/items/${encodeURIComponent(id)}`;

  async function rate(level) {
    if (s.rated || s.rating) return;
    s.rating = true;
    s.error = '';
    rerender();
    try {
      await post(`${base}/rating`, { level });
      s.rated = level;
      try {
        sessionStorage.setItem(`hallcast.rated.${id}`, String(level));
      } catch {
        /* private mode */
      }
    } catch (err) {
      s.error = /** @type {any} */ (err).code;
    }
    s.rating = false;
    rerender();
  }

  async function send() {
    const text = s.text.trim();
    if (!text || s.sending || !validPhone(s.contact)) return;
    s.sending = true;
    s.error = '';
    rerender();
    try {
      const body = { topic: s.topic, text };
      if (s.contact) body.contact = s.contact;
      const r = await post(`${base}/feedback`, body);
      s.receipt = r.receipt;
      s.text = '';
      s.contact = '';
    } catch (err) {
      s.error = /** @type {any} */ (err).code;
    }
    s.sending = false;
    rerender();
  }

  const levels = h('div', { class: 'levels', role: 'group', 'aria-label': t('resp.question') });
  for (const n of [5, 4, 3, 2, 1]) {
    levels.append(
      h(
        'button',
        { type: 'button', class: `level level-${n}`, dataset: { level: String(n) }, 'aria-pressed': String(s.rated === n), disabled: !!s.rated || s.rating, onclick: () => rate(n) },
        h('span', { class: 'level-n' }, String(n)),
        h('span', { class: 'level-label' }, t(`resp.level.${n}`)),
      ),
    );
  }
  const rateBox = h('div', { class: 'card rate-phone', id: 'rate-phone', dataset: s.rated ? { rated: String(s.rated) } : {} }, h('h2', null, t('resp.question')), levels, h('p', { class: 'hint', 'aria-live': 'polite' }, s.rated ? `✓ ${t('resp.thanks')}` : t('resp.anon')));

  let fbBox;
  if (s.receipt) {
    fbBox = h(
      'div',
      { class: 'card fb-phone done' },
      h('h2', null, t('resp.fbDone')),
      h('p', { class: 'hint' }, t('resp.receipt')),
      h('p', { class: 'receipt', id: 'fb-receipt' }, s.receipt),
      h('p', { class: 'hint' }, t('resp.receiptHint')),
      h('button', { type: 'button', class: 'button secondary', onclick: () => ((s.receipt = ''), rerender()) }, t('resp.another')),
    );
  } else {
    const topics = h('div', { class: 'topics', role: 'group', 'aria-label': t('resp.topic') });
    for (const k of TOPICS) {
      topics.append(h('button', { type: 'button', class: 'topic', dataset: { topic: k }, 'aria-pressed': String(s.topic === k), onclick: () => ((s.topic = k), rerender()) }, t(`resp.topic.${k}`)));
    }
    const count = h('span', { class: 'count' }, `${[...s.text].length} / ${MAX_TEXT}`);
    const submit = h('button', { type: 'submit', class: 'button', id: 'fb-submit', disabled: !s.text.trim() || s.sending || !validPhone(s.contact) }, s.sending ? t('pub.loading') : t('resp.submit'));
    const area = h('textarea', { id: 'fb-text', rows: '5', maxlength: String(MAX_TEXT), placeholder: t('resp.placeholder'), value: s.text });
    area.addEventListener('input', () => {
      s.text = area.value;
      count.textContent = `${[...s.text].length} / ${MAX_TEXT}`;
      submit.disabled = !s.text.trim() || s.sending || !validPhone(s.contact);
    });
    const phone = h('input', { id: 'fb-contact', type: 'tel', inputmode: 'numeric', autocomplete: 'tel', maxlength: '15', value: s.contact });
    const phoneHint = h('p', { class: 'hint' }, t('resp.phoneHint'));
    phone.addEventListener('input', () => {
      s.contact = phone.value.replace(/\D+/g, '');
      const ok = validPhone(s.contact);
      phoneHint.textContent = ok ? t('resp.phoneHint') : t('resp.phoneBad');
      phoneHint.classList.toggle('bad', !ok);
      submit.disabled = !s.text.trim() || s.sending || !ok;
    });
    fbBox = h(
      'form',
      { class: 'card fb-phone', onsubmit: (/** @type {Event} */ e) => (e.preventDefault(), send()) },
      h('h2', null, t('resp.fbTitle')),
      h('p', { class: 'hint' }, t('resp.topic')),
      topics,
      h('label', { for: 'fb-text', class: 'label' }, t('resp.text'), ' ', count),
      area,
      h('label', { for: 'fb-contact', class: 'label' }, t('resp.phone')),
      phone,
      phoneHint,
      submit,
    );
  }
  const error = s.error && h('p', { class: 'error', id: 'respond-error', role: 'alert', dataset: { code: s.error } }, errorText(s.error));
  return h('section', { id: 'respond', class: 'respond' }, rateBox, error, fbBox);
}

/** Empty, or 7 to 15 digits. */
export const validPhone = (v) => v === '' || /^\d{7,15}$/.test(v);
