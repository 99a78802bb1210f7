// Feedback: a topic, a message typed on the on-screen keyboard (at most 500
// characters), optionally a phone number for a call back; on submit the
// receipt number is shown at once, made from the event id (works offline).

import { t } from '../shared/i18n.js';
import { uuid } from '../shared/uuid.js';
import { el, button } from './ui.js';
import { receipt, api } from './api.js';
import { keyboard, applyKey, FEEDBACK_WORDS } from './keyboard.js';
import { TOPICS } from './strings.js';

export const MAX_TEXT = 500;

/** A phone number the kiosk accepts: empty, or 7 to 15 digits. */
export const validPhone = (s) => s === '' || /^\d{7,15}$/.test(s);

export function feedback(params, ctx) {
  const drafts = ctx.session.drafts;
  const d = drafts.feedback || (drafts.feedback = { topic: '', text: '', contact: '', item_id: '', title: '', field: 'text' });
  if (params.item_id) Object.assign(d, { item_id: params.item_id, title: params.title || '' });
  if (params.topic && !d.topic) d.topic = params.topic;

  const node = el('section', 'view feedback');
  const topics = el('div', 'topics');
  for (const k of TOPICS) {
    const b = button('topic', t(`topic.${k}`), () => {
      d.topic = k;
      topics.querySelectorAll('.topic').forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
    }, { topic: k });
    b.setAttribute('aria-pressed', String(d.topic === k));
    topics.append(b);
  }
  const about = el('div', 'about');
  const text = el('div', 'field fb-text');
  text.id = 'feedback-text';
  text.setAttribute('role', 'textbox');
  const count = el('span', 'counter');
  count.id = 'feedback-count';
  const phone = el('div', 'field fb-phone');
  phone.id = 'feedback-phone';
  phone.setAttribute('role', 'textbox');
  const phoneNote = el('p', 'hint');
  const submit = button('primary submit', t('fb.submit'), send);
  submit.id = 'feedback-submit';
  const kbBox = el('div', 'kb-box');
  text.addEventListener('click', () => focus('text'));
  phone.addEventListener('click', () => focus('phone'));

  const form = el(
    'div',
    'fb-form',
    el('div', 'fb-fields', el('h2', 'sec-title', t('fb.topic')), topics, about, el('div', 'label-row', el('h2', 'sec-title', t('fb.text')), count), text, el('h2', 'sec-title', t('fb.phone')), phone, phoneNote, submit),
    kbBox,
  );
  node.append(el('h1', 'view-title', t('fb.title')), form);

  // The pinyin being typed, shown after the text until a candidate is picked.
  let composing = '';

  function focus(field) {
    d.field = field;
    composing = '';
    kbBox.replaceChildren(
      field === 'phone'
        ? keyboard({ layout: 'phone', onKey: (k) => update('contact', applyKey(d.contact, k, 15)) })
        : keyboard({
            layout: 'text',
            words: FEEDBACK_WORDS,
            ime: true,
            onKey: (k) => update('text', applyKey(d.text, k, MAX_TEXT)),
            onCompose: (p) => {
              composing = p;
              draw();
            },
          }),
    );
    draw();
  }

  function update(field, value) {
    d[field] = value;
    draw();
  }

  function draw() {
    text.textContent = d.text || (composing ? '' : t('fb.placeholder'));
    if (composing) text.append(el('span', 'composing', composing));
    text.classList.toggle('empty', !d.text && !composing);
    text.classList.toggle('active', d.field !== 'phone');
    text.dataset.value = d.text;
    text.scrollTop = text.scrollHeight;
    const n = [...d.text].length;
    count.textContent = `${n} / ${MAX_TEXT}`;
    count.classList.toggle('full', n >= MAX_TEXT);
    phone.textContent = d.contact || '—';
    phone.classList.toggle('active', d.field === 'phone');
    phone.dataset.value = d.contact;
    const phoneOK = validPhone(d.contact);
    phoneNote.textContent = phoneOK ? t('fb.phoneHint') : t('fb.phoneBad');
    phoneNote.classList.toggle('error', !phoneOK);
    submit.disabled = !d.text.trim() || !phoneOK;
    about.replaceChildren();
    if (d.item_id) {
      about.append(el('span', null, t('fb.about', { title: d.title || d.item_id })), button('chip small', '×', () => update('item_id', ''), { unlink: '' }));
    }
  }

  async function send() {
    if (!d.text.trim() || !validPhone(d.contact)) return;
    const id = uuid();
    const ev = { id, kind: 'feedback', topic: d.topic || 'other', text: d.text.trim() };
    if (d.contact) ev.contact = d.contact;
    if (d.item_id) ev.item_id = d.item_id;
    drafts.feedback = null;
    const code = receipt(id);
    drafts.receipt = code; // the lookup under 问答公开 starts with it
    const no = el('div', 'receipt-no', code);
    no.id = 'receipt';
    // A QR code of the phone page that looks the receipt up: nothing to copy by hand.
    const qr = el('img', 'qr');
    qr.id = 'receipt-qr';
    qr.src = api.receiptQR(code);
    qr.alt = '';
    qr.addEventListener('error', () => (qr.hidden = true));
    node.replaceChildren(
      el('h1', 'view-title', t('fb.title')),
      el('div', 'done-panel', el('p', 'done-title', `✓ ${t('fb.done')}`), el('p', 'receipt-label', t('fb.receipt')),
        el('div', 'receipt-card', no, el('figure', 'takeaway', qr, el('figcaption', null, el('b', null, t('fb.receiptScan')), el('span', null, t('fb.receiptScanHint'))))),
        el('p', 'hint big', t('fb.receiptHint')),
        el('div', 'actions', button('action', t('nav.replies'), () => ctx.go('replies')), button('action', t('fb.another'), () => ctx.go('feedback', {}, { reset: true })), button('action', t('fb.home'), () => ctx.go('home', {}, { reset: true })))),
    );
    await ctx.record(ev);
  }

  focus(d.field || 'text');
  return { el: node, state: 'feedback' };
}
