// @ts-check
// Minimal promise wrappers around IndexedDB requests and transactions.

/**
 * Resolves with the request's result, rejects with its error.
 * @template T
 * @param {IDBRequest<T>} r
 * @returns {Promise<T>}
 */
export function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/**
 * Resolves when the transaction commits, rejects when it aborts (a request
 * error that is not handled aborts it).
 * @param {IDBTransaction} tx
 * @returns {Promise<void>}
 */
export function done(tx) {
  return new Promise((/** @type {(v?: void) => void} */ resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
}

/**
 * Opens (and upgrades) a database. upgrade(db, oldVersion) creates stores.
 * Rejects when IndexedDB is unavailable or blocked.
 * @param {string} name
 * @param {number} version
 * @param {(db: IDBDatabase, oldVersion: number) => void} upgrade
 * @returns {Promise<IDBDatabase>}
 */
export function openDB(name, version, upgrade) {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('IndexedDB is not available'));
      return;
    }
    /** @type {IDBOpenDBRequest} */
    let r;
    try {
      r = indexedDB.open(name, version);
    } catch (err) {
      reject(err);
      return;
    }
    r.onupgradeneeded = (e) => upgrade(r.result, e.oldVersion);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.onblocked = () => reject(new Error(`IndexedDB ${name} is blocked`));
  });
}
