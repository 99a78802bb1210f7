// @ts-check
// Random (version 4) UUIDs from crypto.getRandomValues, which, unlike
// crypto.randomUUID, also works on plain-http LAN origins.

const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** @returns {string} a random RFC 4122 version 4 UUID */
export function uuid() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += hex[b[i]];
  }
  return s;
}
