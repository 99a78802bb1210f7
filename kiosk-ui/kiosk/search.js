// Search with the on-screen keyboard; matching titles are suggested as the
// resident taps (debounced queries of /api/v1/public/items?q=).

import { t, localized } from '../shared/i18n.js';
import { el, itemRow } from './ui.js';
import { api, searchSaved, HTTPError } from './api.js';
import { keyboard, applyKey, SEARCH_WORDS } from './keyboard.js';

const debounceMs = 300;
const maxQuery = 40;

/** Category names first, then the static words, without repeats. */
export function searchWords(categoryNames) {
  return [...new Set([...categoryNames.filter(Boolean), ...SEARCH_WORDS])].slice(0, 48);
}

export function search(params, ctx) {
  let q = ctx.session.drafts.search || '';
  const text = el('span', 'field-text');
  const display = el('div', 'field search-field', el('span', 'search-icon', '⌕'), text, el('span', 'caret'));
  display.id = 'search-text';
  const status = el('p', 'status');
  const results = el('div', 'item-list suggestions');
  results.id = 'suggestions';
  const kb = keyboard({
    layout: 'search',
    words: searchWords((ctx.categoryList() || []).map((c) => localized(c.name))),
    onKey(k) {
      q = applyKey(q, k, maxQuery);
      ctx.session.drafts.search = q;
      draw();
      schedule();
    },
  });
  const node = el('section', 'view search', el('h1', 'view-title', t('search.title')), el('div', 'search-grid', el('div', 'search-input', display, kb), el('div', 'search-results', status, results)));
  let timer = 0;
  let seq = 0;

  function draw() {
    text.textContent = q || t('search.placeholder');
    display.classList.toggle('empty', !q);
    display.dataset.value = q;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  }

  async function run() {
    const query = q.trim();
    const mine = ++seq;
    if (!query) {
      status.textContent = '';
      results.replaceChildren();
      return;
    }
    status.textContent = t('common.loading');
    let items;
    let offline = false;
    try {
      items = (await api.items({ q: query, limit: 20 })).items || [];
    } catch (err) {
      if (err instanceof HTTPError) items = [];
      else {
        offline = true;
        items = await searchSaved(query);
      }
    }
    if (mine !== seq) return;
    status.textContent = `${offline ? `${t('search.offline')} · ` : ''}${items.length ? t('search.found', { n: items.length }) : t('search.none')}`;
    results.replaceChildren(...items.map((it) => itemRow(it, ctx)));
  }

  draw();
  if (q) run();
  return { el: node, state: 'search' };
}
