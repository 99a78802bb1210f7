// @ts-check
// DOM for what the LED player shows: an item revision (with its finance
// table and QR code), a media entry, the idle screen; and the fitting of text
// to the screen.

import { financeRows } from './finance.js';
import { t, lang, localized } from './i18n.js';
import { formatFen, percent, formatDate, formatClock, formatWeekday, parseTime } from './format.js';

/** @typedef {import('./protocol.js').Revision} Revision */
/** @typedef {import('./protocol.js').Entry} Entry */
/** @typedef {import('./protocol.js').Finance} Finance */

/**
 * document.createElement with a class, text and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string|null} [cls]
 * @param {...(Node|string|number|null|undefined|false)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, cls, ...children) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const c of children) {
    if (c == null || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/**
 * A <button type="button"> that calls onTap on click, with data-* values.
 * @param {string} cls
 * @param {Node|string|(Node|string|null)[]} content
 * @param {((e: MouseEvent) => void)|null} [onTap]
 * @param {Object<string, string>} [data]
 */
export function button(cls, content, onTap, data = {}) {
  const b = el('button', cls, ...(Array.isArray(content) ? content : [content]));
  b.type = 'button';
  for (const [k, v] of Object.entries(data)) b.dataset[k] = v;
  if (onTap) b.addEventListener('click', onTap);
  return b;
}

const stages = new Set(['before', 'during', 'after']);

/**
 * The item revision as an <article>. ctx: {tz, names: {category(key),
 * department(key)}}. The title is the element with id "title".
 * @param {Revision} rev
 * @param {{tz?: string, names?: {category?: (key: string|undefined) => string, department?: (key: string|undefined) => string}}} [ctx]
 */
export function buildItem(rev, ctx = {}) {
  const names = ctx.names || {};
  const meta = el('div', 'meta');
  if (rev.stage && stages.has(rev.stage)) meta.append(el('span', `badge stage-${rev.stage}`, t(`stage.${rev.stage}`)));
  const cat = rev.category_name ? localized(rev.category_name) : names.category?.(rev.category);
  if (cat) meta.append(el('span', 'tag', cat));
  const dept = rev.department_name ? localized(rev.department_name) : names.department?.(rev.department);
  if (dept) meta.append(el('span', 'dept', dept));

  const title = el('h1', 'title', rev.title || '');
  title.id = 'title';

  const flow = el('div', 'flow');
  if (rev.summary) flow.append(el('p', 'summary', rev.summary));
  // The table right after the summary, as on the kiosk: what a finance item is for.
  if (rev.finance && Array.isArray(rev.finance.lines) && rev.finance.lines.length) flow.append(buildFinance(rev.finance));
  if (rev.body_html) {
    const body = el('div', 'body');
    body.innerHTML = rev.body_html; // sanitised by the server
    dropTapHints(body);
    flow.append(body);
  }
  const assets = Array.isArray(rev.assets) ? rev.assets : [];
  const images = assets.filter((a) => mediaKind(a.type) === 'image').slice(0, 4);
  if (images.length) {
    const fig = el('div', 'assets');
    for (const a of images) {
      const img = el('img');
      img.src = a.url;
      img.alt = a.name || '';
      fig.append(img);
    }
    flow.append(fig);
  }
  const docs = assets.filter((a) => mediaKind(a.type) !== 'image').length;
  if (docs) flow.append(el('p', 'attachments', t('item.attachments', { n: docs })));
  const main = el('div', 'main', flow);

  const side = el('aside', 'side');
  if (rev.id) {
    const qr = el('img', 'qr');
    qr.src = `/api/v1/public/items/${encodeURIComponent(rev.id)}/qr.png`;
    qr.alt = '';
    side.append(el('figure', 'qrbox', qr, el('figcaption', null, t('item.scan'))));
  }
  const published = parseTime(rev.published_at);
  const foot = el('div', 'foot');
  if (Number.isFinite(published)) foot.append(el('span', null, t('item.published', { date: formatDate(published, ctx.tz, lang()) })));
  // Counted from 1, as residents count (the archive's first entry is 第 1 条).
  if (typeof rev.archive_index === 'number' && Number.isInteger(rev.archive_index)) foot.append(el('span', null, t('item.archive', { n: rev.archive_index + 1 })));
  side.append(foot);

  const art = el('article', 'item', meta, title, main, side);
  art.dataset.itemId = rev.id || '';
  return art;
}


/**
 * The finance table: totals with their line items indented beneath, budget and rate columns when any line has a budget.
 * @param {Finance} f
 */
export function buildFinance(f) {
  const unit = f.unit === 'wan' ? 'wan' : 'yuan';
  const cur = !f.currency || f.currency === 'CNY' ? t(`unit.${unit}`) : unit === 'wan' ? `${f.currency} ×10,000` : f.currency;
  const hasBudget = f.lines.some((l) => l.budget != null);
  const head = el('tr', null, el('th', 'name', t('finance.name')));
  if (hasBudget) head.append(el('th', 'num', t('finance.budget')), el('th', 'num', t('finance.actual')), el('th', 'num', t('finance.rate')));
  else head.append(el('th', 'num', t('finance.amount')));
  const body = el('tbody');
  head.className = 'fin-head';
  for (const { line, depth, total } of financeRows(f.lines)) {
    const name = el('td', 'name', line.name || line.code);
    name.style.paddingLeft = `${0.4 + depth * 1.4}em`;
    const tr = el('tr', total ? 'total' : depth ? 'leaf' : null, name);
    if (hasBudget) {
      tr.append(
        el('td', 'num', line.budget != null ? formatFen(line.budget, unit) : ''),
        el('td', 'num', formatFen(line.amount, unit)),
        el('td', 'num', line.budget != null ? percent(line.amount, line.budget) : ''),
      );
    } else tr.append(el('td', 'num', formatFen(line.amount, unit)));
    body.append(tr);
  }
  return el('div', 'finance', el('div', 'unit', el('span', 'page-no'), el('span', null, t('finance.unit', { unit: cur }))), el('table', null, el('thead', null, head), body));
}

/** A sentence telling the reader to tap or click something (点击…查看明细, Tap a line…). */
const tapSentence = /[^。！？!?\n]*(点击|点按|轻触|轻点|\b[Tt]ap\b|\b[Cc]lick\b)[^。！？!?\n]*[。！？!?]?/g;

/**
 * Drops the sentences of a body that tell the reader to tap: a wall or a
 * strip cannot be touched (the kiosk has its own hint next to its table).
 * An element left empty goes too.
 * @param {HTMLElement} body
 */
export function dropTapHints(body) {
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  /** @type {Text[]} */
  const texts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(/** @type {Text} */ (n));
  for (const n of texts) {
    const v = n.data;
    if (!tapSentence.test(v)) continue;
    tapSentence.lastIndex = 0;
    n.data = v.replace(tapSentence, '');
  }
  for (const e of [...body.querySelectorAll('p, li')]) if (!e.textContent?.trim() && !e.querySelector('img')) e.remove();
}

/**
 * One copy of a strip sign's line (the ticker repeats it to fill the sign):
 * each segment is its prefix (category·department, or the notice's kind)
 * and its text.
 * @param {{cls?: string, prefix?: string, text: string}[]} segs
 */
export function buildTickerCopy(segs) {
  return el('div', 'copy', ...segs.map((s) => el('span', `seg ${s.cls || ''}`, s.prefix ? el('b', 'pfx', s.prefix) : null, el('span', 'text', s.text))));
}

/**
 * The strip sign's prefix of an item: its category and department names.
 * @param {Revision} rev
 * @param {{category?: (key: string|undefined) => string, department?: (key: string|undefined) => string}} names
 */
export function tickerPrefix(rev, names) {
  return [names.category?.(rev.category), names.department?.(rev.department)].filter(Boolean).join('·');
}

/** A paged .flow → a copy of it as built, before paging (paging.js). */
export const unpagedFlow = new WeakMap();

/**
 * "image", "video", "pdf" from a type such as "image" or "image/png".
 * @param {string|undefined} type
 */
export function mediaKind(type) {
  const s = String(type || '').toLowerCase();
  if (s.startsWith('image')) return 'image';
  if (s.startsWith('video')) return 'video';
  if (s.includes('pdf')) return 'pdf';
  return s;
}

/**
 * A media entry: a full-screen image, a muted looping video, or a placeholder card for a PDF.
 * @param {Entry} entry
 */
export function buildMedia(entry) {
  const kind = mediaKind(entry.type);
  const box = el('div', `media media-${kind}`);
  if (kind === 'image') {
    const img = el('img');
    img.src = entry.media_url || '';
    img.alt = '';
    box.append(img);
  } else if (kind === 'video') {
    const v = el('video');
    v.muted = true;
    v.autoplay = true;
    v.loop = true;
    v.playsInline = true;
    v.src = entry.media_url || '';
    box.append(v);
    v.play?.().catch(() => {});
  } else {
    const name = String(entry.media_url || '').split('/').pop();
    box.append(el('div', 'card', el('div', 'doc', 'PDF'), el('h1', 'title', t('media.pdf')), el('p', null, t('media.pdf.hint')), el('p', 'muted', name)));
  }
  return box;
}

/**
 * Stops the videos under root so that they free the decoder.
 * @param {Element} root
 */
export function releaseMedia(root) {
  for (const v of root.querySelectorAll('video')) {
    v.pause();
    v.removeAttribute('src');
    v.load();
  }
}

/** A card saying the content cannot be shown (not yet fetched and offline). */
export function buildUnavailable() {
  return el('div', 'media media-pdf', el('div', 'card', el('p', null, t('item.unavailable'))));
}

/**
 * The idle screen: hall clock and the archive checkpoint. Returns {el,
 * dispose}. now() is the corrected clock, checkpoint() the last known
 * {size, short} or null.
 * @param {object} o
 * @param {() => number} o.now
 * @param {string} [o.tz]
 * @param {() => {size: number, short: string}|null} o.checkpoint
 * @returns {{el: HTMLElement, dispose: () => void}}
 */
export function buildIdle({ now, tz, checkpoint }) {
  const time = el('div', 'clock');
  const date = el('div', 'date');
  const arch = el('div', 'archive');
  const box = el('div', 'idle', el('div', 'brand', t('app.name')), time, date, arch);
  const update = () => {
    const ms = now();
    time.textContent = formatClock(ms, tz, lang());
    date.textContent = `${formatDate(ms, tz, lang())} ${formatWeekday(ms, tz, lang())}`;
    const cp = checkpoint();
    arch.textContent = cp ? `${t('idle.archive')} · ${t('idle.entries', { n: cp.size })} · ${t('idle.hash', { hash: cp.short })}` : '';
  };
  update();
  const timer = setInterval(update, 1000);
  return { el: box, dispose: () => clearInterval(timer) };
}

/**
 * Base and minimum font sizes (px) for a box of w × h.
 * @param {number} w
 * @param {number} h
 */
export function fontBounds(w, h) {
  return { max: Math.max(18, Math.round(Math.min(h / 14, w / 22))), min: Math.max(16, Math.round(Math.min(h / 38, w / 60))) };
}

/**
 * Something moving on screen that the caller can stop.
 * @typedef {{cancel: () => void}} Motion
 */

/**
 * The smallest font (px) a finance table is shown at on a box of w × h:
 * readable from 3–5 m on a hall's wall (h/28: 38 px on 1080 rows).
 * @param {number} w
 * @param {number} h
 */
export function tableFont(w, h) {
  return Math.max(16, Math.round(Math.min(h / 28, w / 48)));
}

/**
 * Shrinks root's font size stepwise until nothing overflows (no scrollbars),
 * down to a readable minimum. A finance table that still does not fit is
 * paged (paginate): whole rows per page, the header row on every page,
 * "续 2/3" on the pages after the first. Other content that still overflows
 * its scroll box (.main) scrolls smoothly over durationMs, holding at both
 * ends. Returns what moves, if anything, so the caller can stop it.
 * @param {HTMLElement} root
 * @param {number} durationMs
 * @returns {Motion|null}
 */
export function fit(root, durationMs) {
  /** @type {HTMLElement|null} */
  const main = root.querySelector('.main');
  /** @type {HTMLElement|null} */
  const flow = root.querySelector('.flow');
  const { max, min } = fontBounds(root.clientWidth, root.clientHeight);
  flow?.getAnimations?.().forEach((a) => a.cancel());
  // Fitted again (resized, an image loaded): start from the content as built.
  const unpaged = flow && unpagedFlow.get(flow);
  if (flow && unpaged) {
    flow.replaceChildren(...[...unpaged.children].map((c) => c.cloneNode(true)));
    unpagedFlow.delete(flow);
    root.classList.remove('paged');
    delete root.dataset.page;
    delete root.dataset.pages;
  }
  const over = () =>
    root.scrollHeight > root.clientHeight + 1 ||
    root.scrollWidth > root.clientWidth + 1 ||
    (main && main.scrollHeight > main.clientHeight + 1);
  const table = flow?.querySelector('.finance table');
  // An item with a finance table is paged at a size read from across the hall.
  const floor = table ? Math.max(min, tableFont(root.clientWidth, root.clientHeight)) : min;
  let size = max;
  root.style.fontSize = `${size}px`;
  while (size > floor && over()) {
    size = Math.max(floor, Math.floor(size * 0.92));
    root.style.fontSize = `${size}px`;
  }
  if (!main || !flow) return null;
  if (table && over()) return paged(root, main, flow, durationMs);
  if (!flow.animate) return null;
  const distance = main.scrollHeight - main.clientHeight;
  if (distance <= 1 || !(durationMs > 2000)) return null;
  const y = `translateY(-${distance}px)`;
  return flow.animate(
    [
      { transform: 'translateY(0)', offset: 0 },
      { transform: 'translateY(0)', offset: 0.12 },
      { transform: y, offset: 0.9 },
      { transform: y, offset: 1 },
    ],
    { duration: durationMs, fill: 'forwards', easing: 'linear' },
  );
}

/**
 * Pages the item (paging.js, loaded when first needed: most items fit).
 * @param {HTMLElement} root
 * @param {HTMLElement} main
 * @param {HTMLElement} flow
 * @param {number} durationMs
 * @returns {Motion}
 */
function paged(root, main, flow, durationMs) {
  let stopped = false;
  /** @type {Motion|null} */
  let motion = null;
  const started = Date.now();
  import('./paging.js')
    .then((m) => {
      if (!stopped) motion = m.paginate(root, main, flow, durationMs - (Date.now() - started));
    })
    .catch((err) => console.warn('paging unavailable:', err));
  return {
    cancel() {
      stopped = true;
      motion?.cancel();
    },
  };
}
