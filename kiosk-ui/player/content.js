// What the player keeps for offline play: the last manifest (localStorage),
// the item revisions it names (memory and IndexedDB — which also works where
// a service worker cannot, on plain-http LAN origins), the archive
// checkpoint and category names. Media and QR images are kept by the service
// worker; prefetch() warms its cache.

import { loadJSON, saveJSON } from '../shared/device.js';
import { openDB, req, done } from '../shared/idb.js';
import { parseCheckpoint } from '../shared/format.js';
import { localized } from '../shared/i18n.js';
import { mediaKind } from './render.js';

const keys = {
  manifest: 'hallcast.player.manifest',
  checkpoint: 'hallcast.player.checkpoint',
  categories: 'hallcast.player.categories',
  departments: 'hallcast.player.departments',
};

/** The URL of an entry's revision: the manifest's items map, else the public revision path. */
export function revisionURL(manifest, itemID, revision) {
  const it = manifest && manifest.items && manifest.items[itemID];
  if (it && it.url && (revision == null || it.revision === revision)) return it.url;
  return `/api/v1/public/items/${encodeURIComponent(itemID)}/revisions/${encodeURIComponent(revision)}`;
}

async function getJSON(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.json();
}

export class Content {
  constructor() {
    const m = loadJSON(keys.manifest);
    this.manifest = m && m.manifest ? m.manifest : null;
    this.etag = m && m.manifest ? m.etag : '';
    this.memory = new Map(); // url → Promise<revision>
    this.checkpointValue = loadJSON(keys.checkpoint);
    this.categories = loadJSON(keys.categories) || {};
    this.departments = loadJSON(keys.departments) || {};
    this.db = openDB('hallcast-player', 1, (db) => db.createObjectStore('revisions', { keyPath: 'url' })).catch((err) => {
      console.warn('revisions: IndexedDB unavailable', err);
      return null;
    });
    this.prefetching = null;
  }

  /** Keeps a new manifest (it survives reloads). */
  setManifest(etag, manifest) {
    this.manifest = manifest;
    this.etag = etag || '';
    saveJSON(keys.manifest, { etag: this.etag, manifest });
  }

  /** Forgets the manifest (the screen was revoked). */
  clear() {
    this.manifest = null;
    this.etag = '';
    saveJSON(keys.manifest, null);
  }

  /** An entry's revision JSON, from memory, IndexedDB or the network, in that order. */
  revision(entry) {
    return this.byURL(revisionURL(this.manifest, entry.item_id, entry.revision));
  }

  /** The published item for an interrupt: the manifest's revision, else the current public one. */
  item(itemID) {
    const it = this.manifest && this.manifest.items && this.manifest.items[itemID];
    if (it && it.url) return this.byURL(it.url);
    return getJSON(`/api/v1/public/items/${encodeURIComponent(itemID)}`);
  }

  byURL(url) {
    let p = this.memory.get(url);
    if (!p) {
      p = this.lookup(url);
      this.memory.set(url, p);
      p.catch(() => this.memory.delete(url));
    }
    return p;
  }

  async lookup(url) {
    const db = await this.db;
    if (db) {
      try {
        const rec = await req(db.transaction('revisions').objectStore('revisions').get(url));
        if (rec) return rec.rev;
      } catch (err) {
        console.warn('revisions:', err);
      }
    }
    const rev = await getJSON(url);
    if (db) {
      try {
        const tx = db.transaction('revisions', 'readwrite');
        tx.objectStore('revisions').put({ url, rev });
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
   */
  prefetch() {
    const m = this.manifest;
    if (!m) return Promise.resolve();
    const run = async () => {
      const urls = new Set();
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

  async prune(keep) {
    const db = await this.db;
    if (!db) return;
    try {
      const tx = db.transaction('revisions', 'readwrite');
      const store = tx.objectStore('revisions');
      const all = await req(store.getAllKeys());
      for (const k of all) if (!keep.has(k)) store.delete(k);
      await done(tx);
    } catch (err) {
      console.warn('revisions:', err);
    }
    for (const k of this.memory.keys()) if (!keep.has(k)) this.memory.delete(k);
  }

  /** The last known archive checkpoint {origin, size, root, short}, or null. */
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
        saveJSON(keys.checkpoint, cp);
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
      const byKey = (list) => Object.fromEntries((list || []).filter((c) => c && c.key).map((c) => [c.key, c.name]));
      this.categories = byKey(Array.isArray(body) ? body : body.categories || body.items);
      this.departments = byKey(body.departments);
      saveJSON(keys.categories, this.categories);
      saveJSON(keys.departments, this.departments);
    } catch {
      // offline or not available: keep the last ones
    }
  }

  /** The display name of a category key (the key itself when unknown). */
  categoryName(key) {
    if (!key) return '';
    const n = this.categories[key];
    return n ? localized(n) : key;
  }

  /** The display name of a department key (the key itself when unknown). */
  departmentName(key) {
    if (!key) return '';
    const n = this.departments[key];
    return n ? localized(n) : key;
  }
}
