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
 * How long one page of a paged item stays up, in ms, for a page of lines
 * lines (a table row is a line): 2 s to find the place again, then 0.8 s a
 * line (a row read from 3–5 m: its name and one or three amounts), never
 * under 6 s.
 * @param {number} lines
 */
export function pageDwellMs(lines) {
  return Math.max(6000, 2000 + 800 * lines);
}

/** Where each item's table left off: the page its next showing starts at. */
const resumeAt = new Map();

/** A paged .flow → a copy of it as built, before paging. */
const unpagedFlow = new WeakMap();

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
  if (table && over()) return paginate(root, main, flow, durationMs);
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
 * Pages an item that does not fit, instead of scrolling it: .flow becomes
 * .page elements, one shown at a time, filled in order with whole blocks
 * (the summary, each paragraph or heading of the body) and whole table
 * rows; a table split over pages repeats its header row on each, and the
 * finance table's unit line says "续 2/3" on the pages after the first.
 * Pages change after pageDwellMs of their lines and go round again while
 * durationMs lasts; a page is never cut short (the last one with time
 * enough stays to the end), and when the showing was too short for every
 * page the item's next showing goes on where this one stopped. root gets
 * data-page="n/of" and data-pages.
 * @param {HTMLElement} root
 * @param {HTMLElement} main
 * @param {HTMLElement} flow
 * @param {number} durationMs
 * @returns {Motion}
 */
export function paginate(root, main, flow, durationMs) {
  unpagedFlow.set(flow, flow.cloneNode(true));
  /** @type {{el: Element, inBody: boolean}[]} */
  const units = [];
  for (const c of [...flow.children]) {
    if (c.classList.contains('body')) for (const b of [...c.children]) units.push({ el: b, inBody: true });
    else units.push({ el: c, inBody: false });
  }
  flow.replaceChildren();
  const overflows = () => main.scrollHeight > main.clientHeight + 1;
  /** @type {HTMLElement[]} */
  const pages = [];
  let page = el('div', 'page');
  let placed = 0; // units and rows on the current page
  const newPage = () => {
    page.hidden = true;
    page = el('div', 'page');
    placed = 0;
    flow.append(page);
    pages.push(page);
  };
  flow.append(page);
  pages.push(page);
  /** Where a unit goes on the current page: body blocks inside a .body. @param {boolean} inBody */
  const holder = (inBody) => {
    if (!inBody) return page;
    const last = page.lastElementChild;
    if (last && last.classList.contains('body')) return last;
    const b = el('div', 'body');
    page.append(b);
    return b;
  };
  /** @param {Element} e */
  const place = (e, /** @type {boolean} */ inBody) => {
    holder(inBody).append(e);
    if (overflows() && placed > 0) {
      const from = e.parentElement;
      e.remove();
      if (from && from !== page && !from.children.length) from.remove();
      newPage();
      holder(inBody).append(e);
    }
  };
  for (const u of units) {
    const table = u.el instanceof HTMLTableElement ? u.el : u.el.classList.contains('finance') ? u.el.querySelector('table') : null;
    if (!table || !table.tBodies.length) {
      place(u.el, u.inBody);
      placed++;
      continue;
    }
    const rows = [...table.tBodies[0].rows];
    const shell = () => {
      const t2 = /** @type {HTMLTableElement} */ (table.cloneNode(false));
      if (table.tHead) t2.append(table.tHead.cloneNode(true));
      const body = el('tbody');
      t2.append(body);
      if (u.el === table) return { box: /** @type {Element} */ (t2), body };
      const box = /** @type {Element} */ (u.el.cloneNode(false));
      const unit = u.el.querySelector('.unit');
      if (unit) box.append(unit.cloneNode(true));
      box.append(t2);
      return { box, body };
    };
    let sh = shell();
    let rowsHere = 0;
    place(sh.box, u.inBody);
    for (const r of rows) {
      sh.body.append(r);
      if (overflows()) {
        if (rowsHere === 0 && placed > 0) {
          // Not one row fits under what is on the page: the table starts the next.
          const from = sh.box.parentElement;
          sh.box.remove();
          if (from && from !== page && !from.children.length) from.remove();
          newPage();
          holder(u.inBody).append(sh.box);
        } else if (rowsHere > 0) {
          r.remove();
          newPage();
          sh = shell();
          sh.body.append(r);
          holder(u.inBody).append(sh.box);
          rowsHere = 0;
        }
      }
      rowsHere++;
      placed++;
    }
  }
  const of = pages.length;
  let finSeen = false;
  pages.forEach((p, i) => {
    const no = p.querySelector('.finance .page-no');
    if (no) {
      no.textContent = finSeen ? t('finance.continued', { n: i + 1, of }) : t('finance.page', { n: i + 1, of });
      finSeen = true;
    }
    p.dataset.page = String(i + 1);
  });
  // A page's lines: its table rows, and its text by height.
  const lineH = parseFloat(getComputedStyle(flow).fontSize) * 1.45 || 1;
  const lines = pages.map((p) => {
    p.hidden = false;
    const rows = p.querySelectorAll('tbody tr').length;
    let text = 0;
    for (const c of p.querySelectorAll(':scope > :not(.finance):not(table), :scope > .body > :not(table)')) if (!c.classList.contains('body')) text += c.getBoundingClientRect().height;
    p.hidden = true;
    return rows + Math.round(text / lineH);
  });
  root.classList.add('paged');
  root.dataset.pages = String(of);

  const dwell = lines.map((n) => pageDwellMs(n));
  const key = root.dataset.itemId || '';
  const end = Date.now() + (Number.isFinite(durationMs) ? durationMs : Infinity);
  let at = (resumeAt.get(key) || 0) % of;
  let shownAt = Date.now();
  let dwelled = 0; // pages that had their time in this showing
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let timer;
  const show = (/** @type {number} */ i) => {
    at = i;
    shownAt = Date.now();
    pages.forEach((p, n) => (p.hidden = n !== i));
    root.dataset.page = `${i + 1}/${of}`;
    const next = (i + 1) % of;
    // Pages go round at their own pace; a page is not cut short, so the
    // last one with time enough stays until the end of the showing.
    if (Date.now() + dwell[i] + dwell[next] > end) return;
    timer = setTimeout(() => {
      dwelled++;
      show(next);
    }, dwell[i]);
  };
  show(at);
  return {
    cancel() {
      clearTimeout(timer);
      if (Date.now() - shownAt >= dwell[at]) dwelled++;
      // A showing too short for every page: the next one goes on from here.
      if (dwelled >= of) resumeAt.delete(key);
      else resumeAt.set(key, Date.now() - shownAt >= dwell[at] ? (at + 1) % of : at);
    },
  };
}
