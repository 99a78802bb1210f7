// @ts-check
// RFC 6962 Merkle tree hashing, RFC 9162 inclusion proof verification
// (§2.1.3.2) and consistency proof verification (§2.1.4.2) with WebCrypto
// SHA-256, for checking an archive entry and the archive's history in the
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

/**
 * The largest power of two strictly below n (n >= 2).
 * @param {number} n
 * @returns {number}
 */
function splitPoint(n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Runs a consistency proof over the subtree of leaves [lo, hi) of the new
 * tree, where the old tree has n leaves and hash oldRoot: returns the
 * implied hashes of that subtree in the old and the new tree, or null when
 * the proof cannot be one for these sizes. The proof is RFC 6962's
 * (§2.1.2), bottom-up, as golang.org/x/mod/sumdb/tlog builds it; this is its
 * runTreeProof.
 * @param {Uint8Array[]} proof
 * @param {number} lo
 * @param {number} hi
 * @param {number} n
 * @param {Uint8Array} oldRoot
 * @returns {Promise<[Uint8Array, Uint8Array]|null>}
 */
async function runConsistency(proof, lo, hi, n, oldRoot) {
  if (n === hi) {
    if (lo === 0) return proof.length === 0 ? [oldRoot, oldRoot] : null;
    return proof.length === 1 ? [proof[0], proof[0]] : null;
  }
  if (proof.length === 0) return null;
  const last = proof[proof.length - 1];
  const rest = proof.slice(0, -1);
  const k = splitPoint(hi - lo);
  if (n <= lo + k) {
    /** @type {[Uint8Array, Uint8Array]|null} */
    const r = await runConsistency(rest, lo, lo + k, n, oldRoot);
    if (!r) return null;
    return [r[0], await nodeHash(r[1], last)];
  }
  /** @type {[Uint8Array, Uint8Array]|null} */
  const r = await runConsistency(rest, lo + k, hi, n, oldRoot);
  if (!r) return null;
  return [await nodeHash(last, r[0]), await nodeHash(last, r[1])];
}

/**
 * Checks that the tree of size `from` with root hash fromRoot is a prefix of
 * the tree of size `to` with root toRoot, with a consistency proof as
 * GET /api/v1/archive/consistency serves it (hashes as bytes or base64).
 * Resolves true only when the proof shows exactly that. Equal sizes need
 * equal roots and an empty proof; size 0 is a prefix of every tree.
 * @param {number} from
 * @param {number} to
 * @param {Uint8Array|string} fromRoot
 * @param {Uint8Array|string} toRoot
 * @param {(Uint8Array|string)[]|null|undefined} proof
 * @returns {Promise<boolean>}
 */
export async function verifyConsistency(from, to, fromRoot, toRoot, proof) {
  /** @param {Uint8Array|string} h @returns {Uint8Array} */
  const bytes = (h) => (typeof h === 'string' ? fromBase64(h) : h);
  let a;
  let b;
  let path;
  try {
    a = bytes(fromRoot);
    b = bytes(toRoot);
    path = (proof || []).map(bytes);
  } catch {
    return false;
  }
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) return false;
  if (a.length !== 32 || b.length !== 32 || path.some((p) => p.length !== 32)) return false;
  if (from === 0) return true;
  if (from === to) return path.length === 0 && equal(a, b);
  const r = await runConsistency(path, 0, to, from, a);
  return !!r && equal(r[0], a) && equal(r[1], b);
}
