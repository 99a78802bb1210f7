// Service worker of the touch kiosk, served at /kiosk-sw.js with scope
// /kiosk. The page and its scripts: network first with a short timeout,
// then the cache. Immutable revisions and /media/: cache first. Other
// public GETs (categories, lists, items, matters, replies, QR codes):
// stale-while-revalidate — a copy younger than a minute is answered at once
// and refreshed behind; an older one only when the network is slow or down.
// Searches and receipt lookups are never cached here.

const SHELL = 'hallcast-kiosk-shell-v3';
const CONTENT = 'hallcast-kiosk-content-v1';
const SHELL_FILES = [
  '/kiosk',
  ...['kiosk.css', 'main.js', 'strings.js', 'api.js', 'ui.js', 'router.js', 'session.js', 'keyboard.js', 'attract.js', 'home.js', 'item.js', 'finance.js', 'rate.js', 'search.js', 'archive.js', 'feedback.js', 'replies.js'].map((f) => `/ui/kiosk/${f}`),
  ...['content.js', 'interrupts.js', 'pairing.js', 'playback.js', 'render.js', 'rotation.js'].map((f) => `/ui/player/${f}`),
  ...['connection.js', 'device.js', 'finance.js', 'format.js', 'i18n.js', 'idb.js', 'merkle.js', 'outbox.js', 'uuid.js', 'witness.js'].map((f) => `/ui/shared/${f}`),
];
const networkTimeoutMs = 4000;
const slowMs = 2500;
const freshMs = 60000;
const maxContent = 600;
const STAMP = 'X-Kiosk-Cached-At';

const isRevision = (p) => /^\/api\/v1\/public\/items\/[^/]+\/revisions\/[^/]+$/.test(p);
const isShell = (p) => p === '/kiosk' || p.startsWith('/ui/kiosk/') || p.startsWith('/ui/shared/') || p.startsWith('/ui/player/');
const isUncached = (url) => url.pathname.startsWith('/api/v1/public/feedback/') || (url.pathname === '/api/v1/public/items' && url.searchParams.get('q'));

self.addEventListener('install', (e) => {
  e.waitUntil(
    caches
      .open(SHELL)
      .then((c) => Promise.all(SHELL_FILES.map((u) => c.add(new Request(u, { cache: 'no-cache' })).catch(() => {}))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('hallcast-kiosk-') && k !== SHELL && k !== CONTENT).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const p = url.pathname;
  if (req.mode === 'navigate') {
    if (p === '/kiosk' || p === '/kiosk/') e.respondWith(networkFirst(req, SHELL, '/kiosk'));
  } else if (isShell(p)) e.respondWith(networkFirst(req, SHELL, p));
  else if (isRevision(p) || p.startsWith('/media/')) e.respondWith(cacheFirst(e, req, p));
  // The archive witness asks with ?witness=1: never a stored answer.
  else if (p === '/api/v1/archive/checkpoint' && !url.search) e.respondWith(networkFirst(req, CONTENT, p));
  else if (p.startsWith('/api/v1/public/') && !isUncached(url)) e.respondWith(staleWhileRevalidate(e, req, p + url.search));
});

async function put(cacheName, key, res) {
  if (res.status !== 200) return;
  try {
    const headers = new Headers(res.headers);
    headers.set(STAMP, String(Date.now()));
    const body = await res.blob();
    const cache = await caches.open(cacheName);
    await cache.put(key, new Response(body, { status: 200, statusText: res.statusText, headers }));
    if (cacheName === CONTENT && Math.random() < 0.05) await trim(cache);
  } catch (err) {
    console.warn('sw: cannot cache', key, err); // quota
  }
}

/** Keeps the content cache to maxContent entries, dropping the oldest stored. */
async function trim(cache) {
  const keys = await cache.keys();
  for (const k of keys.slice(0, Math.max(0, keys.length - maxContent))) await cache.delete(k);
}

function withTimeout(p, ms) {
  return Promise.race([p, new Promise((resolve) => setTimeout(resolve, ms, 'timeout'))]);
}

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

async function cacheFirst(e, req, key) {
  const hit = await caches.match(key, { cacheName: CONTENT });
  const range = req.headers.get('range');
  if (hit) return range ? partial(hit, range) : hit;
  if (range) {
    // A video asks for ranges; fetch it whole in the background for next time.
    e.waitUntil(fetch(key).then((res) => put(CONTENT, key, res)).catch(() => {}));
    return fetch(req);
  }
  const res = await fetch(req);
  e.waitUntil(put(CONTENT, key, res.clone()));
  return res;
}

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

/** A 206 answer for a Range request from a whole cached response. */
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
