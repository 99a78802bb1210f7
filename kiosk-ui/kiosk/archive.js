// The archive: every published disclosure by month and category, including
// withdrawn and expired ones, each with its revision and archive entry
// number, and the current checkpoint of the transparency log to witness.

import { t, lang, localized } from '../shared/i18n.js';
import { el, pagedList, chips } from './ui.js';
import { api, checkpoint } from './api.js';

/** The last n months up to the one containing now in tz, newest first, as "YYYY-MM". */
export function recentMonths(now, tz, n = 12) {
  let y;
  let m;
  try {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: tz || undefined, year: 'numeric', month: 'numeric' }).formatToParts(new Date(now)).map((x) => [x.type, x.value]));
    y = Number(p.year);
    m = Number(p.month);
  } catch {
    const d = new Date(now);
    y = d.getFullYear();
    m = d.getMonth() + 1;
  }
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (--m === 0) {
      m = 12;
      y--;
    }
  }
  return out;
}

const monthLabel = (ym) => {
  const [y, m] = ym.split('-').map(Number);
  return lang() === 'en' ? new Date(Date.UTC(y, m - 1, 15)).toLocaleDateString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }) : `${y}年${m}月`;
};

export function archive(params, ctx) {
  const filter = ctx.session.drafts.archive || (ctx.session.drafts.archive = { month: '', category: '' });
  const cp = el('div', 'checkpoint');
  const results = el('div', 'archive-results');
  const months = chips([['', t('common.all')], ...recentMonths(ctx.now(), ctx.tz()).map((m) => [m, monthLabel(m)])], filter.month, (v) => {
    filter.month = v;
    list();
  }, 'month');
  const cats = chips([['', t('common.all')], ...(ctx.categoryList() || []).map((c) => [c.key, localized(c.name) || c.key])], filter.category, (v) => {
    filter.category = v;
    list();
  }, 'filterCategory');
  const node = el(
    'section',
    'view archive',
    el('h1', 'view-title', t('archive.title')),
    el('p', 'hint', t('archive.hint')),
    cp,
    el('div', 'filters', el('div', 'filter-label', t('archive.months')), months, el('div', 'filter-label', t('archive.cats')), cats),
    results,
  );

  function list() {
    results.replaceChildren(
      pagedList(ctx, (offset, limit) => api.items({ include: 'archived', month: filter.month, category: filter.category, limit, offset }), { archive: true }),
    );
  }

  checkpoint().then((c) => {
    if (!c) return;
    cp.replaceChildren(el('p', 'cp-line', t('archive.checkpoint', { n: c.size, hash: c.short })), el('p', 'hint', t('archive.witness')));
    cp.dataset.size = String(c.size);
  });
  list();
  return { el: node, state: 'archive' };
}
