// 问答公开: staff's public answers, newest first, and a receipt lookup.

import { t } from '../shared/i18n.js';
import { el, button, heading, fillAsync, date } from './ui.js';
import { api, HTTPError, normalReceipt } from './api.js';
import { keyboard, applyKey } from './keyboard.js';

const topicLabel = (k) => {
  const s = t(`topic.${k}`);
  return s === `topic.${k}` ? k : s;
};

export function replies(params, ctx) {
  const list = el('div', 'reply-list');
  fillAsync(list, async () => {
    const rs = (await api.replies()).replies || [];
    if (!rs.length) return el('p', 'status', t('replies.none'));
    return rs.map((r) => {
      const card = el(
        'article',
        'reply',
        el('div', 'row-meta', r.topic ? el('span', 'tag', topicLabel(r.topic)) : null, el('span', null, date(r.replied_at, ctx.tz())), el('span', 'muted', r.receipt)),
        el('p', 'q', el('b', 'qa', t('replies.q')), r.question || ''),
        el('p', 'a', el('b', 'qa', t('replies.a')), r.reply || ''),
      );
      card.dataset.receipt = r.receipt || '';
      if (r.item_id) card.append(button('link-button', t('replies.item'), () => ctx.go('item', { id: r.item_id }), { item: r.item_id }));
      return card;
    });
  });
  const node = el('section', 'view replies', el('h1', 'view-title', t('replies.title')), el('div', 'replies-grid', receiptBox(ctx), el('div', 'replies-main', el('p', 'hint', t('replies.hint')), list)));
  return { el: node, state: 'replies' };
}

function receiptBox(ctx) {
  let value = ctx.session.drafts.receipt || '';
  const field = el('div', 'field receipt-field');
  field.id = 'receipt-query';
  const go = button('primary', t('receipt.check'), check);
  go.id = 'receipt-check';
  const result = el('div', 'receipt-result');
  result.id = 'receipt-result';
  result.setAttribute('aria-live', 'polite');
  const kb = keyboard({
    layout: 'receipt',
    onKey(k) {
      value = applyKey(value, k, 12).toUpperCase();
      ctx.session.drafts.receipt = value;
      draw();
    },
  });
  const draw = () => {
    field.textContent = value || 'FK________';
    field.classList.toggle('empty', !value);
    field.dataset.value = value;
    go.disabled = value.length < 4;
  };

  async function check() {
    const r = normalReceipt(value); // the prefix may be left out, O typed for 0
    result.replaceChildren(el('p', 'status', t('common.loading')));
    try {
      const body = await api.feedback(r);
      const out = [el('p', `receipt-status ${body.status}`, body.status === 'replied' ? t('receipt.replied') : t('receipt.open'))];
      if (body.reply && body.reply.text) out.push(el('p', 'a', el('b', 'qa', t('replies.a')), body.reply.text), el('p', 'muted', date(body.reply.at, ctx.tz())));
      else if (body.reply) out.push(el('p', null, t('receipt.private')));
      result.replaceChildren(...out);
      result.dataset.status = body.status || '';
    } catch (err) {
      const unknown = err instanceof HTTPError && (err.status === 404 || err.status === 422);
      result.replaceChildren(el('p', 'status', unknown ? t('receipt.unknown') : t('common.error')));
      result.dataset.status = unknown ? 'unknown' : 'error';
    }
  }

  draw();
  return el('section', 'receipt-box', heading(t('receipt.title')), el('p', 'hint', t('receipt.hint')), el('div', 'receipt-row', field, go), result, kb);
}
