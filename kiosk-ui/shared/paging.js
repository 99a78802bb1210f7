// @ts-check
// Paging an item that does not fit a wall or a strip (render.js fit): whole
// blocks and table rows a page, the header row on every page, each page up
// long enough to read from across the hall.

import { el, unpagedFlow } from './render.js';
import { t } from './i18n.js';

/** @typedef {import('./render.js').Motion} Motion */

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
