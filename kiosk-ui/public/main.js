// The public page of one published item (/p/{id}): what the QR code on a
// screen opens on a resident's phone. It shows the item (or, with ?rev=N, an
// earlier revision), its finance table, attachments, the matter it belongs
// to, its revision history, and checks its archive proof in the browser.
//
// It is also a witness of the archive's history (shared/witness.js): it
// remembers the last signed head this browser saw and checks the current one
// against it; a broken history shows #archive-warning and is reported.
//
// Residents rate the item and leave feedback under it (respond.js).
//
// Test hooks: <body data-state="loading|ready|error">, the title is #title,
// #proof-status carries data-verified="true|false|unavailable" once the
// proof has been checked (no attribute while checking), and <body
// data-archive="ok|broken|unavailable|unsupported"> once the history has
// been checked (data-archive-problem names a broken history's problem).

import { setLang, detectLang, t, extend, lang } from '../shared/i18n.js';
import { parseCheckpoint } from '../shared/format.js';
import { replace } from '../shared/dom.js';
import { canVerify, verifyInclusion } from '../shared/merkle.js';
import { witness } from '../shared/witness.js';
import { strings } from './strings.js';
import { buildPage, buildProof, buildMessage, buildWarning, contentProblem } from './view.js';
import { buildRespond, newRespondState } from './respond.js';
import { Board, hallIdFromPath } from './board.js';
import { receiptFromPath, showReceipt } from './receipt.js';
import { applyPrintLayout, buildPrintHead } from './print.js';

extend(strings);

const api = '/api/v1';
const langKey = 'hallcast.lang';

class NotFound extends Error {}

/** A redacted revision (410): its content was deleted; reason says why. */
class Gone extends Error {
  /** @param {string} url @param {string} reason */
  constructor(url, reason) {
    super(url);
    this.reason = reason;
  }
}

async function fetchOK(url, accept) {
  const res = await fetch(url, { headers: { Accept: accept } });
  if (res.status === 404) throw new NotFound(url);
  if (res.status === 410) {
    const body = await res.json().catch(() => null);
    throw new Gone(url, (body && body.error && body.error.details && body.error.details.reason) || '');
  }
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
}

const getJSON = async (url) => (await fetchOK(url, 'application/json')).json();
const getText = async (url) => (await fetchOK(url, 'text/plain')).text();
const optional = (p) => p.catch(() => null);

/** The item id in a /p/{id} path, or "". */
export function itemIdFromPath(path) {
  const m = /^\/p\/([^/]+)\/?$/.exec(path);
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return '';
  }
}

/** The revision asked for with ?rev=N, or 0 for the current one. */
export function revisionFromSearch(search) {
  const n = Number(new URLSearchParams(search).get('rev'));
  return Number.isInteger(n) && n > 0 ? n : 0;
}

function pickLang() {
  const fromURL = new URLSearchParams(location.search).get('lang');
  if (fromURL) return detectLang();
  try {
    return localStorage.getItem(langKey) || 'zh';
  } catch {
    return 'zh';
  }
}

/** This page's URL with the query parameters changed (null removes one). */
function urlWith(params) {
  const u = new URL(location.href);
  for (const [k, v] of Object.entries(params)) {
    if (v == null) u.searchParams.delete(k);
    else u.searchParams.set(k, String(v));
  }
  return u.pathname + u.search + u.hash;
}

class Page {
  constructor(id, main) {
    this.id = id;
    this.main = main;
    this.item = null; // the current published revision with its state
    this.view = null; // the revision shown
    this.catalog = null;
    this.history = null;
    this.matter = null;
    this.revisions = new Map();
    this.proof = { status: 'checking' };
    this.proofRun = 0;
    this.archive = null; // the witness's result, null while checking
    this.failure = null;
    this.respond = newRespondState(id); // rating and feedback (respond.js)
  }

  setState(s) {
    document.body.dataset.state = s;
  }

  async load() {
    this.setState('loading');
    this.failure = null;
    if (!this.id) return this.fail('pub.badLink', false);
    const enc = encodeURIComponent(this.id);
    try {
      const [item, catalog, history] = await Promise.all([
        getJSON(`${api}/public/items/${enc}`),
        optional(getJSON(`${api}/public/categories`)),
        optional(getJSON(`${api}/public/items/${enc}/revisions`)),
      ]);
      this.item = item;
      this.catalog = catalog;
      this.history = history;
      this.revisions.set(item.revision, item);
      await this.show(revisionFromSearch(location.search));
      this.checkHistory();
    } catch (err) {
      if (err instanceof NotFound) return this.fail('pub.notFound', false);
      if (err instanceof Gone) return this.fail('pub.redacted', false, err.reason);
      console.error(err);
      this.fail('pub.failed', true);
    }
  }

  fail(key, retry, detail = '') {
    this.failure = { key, retry, detail };
    replace(this.main, buildMessage(t(key) + (detail ? ` ${detail}` : ''), retry ? () => this.load() : null));
    document.title = t('app.name');
    this.setState('error');
  }

  /** Shows revision n (0: the current one) and checks its proof. */
  async show(n) {
    let view = this.item;
    if (n && n !== this.item.revision) {
      view = this.revisions.get(n);
      if (!view) {
        try {
          view = await getJSON(`${api}/public/items/${encodeURIComponent(this.id)}/revisions/${n}`);
          this.revisions.set(n, view);
        } catch (err) {
          if (!(err instanceof NotFound) && !(err instanceof Gone)) throw err;
          view = this.item;
        }
      }
    }
    this.view = view;
    if (!view.matter_id) this.matter = null;
    else if (!this.matter || this.matter.matter?.id !== view.matter_id) {
      this.matter = await optional(getJSON(`${api}/public/matters/${encodeURIComponent(view.matter_id)}`));
    }
    this.render();
    this.setState('ready');
    this.verify();
  }

  render() {
    if (this.failure) {
      const { key, retry, detail } = this.failure;
      replace(this.main, buildMessage(t(key) + (detail ? ` ${detail}` : ''), retry ? () => this.load() : null));
      return;
    }
    if (!this.view) return;
    document.title = `${this.view.title} · ${t('app.name')}`;
    replace(this.main, buildPage(this));
    this.main.querySelector('article')?.prepend(buildPrintHead(this.view));
    this.renderRespond();
  }

  /** Rating and feedback, under the current revision of an item live now. */
  renderRespond() {
    const old = document.getElementById('respond');
    const live = this.view === this.item && (this.item.state || 'live') === 'live';
    if (!live) return old?.remove();
    const box = buildRespond(this.id, this.respond, () => this.renderRespond());
    if (old) return old.replaceWith(box);
    // After what the item says, before its matter, history and proof.
    const next = this.main.querySelector('article #matter, article #history, article #proof, article .foot');
    if (next) next.before(box);
    else this.main.append(box);
  }

  renderProof() {
    const old = document.getElementById('proof');
    if (old) old.replaceWith(buildProof(this.proof, this.view, this.archive));
  }

  /** Checks the archive's history as a witness and shows what it found. */
  async checkHistory() {
    let r;
    try {
      r = await witness('public');
    } catch (err) {
      console.warn('archive witness:', err);
      r = { status: 'unavailable' };
    }
    this.archive = r;
    document.getElementById('archive-warning')?.remove();
    const warning = buildWarning(r);
    if (warning) (this.main.querySelector('article') || this.main).prepend(warning);
    this.renderProof();
    if (r.problem) document.body.dataset.archiveProblem = r.problem;
    document.body.dataset.archive = r.status;
  }

  /** Fetches the checkpoint and the inclusion proof of the shown revision and checks them. */
  async verify() {
    const run = ++this.proofRun;
    const v = this.view;
    const index = Number(v.archive_index);
    this.proof = { status: 'checking', index };
    this.renderProof();
    const checkpoint = parseCheckpoint(await optional(getText(`${api}/archive/checkpoint`)));
    let data;
    try {
      const size = checkpoint && checkpoint.size > index ? `?size=${checkpoint.size}` : '';
      data = await getJSON(`${api}/archive/proof/${index}${size}`);
    } catch (err) {
      console.warn('archive proof', err);
      if (run === this.proofRun) {
        this.proof = { status: 'error', index };
        this.renderProof();
      }
      return;
    }
    const proof = { status: 'raw', index, data, checkpoint };
    if (canVerify()) {
      try {
        const r = await verifyInclusion(data);
        proof.leafHash = r.leafHash;
        let problem = r.ok ? '' : r.problem;
        if (!problem && Number(data.index) !== index) problem = 'content';
        if (!problem) problem = await contentProblem(data, v);
        if (!problem && checkpoint && checkpoint.size === Number(data.size) && checkpoint.root !== data.root) problem = 'checkpoint';
        proof.status = problem ? 'failed' : 'verified';
        proof.problem = problem;
      } catch (err) {
        console.warn('archive proof: cannot verify', err);
      }
    }
    if (run !== this.proofRun) return;
    this.proof = proof;
    this.renderProof();
  }

  /** Switches language without reloading anything. */
  toggleLang() {
    toggleLang();
    this.render();
  }

  /** Opens revision n (0: the current one) as a new history entry. */
  open(n) {
    const rev = n && n !== this.item.revision ? n : null;
    history.pushState(null, '', urlWith({ rev }));
    this.show(rev || 0)
      .then(() => window.scrollTo(0, 0))
      .catch(() => this.fail('pub.failed', true));
  }
}

/** Switches the language, remembers it and puts it in the address. */
function toggleLang() {
  const next = setLang(lang() === 'zh' ? 'en' : 'zh');
  try {
    localStorage.setItem(langKey, next);
  } catch {
    /* private mode */
  }
  history.replaceState(history.state, '', urlWith({ lang: next === 'zh' ? null : next }));
  updateChrome();
}

function updateChrome() {
  document.getElementById('brand').textContent = t('app.name');
  const b = document.getElementById('lang-toggle');
  b.textContent = t('pub.toggle');
  b.lang = lang() === 'zh' ? 'en' : 'zh-CN';
}

/** A hall's board (/v/{hall}) instead of an item. */
function startBoard(id) {
  const board = new Board(id, document.getElementById('main'));
  document.getElementById('lang-toggle').addEventListener('click', () => {
    toggleLang();
    board.render();
  });
  board.load();
}

function start() {
  setLang(pickLang());
  updateChrome();
  if (location.pathname.startsWith('/v/')) return startBoard(hallIdFromPath(location.pathname));
  const receipt = receiptFromPath(location.pathname);
  if (receipt) {
    // /r/{receipt}: a feedback receipt, opened from the kiosk's QR code.
    const main = /** @type {HTMLElement} */ (document.getElementById('main'));
    document.getElementById('lang-toggle')?.addEventListener('click', () => {
      toggleLang();
      showReceipt(receipt, main);
    });
    showReceipt(receipt, main);
    return;
  }
  applyPrintLayout(location.search);
  const page = new Page(itemIdFromPath(location.pathname), document.getElementById('main'));
  document.getElementById('lang-toggle').addEventListener('click', () => page.toggleLang());
  // Links to this item's revisions switch in place.
  document.getElementById('main').addEventListener('click', (e) => {
    const a = e.target.closest('a[data-rev]');
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    page.open(Number(a.dataset.rev));
  });
  window.addEventListener('popstate', () => {
    if (!page.item) return;
    page.show(revisionFromSearch(location.search)).catch(() => page.fail('pub.failed', true));
  });
  page.load();
}

if (globalThis.document) start();
