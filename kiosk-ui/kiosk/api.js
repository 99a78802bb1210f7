// Public reads for the kiosk. Every answer is also kept in IndexedDB so the
// kiosk keeps working offline even where no service worker runs (plain-http
// LAN origins): network first, the saved copy when the network fails;
// immutable revision URLs are served from the saved copy first.

import { openDB, req, done } from '../shared/idb.js';
import { parseCheckpoint, parseTime } from '../shared/format.js';

const timeoutMs = 6000;
const maxSaved = 400;

const db = openDB('hallcast-kiosk', 1, (d) => {
  d.createObjectStore('revisions', { keyPath: 'url' }); // the attract loop's revisions (shared/content.js)
  d.createObjectStore('responses', { keyPath: 'url' }); // everything residents opened
}).catch((err) => {
  console.warn('kiosk: IndexedDB unavailable', err.message);
  return null;
});

/** The kiosk's IndexedDB (null when unavailable); the runtime keeps the attract loop's revisions in it. */
export const kioskDB = () => db;

export class HTTPError extends Error {
  constructor(status, url) {
    super(`GET ${url}: ${status}`);
    this.status = status;
  }
}

const memory = new Map(); // immutable url → body
let puts = 0;

async function saved(url) {
  const d = await db;
  if (!d) return undefined;
  try {
    const rec = await req(d.transaction('responses').objectStore('responses').get(url));
    return rec ? rec.body : undefined;
  } catch {
    return undefined;
  }
}

async function save(url, body) {
  const d = await db;
  if (!d) return;
  try {
    const tx = d.transaction('responses', 'readwrite');
    tx.objectStore('responses').put({ url, at: Date.now(), body });
    await done(tx);
    if (++puts % 25 === 0) await prune(d);
  } catch (err) {
    console.warn('kiosk: cannot save', url, err);
  }
}

async function prune(d) {
  const tx = d.transaction('responses', 'readwrite');
  const s = tx.objectStore('responses');
  const all = await req(s.getAll());
  all.sort((a, b) => b.at - a.at);
  for (const r of all.slice(maxSaved)) s.delete(r.url);
  await done(tx);
}

/** Forgets a saved response (a revision redacted since). */
async function forget(url) {
  memory.delete(url);
  const d = await db;
  if (!d) return;
  try {
    const tx = d.transaction('responses', 'readwrite');
    tx.objectStore('responses').delete(url);
    await done(tx);
  } catch {
    /* nothing saved */
  }
}

async function fetchBody(url, text) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { headers: { Accept: text ? 'text/plain' : 'application/json' }, signal: ctl.signal });
    if (!res.ok) throw new HTTPError(res.status, url);
    return text ? await res.text() : await res.json();
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET url as JSON. opts.immutable: serve a saved copy first; opts.keep=false:
 * do not save (searches). Falls back to the saved copy when the network
 * fails; an HTTP error (404…) is thrown as HTTPError.
 */
export async function getJSON(url, { immutable = false, keep = true } = {}) {
  if (immutable) {
    if (memory.has(url)) return memory.get(url);
    const hit = await saved(url);
    if (hit !== undefined) {
      memory.set(url, hit);
      return hit;
    }
  }
  try {
    const body = await fetchBody(url, false);
    if (immutable) {
      memory.set(url, body);
      if (memory.size > 200) memory.delete(memory.keys().next().value);
    }
    if (keep) save(url, body);
    return body;
  } catch (err) {
    if (err instanceof HTTPError) {
      // Gone (a redacted revision) or unknown: no copy of it stays here.
      if (err.status === 410 || err.status === 404) await forget(url);
      throw err;
    }
    const hit = keep ? await saved(url) : undefined;
    if (hit !== undefined) return hit;
    throw err;
  }
}

const enc = encodeURIComponent;

/** The hall whose board this kiosk shows: its own hall ("" until a welcome has named it). */
let board = '';

/** Shows the board of the kiosk's hall: the township's items, its own and its villages'. */
export function setBoard(hallID) {
  board = hallID || '';
}

/** /api/v1/public/items with the given query parameters (empty ones left out), on the kiosk's board. */
export function itemsURL(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v != null) q.set(k, v);
  if (board) q.set('board', board);
  return `/api/v1/public/items?${q}`;
}

export const api = {
  categories: () => getJSON(board ? `/api/v1/public/categories?board=${enc(board)}` : '/api/v1/public/categories'),
  items: (params) => getJSON(itemsURL(params), { keep: !params.q }),
  item: (id) => getJSON(`/api/v1/public/items/${enc(id)}`),
  // Not immutable: a revision can be redacted, so the server is asked
  // first and the saved copy serves only offline.
  revision: (id, n) => getJSON(`/api/v1/public/items/${enc(id)}/revisions/${enc(n)}`),
  revisions: (id) => getJSON(`/api/v1/public/items/${enc(id)}/revisions`),
  matter: (id) => getJSON(`/api/v1/public/matters/${enc(id)}`),
  replies: () => getJSON('/api/v1/public/replies?limit=50'),
  feedback: (receipt) => getJSON(`/api/v1/public/feedback/${enc(receipt)}`, { keep: false }),
  qr: (id) => `/api/v1/public/items/${enc(id)}/qr.png`,
  receiptQR: (receipt) => `/api/v1/public/feedback/${enc(receipt)}/qr.png`,
};

/** The archive checkpoint {size, root, short}, the saved one when offline, or null. */
export async function checkpoint() {
  const url = '/api/v1/archive/checkpoint';
  try {
    const cp = parseCheckpoint(await fetchBody(url, true));
    if (cp) save(url, cp);
    return cp;
  } catch {
    return (await saved(url)) || null;
  }
}

/**
 * Searches the saved item lists (used when the server cannot be reached):
 * items whose title or summary contains every word of q, newest first.
 */
export async function searchSaved(q) {
  const d = await db;
  if (!d || !q) return [];
  // Like the server, every word must match; offline, only as a substring of
  // the title or summary as saved.
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  const byID = new Map();
  try {
    const all = await req(d.transaction('responses').objectStore('responses').getAll());
    for (const r of all) {
      if (!r.url.startsWith('/api/v1/public/items?') || !r.body || !Array.isArray(r.body.items)) continue;
      for (const it of r.body.items) if (it && it.id && !byID.has(it.id)) byID.set(it.id, it);
    }
  } catch {
    return [];
  }
  return [...byID.values()]
    .filter((it) => {
      const text = `${it.title || ''} ${it.summary || ''}`.toLowerCase();
      return words.every((w) => text.includes(w));
    })
    .sort((a, b) => parseTime(b.published_at) - parseTime(a.published_at));
}

/**
 * A receipt as typed, in the form receipts take: spaces dropped, upper
 * case, "FK" added when left out, and the letter O after it read as the
 * digit 0 (receipts are made of digits and the letters A–F).
 */
export function normalReceipt(typed) {
  const v = String(typed).replace(/\s+/g, '').toUpperCase();
  const rest = v.startsWith('FK') ? v.slice(2) : v;
  return `FK${rest.replace(/O/g, '0')}`;
}

/**
 * The receipt number of a feedback event, made from its id exactly as the
 * server does (hall.Receipt): "FK" and the first 8 ASCII letters or digits,
 * upper-cased.
 */
export function receipt(eventID) {
  return `FK${String(eventID).replace(/[^A-Za-z0-9]/g, '').slice(0, 8).toUpperCase()}`;
}
