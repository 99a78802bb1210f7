// @ts-check
// RFC 6962 Merkle tree hashing and RFC 9162 (§2.1.3.2) inclusion proof
// verification with WebCrypto SHA-256, for checking an archive entry in the
// browser. crypto.subtle exists only in secure contexts (https, localhost);
// canVerify() says whether it is there.

/** Whether this page can compute SHA-256 (WebCrypto in a secure context). */
export function canVerify() {
  return !!(globalThis.isSecureContext !== false && globalThis.crypto && crypto.subtle && typeof crypto.subtle.digest === 'function');
}

/**
 * Bytes of a base64 string; throws on bad input.
 * @param {unknown} b64
 */
export function fromBase64(b64) {
  const bin = atob(String(b64).trim());
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Base64 of bytes.
 * @param {Uint8Array} bytes
 */
export function toBase64(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * Lower-case hex of bytes.
 * @param {Uint8Array} bytes
 */
export function toHex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * @param {Uint8Array} a
 * @param {Uint8Array} b
 */
function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/**
 * @param {number} prefix
 * @param {...Uint8Array} parts
 */
async function sha256(prefix, ...parts) {
  let n = 1;
  for (const p of parts) n += p.length;
  const buf = new Uint8Array(n);
  buf[0] = prefix;
  let off = 1;
  for (const p of parts) {
    buf.set(p, off);
    off += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}

/**
 * RFC 6962 leaf hash: SHA-256(0x00 || leaf).
 * @param {Uint8Array} leaf
 */
export function leafHash(leaf) {
  return sha256(0, leaf);
}

/**
 * RFC 6962 interior node hash: SHA-256(0x01 || left || right).
 * @param {Uint8Array} left
 * @param {Uint8Array} right
 */
export function nodeHash(left, right) {
  return sha256(1, left, right);
}

/**
 * The root hash that an inclusion proof for the leaf hash at index in a tree
 * of size leads to (RFC 9162 §2.1.3.2), or null when the proof cannot be
 * one for that index and size (wrong length, index out of range).
 * @param {number} index
 * @param {number} size
 * @param {Uint8Array} leaf the leaf hash
 * @param {Uint8Array[]} proof
 * @returns {Promise<Uint8Array|null>}
 */
export async function rootFromInclusion(index, size, leaf, proof) {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (p.length !== 32 || sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/**
 * Checks an inclusion proof as the archive API serves it:
 * {index, size, root, leaf_hash, leaf (the leaf's text), proof: [base64]}.
 * Resolves with {ok, leafHash (base64, computed), problem?}; problem is
 * "leaf" (the leaf text does not hash to leaf_hash), "path" (the audit path
 * does not lead to root) or "format" (malformed values).
 * @param {{index: unknown, size: unknown, root: unknown, leaf_hash: unknown, leaf?: unknown, proof?: unknown[]}} p
 * @returns {Promise<{ok: boolean, leafHash: string, problem?: 'leaf'|'path'|'format'}>}
 */
export async function verifyInclusion(p) {
  let root;
  let path;
  let given;
  try {
    root = fromBase64(p.root);
    given = fromBase64(p.leaf_hash);
    path = (p.proof || []).map(fromBase64);
  } catch {
    return { ok: false, leafHash: '', problem: 'format' };
  }
  const lh = await leafHash(new TextEncoder().encode(String(p.leaf ?? '')));
  const out = { ok: false, leafHash: toBase64(lh) };
  if (!equal(lh, given)) return { ...out, problem: 'leaf' };
  const r = await rootFromInclusion(Number(p.index), Number(p.size), lh, path);
  if (!r || root.length !== 32 || !equal(r, root)) return { ...out, problem: 'path' };
  return { ...out, ok: true };
}
