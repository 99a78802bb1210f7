// @ts-check
// The event outbox: every event a screen makes (impression, view, rating,
// feedback) is kept in IndexedDB until the server acknowledges it, so a
// reload, a crash or an hour offline loses nothing. The server ignores ids it
// already stored, so resending is always safe.
//
//   const outbox = await openOutbox();
//   await outbox.add({ kind: 'rating', subject: { service: 'hall' }, level: 5, session });
//   const sync = syncOutbox(outbox, { send, post, canPost });
//   // on {"type":"ack","ids":[…]}:  sync.acked(ids)
//   // on an error frame with ids:   sync.rejected(ids) (invalid: never resent)
//   // on (re)connect:               sync.reset()

import { openDB, req, done } from './idb.js';
import { uuid } from './uuid.js';

const STORE = 'events';

/** @typedef {import('./protocol.js').DeviceEvent} DeviceEvent */
/** @typedef {{id: string, kind: string, event: DeviceEvent}} Row */

/**
 * Where the outbox keeps its rows: IndexedDB, or memory when IndexedDB is
 * unavailable. Every method resolves with the rows left, except scan.
 * @typedef {object} Backend
 * @property {() => Promise<number>} count
 * @property {(row: Row) => Promise<number>} add a row whose id is stored already is left out
 * @property {(ids: string[]) => Promise<number>} remove
 * @property {(limit: number, skip: (id: string) => boolean) => Promise<DeviceEvent[]>} scan oldest first
 * @property {(kinds: string[], n: number) => Promise<number>} dropOldest
 */

/**
 * Opens the outbox. Falls back to an in-memory outbox (lost on reload) when
 * IndexedDB is unavailable.
 *
 * @param {object} [opts]
 * @param {string} [opts.name] database name
 * @param {number} [opts.cap] most events kept; beyond it the oldest droppable events go
 * @param {string[]} [opts.droppable] kinds that may be dropped, in order (never ratings or feedback)
 * @returns {Promise<Outbox>}
 */
export async function openOutbox({ name = 'hallcast-outbox', cap = 100000, droppable = ['impression', 'view'] } = {}) {
  let backend;
  try {
    const db = await openDB(name, 1, (d) => {
      const s = d.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
      s.createIndex('id', 'id', { unique: true });
      s.createIndex('kind', 'kind');
    });
    backend = idbBackend(db);
  } catch (err) {
    console.warn('outbox: IndexedDB unavailable, events are kept in memory only', err instanceof Error ? err.message : err);
    backend = memoryBackend();
  }
  globalThis.navigator?.storage?.persist?.().catch(() => {});
  const box = new Outbox(backend, cap, droppable);
  box.size = await backend.count();
  return box;
}

export class Outbox {
  /**
   * @param {Backend} backend
   * @param {number} cap
   * @param {string[]} droppable
   */
  constructor(backend, cap, droppable) {
    this.backend = backend;
    this.cap = cap;
    this.droppable = droppable;
    this.size = 0;
    /** @type {Set<(count: number) => void>} */
    this.listeners = new Set();
  }

  /**
   * Stores an event, filling in `id` (a UUID) and `at` (now) when missing.
   * Adding an id that is already stored is a no-op.
   * @param {{kind: string, id?: string, at?: string} & Object<string, unknown>} event
   * @returns {Promise<DeviceEvent>} the stored event
   */
  async add(event) {
    const ev = /** @type {DeviceEvent} */ ({ ...event });
    if (!ev.id) ev.id = uuid();
    if (!ev.at) ev.at = new Date().toISOString();
    if (this.size >= this.cap) {
      const n = this.size - this.cap + Math.max(1, Math.floor(this.cap / 100));
      this.size = await this.backend.dropOldest(this.droppable, n);
    }
    this.size = await this.backend.add({ id: ev.id, kind: ev.kind, event: ev });
    this.emit();
    return ev;
  }

  /**
   * Deletes acknowledged (or refused) events.
   * @param {string[]} ids
   * @returns {Promise<number>} events left
   */
  async ack(ids) {
    if (!ids || !ids.length) return this.size;
    this.size = await this.backend.remove(ids);
    this.emit();
    return this.size;
  }

  /**
   * Oldest events first, at most limit, leaving out ids for which skip(id)
   * is true.
   * @param {number} [limit]
   * @param {(id: string) => boolean} [skip]
   */
  batch(limit = 500, skip = () => false) {
    return this.backend.scan(limit, skip);
  }

  /** Number of events waiting for an acknowledgement. */
  count() {
    return this.size;
  }

  /**
   * Calls fn(count) whenever the outbox changes. Returns an unsubscribe function.
   * @param {(count: number) => void} fn
   */
  onChange(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit() {
    for (const fn of this.listeners) {
      try {
        fn(this.size);
      } catch (err) {
        console.error(err);
      }
    }
  }
}

/**
 * @param {IDBDatabase} db
 * @returns {Backend}
 */
function idbBackend(db) {
  /** @param {IDBTransactionMode} mode */
  const tx = (mode) => db.transaction(STORE, mode);
  const count = () => req(tx('readonly').objectStore(STORE).count());
  return {
    count,
    async add(rec) {
      const t = tx('readwrite');
      const s = t.objectStore(STORE);
      const r = s.add(rec);
      // A duplicate id is already stored: keep the transaction alive.
      r.onerror = (e) => {
        if (r.error && r.error.name === 'ConstraintError') {
          e.preventDefault();
          e.stopPropagation();
        }
      };
      const n = req(s.count());
      await done(t);
      return n;
    },
    async remove(ids) {
      const t = tx('readwrite');
      const s = t.objectStore(STORE);
      const idx = s.index('id');
      for (const id of ids) {
        const r = idx.getKey(String(id));
        r.onsuccess = () => {
          if (r.result !== undefined) s.delete(r.result);
        };
      }
      // Deletes are queued from callbacks, so count once they are committed.
      await done(t);
      return count();
    },
    async scan(limit, skip) {
      const t = tx('readonly');
      /** @type {DeviceEvent[]} */
      const out = [];
      await new Promise((/** @type {(v?: void) => void} */ resolve, reject) => {
        const r = t.objectStore(STORE).openCursor();
        r.onerror = () => reject(r.error);
        r.onsuccess = () => {
          const c = r.result;
          if (!c) return resolve();
          if (!skip(c.value.id)) out.push(c.value.event);
          if (out.length >= limit) return resolve();
          c.continue();
        };
      });
      return out;
    },
    async dropOldest(kinds, n) {
      const t = tx('readwrite');
      const s = t.objectStore(STORE);
      const idx = s.index('kind');
      let left = n;
      /** @param {number} i */
      const dropKind = (i) => {
        if (i >= kinds.length || left <= 0) return;
        const r = idx.openCursor(IDBKeyRange.only(kinds[i]));
        r.onsuccess = () => {
          const c = r.result;
          if (!c || left <= 0) return dropKind(i + 1);
          c.delete();
          left--;
          c.continue();
        };
      };
      dropKind(0);
      await done(t);
      return count();
    },
  };
}

/** @returns {Backend} */
function memoryBackend() {
  /** @type {Row[]} */
  let rows = [];
  return {
    async count() {
      return rows.length;
    },
    async add(rec) {
      if (!rows.some((r) => r.id === rec.id)) rows.push(rec);
      return rows.length;
    },
    async remove(ids) {
      const gone = new Set(ids.map(String));
      rows = rows.filter((r) => !gone.has(r.id));
      return rows.length;
    },
    async scan(limit, skip) {
      /** @type {DeviceEvent[]} */
      const out = [];
      for (const r of rows) {
        if (out.length >= limit) break;
        if (!skip(r.id)) out.push(r.event);
      }
      return out;
    },
    async dropOldest(kinds, n) {
      for (const k of kinds) {
        rows = rows.filter((r) => {
          if (n > 0 && r.kind === k) {
            n--;
            return false;
          }
          return true;
        });
      }
      return rows.length;
    },
  };
}

/**
 * What the HTTP fallback answers: the events stored, and those refused as
 * invalid (never to be resent).
 * @typedef {{ack: string[], rejected: string[]}} PostResult
 */

/**
 * Sends the outbox to the server and deletes what the server acknowledges,
 * and what it refuses as invalid.
 *
 * @param {Outbox} outbox
 * @param {object} t transport
 * @param {(events: DeviceEvent[]) => boolean} t.send sends {"type":"events"} over the
 *   websocket; returns false when the websocket is not open
 * @param {(events: DeviceEvent[]) => Promise<PostResult>} [t.post] HTTP fallback
 * @param {() => boolean} [t.canPost] whether to use the HTTP fallback now (websocket down long enough)
 * @param {number} [t.retryMs] resend unacknowledged events after this long
 * @param {number} [t.batchSize] events per frame or request (the server takes at most 500)
 * @param {number} [t.maxBytes] JSON size per frame or request (at least one event is always sent)
 * @param {number} [t.maxInFlight] unacknowledged frames at a time
 * @param {number} [t.intervalMs] how often to look for work
 */
export function syncOutbox(outbox, { send, post, canPost = () => false, retryMs = 15000, batchSize = 500, maxBytes = 120000, maxInFlight = 2, intervalMs = 5000 }) {
  /** @type {Map<string, number>} event id → time sent */
  const inFlight = new Map();
  /** @type {{ids: string[], at: number}[]} */
  let batches = [];
  let running = false;
  let again = false;

  /** @param {string} id */
  const busy = (id) => {
    const at = inFlight.get(id);
    return at !== undefined && Date.now() - at < retryMs;
  };

  function prune() {
    const now = Date.now();
    batches = batches.filter((b) => now - b.at < retryMs && b.ids.some((id) => inFlight.has(id)));
    for (const [id, at] of inFlight) if (now - at >= retryMs) inFlight.delete(id);
  }

  async function flush() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        prune();
        while (batches.length < maxInFlight && outbox.count() > 0) {
          const events = fitBytes(await outbox.batch(batchSize, busy), maxBytes);
          if (!events.length) break;
          const ids = events.map((e) => e.id);
          const now = Date.now();
          if (send(events)) {
            ids.forEach((id) => inFlight.set(id, now));
            batches.push({ ids, at: now });
            continue;
          }
          if (!post || !canPost()) break;
          ids.forEach((id) => inFlight.set(id, now));
          try {
            const r = await post(events);
            await done([...r.ack, ...dropped(r.rejected)]);
          } catch (err) {
            console.warn('outbox: HTTP fallback failed', err);
            break;
          }
        }
      } while (again);
    } finally {
      running = false;
    }
  }

  /**
   * Forgets events once they are deleted, or a flush in between would send them again.
   * @param {string[]} ids
   */
  async function done(ids) {
    if (!Array.isArray(ids)) return;
    await outbox.ack(ids);
    ids.forEach((id) => inFlight.delete(id));
  }

  /** @param {string[]} ids */
  function dropped(ids) {
    if (ids.length) console.warn('outbox: the server refused invalid events, dropping them', ids);
    return ids;
  }

  const offChange = outbox.onChange(() => flush());
  const timer = setInterval(flush, intervalMs);

  return {
    /** Sends what is pending now. */
    flush,
    /**
     * Handles {"type":"ack","ids"}: deletes them and sends more.
     * @param {string[]} ids
     */
    async acked(ids) {
      await done(ids);
      flush();
    },
    /**
     * Handles an error frame naming invalid events: deletes them (resending cannot help).
     * @param {string[]} ids
     */
    async rejected(ids) {
      await done(dropped(ids));
      flush();
    },
    /** Forgets what was in flight (a new connection: resend at once). */
    reset() {
      inFlight.clear();
      batches = [];
      flush();
    },
    /** Halves what one frame carries (the server closed with 4413, frame too large). */
    shrink() {
      batchSize = Math.max(1, Math.floor(batchSize / 2));
      maxBytes = Math.max(4096, Math.floor(maxBytes / 2));
    },
    stop() {
      clearInterval(timer);
      offChange();
    },
  };
}

/**
 * The longest prefix of events whose JSON stays under maxBytes (never empty when events is not).
 * @template T
 * @param {T[]} events
 * @param {number} maxBytes
 * @returns {T[]}
 */
export function fitBytes(events, maxBytes) {
  let size = 0;
  for (let i = 0; i < events.length; i++) {
    size += JSON.stringify(events[i]).length + 1;
    if (size > maxBytes && i > 0) return events.slice(0, i);
  }
  return events;
}
