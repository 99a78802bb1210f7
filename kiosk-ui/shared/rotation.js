// @ts-check
// What plays when: pure functions over a manifest timeline. Times are
// milliseconds since the epoch on the server-corrected clock.

import { parseTime } from './format.js';

/** @typedef {import('./protocol.js').Entry} Entry */
/** @typedef {import('./protocol.js').Slot} Slot */

/**
 * What plays at an instant (see planAt). entry is null when nothing plays;
 * key is equal for two instants exactly when they fall in the same showing.
 * @typedef {object} Plan
 * @property {Slot|null} slot
 * @property {number} [slotIndex]
 * @property {Entry|null} entry
 * @property {number} [index]
 * @property {number} start
 * @property {number} [end]
 * @property {number} boundary when something may change next (Infinity: never)
 * @property {string} key
 */

/**
 * a mod n, always in [0, n).
 * @param {number} a
 * @param {number} n
 */
export function mod(a, n) {
  return ((a % n) + n) % n;
}

/**
 * An entry's duration in whole milliseconds; 0 for a missing or non-positive one.
 * @param {Entry|null|undefined} entry
 */
export function durationMs(entry) {
  const d = Number(entry && entry.duration_s);
  return Number.isFinite(d) && d > 0 ? Math.round(d * 1000) : 0;
}

/**
 * Length of one cycle through the entries, in milliseconds.
 * @param {Entry[]|undefined} entries
 */
export function cycleMs(entries) {
  return (entries || []).reduce((sum, e) => sum + durationMs(e), 0);
}

/**
 * The timeline slot covering t ([from, to)), the first one listed when
 * several do, with its index and parsed bounds; null when none does.
 * @param {Slot[]|undefined} timeline
 * @param {number} t
 * @returns {{index: number, slot: Slot, from: number, to: number}|null}
 */
export function slotAt(timeline, t) {
  const list = timeline || [];
  for (let i = 0; i < list.length; i++) {
    const from = parseTime(list[i].from);
    const to = parseTime(list[i].to);
    if (from <= t && t < to) return { index: i, slot: list[i], from, to };
  }
  return null;
}

/**
 * The entry of slot playing at t: cycle position = (t − anchor) mod (sum of
 * durations). Returns {index, entry, start, end} (start/end of this showing of
 * the entry, unclipped by the slot), or null for a slot with nothing to play.
 * The anchor defaults to the slot's start.
 * @param {Slot} slot
 * @param {number} t
 * @returns {{index: number, entry: Entry, start: number, end: number}|null}
 */
export function position(slot, t) {
  const entries = (slot && slot.entries) || [];
  const cycle = cycleMs(entries);
  if (!cycle) return null;
  let anchor = parseTime(slot.anchor);
  if (!Number.isFinite(anchor)) anchor = parseTime(slot.from);
  if (!Number.isFinite(anchor)) anchor = 0;
  const offset = mod(t - anchor, cycle);
  let acc = 0;
  for (let i = 0; i < entries.length; i++) {
    const d = durationMs(entries[i]);
    if (!d) continue;
    if (offset < acc + d) {
      const start = t - (offset - acc);
      return { index: i, entry: entries[i], start, end: start + d };
    }
    acc += d;
  }
  return null; // unreachable: offset < cycle
}

/**
 * The first slot start or end after t; Infinity when there is none.
 * @param {Slot[]|undefined} timeline
 * @param {number} t
 */
export function nextChange(timeline, t) {
  let next = Infinity;
  for (const s of timeline || []) {
    for (const b of [parseTime(s.from), parseTime(s.to)]) {
      if (b > t && b < next) next = b;
    }
  }
  return next;
}

/**
 * Identifies what an entry shows, so an unchanged entry is not shown again.
 * @param {Entry|null|undefined} entry
 */
export function entryKey(entry) {
  if (!entry) return '';
  return entry.item_id ? `${entry.item_id}@${entry.revision}` : `media:${entry.media_url}`;
}

/**
 * Everything the player needs at t: the slot, the entry, when this showing
 * started, and the boundary at which something may change (the entry's end or
 * the next slot start/end, whichever comes first). key is equal for two
 * instants exactly when they fall in the same showing of the same content.
 * @param {Slot[]|undefined} timeline
 * @param {number} t
 * @returns {Plan}
 */
export function planAt(timeline, t) {
  const change = nextChange(timeline, t);
  const s = slotAt(timeline, t);
  if (!s) return { slot: null, entry: null, start: t, boundary: change, key: 'idle' };
  const p = position(s.slot, t);
  const head = `${s.from}|${s.slot.playlist_id || ''}`;
  if (!p) return { slot: s.slot, slotIndex: s.index, entry: null, start: t, boundary: Math.min(change, s.to), key: `empty|${head}` };
  return {
    slot: s.slot,
    slotIndex: s.index,
    entry: p.entry,
    index: p.index,
    start: p.start,
    end: p.end,
    boundary: Math.min(change, p.end),
    key: `${head}|${p.index}|${p.start}|${entryKey(p.entry)}`,
  };
}

/**
 * Interrupts still in force at t (until in the future, or no readable until).
 * @template {{until?: string}} I
 * @param {I[]|undefined} list
 * @param {number} t
 * @returns {I[]}
 */
export function activeInterrupts(list, t) {
  return (list || []).filter((i) => {
    const until = parseTime(i.until);
    return !Number.isFinite(until) || until > t;
  });
}
