// @ts-check
// The content of the kiosk's item page without the kiosk around it: the
// header (badges, category, department, title, dates), a banner for an
// earlier, withdrawn or expired revision, the summary, the finance
// drill-down, the body and the attachments. No network and no session: the
// kiosk's item view (kiosk/item.js) adds the matter, the rating and the
// history, and the console's live preview shows this as it stands.

import { t, lang } from './i18n.js';
import { formatDate, parseTime } from './format.js';
import { el, button, mediaKind } from './render.js';
import { financeView } from './drill.js';

/** @typedef {import('./protocol.js').Revision & {state?: string, withdraw_reason?: string, matter_id?: string, latest_revision?: number}} PageRevision */
/** @typedef {import('./protocol.js').Asset} Asset */

/**
 * "存档编号 #N" for an archive entry index: residents count from 1 (the
 * archive's first entry, index 0, is #1, and the last of N entries is #N,
 * as the archive view's count says).
 * @param {number|string} index
 */
export const archiveNo = (index) => t('item.archiveNo', { n: Number(index) + 1 });

const stages = new Set(['before', 'during', 'after']);

/**
 * Badges for an item's stage and (when not live) state.
 * @param {{stage?: string, state?: string}} it
 */
export function badges(it) {
  const out = [];
  if (it.stage && stages.has(it.stage)) out.push(el('span', `badge stage-${it.stage}`, t(`stage.${it.stage}`)));
  if (it.state && it.state !== 'live') out.push(el('span', `badge state-${it.state}`, t(`state.${it.state}`)));
  return out;
}

/** @param {string} id */
const qrURL = (id) => `/api/v1/public/items/${encodeURIComponent(id)}/qr.png`;

/**
 * The item page's header and main column. Returns {head, main, finance}:
 * main is the .item-main column, finance the drill-down (up()) or null.
 * @param {PageRevision} rev
 * @param {object} opts
 * @param {string} [opts.id] the item's id when rev has none
 * @param {string} [opts.tz] the hall's time zone
 * @param {(key: string|undefined) => string} opts.catName
 * @param {(key: string|undefined) => string} opts.deptName
 * @param {boolean} [opts.old] an earlier revision is shown
 * @param {() => void} [opts.onLatest] its banner's button
 * @param {{at?: string, onChange?: () => void}} [opts.place] the drill-down's state (drill.js financeView)
 * @param {(id: string) => string} [opts.qr] the item's QR code URL
 */
export function itemPage(rev, opts) {
  const id = rev.id || opts.id || '';
  const old = !!opts.old;
  const qr = opts.qr || qrURL;
  const when = formatDate(parseTime(rev.published_at), opts.tz, lang());
  const meta = el('div', 'row-meta', ...badges(old ? { stage: rev.stage } : rev));
  const cat = opts.catName(rev.category);
  if (cat) meta.append(el('span', 'tag', cat));
  const dept = opts.deptName(rev.department);
  if (dept) meta.append(el('span', 'dept', dept));
  const facts = el('div', 'facts', el('span', null, t('item.published', { date: when })), el('span', null, t('item.revision', { n: rev.revision ?? '' })));
  if (rev.archive_index != null) facts.append(el('span', 'archive-no', archiveNo(rev.archive_index)));
  const head = el('header', 'item-head', meta, el('h1', 'item-title', rev.title || id), facts);

  const main = el('div', 'item-main');
  if (old) {
    main.append(el('div', 'banner old', el('p', null, t('item.old', { n: rev.revision ?? '' })), button('link-button', t('item.latest'), () => opts.onLatest?.())));
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

/**
 * @param {Asset[]} assets
 * @param {string} id
 * @param {(id: string) => string} qr
 */
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
