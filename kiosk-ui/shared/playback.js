// @ts-check
// Full-screen playback: shows the entry the timeline puts at the corrected
// time, switches exactly at each boundary (recomputed from the clock every
// time, so there is no drift) and records an impression for every showing.

import { planAt } from './rotation.js';
import { buildItem, buildMedia, buildIdle, buildUnavailable, releaseMedia, fit } from './render.js';

/** @typedef {import('./render.js').Motion} Motion */

/** @typedef {import('./protocol.js').Manifest} Manifest */
/** @typedef {import('./protocol.js').Entry} Entry */
/** @typedef {import('./protocol.js').Showing} Showing */
/** @typedef {import('./rotation.js').Plan} Plan */

const minImpressionMs = 500;
const maxTimerMs = 60000;

/**
 * What a playback (or the player's ticker) needs from its page.
 * @typedef {object} PlaybackOptions
 * @property {HTMLElement} stage where content goes
 * @property {() => number} now corrected clock (ms)
 * @property {import('./content.js').Content} content
 * @property {() => string|undefined} tz the hall's time zone
 * @property {(event: {kind: string} & Object<string, unknown>) => void} record stores an impression event
 * @property {(view: 'idle'|'playing', itemID?: string) => void} onView
 * @property {(showing: Showing|null) => void} onShowing
 */

export class Playback {
  /** @param {PlaybackOptions} o */
  constructor(o) {
    this.stage = o.stage;
    this.now = o.now;
    this.content = o.content;
    this.tz = o.tz;
    this.record = o.record;
    this.onView = o.onView;
    this.onShowing = o.onShowing;
    /** @type {Pick<Manifest, 'timeline'>|null} */
    this.manifest = null;
    /** @type {Plan|null} */
    this.plan = null;
    this.boundary = 0;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.timer = undefined;
    this.gen = 0;
    /** @type {{el: HTMLElement, dispose?: () => void, anim: Motion|null}|null} */
    this.view = null;
    /** @type {{entry: Entry, playlistId: string, started: number}|null} */
    this.showing = null;
    this.suspended = false;
  }

  /** @param {Pick<Manifest, 'timeline'>} m */
  setManifest(m) {
    this.manifest = m;
    this.tick(false);
  }

  /** Re-plans now, e.g. after the clock offset changed. */
  resync() {
    this.tick(false);
  }

  /** @param {boolean} force show the plan even when it did not change */
  tick(force) {
    clearTimeout(this.timer);
    if (!this.manifest) return;
    let t = this.now();
    // A timer may fire a hair before the boundary it was set for.
    if (t < this.boundary && this.boundary - t < 50) t = this.boundary;
    const plan = planAt(this.manifest.timeline, t);
    if (force || !this.plan || plan.key !== this.plan.key) this.show(plan);
    this.boundary = plan.boundary;
    const delay = Number.isFinite(plan.boundary) ? plan.boundary - this.now() : maxTimerMs;
    this.timer = setTimeout(() => this.tick(false), Math.min(maxTimerMs, Math.max(0, delay)));
  }

  /**
   * While suspended (an urgent interrupt covers the screen) nothing is shown or counted.
   * @param {boolean} on
   */
  setSuspended(on) {
    if (on === this.suspended) return;
    this.suspended = on;
    if (on) {
      this.endShowing();
      this.view?.el.querySelectorAll('video').forEach((v) => v.pause());
      this.view?.el.querySelector('#title')?.removeAttribute('id'); // the covering title is #title now
    } else if (this.plan) this.show(this.plan);
  }

  /** Fits the current item again (the stage changed size). */
  refit() {
    const v = this.view;
    if (!v || !v.el.classList.contains('item')) return;
    v.anim?.cancel();
    v.anim = fit(v.el, this.boundary - this.now());
  }

  /** Ends the current showing (recording it) and stops switching. */
  stop() {
    this.endShowing();
    clearTimeout(this.timer);
    this.gen++;
  }

  /**
   * Puts el on the stage, disposing of what was there.
   * @param {HTMLElement} el
   * @param {() => void} [dispose]
   */
  mount(el, dispose) {
    const old = this.view;
    if (old) {
      old.anim?.cancel();
      old.dispose?.();
      releaseMedia(old.el);
    }
    this.stage.replaceChildren(el);
    /** @type {{el: HTMLElement, dispose?: () => void, anim: Motion|null}} */
    const view = { el, dispose, anim: null };
    this.view = view;
    return view;
  }

  /** @param {Plan} plan */
  async show(plan) {
    this.endShowing();
    this.plan = plan;
    const gen = ++this.gen;
    if (this.suspended) return;
    const entry = plan.entry;
    if (!entry) {
      const idle = buildIdle({ now: this.now, tz: this.tz(), checkpoint: () => this.content.checkpoint() });
      this.mount(idle.el, idle.dispose);
      this.onView('idle');
      this.onShowing(null);
      this.content.refreshCheckpoint();
      return;
    }
    if (!entry.item_id) {
      this.mount(buildMedia(entry));
      this.begin(plan, entry);
      this.onView('playing');
      this.onShowing({ item_id: '', revision: 0, media_url: entry.media_url });
      return;
    }
    let rev = null;
    try {
      rev = await this.content.revision(entry);
    } catch (err) {
      console.warn('player: revision not available', err);
    }
    if (gen !== this.gen) return;
    if (!rev) {
      this.mount(buildUnavailable());
      this.onView('playing');
      setTimeout(() => gen === this.gen && this.show(plan), 5000);
      return;
    }
    const names = {
      category: (/** @type {string|undefined} */ k) => this.content.categoryName(k),
      department: (/** @type {string|undefined} */ k) => this.content.departmentName(k),
    };
    const art = buildItem(rev, { tz: this.tz(), names });
    const view = this.mount(art);
    view.anim = fit(art, plan.boundary - this.now());
    art.querySelectorAll('.flow img').forEach((img) => img.addEventListener('load', () => this.view?.el === art && this.refit()));
    this.begin(plan, entry);
    this.onView('playing', entry.item_id);
    this.onShowing({ item_id: entry.item_id, revision: entry.revision });
  }

  /**
   * @param {Plan} plan
   * @param {Entry} entry
   */
  begin(plan, entry) {
    this.showing = { entry, playlistId: plan.slot ? plan.slot.playlist_id || '' : '', started: this.now() };
  }

  endShowing() {
    const s = this.showing;
    this.showing = null;
    if (!s) return;
    const duration = Math.round(this.now() - s.started);
    if (duration < minImpressionMs) return;
    /** @type {{kind: string} & Object<string, unknown>} */
    const ev = { kind: 'impression', at: new Date(s.started).toISOString(), duration_ms: duration, playlist_id: s.playlistId };
    if (s.entry.item_id) Object.assign(ev, { item_id: s.entry.item_id, revision: s.entry.revision });
    else ev.media_url = s.entry.media_url;
    this.record(ev);
  }
}
