// A touch session: starts with the first touch after the attract loop and
// ends after an idle timeout (with a countdown the resident can cancel) or
// when the resident finishes. It holds the session id sent with events, the
// subjects already rated, and what was typed (cleared when it ends).

import { uuid } from '../shared/uuid.js';

export class Session {
  /**
   * @param {object} o
   * @param {number} o.idleMs quiet time before the countdown
   * @param {number} o.countdownMs length of the countdown
   * @param {(secondsLeft: number|null) => void} o.onCountdown each second of the countdown; null when it stops
   * @param {() => void} o.onEnd the session is ending (the id is still set)
   */
  constructor({ idleMs, countdownMs, onCountdown, onEnd }) {
    Object.assign(this, { idleMs, countdownMs, onCountdown, onEnd });
    this.id = '';
    this.rated = new Map(); // rated subject → level
    this.drafts = {};
    this.places = new Map(); // view key → where the resident was in it
    this.idleTimer = 0;
    this.tickTimer = 0;
    this.deadline = 0;
  }

  active() {
    return !!this.id;
  }

  start() {
    this.id = uuid();
    this.rated = new Map(); // rated subject → level
    this.drafts = {};
    this.places = new Map();
    this.touch();
  }

  /** Any touch: restarts the idle timer and cancels a running countdown. */
  touch() {
    if (!this.id) return;
    clearTimeout(this.idleTimer);
    if (this.deadline) this.stopCountdown();
    this.idleTimer = setTimeout(() => this.countdown(), this.idleMs);
  }

  countdown() {
    this.deadline = Date.now() + this.countdownMs;
    const tick = () => {
      const left = this.deadline - Date.now();
      if (left <= 0) {
        this.end();
        return;
      }
      this.onCountdown(Math.ceil(left / 1000));
      this.tickTimer = setTimeout(tick, Math.min(1000, left % 1000 || 1000));
    };
    tick();
  }

  stopCountdown() {
    clearTimeout(this.tickTimer);
    this.deadline = 0;
    this.onCountdown(null);
  }

  end() {
    if (!this.id) return;
    clearTimeout(this.idleTimer);
    this.stopCountdown();
    try {
      this.onEnd(); // still with the id: open views record their view events
    } finally {
      this.id = '';
      this.rated = new Map(); // rated subject → level
      this.drafts = {};
      this.places = new Map();
    }
  }

  /**
   * Where the resident was in a view (an item: the finance level opened and
   * the scroll position), kept for the session so that coming back to it,
   * or switching the language, finds the same place.
   * @param {string} key
   * @returns {{at: string, scroll: number}}
   */
  place(key) {
    let p = this.places.get(key);
    if (!p) this.places.set(key, (p = { at: '', scroll: 0 }));
    return p;
  }
}
