// The device websocket (/ws): hello on open, one JSON object per frame,
// reconnect with exponential backoff and full jitter, and a stop on the close
// codes that mean the token is no good.

/** Close codes: bad or missing token, screen revoked. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_REVOKED = 4403;

const maxDelayMs = 30000;
const baseDelayMs = 500;
const stableMs = 10000;

/** Full-jitter backoff: random(0, min(30 s, 0.5 s × 2^attempt)) in milliseconds. */
export function backoffDelay(attempt, random = Math.random) {
  return random() * Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt, 16));
}

/** ws: or wss: URL of path on this page's host. */
export function wsURL(path = '/ws', loc = location) {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${path}`;
}

/**
 * A websocket that keeps reconnecting.
 *
 * @param {object} o
 * @param {string} [o.url]
 * @param {() => object} o.hello the hello frame, built fresh for each connection
 * @param {(msg: object) => void} o.onMessage each parsed server frame
 * @param {(state: 'connecting'|'open'|'closed') => void} [o.onState]
 * @param {(code: number) => void} [o.onAuthFailure] close code 4401 or 4403; no reconnect follows
 */
export class Connection {
  constructor({ url = wsURL(), hello, onMessage, onState = () => {}, onAuthFailure = () => {} }) {
    Object.assign(this, { url, hello, onMessage, onState, onAuthFailure });
    this.ws = null;
    this.attempt = 0;
    this.timer = 0;
    this.stopped = true;
    this.openedAt = 0; // Date.now() when the current connection opened
    this.helloAt = 0; // Date.now() when hello was sent
    this.downSince = Date.now();
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

  /** Sends one frame; false when not connected. */
  send(obj) {
    if (!this.isOpen()) return false;
    try {
      this.ws.send(JSON.stringify(obj));
      return true;
    } catch {
      return false;
    }
  }

  setState(s) {
    if (s === this.state) return;
    this.state = s;
    this.onState(s);
  }

  connect() {
    if (this.stopped) return;
    this.setState('connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      console.warn('ws: cannot connect', err);
      this.scheduleReconnect(0);
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
      if (e.code === CLOSE_UNAUTHORIZED || e.code === CLOSE_REVOKED) {
        this.stop();
        this.onAuthFailure(e.code);
        return;
      }
      this.scheduleReconnect(lasted);
    };
  }

  scheduleReconnect(lastedMs) {
    if (this.stopped) return;
    if (lastedMs > stableMs) this.attempt = 0;
    const delay = backoffDelay(this.attempt);
    this.attempt++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
