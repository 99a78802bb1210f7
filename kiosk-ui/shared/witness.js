// @ts-check
// The archive witness that every page of the hall runs — the public item
// page on residents' phones, the kiosk, the LED player. A transparency log
// is only as strong as its witnesses: whoever can rewrite the server's
// database can also delete its checkpoints and have a new head signed over
// a rewritten history. So each browser remembers the last signed tree head
// it saw (localStorage, shared by the pages of one origin) and accepts a
// newer one only when it is signed by the archive key and a consistency
// proof shows that it keeps everything the remembered one signed. A failure
// is a broken history: the page shows a warning, and it is reported to the
// server (POST /api/v1/archive/alarm) so staff see it.
//
// Checking needs WebCrypto (https or localhost); Ed25519 signatures are
// checked where the browser supports Ed25519 in WebCrypto (Chromium does).

import { canVerify, fromBase64, verifyConsistency } from './merkle.js';
import { parseCheckpoint } from './format.js';
import { loadJSON, saveJSON, stored, store } from './device.js';

const headKey = 'hallcast.archive.head';
const reportedKey = 'hallcast.archive.reported';
const api = '/api/v1/archive';

/**
 * Reads a signed note (golang.org/x/mod/sumdb/note): the signed text (up to
 * and including the newline before the blank line), the checkpoint it holds
 * and its signature lines. Null when the text is not a note.
 * @typedef {{origin: string, size: number, root: string, text: string, body: string, sigs: {name: string, hash: number, sig: Uint8Array}[]}} Note
 * @param {unknown} text
 * @returns {Note|null}
 */
export function parseNote(text) {
  const s = String(text || '');
  const cut = s.indexOf('\n\n');
  if (cut < 0 || !s.endsWith('\n')) return null;
  const body = s.slice(0, cut + 1);
  const cp = parseCheckpoint(body);
  if (!cp) return null;
  const sigs = [];
  for (const line of s.slice(cut + 2, -1).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) return null;
    let raw;
    try {
      raw = fromBase64(m[2]);
    } catch {
      return null;
    }
    if (raw.length < 5) return null;
    sigs.push({ name: m[1], hash: ((raw[0] << 24) | (raw[1] << 16) | (raw[2] << 8) | raw[3]) >>> 0, sig: raw.slice(4) });
  }
  return { ...cp, text: s, body, sigs };
}

/**
 * Reads a verifier key "<name>+<hash hex>+<base64 of 0x01 ‖ Ed25519 key>".
 * Null when it is not one.
 * @typedef {{name: string, hash: number, raw: Uint8Array, key: Uint8Array}} Key
 * @param {unknown} text
 * @returns {Key|null}
 */
export function parseKey(text) {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(String(text || '').trim());
  if (!m) return null;
  let raw;
  try {
    raw = fromBase64(m[3]);
  } catch {
    return null;
  }
  if (raw.length !== 33 || raw[0] !== 1) return null;
  return { name: m[1], hash: parseInt(m[2], 16) >>> 0, raw, key: raw.slice(1) };
}

/**
 * Checks a note's signature by the key: "ok", "bad" (no signature by this
 * key, or one that does not verify) or "unsupported" (no Ed25519 in this
 * browser's WebCrypto).
 * @param {Note} note
 * @param {Key} key
 * @returns {Promise<'ok'|'bad'|'unsupported'>}
 */
export async function verifyNote(note, key) {
  const enc = new TextEncoder();
  // The key hash: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key).
  const name = enc.encode(`${key.name}\n`);
  const buf = new Uint8Array(name.length + key.raw.length);
  buf.set(name);
  buf.set(key.raw, name.length);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  const hash = ((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) >>> 0;
  if (hash !== key.hash) return 'bad';
  const sig = note.sigs.find((s) => s.name === key.name && s.hash === key.hash);
  if (!sig || sig.sig.length !== 64) return 'bad';
  let pub;
  try {
    pub = await crypto.subtle.importKey('raw', /** @type {BufferSource} */ (key.key), { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return 'unsupported';
  }
  try {
    return (await crypto.subtle.verify({ name: 'Ed25519' }, pub, /** @type {BufferSource} */ (sig.sig), enc.encode(note.body))) ? 'ok' : 'bad';
  } catch {
    return 'unsupported';
  }
}

// Requests carry ?witness=1 (the service workers pass those through, never
// answering them from their cache: an old head is no witness's business).
/** @param {string} url @returns {Promise<string>} */
async function getText(url) {
  const res = await fetch(url, { headers: { Accept: 'text/plain' }, cache: 'no-store' });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.text();
}

/** Whether the server says it refuses to sign for an inconsistent history. */
async function refusing() {
  try {
    const res = await fetch('/readyz', { headers: { Accept: 'application/json' }, cache: 'no-store' });
    const body = await res.json();
    return !!(body && body.archive && body.archive.consistent === false);
  } catch {
    return false;
  }
}

/** The head this browser remembers {key, origin, size, root, note, at}, or null. */
export function rememberedHead() {
  const h = loadJSON(headKey);
  return h && typeof h.size === 'number' && typeof h.root === 'string' ? h : null;
}

/**
 * Reports a broken history to the server, once per pair of heads and
 * problem (the server rate-limits too).
 * @param {string} device
 * @param {string} problem
 * @param {{size: number, root: string, note?: string}|null} prev
 * @param {{size: number, root: string, text: string}|null} got
 */
async function report(device, problem, prev, got) {
  const sig = [problem, prev ? `${prev.size}:${prev.root}` : '', got ? `${got.size}:${got.root}` : ''].join('|');
  if (stored(reportedKey) === sig) return;
  try {
    const res = await fetch(`${api}/alarm`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ problem, seen: prev ? prev.note : '', got: got ? got.text : '', device, page: location.pathname.slice(0, 300) }),
    });
    if (res.ok) store(reportedKey, sig);
  } catch (err) {
    console.warn('archive alarm:', err);
  }
}

/**
 * Checks the archive's current signed head against the one remembered and
 * remembers it when it is good. Resolves {status, problem?, size?}:
 *   ok          — consistent with the remembered head (first: nothing was
 *                 remembered yet), or at least not shown inconsistent;
 *   broken      — problem: consistency, rollback, fork, signature, key or
 *                 origin, reported to the server; or refused: the server
 *                 itself found its history inconsistent and signs nothing;
 *   unavailable — the server or network did not answer (nothing judged);
 *   unsupported — no WebCrypto here (plain http).
 * device names the page in reports: public, kiosk or player.
 * @param {string} device
 * @returns {Promise<{status: string, problem?: string, size?: number, first?: boolean, signature?: string}>}
 */
export async function witness(device) {
  if (!canVerify()) return { status: 'unsupported' };
  let keyText;
  let noteText;
  try {
    [keyText, noteText] = await Promise.all([getText(`${api}/key`), getText(`${api}/checkpoint?witness=1`)]);
  } catch (err) {
    console.warn('archive witness:', err instanceof Error ? err.message : err);
    // A server that found its own history inconsistent signs nothing and
    // says so in /readyz: that is a broken history too (it knows already).
    if (await refusing()) return { status: 'broken', problem: 'refused' };
    return { status: 'unavailable' };
  }
  keyText = keyText.trim();
  const prev = rememberedHead();
  const note = parseNote(noteText);
  /** @param {string} problem */
  const broken = (problem) => {
    report(device, problem, prev, note || { text: noteText, size: -1, root: '' });
    return { status: 'broken', problem, size: note ? note.size : undefined };
  };
  if (prev && prev.key !== keyText) return broken('key');
  const key = parseKey(keyText);
  if (!key) return { status: 'unavailable' };
  if (!note) return broken('signature');
  const sig = await verifyNote(note, key);
  if (sig === 'bad') return broken('signature');
  if (prev && prev.origin !== note.origin) return broken('origin');
  if (prev) {
    if (note.size < prev.size) return broken('rollback');
    if (note.size === prev.size && note.root !== prev.root) return broken('fork');
    if (note.size > prev.size && prev.size > 0) {
      let proof;
      try {
        const res = await fetch(`${api}/consistency?from=${prev.size}&to=${note.size}`, { headers: { Accept: 'application/json' }, cache: 'no-store' });
        if (!res.ok) throw new Error(`consistency proof: ${res.status}`);
        proof = await res.json();
      } catch (err) {
        console.warn('archive witness:', err instanceof Error ? err.message : err);
        return { status: 'unavailable' };
      }
      if (!(await verifyConsistency(prev.size, note.size, prev.root, note.root, proof.proof))) return broken('consistency');
    }
  }
  // Only a head whose signature was checked is remembered.
  if (sig === 'ok' && (!prev || note.size > prev.size)) {
    saveJSON(headKey, { key: keyText, origin: note.origin, size: note.size, root: note.root, note: note.text, at: new Date().toISOString() });
  }
  return { status: 'ok', first: !prev, size: note.size, signature: sig };
}
