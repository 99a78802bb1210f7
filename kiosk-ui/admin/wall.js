// 屏幕墙: one tile per screen, each a scaled mirror of what that screen
// shows now. Rotation is by the clock from the slot's anchor, so the
// console computes the same cue as the player from the screen's timeline
// (GET /screens/{id}/timeline) with the players' own rotation and rendering
// code, and changes the tile on the cue boundaries.
//
// Test hooks: #screens-wall; .wall-tile[data-screen-id] with data-item-id
// (the item shown, "" for media or nothing) and data-key (the showing).

import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { planAt, entryKey } from '../shared/rotation.js';
import { buildItem, buildMedia, buildUnavailable, el, releaseMedia } from '../shared/render.js';
import { Content } from '../shared/content.js';
import { seg } from './api.js';

// The stage a tile renders at before it is scaled down: a 1080p LED wall
// (.wall-stage in admin.css is 1920 × 1080 px).
const stageW = 1920;
// A tile reads the timeline again at least this often (schedules, playlists).
const refetchMs = 60000;

/** Content shared by the tiles: revisions fetched once per console visit. */
let content = null;
function sharedContent() {
  if (!content) {
    content = new Content({ prefix: 'hallcast.wall', db: Promise.resolve(null) });
    content.refreshCategories?.();
  }
  return content;
}

/**
 * Mounts the wall of screens into box. Returns a stop function that ends
 * every tile's timers.
 */
export function mountWall(app, box, screens) {
  const tiles = screens.map((s) => new Tile(app, s));
  box.replaceChildren(h('div', { id: 'screens-wall', class: 'wall' }, tiles.length ? tiles.map((x) => x.el) : h('p', { class: 'notice' }, t('screens.none'))));
  for (const x of tiles) x.start();
  return () => tiles.forEach((x) => x.stop());
}

class Tile {
  constructor(app, screen) {
    this.app = app;
    this.screen = screen;
    this.timeline = null;
    this.fetchedAt = 0;
    this.key = '';
    this.timer = 0;
    this.stopped = false;
    this.gen = 0;
    this.stage = h('div', { class: 'wall-stage' });
    this.viewport = h('div', { class: 'wall-viewport' }, this.stage);
    this.banner = h('div', { class: 'wall-interrupt', hidden: true });
    this.caption = h(
      'figcaption',
      null,
      h('span', { class: screen.online ? 'dot on' : 'dot off', title: screen.online ? t('screens.online') : t('screens.offline') }),
      ' ',
      screen.name,
      // Present only where the list carries it (see screens.js).
      screen.online && screen.secure_context === false ? h('span', { class: 'tag warn no-offline', title: t('screens.noOfflineHint') }, t('screens.noOffline')) : null,
    );
    this.el = h('figure', { class: 'wall-tile', dataset: { screenId: screen.id, itemId: '', key: '' } }, this.viewport, this.banner, this.caption);
    this.resize = new ResizeObserver(() => this.scale());
    this.resize.observe(this.viewport);
  }

  scale() {
    const w = this.viewport.clientWidth || 320;
    // CSSOM, not a style attribute: the console's CSP allows this.
    this.stage.style.transform = `scale(${w / stageW})`;
  }

  start() {
    this.scale();
    this.tick();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.resize.disconnect();
    releaseMedia(this.stage);
  }

  async tick() {
    if (this.stopped) return;
    const now = Date.now();
    const slot = this.timeline?.slot;
    const stale = !this.timeline || now - this.fetchedAt > refetchMs || (slot && now >= Date.parse(slot.to)) || (!slot && now - this.fetchedAt > refetchMs / 4);
    if (stale) {
      try {
        this.timeline = await this.app.api.get(`/screens/${seg(this.screen.id)}/timeline`);
        this.fetchedAt = Date.now();
      } catch (err) {
        if (!this.timeline) this.show(null, err.message);
      }
      if (this.stopped) return;
    }
    const at = Date.now();
    const tl = this.timeline;
    const plan = planAt(tl?.slot ? [tl.slot] : [], at);
    const ints = (tl?.interrupts || []).filter((i) => !i.until || Date.parse(i.until) > at);
    this.banner.hidden = !ints.length;
    this.banner.textContent = ints.map((i) => i.text || '').join(' · ');
    this.banner.className = `wall-interrupt ${ints.some((i) => i.level === 'urgent') ? 'urgent' : ''}`;
    if (plan.key !== this.key) {
      this.key = plan.key;
      this.el.dataset.key = plan.key;
      this.show(plan.entry);
    }
    // The next cue boundary, and the timeline again when it is due.
    const next = Math.min(plan.boundary, this.fetchedAt + refetchMs);
    this.timer = setTimeout(() => this.tick(), Math.max(50, Math.min(next - Date.now(), refetchMs)));
  }

  async show(entry, error) {
    const gen = ++this.gen;
    this.el.dataset.itemId = entry?.item_id || '';
    this.el.title = entry ? entryKey(entry) : '';
    releaseMedia(this.stage);
    if (!entry) {
      this.stage.replaceChildren(el('div', 'wall-idle', error || t('wall.idle')));
      return;
    }
    if (!entry.item_id) {
      this.stage.replaceChildren(buildMedia(entry));
      return;
    }
    let node;
    try {
      const c = sharedContent();
      const rev = await c.revision(entry);
      node = buildItem(rev, { tz: this.timeline?.tz, names: { category: (k) => c.categoryName(k), department: (k) => c.departmentName(k) } });
    } catch {
      node = buildUnavailable();
    }
    if (gen === this.gen && !this.stopped) this.stage.replaceChildren(node);
  }
}
