// @ts-check
// What the player and the kiosk share as devices: their stored settings,
// their token (from ?token= or storage), their service worker and the HTTP
// fallback for events.

import { parseTime } from './format.js';

/**
 * Stores a value (strings as they are, others as JSON); null removes it.
 * @param {string} key
 * @param {unknown} value
 */
export function store(key, value) {
  try {
    if (value == null) localStorage.removeItem(key);
    else localStorage.setItem(key, typeof value === 'string' ? value : JSON.stringify(value));
  } catch (err) {
    console.warn('storage:', err);
  }
}

/**
 * Stores a value as JSON; null removes it.
 * @param {string} key
 * @param {unknown} value
 */
export function saveJSON(key, value) {
  store(key, value == null ? null : JSON.stringify(value));
}

/**
 * The stored JSON value, or null (also when it does not parse).
 * @param {string} key
 * @returns {any}
 */
export function loadJSON(key) {
  try {
    return JSON.parse(stored(key) || 'null');
  } catch {
    return null;
  }
}

/**
 * The stored string, or null.
 * @param {string} key
 */
export function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/**
 * The token from ?token= (kept under key, then removed from the address bar), else the stored one.
 * @param {string} key
 */
export function takeToken(key) {
  const url = new URL(location.href);
  const fromURL = url.searchParams.get('token');
  if (fromURL) {
    store(key, fromURL);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromURL;
  }
  return stored(key) || '';
}

/**
 * Registers the service worker; it needs a secure context (https or localhost).
 * @param {string} url
 * @param {string} scope
 */
export function registerWorker(url, scope) {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register(url, { scope }).catch((err) => console.warn('service worker:', err));
}

/**
 * Sends events over HTTP (when the websocket is down): the ids stored, and
 * those refused as invalid.
 * @param {string} token the screen token
 * @param {import('./protocol.js').DeviceEvent[]} events
 * @returns {Promise<import('./outbox.js').PostResult>}
 */
export async function postEvents(token, events) {
  const res = await fetch('/api/v1/device/events', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ events }),
  });
  if (!res.ok) throw new Error(`POST /api/v1/device/events: ${res.status}`);
  const body = await res.json();
  const rejected = Array.isArray(body.rejected) ? body.rejected : [];
  return {
    ack: Array.isArray(body.ack) ? body.ack.map(String) : [],
    rejected: rejected.filter((/** @type {{id?: string}} */ r) => r && r.id).map((/** @type {{id: string}} */ r) => String(r.id)),
  };
}

/**
 * The offset (ms) to add to the local clock to read the server's, from a
 * welcome's server_time: the server took it between hello and welcome, so it
 * is compared with their midpoint. NaN when the welcome has no usable time.
 * @param {string|undefined} serverTime
 * @param {number} helloAt Date.now() when hello was sent (0: unknown)
 * @param {number} receivedAt Date.now() when the welcome arrived
 */
export function clockOffset(serverTime, helloAt, receivedAt) {
  const server = parseTime(serverTime);
  if (!Number.isFinite(server)) return NaN;
  const sent = helloAt || receivedAt;
  return Math.round(server - (sent + receivedAt) / 2);
}
