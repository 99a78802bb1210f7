// @ts-check
// The device websocket (/ws): hello on open, one JSON object per frame,
// reconnect with exponential backoff and full jitter, and a stop on the close
// codes that mean the token is no good.

/** Close codes of the device protocol. */
export const CLOSE_UNAUTHORIZED = 4401; // bad or missing token: no reconnect
export const CLOSE_REVOKED = 4403; // screen revoked: no reconnect
export const CLOSE_HELLO_TIMEOUT = 4408; // no hello in time
export const CLOSE_TOO_LARGE = 4413; // a frame was too large
export const CLOSE_TOO_MANY = 4429; // too many messages: back off further

const maxDelayMs = 30000;
const baseDelayMs = 500;
const stableMs = 10000;
/** After 4429 the next wait is drawn from at least 0.5 s × 2^5 = 16 s. */
const tooManyAttempt = 5;

/**
 * Full-jitter backoff: random(0, min(30 s, 0.5 s × 2^attempt)) in milliseconds.
 * @param {number} attempt
 * @param {() => number} [random]
 */
export function backoffDelay(attempt, random = Math.random) {
  return random() * Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt, 16));
}

/**
 * ws: or wss: URL of path on this page's host.
 * @param {string} [path]
 * @param {{protocol: string, host: string}} [loc]
 */
export function wsURL(path = '/ws', loc = location) {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${path}`;
}

/** @typedef {'connecting'|'open'|'closed'} ConnState */

/**
 * A websocket that keeps reconnecting. A connection that lasted more than
 * 10 s starts the backoff over, unless the server closed it for a fault of
 * ours (4408, 4413, 4429).
 */
export class Connection {
  /**
   * @param {object} o
   * @param {string} [o.url]
   * @param {() => object} o.hello the hello frame, built fresh for each connection
   * @param {(msg: import('./protocol.js').ServerFrame) => void} o.onMessage each parsed server frame
   * @param {(state: ConnState) => void} [o.onState]
   * @param {(code: number) => void} [o.onClose] every close, with its code, before any reconnect
   * @param {(code: number) => void} [o.onAuthFailure] close code 4401 or 4403; no reconnect follows
   */
  constructor({ url = wsURL(), hello, onMessage, onState = () => {}, onClose = () => {}, onAuthFailure = () => {} }) {
    this.url = url;
    this.hello = hello;
    this.onMessage = onMessage;
    this.onState = onState;
    this.onClose = onClose;
    this.onAuthFailure = onAuthFailure;
    /** @type {WebSocket|null} */
    this.ws = null;
    this.attempt = 0;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.timer = undefined;
    this.stopped = true;
    this.openedAt = 0; // Date.now() when the current connection opened
    this.helloAt = 0; // Date.now() when hello was sent
    this.downSince = Date.now();
    /** @type {ConnState} */
    this.state = 'closed';
    this.onOnline = () => {
      if (!this.ws && !this.stopped) {
        clearTimeout(this.timer);
        this.connect();
      }
    };
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    globalThis.addEventListener?.('online', this.onOnline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    globalThis.removeEventListener?.('online', this.onOnline);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      ws.close(1000);
    }
    this.setState('closed');
  }

  /** Closes the current connection and connects again at once. */
  restart() {
    if (this.ws) this.ws.close(1000);
    else this.onOnline();
  }

  isOpen() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  /** Milliseconds the websocket has been down (0 while open). */
  downFor() {
    return this.isOpen() ? 0 : Date.now() - this.downSince;
  }

  /**
   * Sends one frame; false when not connected.
   * @param {object} obj
   */
  send(obj) {
    if (!this.ws || !this.isOpen()) return false;
    try {
      this.ws.send(JSON.stringify(obj));
      return true;
    } catch {
      return false;
    }
  }

  /** @param {ConnState} s */
  setState(s) {
    if (s === this.state) return;
    this.state = s;
    this.onState(s);
  }

  connect() {
    if (this.stopped) return;
    this.setState('connecting');
    /** @type {WebSocket} */
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      console.warn('ws: cannot connect', err);
      this.scheduleReconnect(0, 0);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.openedAt = Date.now();
      this.helloAt = this.openedAt;
      ws.send(JSON.stringify(this.hello()));
      this.setState('open');
    };
    ws.onmessage = (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      if (msg && typeof msg === 'object' && typeof msg.type === 'string') this.onMessage(msg);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const lasted = this.openedAt ? Date.now() - this.openedAt : 0;
      if (this.openedAt) this.downSince = Date.now();
      this.openedAt = 0;
      this.setState('closed');
      this.onClose(e.code);
      if (e.code === CLOSE_UNAUTHORIZED || e.code === CLOSE_REVOKED) {
        this.stop();
        this.onAuthFailure(e.code);
        return;
      }
      this.scheduleReconnect(lasted, e.code);
    };
  }

  /**
   * @param {number} lastedMs how long the connection that closed was open
   * @param {number} code its close code
   */
  scheduleReconnect(lastedMs, code) {
    if (this.stopped) return;
    const ours = code === CLOSE_HELLO_TIMEOUT || code === CLOSE_TOO_LARGE || code === CLOSE_TOO_MANY;
    if (lastedMs > stableMs && !ours) this.attempt = 0;
    if (code === CLOSE_TOO_MANY) this.attempt = Math.max(this.attempt, tooManyAttempt);
    const delay = backoffDelay(this.attempt);
    this.attempt++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
