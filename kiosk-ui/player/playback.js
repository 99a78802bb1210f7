// Full-screen playback: shows the entry the timeline puts at the corrected
// time, switches exactly at each boundary (recomputed from the clock every
// time, so there is no drift) and records an impression for every showing.

import { planAt } from './rotation.js';
import { buildItem, buildMedia, buildIdle, buildUnavailable, releaseMedia, fit } from './render.js';

const minImpressionMs = 500;
const maxTimerMs = 60000;

export class Playback {
  /**
   * @param {object} o
   * @param {HTMLElement} o.stage where content goes
   * @param {() => number} o.now corrected clock (ms)
   * @param {import('./content.js').Content} o.content
   * @param {() => string} o.tz the hall's time zone
   * @param {(event: object) => void} o.record stores an impression event
   * @param {(view: 'idle'|'playing', itemID?: string) => void} o.onView
   * @param {(showing: object|null) => void} o.onShowing
   */
  constructor(o) {
    Object.assign(this, o);
    this.manifest = null;
    this.plan = null;
    this.boundary = 0;
    this.timer = 0;
    this.gen = 0;
    this.view = null; // {el, dispose, anim}
    this.showing = null; // {entry, playlistId, started}
    this.suspended = false;
  }

  setManifest(m) {
    this.manifest = m;
    this.tick(false);
  }

  /** Re-plans now, e.g. after the clock offset changed. */
  resync() {
    this.tick(false);
  }

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

  /** While suspended (an urgent interrupt covers the screen) nothing is shown or counted. */
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

  mount(el, dispose) {
    const old = this.view;
    if (old) {
      old.anim?.cancel();
      old.dispose?.();
      releaseMedia(old.el);
    }
    this.stage.replaceChildren(el);
    this.view = { el, dispose, anim: null };
  }

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
    const names = { category: (k) => this.content.categoryName(k), department: (k) => this.content.departmentName(k) };
    const art = buildItem(rev, { tz: this.tz(), names });
    this.mount(art);
    this.view.anim = fit(art, plan.boundary - this.now());
    art.querySelectorAll('.flow img').forEach((img) => img.addEventListener('load', () => this.view?.el === art && this.refit()));
    this.begin(plan, entry);
    this.onView('playing', entry.item_id);
    this.onShowing({ item_id: entry.item_id, revision: entry.revision });
  }

  begin(plan, entry) {
    this.showing = { entry, playlistId: plan.slot ? plan.slot.playlist_id || '' : '', started: this.now() };
  }

  endShowing() {
    const s = this.showing;
    this.showing = null;
    if (!s) return;
    const duration = Math.round(this.now() - s.started);
    if (duration < minImpressionMs) return;
    const ev = { kind: 'impression', at: new Date(s.started).toISOString(), duration_ms: duration, playlist_id: s.playlistId };
    if (s.entry.item_id) Object.assign(ev, { item_id: s.entry.item_id, revision: s.entry.revision });
    else ev.media_url = s.entry.media_url;
    this.record(ev);
  }
}
