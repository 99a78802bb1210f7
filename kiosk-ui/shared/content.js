// @ts-check
// What a device keeps for offline play: the last manifest (localStorage),
// the item revisions it names (memory and IndexedDB — which also works where
// a service worker cannot, on plain-http LAN origins), the archive
// checkpoint and category names. Media and QR images are kept by the service
// worker; prefetch() warms its cache.

import { loadJSON, saveJSON } from './device.js';
import { openDB, req, done } from './idb.js';
import { parseCheckpoint } from './format.js';
import { localized } from './i18n.js';
import { mediaKind } from './render.js';

/** @typedef {import('./protocol.js').Manifest} Manifest */
/** @typedef {import('./protocol.js').Entry} Entry */
/** @typedef {import('./protocol.js').Revision} Revision */
/** @typedef {import('./protocol.js').Name} Name */
/** @typedef {{origin: string, size: number, root: string, short: string}} Checkpoint */

const STORE = 'revisions';

/**
 * Opens a database holding the revisions store (keyPath "url"); null when
 * IndexedDB is unavailable.
 * @param {string} name
 * @returns {Promise<IDBDatabase|null>}
 */
export function openRevisions(name) {
  return openDB(name, 1, (db) => db.createObjectStore(STORE, { keyPath: 'url' })).catch((err) => {
    console.warn('revisions: IndexedDB unavailable', err);
    return null;
  });
}

/**
 * The URL of an entry's revision: the manifest's items map, else the public revision path.
 * @param {Manifest|null} manifest
 * @param {string} itemID
 * @param {number|undefined} revision
 */
export function revisionURL(manifest, itemID, revision) {
  const it = manifest && manifest.items && manifest.items[itemID];
  if (it && it.url && (revision == null || it.revision === revision)) return it.url;
  return `/api/v1/public/items/${encodeURIComponent(itemID)}/revisions/${encodeURIComponent(String(revision))}`;
}

/**
 * @param {string} url
 * @returns {Promise<any>}
 */
async function getJSON(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.json();
}

export class Content {
  /**
   * @param {object} o
   * @param {string} o.prefix localStorage key prefix ("hallcast.player")
   * @param {Promise<IDBDatabase|null>} o.db a database with a "revisions" store (openRevisions)
   */
  constructor({ prefix, db }) {
    this.keys = {
      manifest: `${prefix}.manifest`,
      checkpoint: `${prefix}.checkpoint`,
      categories: `${prefix}.categories`,
      departments: `${prefix}.departments`,
    };
    const m = loadJSON(this.keys.manifest);
    /** @type {Manifest|null} */
    this.manifest = m && m.manifest ? m.manifest : null;
    /** @type {string} */
    this.etag = m && m.manifest ? m.etag || '' : '';
    /** @type {Map<string, Promise<Revision>>} url → revision */
    this.memory = new Map();
    /** @type {Checkpoint|null} */
    this.checkpointValue = loadJSON(this.keys.checkpoint);
    /** @type {Object<string, Name>} */
    this.categories = loadJSON(this.keys.categories) || {};
    /** @type {Object<string, Name>} */
    this.departments = loadJSON(this.keys.departments) || {};
    this.db = db;
    /** @type {Promise<void>|null} */
    this.prefetching = null;
  }

  /**
   * Keeps a new manifest (it survives reloads).
   * @param {string|undefined} etag
   * @param {Manifest} manifest
   */
  setManifest(etag, manifest) {
    this.manifest = manifest;
    this.etag = etag || '';
    saveJSON(this.keys.manifest, { etag: this.etag, manifest });
  }

  /** Forgets the manifest (the screen was revoked, or the server lost track of it). */
  clear() {
    this.manifest = null;
    this.etag = '';
    saveJSON(this.keys.manifest, null);
  }

  /**
   * An entry's revision JSON, from memory, IndexedDB or the network, in that order.
   * @param {Entry} entry an item entry
   */
  revision(entry) {
    return this.byURL(revisionURL(this.manifest, entry.item_id || '', entry.revision));
  }

  /**
   * The published item for an interrupt: the manifest's revision, else the current public one.
   * @param {string} itemID
   * @returns {Promise<Revision>}
   */
  item(itemID) {
    const it = this.manifest && this.manifest.items && this.manifest.items[itemID];
    if (it && it.url) return this.byURL(it.url);
    return getJSON(`/api/v1/public/items/${encodeURIComponent(itemID)}`);
  }

  /** @param {string} url */
  byURL(url) {
    let p = this.memory.get(url);
    if (!p) {
      p = this.lookup(url);
      this.memory.set(url, p);
      p.catch(() => this.memory.delete(url));
    }
    return p;
  }

  /**
   * @param {string} url
   * @returns {Promise<Revision>}
   */
  async lookup(url) {
    const db = await this.db;
    if (db) {
      try {
        const rec = await req(db.transaction(STORE).objectStore(STORE).get(url));
        if (rec) return rec.rev;
      } catch (err) {
        console.warn('revisions:', err);
      }
    }
    const rev = await getJSON(url);
    if (db) {
      try {
        const tx = db.transaction(STORE, 'readwrite');
        tx.objectStore(STORE).put({ url, rev });
        await done(tx);
      } catch (err) {
        console.warn('revisions:', err);
      }
    }
    return rev;
  }

  /**
   * Fetches every revision the manifest names, then warms the service
   * worker's cache with media, assets and QR codes, one at a time, and tells
   * it (and IndexedDB) what is no longer needed.
   * @returns {Promise<void>}
   */
  prefetch() {
    const m = this.manifest;
    if (!m) return Promise.resolve();
    const run = async () => {
      /** @type {Set<string>} */
      const urls = new Set();
      /** @type {Set<string>} */
      const media = new Set();
      for (const slot of m.timeline || []) {
        for (const e of slot.entries || []) {
          if (e.item_id) urls.add(revisionURL(m, e.item_id, e.revision));
          else if (e.media_url && mediaKind(e.type) !== 'pdf') media.add(e.media_url);
        }
      }
      for (const it of Object.values(m.items || {})) if (it && it.url) urls.add(it.url);
      let complete = true;
      for (const url of urls) {
        try {
          const rev = await this.byURL(url);
          if (rev.id) media.add(`/api/v1/public/items/${encodeURIComponent(rev.id)}/qr.png`);
          for (const a of rev.assets || []) if (mediaKind(a.type) === 'image') media.add(a.url);
        } catch {
          complete = false;
        }
      }
      const sw = navigator.serviceWorker && navigator.serviceWorker.controller;
      if (sw) {
        for (const url of media) {
          try {
            const res = await fetch(url);
            await res.arrayBuffer();
          } catch {
            complete = false;
          }
        }
      }
      if (!complete || this.manifest !== m) return;
      sw?.postMessage({ type: 'keep', urls: [...urls, ...media].map((u) => new URL(u, location.href).pathname) });
      await this.prune(urls);
    };
    const prev = this.prefetching || Promise.resolve();
    this.prefetching = prev.then(run, run).catch((err) => console.warn('prefetch:', err));
    return this.prefetching;
  }

  /** @param {Set<string>} keep revision URLs still needed */
  async prune(keep) {
    const db = await this.db;
    if (!db) return;
    try {
      const tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      const all = await req(store.getAllKeys());
      for (const k of all) if (typeof k === 'string' && !keep.has(k)) store.delete(k);
      await done(tx);
    } catch (err) {
      console.warn('revisions:', err);
    }
    for (const k of this.memory.keys()) if (!keep.has(k)) this.memory.delete(k);
  }

  /** The last known archive checkpoint, or null. */
  checkpoint() {
    return this.checkpointValue;
  }

  /** Fetches the current checkpoint; keeps the last one when offline. */
  async refreshCheckpoint() {
    try {
      const res = await fetch('/api/v1/archive/checkpoint');
      if (!res.ok) return this.checkpointValue;
      const cp = parseCheckpoint(await res.text());
      if (cp) {
        this.checkpointValue = cp;
        saveJSON(this.keys.checkpoint, cp);
      }
    } catch {
      // offline: keep the last one
    }
    return this.checkpointValue;
  }

  /** Fetches category and department names from /api/v1/public/categories (kept for offline). */
  async refreshCategories() {
    try {
      const body = await getJSON('/api/v1/public/categories');
      /** @param {{key?: string, name?: Name}[]|undefined} list */
      const byKey = (list) => Object.fromEntries((list || []).filter((c) => c && c.key).map((c) => [c.key, c.name]));
      this.categories = byKey(Array.isArray(body) ? body : body.categories || body.items);
      this.departments = byKey(body.departments);
      saveJSON(this.keys.categories, this.categories);
      saveJSON(this.keys.departments, this.departments);
    } catch {
      // offline or not available: keep the last ones
    }
  }

  /**
   * The display name of a category key (the key itself when unknown).
   * @param {string|undefined} key
   */
  categoryName(key) {
    if (!key) return '';
    const n = this.categories[key];
    return n ? localized(n) : key;
  }

  /**
   * The display name of a department key (the key itself when unknown).
   * @param {string|undefined} key
   */
  departmentName(key) {
    if (!key) return '';
    const n = this.departments[key];
    return n ? localized(n) : key;
  }
}
