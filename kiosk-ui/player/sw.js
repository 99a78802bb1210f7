// Service worker of the LED player, served at /player-sw.js with scope
// /player. Network first (with a short timeout) for the page and its scripts;
// cache first for immutable revisions and media; stale-while-revalidate for
// QR codes; network first for the checkpoint and category names.

const SHELL = 'hallcast-player-shell-v3';
const CONTENT = 'hallcast-player-content-v1';
const SHELL_FILES = [
  '/player',
  '/ui/player/player.css',
  '/ui/player/main.js',
  '/ui/player/content.js',
  '/ui/player/interrupts.js',
  '/ui/player/overlay.js',
  '/ui/player/pairing.js',
  '/ui/player/playback.js',
  '/ui/player/render.js',
  '/ui/player/rotation.js',
  '/ui/player/ticker.js',
  '/ui/shared/connection.js',
  '/ui/shared/device.js',
  '/ui/shared/finance.js',
  '/ui/shared/format.js',
  '/ui/shared/i18n.js',
  '/ui/shared/idb.js',
  '/ui/shared/merkle.js',
  '/ui/shared/outbox.js',
  '/ui/shared/uuid.js',
  '/ui/shared/witness.js',
];
const networkTimeoutMs = 4000;

const isRevision = (p) => /^\/api\/v1\/public\/items\/[^/]+\/revisions\/[^/]+$/.test(p);
const isMedia = (p) => p.startsWith('/media/');
const isQR = (p) => /^\/api\/v1\/public\/items\/[^/]+\/qr\.png$/.test(p);
const isShell = (p) => p === '/player' || p.startsWith('/ui/player/') || p.startsWith('/ui/shared/');

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
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('hallcast-player-') && k !== SHELL && k !== CONTENT).map((k) => caches.delete(k))))
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
    if (p === '/player' || p === '/player/') e.respondWith(networkFirst(req, SHELL, '/player'));
  } else if (isShell(p)) e.respondWith(networkFirst(req, SHELL, p));
  else if (isRevision(p) || isMedia(p)) e.respondWith(cacheFirst(e, req, p));
  else if (isQR(p)) e.respondWith(staleWhileRevalidate(e, req, p));
  // The archive witness asks with ?witness=1: never a stored answer.
  else if ((p === '/api/v1/archive/checkpoint' && !url.search) || p === '/api/v1/public/categories') e.respondWith(networkFirst(req, CONTENT, p));
});

// The page lists what its manifest still needs; the rest of the content cache goes.
self.addEventListener('message', (e) => {
  const d = e.data;
  if (d && d.type === 'keep' && Array.isArray(d.urls)) e.waitUntil(prune(new Set(d.urls)));
});

async function prune(keep) {
  const cache = await caches.open(CONTENT);
  for (const req of await cache.keys()) {
    const p = new URL(req.url).pathname;
    if ((isRevision(p) || isMedia(p) || isQR(p)) && !keep.has(p)) await cache.delete(req);
  }
}

async function put(cacheName, key, res) {
  if (res.status !== 200) return;
  try {
    const cache = await caches.open(cacheName);
    await cache.put(key, res);
  } catch (err) {
    console.warn('sw: cannot cache', key, err); // quota
  }
}

async function networkFirst(req, cacheName, key) {
  const cache = await caches.open(cacheName);
  const network = fetch(req).then((res) => {
    if (res.status === 200) put(cacheName, key, res.clone());
    return res;
  });
  network.catch(() => {});
  const timeout = new Promise((resolve) => setTimeout(resolve, networkTimeoutMs, 'timeout'));
  try {
    const res = await Promise.race([network, timeout]);
    if (res !== 'timeout' && res.status < 500) return res;
  } catch {
    // offline: fall through to the cache
  }
  const hit = await cache.match(key);
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
  await put(CONTENT, key, res.clone());
  return res;
}

async function staleWhileRevalidate(e, req, key) {
  const hit = await caches.match(key, { cacheName: CONTENT });
  const network = fetch(req).then((res) => {
    put(CONTENT, key, res.clone());
    return res;
  });
  if (hit) {
    e.waitUntil(network.catch(() => {}));
    return hit;
  }
  return network;
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
  if (!m || start > end || start >= size) {
    return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
  }
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
