// Dates and times between form inputs and the API (RFC 3339).

import { parseTime } from '../shared/format.js';

const pad = (n) => String(n).padStart(2, '0');

/** "2026-01-05 09:30" in the browser's time zone, or "" for no time. */
export function formatTime(v) {
  const ms = parseTime(v);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The value for an <input type="date"> from an API time. A time at midnight
 * with an explicit offset (how dates come back) keeps its calendar date;
 * anything else is read in the browser's time zone.
 */
export function toDateInput(v) {
  if (!v) return '';
  const s = String(v);
  if (/^\d{4}-\d\d-\d\d$/.test(s)) return s;
  if (/^\d{4}-\d\d-\d\dT00:00:00(\.0+)?[+-]\d\d:\d\d$/.test(s)) return s.slice(0, 10);
  const ms = parseTime(s);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The browser's UTC offset at that local time as "+08:00". */
function offset(d) {
  const m = -d.getTimezoneOffset();
  const a = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/**
 * RFC 3339 with the browser's offset from an <input type="datetime-local">
 * value ("2026-01-05T09:30" → "2026-01-05T09:30:00+08:00"), or "".
 */
export function fromDateTimeLocal(v) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?/.exec(String(v || ''));
  if (!m) return '';
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] || '00'}${offset(d)}`;
}

/** The value for an <input type="datetime-local">, hours from now, in local time. */
export function dateTimeLocalIn(hours, now = Date.now()) {
  const d = new Date(now + hours * 3600000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
