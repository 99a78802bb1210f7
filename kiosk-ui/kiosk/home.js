// Home (category tiles, newest items, search box, quick actions) and one
// category's list.

import { t, localized } from '../shared/i18n.js';
import { el, button, heading, fillAsync, pagedList, updatedLabel, itemRow } from './ui.js';
import { api } from './api.js';

export function home(params, ctx) {
  const tiles = el('div', 'tiles');
  const latest = el('div', 'item-list');
  const search = button('search-box', [el('span', 'search-icon', '⌕'), el('span', null, t('home.search'))], () => ctx.go('search'));
  search.id = 'search-box';
  const actions = el(
    'div',
    'actions',
    button('action rate', t('home.rate'), () => ctx.go('rate-hall'), { action: 'rate' }),
    button('action', t('home.feedback'), () => ctx.go('feedback'), { action: 'feedback' }),
    button('action', t('home.replies'), () => ctx.go('replies'), { action: 'replies' }),
  );
  const node = el('section', 'view home', search, heading(t('home.categories')), tiles, actions, heading(t('home.latest')), latest);
  fillAsync(tiles, async () => {
    const body = await ctx.loadCategories();
    // A category with nothing published is no use to a resident: no card.
    const cats = (body.categories || []).filter((c) => (c.count ?? 0) > 0).sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0));
    if (!cats.length) return el('p', 'status', t('common.empty'));
    return cats.map((c) => tile(c, ctx));
  });
  fillAsync(latest, async () => {
    const body = await api.items({ limit: 6 });
    const items = body.items || [];
    return items.length ? items.map((it) => itemRow(it, ctx)) : el('p', 'status', t('common.empty'));
  });
  return { el: node, state: 'home' };
}

function tile(c, ctx) {
  const sub = [];
  if (c.immediate) sub.push(el('span', 'badge immediate', t('cat.immediate')));
  else if (c.cadence && c.cadence !== 'once') sub.push(el('span', 'cadence', t(`cadence.${c.cadence}`)));
  return button(
    'tile',
    [
      el('span', 'tile-row', el('span', 'tile-name', localized(c.name) || c.key), el('span', 'tile-count', c.count === 1 ? t('common.count1') : t('common.count', { n: c.count ?? 0 }))),
      el('span', 'tile-row', el('span', 'tile-updated', updatedLabel(c.last_updated, ctx.now())), el('span', 'tile-sub', ...sub)),
    ],
    () => ctx.go('category', { key: c.key }),
    { category: c.key },
  );
}

export function category(params, ctx) {
  const title = el('h1', 'view-title', ctx.catName(params.key));
  const list = pagedList(ctx, (offset, limit) => api.items({ category: params.key, limit, offset }), { noCategory: true });
  return { el: el('section', 'view category', title, list), state: 'category' };
}
