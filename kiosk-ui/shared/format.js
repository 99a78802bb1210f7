// @ts-check
// Formatting of money, dates and hashes, and RFC 3339 parsing. Pure functions.

const rfc3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?([Zz]|([+-])(\d\d):(\d\d))$/;

/**
 * Milliseconds since the epoch for an RFC 3339 time (any number of fraction
 * digits, as Go writes them), a Date, or a number of milliseconds. NaN when
 * it cannot be read.
 * @param {unknown} v
 * @returns {number}
 */
export function parseTime(v) {
  if (v == null || v === '') return NaN;
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime();
  const m = rfc3339.exec(String(v));
  if (!m) return Date.parse(String(v));
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  let t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
  if (m[9]) t -= (m[9] === '-' ? -1 : 1) * (+m[10] * 60 + +m[11]) * 60000;
  return t;
}

/**
 * "1234567" → "1,234,567"
 * @param {string} digits
 */
export function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Formats an integer amount of fen: in yuan with two decimals, or, when unit
 * is "wan", in 万元 (10,000 yuan) rounded half away from zero to two decimals.
 * Integer arithmetic only, so large amounts stay exact.
 * @param {unknown} fen
 * @param {string} [unit] "yuan" or "wan"
 */
export function formatFen(fen, unit = 'yuan') {
  const n = Number(fen);
  if (!Number.isFinite(n)) return '';
  const neg = n < 0;
  let abs = Math.abs(Math.round(n));
  if (unit === 'wan') abs = Math.floor((abs + 5000) / 10000); // hundredths of 万元
  const whole = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  const s = `${groupThousands(String(whole))}.${cents}`;
  return neg && abs !== 0 ? `-${s}` : s;
}

/**
 * actual / budget as a percentage with one decimal ("98.5%"), or "" without a budget.
 * @param {unknown} actual
 * @param {unknown} budget
 */
export function percent(actual, budget) {
  const a = Number(actual);
  const b = Number(budget);
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '';
  return `${((a / b) * 100).toFixed(1)}%`;
}

/**
 * @param {string} lang
 * @param {string|undefined} tz
 * @param {Intl.DateTimeFormatOptions} opts
 */
function dtf(lang, tz, opts) {
  const locale = lang === 'en' ? 'en-GB' : 'zh-CN';
  try {
    return new Intl.DateTimeFormat(locale, { ...opts, timeZone: tz || undefined });
  } catch {
    return new Intl.DateTimeFormat(locale, opts); // unknown time zone
  }
}

/**
 * @param {number} ms
 * @param {string} lang
 * @param {string|undefined} tz
 * @param {Intl.DateTimeFormatOptions} opts
 */
function parts(ms, lang, tz, opts) {
  /** @type {Partial<Record<Intl.DateTimeFormatPartTypes, string>>} */
  const o = {};
  for (const p of dtf(lang, tz, opts).formatToParts(new Date(ms))) o[p.type] = p.value;
  return o;
}

/**
 * A calendar date in the hall's time zone: "2026年1月5日" or "5 Jan 2026".
 * @param {number} ms
 * @param {string} [tz]
 * @param {string} [lang]
 */
export function formatDate(ms, tz, lang = 'zh') {
  if (!Number.isFinite(ms)) return '';
  if (lang === 'en') return dtf(lang, tz, { year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(ms));
  const p = parts(ms, lang, tz, { year: 'numeric', month: 'numeric', day: 'numeric' });
  return `${p.year}年${p.month}月${p.day}日`;
}

/**
 * Wall-clock time "09:05" (or "09:05:07" with seconds) in the hall's time zone.
 * @param {number} ms
 * @param {string} [tz]
 * @param {string} [lang]
 */
export function formatClock(ms, tz, lang = 'zh', seconds = false) {
  const p = parts(ms, lang, tz, { hour: '2-digit', minute: '2-digit', second: seconds ? '2-digit' : undefined, hourCycle: 'h23' });
  const hh = p.hour === '24' ? '00' : p.hour;
  return seconds ? `${hh}:${p.minute}:${p.second}` : `${hh}:${p.minute}`;
}

/**
 * The weekday in the hall's time zone: "星期一" or "Monday".
 * @param {number} ms
 * @param {string} [tz]
 * @param {string} [lang]
 */
export function formatWeekday(ms, tz, lang = 'zh') {
  return dtf(lang, tz, { weekday: 'long' }).format(new Date(ms));
}

/**
 * Hex of the first bytes of a base64 hash, in groups of four: "a1b2 c3d4 e5f6 0718".
 * @param {unknown} b64
 */
export function shortHash(b64, bytes = 8) {
  let bin;
  try {
    bin = atob(String(b64).trim());
  } catch {
    return '';
  }
  let hex = '';
  for (let i = 0; i < Math.min(bytes, bin.length); i++) hex += bin.charCodeAt(i).toString(16).padStart(2, '0');
  return hex.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * Reads a signed checkpoint (note format): origin, tree size and base64 root
 * hash on the first three lines. Null when it does not look like one.
 * @param {unknown} text
 * @returns {{origin: string, size: number, root: string, short: string}|null}
 */
export function parseCheckpoint(text) {
  const lines = String(text || '').split('\n');
  if (lines.length < 3 || !/^\d+$/.test(lines[1].trim())) return null;
  const root = lines[2].trim();
  return { origin: lines[0].trim(), size: Number(lines[1].trim()), root, short: shortHash(root) };
}
