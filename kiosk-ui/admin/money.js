// Money in the console: amounts are typed in yuan and sent as integer fen,
// converted by reading the digits, never through floating point.

/**
 * Integer fen for an amount of yuan typed by a person: "1,234.5" → 123450,
 * "-0.05" → -5, "１２" (full-width) → 1200. Thousands separators (, ，) and
 * spaces are ignored; at most two decimals. Null when it is not an amount or
 * is too large to be exact.
 */
export function yuanToFen(text) {
  let s = String(text ?? '')
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[．。]/g, '.')
    .replace(/[－—]/g, '-')
    .replace(/[\s,，_]/g, '')
    .replace(/^¥|^￥|元$/g, '');
  const m = /^([+-]?)(\d*)(?:\.(\d{0,2}))?$/.exec(s);
  if (!m || (m[2] === '' && !m[3])) return null;
  const digits = (m[2] || '0').replace(/^0+(?=\d)/, '') + (m[3] || '').padEnd(2, '0');
  if (digits.length > 16) return null;
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) return null;
  return m[1] === '-' && n !== 0 ? -n : n;
}

/** Yuan for an input field, no separators: 123450 → "1234.50", -5 → "-0.05". */
export function fenToYuan(fen) {
  const n = Number(fen);
  if (!Number.isSafeInteger(n)) return '';
  const abs = Math.abs(n);
  return `${n < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
