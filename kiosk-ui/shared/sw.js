// @ts-check
// The service worker of both devices. The server serves it at /player-sw.js
// (scope /player) and /kiosk-sw.js (scope /kiosk), preceded by a line that
// sets self.hallcastWorker: which device, its page, the files of this build
// under /ui/shared/ and /ui/<device>/ and a hash of their contents. A new
// build therefore changes the worker, which precaches the new files under a
// new name and deletes the old ones.
//
// The page and its scripts: network first (4-second timeout), then the
// precached copy. Revisions and /media/: cache first (on a kiosk,
// revisions from the server first, so a redacted one is dropped). The
// checkpoint: network first. QR codes and category names (and on the kiosk
// every other public read residents open, except searches and receipt
// lookups): stale-while-revalidate — a copy younger than a minute is answered
// at once and refreshed behind; an older one only when the network is slow or
// down.

/**
 * @typedef {object} WorkerConfig
 * @property {'player'|'kiosk'} device
 * @property {string} page the device's page, "/player"
 * @property {string} version hash of the worker and the files below
 * @property {string[]} precache the page and every file under /ui/shared/ and /ui/<device>/
 */

const sw = /** @type {ServiceWorkerGlobalScope & {hallcastWorker?: WorkerConfig}} */ (/** @type {unknown} */ (self));
const config = sw.hallcastWorker;
if (!config) throw new Error('sw.js runs as /player-sw.js or /kiosk-sw.js, which carry its file list');

/**
 * What differs between the devices' caches. The player's page says which
 * content its manifest still needs (a "keep" message) and the rest goes; the
 * kiosk also keeps what residents opened, up to maxContent entries.
 */
const policies = {
  player: { keepList: true, browse: false },
  kiosk: { keepList: false, browse: true },
};
const policy = policies[config.device];

const SHELL = `hallcast-${config.device}-shell-${config.version}`;
const CONTENT = `hallcast-${config.device}-content-v1`;
const networkTimeoutMs = 4000;
const slowMs = 2500;
const freshMs = 60000;
const maxContent = 600;
const STAMP = 'X-Hallcast-Cached-At';

/** @param {string} p */
const isRevision = (p) => /^\/api\/v1\/public\/items\/[^/]+\/revisions\/[^/]+$/.test(p);
/** @param {string} p */
const isMedia = (p) => p.startsWith('/media/');
/** @param {string} p */
const isQR = (p) => /^\/api\/v1\/public\/items\/[^/]+\/qr\.png$/.test(p);
/** @param {string} p */
const isShell = (p) => p === config.page || p.startsWith(`/ui/${config.device}/`) || p.startsWith('/ui/shared/');
/** Searches and receipt lookups are never cached. @param {URL} url */
const isUncached = (url) => url.pathname.startsWith('/api/v1/public/feedback/') || (url.pathname === '/api/v1/public/items' && !!url.searchParams.get('q'));

sw.addEventListener('install', (e) => {
  e.waitUntil(
    caches
      .open(SHELL)
      .then((c) => Promise.all(config.precache.map((u) => c.add(new Request(u, { cache: 'no-cache' })))))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (e) => {
  const prefix = `hallcast-${config.device}-`;
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(prefix) && k !== SHELL && k !== CONTENT).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin) return;
  const p = url.pathname;
  if (req.mode === 'navigate') {
    if (p === config.page || p === `${config.page}/`) e.respondWith(networkFirst(req, SHELL, config.page));
  } else if (isShell(p)) e.respondWith(networkFirst(req, SHELL, p));
  // A kiosk asks the server first for a revision, so one redacted since
  // (410) leaves its cache at once; a player keeps cache first and prunes
  // by its manifest.
  else if (isRevision(p) && policy.browse) e.respondWith(revisionFirst(req, p));
  else if (isRevision(p) || isMedia(p)) e.respondWith(cacheFirst(e, req, p));
  // The archive witness asks with ?witness=1: never a stored answer.
  else if (p === '/api/v1/archive/checkpoint' && !url.search) e.respondWith(networkFirst(req, CONTENT, p));
  else if (isQR(p) || p === '/api/v1/public/categories') e.respondWith(staleWhileRevalidate(e, req, p + url.search));
  else if (policy.browse && p.startsWith('/api/v1/public/') && !isUncached(url)) e.respondWith(staleWhileRevalidate(e, req, p + url.search));
});

// The player lists what its manifest still needs; the rest of the content cache goes.
sw.addEventListener('message', (e) => {
  const d = e.data;
  if (policy.keepList && d && d.type === 'keep' && Array.isArray(d.urls)) e.waitUntil(prune(new Set(d.urls)));
});

/** @param {Set<string>} keep */
async function prune(keep) {
  const cache = await caches.open(CONTENT);
  for (const req of await cache.keys()) {
    const p = new URL(req.url).pathname;
    if ((isRevision(p) || isMedia(p) || isQR(p)) && !keep.has(p)) await cache.delete(req);
  }
}

/**
 * Stores a 200 answer, stamped with the time it was stored.
 * @param {string} cacheName
 * @param {string} key
 * @param {Response} res
 */
async function put(cacheName, key, res) {
  if (res.status !== 200) return;
  try {
    const headers = new Headers(res.headers);
    headers.set(STAMP, String(Date.now()));
    const body = await res.blob();
    const cache = await caches.open(cacheName);
    await cache.put(key, new Response(body, { status: 200, statusText: res.statusText, headers }));
    if (policy.browse && cacheName === CONTENT && Math.random() < 0.05) await trim(cache);
  } catch (err) {
    console.warn('sw: cannot cache', key, err); // quota
  }
}

/**
 * Keeps the content cache to maxContent entries, dropping the oldest stored.
 * @param {Cache} cache
 */
async function trim(cache) {
  const keys = await cache.keys();
  for (const k of keys.slice(0, Math.max(0, keys.length - maxContent))) await cache.delete(k);
}

/**
 * @template T
 * @param {Promise<T>} p
 * @param {number} ms
 * @returns {Promise<T|'timeout'>}
 */
function withTimeout(p, ms) {
  return Promise.race([p, new Promise((/** @type {(v: 'timeout') => void} */ resolve) => setTimeout(resolve, ms, 'timeout'))]);
}

/**
 * @param {Request} req
 * @param {string} cacheName
 * @param {string} key
 */
async function networkFirst(req, cacheName, key) {
  const network = fetch(req).then((res) => {
    if (res.status === 200) put(cacheName, key, res.clone());
    return res;
  });
  network.catch(() => {});
  try {
    const res = await withTimeout(network, networkTimeoutMs);
    if (res !== 'timeout' && res.status < 500) return res;
  } catch {
    // offline: fall through to the cache
  }
  const hit = await caches.match(key, { cacheName });
  if (hit) return hit;
  try {
    return await network;
  } catch {
    return Response.error();
  }
}

/**
 * The server's answer for a revision, stored when 200 and dropped from the
 * cache when the revision is gone (410, redacted) or unknown (404); the
 * stored copy only when the server cannot be reached in time.
 * @param {Request} req
 * @param {string} key
 */
async function revisionFirst(req, key) {
  // Past the browser's HTTP cache too, which may hold it for minutes.
  const network = fetch(req, { cache: 'no-cache' });
  network.catch(() => {});
  try {
    const res = await withTimeout(network, networkTimeoutMs);
    if (res !== 'timeout') {
      if (res.status === 200) {
        put(CONTENT, key, res.clone());
        return res;
      }
      if (res.status === 410 || res.status === 404) {
        await (await caches.open(CONTENT)).delete(key);
        return res;
      }
      if (res.status < 500) return res;
    }
  } catch {
    // offline: fall through to the cache
  }
  const hit = await caches.match(key, { cacheName: CONTENT });
  if (hit) return hit;
  try {
    return await network;
  } catch {
    return Response.error();
  }
}

/**
 * @param {FetchEvent} e
 * @param {Request} req
 * @param {string} key
 */
async function cacheFirst(e, req, key) {
  const hit = await caches.match(key, { cacheName: CONTENT });
  const range = req.headers.get('range');
  if (hit) return range ? partial(hit, range) : hit;
  if (range) {
    // A video asks for ranges; fetch it whole in the background for next time.
    e.waitUntil(
      fetch(key)
        .then((res) => put(CONTENT, key, res))
        .catch(() => {}),
    );
    return fetch(req);
  }
  const res = await fetch(req);
  e.waitUntil(put(CONTENT, key, res.clone()));
  return res;
}

/**
 * @param {FetchEvent} e
 * @param {Request} req
 * @param {string} key
 */
async function staleWhileRevalidate(e, req, key) {
  const hit = await caches.match(key, { cacheName: CONTENT });
  const network = fetch(req).then(async (res) => {
    await put(CONTENT, key, res.clone());
    return res;
  });
  network.catch(() => {});
  if (!hit) return network;
  const age = Date.now() - Number(hit.headers.get(STAMP) || 0);
  if (age < freshMs) {
    e.waitUntil(network.catch(() => {}));
    return hit;
  }
  try {
    const res = await withTimeout(network, slowMs);
    if (res !== 'timeout' && res.status < 500) return res;
  } catch {
    // offline
  }
  e.waitUntil(network.catch(() => {}));
  return hit;
}

/**
 * A 206 answer for a Range request from a whole cached response.
 * @param {Response} res
 * @param {string} range
 */
async function partial(res, range) {
  const blob = await res.blob();
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  const size = blob.size;
  let start = 0;
  let end = size - 1;
  if (m && m[1] !== '') {
    start = Number(m[1]);
    if (m[2] !== '') end = Math.min(Number(m[2]), size - 1);
  } else if (m && m[2] !== '') start = Math.max(0, size - Number(m[2]));
  if (!m || start > end || start >= size) return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: {
      'Content-Type': res.headers.get('Content-Type') || 'application/octet-stream',
      'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': String(end - start + 1),
      'Accept-Ranges': 'bytes',
    },
  });
}
