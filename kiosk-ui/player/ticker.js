// Strip-sign layout (?mode=ticker): one line scrolling the titles of the
// current slot's entries, prefixed with category and department, driven by
// requestAnimationFrame. Urgent interrupts replace it with their text in red;
// info interrupts join the line. A title counts as an impression for the time
// it is on screen.

import { t, lang } from '../shared/i18n.js';
import { formatClock } from '../shared/format.js';
import { slotAt, nextChange, entryKey } from '../shared/rotation.js';
import { el, buildTickerCopy, tickerPrefix } from '../shared/render.js';

const minImpressionMs = 500;
const maxTimerMs = 60000;

export class Ticker {
  /** Same options as Playback. */
  constructor(o) {
    Object.assign(this, o);
    this.manifest = null;
    this.interrupts = [];
    this.key = null;
    this.slot = null;
    this.timer = 0;
    this.gen = 0;
    this.frame = 0;
    this.idleTimer = 0;
    this.visible = new Map(); // instance key → {seg, started}
    this.lead = null;
    this.stage.classList.add('ticker');
  }

  setManifest(m) {
    this.manifest = m;
    this.key = null;
    this.tick();
  }

  resync() {
    this.tick();
  }

  setInterrupts(active) {
    this.interrupts = active;
    this.rebuild();
  }

  setSuspended() {}

  refit() {
    this.rebuild();
  }

  stop() {
    this.halt();
    clearTimeout(this.timer);
    this.gen++;
  }

  tick() {
    clearTimeout(this.timer);
    if (!this.manifest) return;
    const now = this.now();
    const s = slotAt(this.manifest.timeline, now);
    const key = s ? `${s.from}|${s.slot.playlist_id || ''}|${(s.slot.entries || []).map(entryKey).join(',')}` : 'idle';
    if (key !== this.key) {
      this.key = key;
      this.slot = s ? s.slot : null;
      this.rebuild();
    }
    const next = nextChange(this.manifest.timeline, now);
    const delay = Number.isFinite(next) ? next - this.now() : maxTimerMs;
    this.timer = setTimeout(() => this.tick(), Math.min(maxTimerMs, Math.max(0, delay)));
  }

  /** Stops the marquee, recording what was on screen. */
  halt() {
    cancelAnimationFrame(this.frame);
    clearInterval(this.idleTimer);
    const now = this.now();
    for (const v of this.visible.values()) this.count(v, now);
    this.visible.clear();
    this.lead = null;
    this.leadKey = null;
  }

  async rebuild() {
    const gen = ++this.gen;
    const urgent = this.interrupts.filter((i) => i.level === 'urgent');
    const info = this.interrupts.filter((i) => i.level !== 'urgent');
    let segs = [];
    if (urgent.length) {
      segs = await Promise.all(urgent.map(async (i) => ({ cls: 'urgent', prefix: t('interrupt.urgent'), text: await this.interruptText(i) })));
    } else {
      const texts = await Promise.all(info.map((i) => this.interruptText(i)));
      segs = texts.map((text) => ({ cls: 'info', prefix: t('interrupt.info'), text }));
      const playlistId = this.slot ? this.slot.playlist_id || '' : '';
      for (const entry of this.slot ? this.slot.entries || [] : []) {
        if (!entry.item_id) continue;
        try {
          const rev = await this.content.revision(entry);
          const prefix = tickerPrefix(rev, { category: (k) => this.content.categoryName(k), department: (k) => this.content.departmentName(k) });
          segs.push({ prefix, text: rev.title || '', entry, playlistId });
        } catch {
          // not fetched yet and offline: leave it out
        }
      }
    }
    if (gen !== this.gen) return;
    this.halt();
    this.stage.classList.toggle('urgent', urgent.length > 0);
    if (!segs.some((s) => s.text)) return this.idle();
    this.marquee(segs.filter((s) => s.text));
  }

  async interruptText(i) {
    if (i.text) return i.text;
    if (!i.item_id) return '';
    try {
      return (await this.content.item(i.item_id)).title || '';
    } catch {
      return '';
    }
  }

  idle() {
    const line = el('div', 'line');
    const update = () => {
      const cp = this.content.checkpoint();
      line.textContent = [formatClock(this.now(), this.tz(), lang()), t('app.name'), cp ? `${t('idle.archive')} ${t('idle.entries', { n: cp.size })} ${t('idle.hash', { hash: cp.short })}` : '']
        .filter(Boolean)
        .join('　·　');
    };
    update();
    this.stage.replaceChildren(line);
    this.idleTimer = setInterval(update, 1000);
    this.onView('idle');
    this.onShowing(null);
    this.content.refreshCheckpoint();
  }

  marquee(segs) {
    const copy = () => buildTickerCopy(segs);
    const track = el('div', 'track', copy());
    this.stage.replaceChildren(track);
    const first = track.firstChild;
    const width = Math.max(1, first.offsetWidth);
    const vw = this.stage.clientWidth;
    const copies = Math.ceil(vw / width) + 1;
    for (let i = 1; i < copies; i++) track.append(copy());
    const spans = [...track.children].map((c) => [...c.children]);
    const pos = spans[0].map((s) => ({ left: s.offsetLeft, right: s.offsetLeft + s.offsetWidth }));
    const fontPx = parseFloat(getComputedStyle(track).fontSize) || 32;
    const speed = fontPx * 3; // px per second
    let x = vw; // enter from the right
    let wraps = 0;
    let last = performance.now();
    const step = (ts) => {
      x -= (speed * Math.min(ts - last, 100)) / 1000;
      last = ts;
      while (x <= -width) {
        x += width;
        wraps++;
      }
      track.style.transform = `translateX(${x}px)`;
      this.track(segs, pos, spans, x, width, copies, wraps, vw);
      this.frame = requestAnimationFrame(step);
    };
    this.frame = requestAnimationFrame(step);
    this.onView(segs.some((s) => s.entry) ? 'playing' : 'idle');
  }

  /** Starts and ends impressions as titles enter and leave the screen; follows the leading title. */
  track(segs, pos, spans, x, width, copies, wraps, vw) {
    const now = this.now();
    const seen = new Set();
    let lead = null;
    let leadLeft = Infinity;
    for (let c = 0; c < copies; c++) {
      const base = x + c * width;
      for (let i = 0; i < segs.length; i++) {
        if (!segs[i].entry) continue;
        const left = base + pos[i].left;
        const right = base + pos[i].right;
        if (left >= vw || right <= 0) continue;
        const key = `${wraps + c}:${i}`;
        seen.add(key);
        if (!this.visible.has(key)) this.visible.set(key, { seg: segs[i], started: now });
        if (left < leadLeft) {
          leadLeft = left;
          lead = [c, i];
        }
      }
    }
    for (const [key, v] of this.visible) {
      if (!seen.has(key)) {
        this.visible.delete(key);
        this.count(v, now);
      }
    }
    const leadKey = lead ? lead.join(':') : null;
    if (leadKey !== this.leadKey) {
      this.leadKey = leadKey;
      document.getElementById('title')?.removeAttribute('id');
      if (!lead) return;
      spans[lead[0]][lead[1]].querySelector('.text').id = 'title';
      const e = segs[lead[1]].entry;
      if (e !== this.lead) {
        this.lead = e;
        this.onView('playing', e.item_id);
        this.onShowing({ item_id: e.item_id, revision: e.revision });
      }
    }
  }

  count(v, now) {
    const duration = Math.round(now - v.started);
    if (duration < minImpressionMs) return;
    const e = v.seg.entry;
    this.record({ kind: 'impression', at: new Date(v.started).toISOString(), item_id: e.item_id, revision: e.revision, duration_ms: duration, playlist_id: v.seg.playlistId });
  }
}
