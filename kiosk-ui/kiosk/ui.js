// Small DOM builders shared by the kiosk views.

import { t, lang } from '../shared/i18n.js';
import { formatDate, parseTime } from '../shared/format.js';
import { el, button } from '../shared/render.js';
import { archiveNo, badges } from '../shared/itempage.js';

export { el, button };
export { archiveNo, badges } from '../shared/itempage.js';

/** A heading of a view section. */
export const heading = (text, level = 'h2') => el(level, 'sec-title', text);

export const loading = () => el('p', 'status', t('common.loading'));

export const failed = () => el('p', 'status error', t('common.error'));

/** Replaces the children of box with a loading line, then with what fill() resolves to. */
export async function fillAsync(box, fill) {
  box.replaceChildren(loading());
  try {
    const nodes = await fill();
    box.replaceChildren(...[].concat(nodes).filter(Boolean));
  } catch (err) {
    console.warn('kiosk:', err);
    box.replaceChildren(failed());
  }
}

/** "2026年1月5日" for an RFC 3339 time in the hall's time zone. */
export const date = (v, tz) => formatDate(parseTime(v), tz, lang());

/** Whole days between then and now (never negative), NaN when then is unknown. */
export function daysSince(then, now = Date.now()) {
  const ms = parseTime(then);
  if (!Number.isFinite(ms)) return NaN;
  return Math.max(0, Math.floor((now - ms) / 86400000));
}

/** "今天更新" / "N 天前更新" */
export function updatedLabel(then, now) {
  const d = daysSince(then, now);
  if (!Number.isFinite(d)) return t('cat.never');
  if (d === 0) return t('cat.today');
  return d === 1 ? t('cat.yesterday') : t('cat.days', { n: d });
}

/**
 * One item in a list: a button [data-item=ID]. opts.archive adds the
 * revision and archive entry number and the withdrawal reason.
 */
export function itemRow(it, ctx, opts = {}) {
  const meta = el('div', 'row-meta', ...badges(it));
  const cat = ctx.catName(it.category);
  if (cat && !opts.noCategory) meta.append(el('span', 'tag', cat));
  meta.append(el('span', null, date(it.published_at, ctx.tz())));
  if (opts.archive) {
    meta.append(el('span', null, t('item.revision', { n: it.revision })));
    if (it.archive_index != null) meta.append(el('span', 'archive-no', archiveNo(it.archive_index)));
  }
  if (it.has_finance) meta.append(el('span', 'fin-mark', '¥'));
  const b = button(`item-row state-${it.state || 'live'}`, [el('span', 'row-title', it.title || it.id), meta], () => ctx.go('item', { id: it.id }), { item: it.id });
  if (opts.archive && it.withdraw_reason) b.append(el('span', 'row-reason', t('item.reason', { reason: it.withdraw_reason })));
  return b;
}

/**
 * A list that loads pages of items on demand: fetchPage(offset, limit)
 * resolves to {items}; a "more" button appears while full pages come back.
 */
export function pagedList(ctx, fetchPage, opts = {}) {
  const limit = opts.limit || 20;
  const list = el('div', 'item-list');
  const more = button('more', t('common.more'), () => load());
  more.hidden = true;
  const box = el('div', 'paged', list, more);
  let offset = 0;
  async function load() {
    more.hidden = true;
    const wait = loading();
    list.append(wait);
    try {
      const body = await fetchPage(offset, limit);
      const items = (body && body.items) || [];
      wait.remove();
      if (!offset && !items.length) list.append(el('p', 'status', opts.empty || t('common.empty')));
      for (const it of items) list.append(itemRow(it, ctx, opts));
      offset += items.length;
      more.hidden = items.length < limit;
    } catch (err) {
      console.warn('kiosk:', err);
      wait.replaceWith(failed());
    }
  }
  load();
  return box;
}

/** Row of toggle chips; onPick(value) when one is tapped. The picked one has aria-pressed=true. */
export function chips(options, picked, onPick, dataName = 'value') {
  const row = el('div', 'chips');
  for (const [value, label] of options) {
    const c = button('chip', label, () => {
      row.querySelectorAll('.chip').forEach((x) => x.setAttribute('aria-pressed', String(x === c)));
      onPick(value);
    }, { [dataName]: value });
    c.setAttribute('aria-pressed', String(value === picked));
    row.append(c);
  }
  return row;
}
