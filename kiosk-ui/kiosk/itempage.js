// The content of the kiosk's item page without the kiosk around it: the
// header (badges, category, department, title, dates), a banner for an
// earlier, withdrawn or expired revision, the summary, the finance
// drill-down, the body and the attachments. No network and no session: the
// kiosk's item view (item.js) adds the matter, the rating and the history,
// and the console's live preview shows this as it stands.

import { t } from '../shared/i18n.js';
import { mediaKind } from '../shared/render.js';
import { el, button, date, badges, archiveNo } from './ui.js';
import { financeView } from './finance.js';

const qrURL = (id) => `/api/v1/public/items/${encodeURIComponent(id)}/qr.png`;

/**
 * opts: {id, tz, catName(key), deptName(key), old (an earlier revision is
 * shown), onLatest() (its banner's button), place (the finance drill-down's
 * state, financeView), qr(id) (the item's QR code URL)}.
 * Returns {head, main, finance}: main is the .item-main column, finance the
 * drill-down (up()) or null.
 */
export function itemPage(rev, opts) {
  const id = rev.id || opts.id || '';
  const old = !!opts.old;
  const qr = opts.qr || qrURL;
  const meta = el('div', 'row-meta', ...badges(old ? { stage: rev.stage } : rev));
  const cat = opts.catName(rev.category);
  if (cat) meta.append(el('span', 'tag', cat));
  const dept = opts.deptName(rev.department);
  if (dept) meta.append(el('span', 'dept', dept));
  const facts = el('div', 'facts', el('span', null, t('item.published', { date: date(rev.published_at, opts.tz) })), el('span', null, t('item.revision', { n: rev.revision })));
  if (rev.archive_index != null) facts.append(el('span', 'archive-no', archiveNo(rev.archive_index)));
  const head = el('header', 'item-head', meta, el('h1', 'item-title', rev.title || id), facts);

  const main = el('div', 'item-main');
  if (old) {
    main.append(el('div', 'banner old', el('p', null, t('item.old', { n: rev.revision })), button('link-button', t('item.latest'), () => opts.onLatest?.())));
  } else if (rev.state === 'withdrawn' || rev.state === 'expired') {
    const b = el('div', `banner ${rev.state}`, el('p', 'banner-title', t(`item.${rev.state}`)));
    if (rev.withdraw_reason) b.append(el('p', null, t('item.reason', { reason: rev.withdraw_reason })));
    main.append(b);
  }
  if (rev.summary) main.append(el('p', 'summary', rev.summary));
  // The table comes straight after the summary, before the body text.
  let finance = null;
  if (rev.finance && Array.isArray(rev.finance.lines) && rev.finance.lines.length) {
    finance = financeView(rev.finance, opts.place || {});
    main.append(finance.el);
  }
  if (rev.body_html) {
    const body = el('div', 'body');
    body.innerHTML = rev.body_html; // sanitised by the server
    main.append(body);
  }
  const assets = Array.isArray(rev.assets) ? rev.assets : [];
  if (assets.length) main.append(attachments(assets, id, qr));
  return { head, main, finance };
}

function attachments(assets, id, qr) {
  const box = el('div', 'attachments');
  for (const a of assets) {
    const kind = mediaKind(a.type);
    if (kind === 'image') {
      const img = el('img', 'asset-img');
      img.src = a.url;
      img.alt = a.name || '';
      box.append(el('figure', 'asset', img, a.name ? el('figcaption', null, a.name) : null));
    } else if (kind === 'video') {
      const v = el('video', 'asset-video');
      v.controls = true;
      v.playsInline = true;
      v.preload = 'metadata';
      v.src = a.url;
      box.append(el('figure', 'asset', v, el('figcaption', null, a.name || t('item.video'))));
    } else {
      // <object>/<iframe> are blocked by the page's CSP: read PDFs on a phone.
      const code = el('img', 'qr small');
      if (id) code.src = qr(id);
      code.alt = '';
      box.append(el('div', 'pdf-card', el('span', 'doc', 'PDF'), el('div', 'pdf-text', el('b', null, a.name || t('media.pdf')), el('span', null, t('item.pdfHint'))), code));
    }
  }
  return box;
}
