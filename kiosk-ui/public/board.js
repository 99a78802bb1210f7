// A hall's board on a phone (/v/{hall}): what a village or community (or any
// hall) has put on its own board, under the three headings of 三务公开 —
// 党务, 政务, 财务 — and their categories, newest first, each opening the
// item's page /p/{id}; with a search of the board. No pairing needed: it
// reads the public API only.
//
// Test hooks: <body data-state="loading|ready|error">, the hall's name is
// #board-title, each item is an a.board-item[data-id], the search is
// form#board-search with input[name=q], its results ul#board-results.

import { t, lang, localized } from '../shared/i18n.js';
import { parseTime, formatDate } from '../shared/format.js';
import { h, replace } from '../shared/dom.js';

const api = '/api/v1';
const groups = ['party', 'government', 'finance', ''];

/** The hall id in a /v/{hall} path, or "". */
export function hallIdFromPath(path) {
  const m = /^\/v\/([^/]+)\/?$/.exec(path);
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return '';
  }
}

async function getJSON(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!res.ok) {
    const err = new Error(`${url}: HTTP ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return res.json();
}

const date = (v) => formatDate(parseTime(v), undefined, lang());

export class Board {
  /** @param {string} id @param {HTMLElement} main */
  constructor(id, main) {
    this.id = id;
    this.main = main;
    this.hall = null;
    this.parent = null;
    this.categories = [];
    this.items = [];
    this.query = '';
    this.results = null; // items found by the search, null when none ran
    this.failure = '';
  }

  async load() {
    document.body.dataset.state = 'loading';
    const q = encodeURIComponent(this.id);
    try {
      const [halls, cats, list] = await Promise.all([
        getJSON(`${api}/public/halls`),
        getJSON(`${api}/public/categories?hall=${q}`),
        getJSON(`${api}/public/items?hall=${q}&limit=500`),
      ]);
      this.hall = halls.halls.find((x) => x.id === this.id) || null;
      if (!this.hall) return this.fail('board.notFound');
      this.parent = halls.halls.find((x) => x.id === this.hall.parent) || null;
      this.categories = cats.categories;
      this.items = list.items;
      this.failure = '';
      this.render();
      document.body.dataset.state = 'ready';
    } catch (err) {
      console.error(err);
      this.fail(err.status === 422 ? 'board.notFound' : 'pub.failed');
    }
  }

  fail(key) {
    this.failure = key;
    this.render();
    document.body.dataset.state = 'error';
  }

  async search(q) {
    this.query = q.trim();
    if (!this.query) {
      this.results = null;
      this.render();
      return;
    }
    try {
      const r = await getJSON(`${api}/public/items?hall=${encodeURIComponent(this.id)}&q=${encodeURIComponent(this.query)}&limit=50`);
      this.results = r.items;
    } catch {
      this.results = [];
    }
    this.render();
    document.getElementById('board-results')?.scrollIntoView({ block: 'start' });
  }

  render() {
    if (this.failure) {
      replace(this.main, h('p', { class: 'notice', role: 'status' }, t(this.failure)));
      document.title = t('app.name');
      return;
    }
    if (!this.hall) return;
    document.title = `${this.hall.name} · ${t('board.name')}`;
    const input = h('input', { type: 'search', name: 'q', value: this.query, placeholder: t('board.searchHint'), 'aria-label': t('board.searchHint'), maxlength: '100' });
    const form = h('form', { id: 'board-search', class: 'board-search', role: 'search' }, input, h('button', { type: 'submit', class: 'button' }, t('board.searchButton')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.search(input.value);
    });
    replace(
      this.main,
      h(
        'article',
        { class: 'board', dataset: { hallId: this.hall.id } },
        h('header', { class: 'head' }, h('p', { class: 'published' }, t(`board.kind.${this.hall.kind}`) + (this.parent ? ` · ${this.parent.name}` : '')), h('h1', { id: 'board-title' }, this.hall.name)),
        form,
        this.results && this.resultList(),
        ...this.sections(),
      ),
    );
  }

  resultList() {
    return h(
      'section',
      { class: 'board-group' },
      h('h2', null, t('board.results', { n: this.results.length })),
      this.results.length ? h('ul', { id: 'board-results', class: 'board-list' }, ...this.results.map((it) => this.entry(it))) : h('p', { id: 'board-results', class: 'notice' }, t('board.noResults')),
    );
  }

  sections() {
    if (this.items.length === 0) return [h('p', { class: 'notice' }, t('board.empty'))];
    const out = [];
    for (const g of groups) {
      const cats = this.categories.filter((c) => (c.group || '') === g && c.count > 0);
      if (!cats.length) continue;
      out.push(
        h(
          'section',
          { class: 'board-group', dataset: { group: g || 'other' } },
          h('h2', null, t(`board.group.${g || 'other'}`)),
          ...cats.map((c) => {
            const items = this.items.filter((it) => it.category === c.key);
            return h('div', { class: 'board-category' }, h('h3', null, `${localized(c.name)}（${items.length}）`), h('ul', { class: 'board-list' }, ...items.map((it) => this.entry(it))));
          }),
        ),
      );
    }
    return out;
  }

  entry(it) {
    return h('li', null, h('a', { class: 'board-item', href: `/p/${encodeURIComponent(it.id)}`, dataset: { id: it.id } }, h('span', { class: 'board-item-title' }, it.title), h('span', { class: 'board-item-date' }, date(it.published_at))));
  }
}
