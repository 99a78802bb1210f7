// The phone page of a feedback receipt (/r/{receipt}): what the QR code
// beside a kiosk's receipt opens. It shows whether the message was received
// and answered, and the public answer when there is one.
//
// Test hooks: <body data-state="loading|ready|error">, #receipt-status
// carries data-status ("open" | "replied" | "unknown").

import { t, lang } from '../shared/i18n.js';
import { parseTime, formatDate } from '../shared/format.js';
import { h, replace } from '../shared/dom.js';

/** The receipt in a /r/{receipt} path (upper-cased, spaces dropped), or "". */
export function receiptFromPath(path) {
  const m = /^\/r\/([^/]+)\/?$/.exec(path);
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]).replace(/\s+/g, '').toUpperCase();
  } catch {
    return '';
  }
}

/** Looks the receipt up and shows its status in main. */
export async function showReceipt(receipt, main) {
  document.body.dataset.state = 'loading';
  document.title = `${t('pub.receipt')} ${receipt}`;
  let status = 'unknown';
  let body = null;
  try {
    const res = await fetch(`/api/v1/public/feedback/${encodeURIComponent(receipt)}`, { headers: { Accept: 'application/json' } });
    if (res.ok) {
      body = await res.json();
      status = body.status === 'replied' ? 'replied' : 'open';
    } else if (res.status !== 404 && res.status !== 422) {
      throw new Error(`HTTP ${res.status}`);
    }
  } catch (err) {
    console.error(err);
    replace(main, h('div', { class: 'notice', role: 'alert' }, h('p', null, t('pub.failed'))));
    document.body.dataset.state = 'error';
    return;
  }
  const parts = [h('h1', { class: 'title' }, `${t('pub.receipt')} ${receipt}`)];
  const line = h('p', { class: `receipt-status ${status}`, id: 'receipt-status', dataset: { status } }, t(`pub.receipt.${status}`));
  parts.push(line);
  const reply = body && body.reply;
  if (reply && reply.text) parts.push(h('blockquote', { class: 'reply' }, reply.text), h('p', { class: 'muted' }, formatDate(parseTime(reply.at), undefined, lang())));
  else if (reply) parts.push(h('p', null, t('pub.receipt.private')));
  replace(main, h('article', null, ...parts));
  document.body.dataset.state = 'ready';
}
