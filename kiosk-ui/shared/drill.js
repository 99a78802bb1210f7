// @ts-check
// A finance table as a drill-down: the top-level totals first; tapping a
// line with children shows its sub-items, with a breadcrumb back up (and the
// top bar's 返回 goes up one level). Budget against actual and the share
// executed where a budget is given. The level shown lives in a state object
// the caller keeps, so that it survives leaving and coming back.

import { t } from '../shared/i18n.js';
import { formatFen, percent } from '../shared/format.js';
import { el, button } from './render.js';

/** @typedef {import('./protocol.js').Finance} Finance */
/** @typedef {import('./protocol.js').FinanceLine} FinanceLine */
/** @typedef {{byCode: Map<string, FinanceLine>, children: (code: string|undefined) => FinanceLine[]}} Tree */

/**
 * Lines grouped by parent: {byCode, children(code|'') → lines}. Unknown or self parents count as top level.
 * @param {FinanceLine[]} lines
 * @returns {Tree}
 */
export function financeTree(lines) {
  const byCode = new Map(lines.map((l) => [l.code, l]));
  /** @type {Map<string, FinanceLine[]>} */
  const kids = new Map();
  for (const l of lines) {
    const p = l.parent && l.parent !== l.code && byCode.has(l.parent) ? l.parent : '';
    const list = kids.get(p);
    if (list) list.push(l);
    else kids.set(p, [l]);
  }
  return { byCode, children: (code) => kids.get(code || '') || [] };
}

/**
 * The path from the top to code: [top, …, code] (stops at cycles).
 * @param {Tree} tree
 * @param {string} code
 */
export function pathTo(tree, code) {
  /** @type {string[]} */
  const out = [];
  const seen = new Set();
  for (let c = /** @type {string|undefined} */ (code); c && tree.byCode.has(c) && !seen.has(c); c = tree.byCode.get(c)?.parent) {
    seen.add(c);
    out.unshift(c);
  }
  return out;
}

/**
 * @param {Finance} f the revision's finance table
 * @param {{at?: string, onChange?: () => void}} state at: the code of the
 *   line opened ('' for the top); updated in place; onChange after each move
 * @returns {{el: HTMLElement, up: () => boolean}} up() goes up one level,
 *   false when already at the top
 */
export function financeView(f, state = {}) {
  const lines = Array.isArray(f.lines) ? f.lines : [];
  const unit = f.unit === 'wan' ? 'wan' : 'yuan';
  const cur = !f.currency || f.currency === 'CNY' ? t(`unit.${unit}`) : `${f.currency}${unit === 'wan' ? ' ×10,000' : ''}`;
  const hasBudget = lines.some((l) => l.budget != null);
  const tree = financeTree(lines);
  const crumbs = el('nav', 'crumbs');
  const table = el('div', `fin-table${hasBudget ? ' b' : ''}`);
  const drillable = tree.children('').some((l) => tree.children(l.code).length);
  const hint = drillable ? el('p', 'hint fin-hint', t('fin.tap')) : null;
  const box = el('section', 'finance-drill', el('div', 'fin-head', el('h2', 'sec-title', t('fin.title')), el('span', 'fin-unit', t('finance.unit', { unit: cur }))), hint, crumbs, table);
  let at = state.at && tree.byCode.has(state.at) && tree.children(state.at).length ? state.at : '';

  const money = (/** @type {number|null|undefined} */ v) => (v == null ? '' : formatFen(v, unit));

  /** @param {FinanceLine} l */
  function cells(l) {
    if (!hasBudget) return [el('span', 'num', money(l.amount))];
    const pct = l.budget != null ? percent(l.amount, l.budget) : '';
    const bar = el('span', 'bar');
    if (pct && l.budget != null) {
      const fill = el('span', `bar-fill${l.amount > l.budget ? ' over' : ''}`);
      fill.style.width = `${Math.min(100, Math.max(0, (l.amount / l.budget) * 100))}%`;
      bar.append(fill);
    }
    return [el('span', 'num', money(l.budget)), el('span', 'num', money(l.amount)), el('span', 'num pct', pct, bar)];
  }

  function header() {
    const h = [el('span', 'name', t('finance.name'))];
    if (hasBudget) h.push(el('span', 'num', t('finance.budget')), el('span', 'num', t('finance.actual')), el('span', 'num', t('fin.executed')));
    else h.push(el('span', 'num', t('finance.amount')));
    return el('div', 'fin-row fin-th', ...h);
  }

  function draw() {
    const path = pathTo(tree, at);
    crumbs.replaceChildren(button(`crumb${at ? '' : ' here'}`, t('fin.all'), () => go(''), { crumb: '' }));
    for (const c of path) {
      crumbs.append(el('span', 'sep', '›'), button(`crumb${c === at ? ' here' : ''}`, tree.byCode.get(c)?.name || c, () => go(c), { crumb: c }));
    }
    /** @type {HTMLElement[]} */
    const rows = [header()];
    const cur = at ? tree.byCode.get(at) : undefined;
    if (cur) {
      rows.push(el('div', 'fin-row fin-sum', el('span', 'name', `${cur.name || cur.code} · ${t('fin.subtotal')}`), ...cells(cur)));
    }
    for (const l of tree.children(at)) {
      const more = tree.children(l.code).length > 0;
      const name = el('span', 'name', l.name || l.code);
      if (more) name.append(el('span', 'chev', '›'));
      const r = more ? button('fin-row more', [name, ...cells(l)], () => go(l.code)) : el('div', 'fin-row', name, ...cells(l));
      r.dataset.line = l.code;
      if (more) r.dataset.hasChildren = 'true';
      rows.push(r);
    }
    table.replaceChildren(...rows);
    box.dataset.at = at;
  }

  /** @param {string} code */
  function go(code) {
    at = code;
    state.at = code;
    draw();
    if (state.onChange) state.onChange();
  }

  /** One level up: the parent of the opened line, or the top. */
  function up() {
    if (!at) return false;
    const path = pathTo(tree, at);
    go(path.length > 1 ? path[path.length - 2] : '');
    return true;
  }

  draw();
  return { el: box, up };
}
