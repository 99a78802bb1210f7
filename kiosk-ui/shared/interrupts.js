// @ts-check
// The set of interrupts in force: from the manifest, from interrupt frames,
// removed by interrupt_clear or when their `until` passes.

import { parseTime } from './format.js';
import { activeInterrupts } from './rotation.js';

/** @typedef {import('./protocol.js').Interrupt} Interrupt */

export class Interrupts {
  /**
   * @param {() => number} now corrected clock
   * @param {(active: Interrupt[]) => void} onChange called with the interrupts in force, oldest first
   */
  constructor(now, onChange) {
    this.now = now;
    this.onChange = onChange;
    /** @type {Map<string, {msg: Interrupt, at: number}>} id → the interrupt and when it arrived */
    this.list = new Map();
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.timer = undefined;
    this.last = '';
  }

  /**
   * Replaces the set with a manifest's interrupts, keeping those received by
   * frame after the manifest was generated.
   * @param {Interrupt[]|undefined} list
   * @param {string|undefined} generatedAt
   */
  fromManifest(list, generatedAt) {
    const gen = parseTime(generatedAt);
    const next = new Map();
    for (const [id, v] of this.list) if (Number.isFinite(gen) && v.at > gen) next.set(id, v);
    for (const i of list || []) if (i && i.id) next.set(i.id, { msg: i, at: this.now() });
    this.list = next;
    this.update();
  }

  /** @param {Interrupt} msg an interrupt frame */
  add(msg) {
    if (!msg || !msg.id) return;
    this.list.set(msg.id, { msg, at: this.now() });
    this.update();
  }

  /** @param {string} id */
  clear(id) {
    if (this.list.delete(id)) this.update();
  }

  active() {
    return activeInterrupts([...this.list.values()].map((v) => v.msg), this.now());
  }

  update() {
    clearTimeout(this.timer);
    const now = this.now();
    const active = this.active();
    for (const [id, v] of this.list) if (!active.includes(v.msg)) this.list.delete(id);
    let next = Infinity;
    for (const i of active) next = Math.min(next, parseTime(i.until));
    if (Number.isFinite(next)) this.timer = setTimeout(() => this.update(), Math.min(Math.max(0, next - now), 60000));
    const sig = JSON.stringify(active);
    if (sig === this.last) return;
    this.last = sig;
    this.onChange(active);
  }
}
