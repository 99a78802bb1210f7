// The console's HTTP client: JSON in and out, the session cookie, the CSRF
// token on every write, and errors as ApiError with the server's code,
// reason, args, field and details; its message is worded in the console's
// language (errors.js), the server's own message kept as serverMessage.

import { describe } from './errors.js';

const base = '/api/v1';

export class ApiError extends Error {
  constructor(status, body, fallback) {
    const e = (body && typeof body === 'object' && body.error) || {};
    super(e.message || fallback || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || (status ? '' : 'network');
    this.reason = e.reason || this.code;
    this.args = Array.isArray(e.args) ? e.args : [];
    this.field = e.field || '';
    this.details = e.details;
    this.serverMessage = e.message || '';
    this.message = describe(this);
  }

  /** Words the error again, amounts in unit ("yuan" or "wan"). */
  reword(unit) {
    this.message = describe(this, { unit });
    return this;
  }
}

export class Api {
  /** onUnauthenticated(err) runs when a call other than the login is refused with 401. */
  constructor(onUnauthenticated = () => {}) {
    this.csrf = '';
    this.onUnauthenticated = onUnauthenticated;
  }

  async request(method, path, body) {
    const headers = { Accept: 'application/json' };
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    if (method !== 'GET' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    let res;
    try {
      res = await fetch(base + path, { method, headers, body: payload, credentials: 'same-origin' });
    } catch (err) {
      throw new ApiError(0, null, err.message);
    }
    if (res.status === 204) return null;
    const type = res.headers.get('Content-Type') || '';
    let data = null;
    try {
      data = type.includes('json') ? await res.json() : await res.text();
    } catch {
      data = null;
    }
    if (!res.ok) {
      const err = new ApiError(res.status, data);
      if (res.status === 401 && path !== '/session') this.onUnauthenticated(err);
      throw err;
    }
    return data;
  }

  get(path) {
    return this.request('GET', path);
  }
  post(path, body = {}) {
    return this.request('POST', path, body);
  }
  put(path, body) {
    return this.request('PUT', path, body);
  }
  del(path) {
    return this.request('DELETE', path);
  }
}

/** A query string from an object, leaving out empty values: {a: 1, b: ''} → "?a=1". */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v != null) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** encodeURIComponent for a path segment. */
export const seg = (s) => encodeURIComponent(String(s));
