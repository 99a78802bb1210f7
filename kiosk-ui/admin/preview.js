// Live preview in the item editor: the draft as the LED walls (at the sizes
// of the hall's screens), the strip signs and the kiosk's item page will
// show it, from the unsaved form, re-rendered ~300 ms after the clerk stops
// typing. POST /api/v1/preview renders the body as publishing would (nothing
// is saved); the screens' own code and style sheets draw it: shared/render.js
// (and paging.js) for walls and strips, shared/itempage.js (and drill.js) for the kiosk.
//
// Each view is an about:blank frame of the real screen size, so that the
// screen's style sheet, its vh units and orientation rules apply as on the
// screen; the console fills it from here (no script runs in the frame) and
// scales it down. The page's CSP has style-src 'self' without
// 'unsafe-inline': it forbids style attributes, not CSSOM, so the scale and
// the frame's box are set with element.style.setProperty, as render.js sets
// a wall's font size.

import { h } from '../shared/dom.js';
import { t, extend } from '../shared/i18n.js';
import { buildItem, fit, buildTickerCopy, tickerPrefix } from '../shared/render.js';
import { strings } from './strings.js';

const debounceMs = 300;
const wallDefault = { w: 1920, h: 1080 };
const strips = [
  { w: 768, h: 96 },
  { w: 1920, h: 160 },
];
const kioskSize = { w: 1080, h: 1920 };
/** How long a wall preview pages before it stays on its last page (a long slot). */
const wallShowingMs = 10 * 60 * 1000;
/** Width of a wall or strip preview and height of the kiosk's, in console px. */
const previewPx = 480;

/**
 * The distinct sizes of the hall's LED walls, from GET /api/v1/screens where
 * the role may read it and screens report a size (screen {w, h}, as their
 * hello names their window), else 1920×1080. Strip signs (wider than 4:1) and kiosks are not walls.
 */
async function wallSizes(app) {
  if (!app.can('auditor')) return [wallDefault];
  try {
    const r = await app.api.get('/screens');
    const seen = new Map();
    for (const s of r.screens || []) {
      if (s.kind === 'kiosk' || s.revoked_at) continue;
      const size = s.screen;
      const w = Math.round(Number(size?.w));
      const hh = Math.round(Number(size?.h));
      if (!(w >= 320 && hh >= 64 && w <= 8192 && hh <= 8192) || w / hh > 4) continue;
      seen.set(`${w}x${hh}`, { w, h: hh });
    }
    return seen.size ? [...seen.values()] : [wallDefault];
  } catch {
    return [wallDefault];
  }
}

/**
 * One screen-sized frame, scaled to fit previewPx. ready() resolves with its
 * document once the screen's style sheet has loaded.
 */
function screenFrame(kind, size, css, label, scaleBy) {
  const frame = h('iframe', { class: 'pv-frame', title: label, tabindex: '-1', width: size.w, height: size.h });
  const box = h('div', { class: 'pv-box' }, frame);
  const scale = previewPx / (scaleBy === 'height' ? size.h : size.w);
  frame.style.setProperty('transform', `scale(${scale})`);
  box.style.setProperty('width', `${Math.round(size.w * scale)}px`);
  box.style.setProperty('height', `${Math.round(size.h * scale)}px`);
  const fig = h('figure', { class: `pv pv-${kind}`, dataset: { preview: kind, size: `${size.w}x${size.h}` } }, box, h('figcaption', null, `${label} · ${size.w}×${size.h}`));
  let ready = null;
  return {
    el: fig,
    size,
    ready() {
      if (ready) return ready;
      const doc = frame.contentDocument;
      if (!doc) return Promise.reject(new Error('preview frame not attached'));
      ready = new Promise((resolve, reject) => {
        // A frame starts as a quirks-mode about:blank (tables would not
        // inherit the font size): give it a doctype, as the screens' pages have.
        doc.open();
        doc.write('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
        doc.close();
        doc.documentElement.lang = document.documentElement.lang || 'zh-CN';
        const link = doc.createElement('link');
        link.rel = 'stylesheet';
        link.href = css;
        link.addEventListener('load', () => resolve(doc));
        link.addEventListener('error', () => reject(new Error(`preview: ${css} did not load`)));
        doc.head.append(link);
      });
      ready.catch(() => (ready = null));
      return ready;
    },
  };
}

/**
 * The preview panel. collect() gives the item body from the form (it may
 * throw a field error); names: {category(key), department(key)} localized;
 * item: the stored item (its id gives the QR code once it is public).
 */
export function livePreview(app, form, collect, item, names) {
  const status = h('p', { class: 'hint', id: 'preview-status', role: 'status', 'aria-live': 'polite' });
  const views = h('div', { class: 'pv-views' });
  const panel = h('section', { class: 'card preview', id: 'item-preview', 'aria-label': t('pv.title') }, h('h2', null, t('pv.title')), h('p', { class: 'hint' }, t('pv.hint')), status, views);

  /** @type {{el: HTMLElement, size: {w:number,h:number}, ready: () => Promise<Document>}[]} */
  let walls = [];
  const stripFrames = strips.map((s) => screenFrame('strip', s, '/ui/player/player.css', t('pv.strip'), 'width'));
  const kiosk = screenFrame('kiosk', kioskSize, '/ui/kiosk/kiosk.css', t('pv.kiosk'), 'height');
  const motions = new Map();
  let kioskPage = null;
  let seq = 0;
  let timer = 0;

  const layout = wallSizes(app).then((sizes) => {
    walls = sizes.map((s) => screenFrame('wall', s, '/ui/player/player.css', t('pv.wall'), 'width'));
    views.replaceChildren(
      h('div', { class: 'pv-group' }, h('h3', null, t('pv.wall')), walls.map((f) => f.el)),
      h('div', { class: 'pv-group' }, h('h3', null, t('pv.strip')), stripFrames.map((f) => f.el)),
      h('div', { class: 'pv-group' }, h('h3', null, t('pv.kiosk')), kiosk.el),
    );
  });

  async function render() {
    const n = ++seq;
    let body;
    try {
      body = collect();
    } catch (err) {
      status.textContent = t('pv.failed', { message: err.message || String(err) });
      return;
    }
    let rev;
    try {
      rev = await app.api.post('/preview', body);
    } catch (err) {
      if (n === seq) status.textContent = t('pv.failed', { message: err.message });
      return;
    }
    await layout;
    if (n !== seq || !panel.isConnected) return;
    // Not in the archive yet: no entry number. The QR code is the item's
    // once it is public.
    delete rev.archive_index;
    if (item.id && item.public) rev.id = item.id;
    try {
      await Promise.all([...walls.map((f) => showWall(f, rev)), ...stripFrames.map((f) => showStrip(f, rev)), showKiosk(rev)]);
      if (n === seq) status.textContent = t('pv.updated');
    } catch (err) {
      console.warn('preview:', err);
      if (n === seq) status.textContent = t('pv.failed', { message: err.message });
    }
  }

  async function showWall(f, rev) {
    const doc = await f.ready();
    motions.get(f)?.cancel();
    const art = buildItem(rev, { names });
    art.dataset.itemId = `preview:${f.size.w}x${f.size.h}`;
    doc.body.replaceChildren(h('div', { id: 'app' }, h('main', { class: 'stage' }, art)));
    motions.set(f, fit(art, wallShowingMs));
  }

  async function showStrip(f, rev) {
    const doc = await f.ready();
    doc.body.className = 'mode-ticker';
    const segs = [{ prefix: tickerPrefix(rev, names), text: rev.title || '' }];
    const track = h('div', { class: 'track' }, buildTickerCopy(segs));
    const stage = h('main', { class: 'stage ticker' }, track);
    doc.body.replaceChildren(h('div', { id: 'app' }, stage));
    // As the ticker fills the sign: enough copies to span it (shown at rest).
    const width = Math.max(1, /** @type {HTMLElement} */ (track.firstChild).offsetWidth);
    for (let i = 1; i < Math.ceil(stage.clientWidth / width) + 1; i++) track.append(buildTickerCopy(segs));
  }

  async function showKiosk(rev) {
    const [doc, mod] = await Promise.all([kiosk.ready(), kioskPage || (kioskPage = loadKiosk())]);
    const { head, main } = mod.itemPage(rev, { tz: undefined, catName: names.category, deptName: names.department, place: {} });
    const view = h('section', { class: 'view item-view' }, head, h('div', { class: 'item-body' }, main));
    doc.body.dataset.state = 'ready';
    doc.body.replaceChildren(h('div', { id: 'shell' }, h('main', { id: 'view' }, view)));
  }

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(render, debounceMs);
  };
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
  // Rows added or removed in the finance table change the form without an input event.
  const rows = new MutationObserver(schedule);
  rows.observe(form, { childList: true, subtree: true });
  // The first rendering, once the panel is on the page.
  requestAnimationFrame(() => panel.isConnected && render());
  app.onLeave(() => {
    clearTimeout(timer);
    rows.disconnect();
    seq++;
    for (const m of motions.values()) m?.cancel();
  });
  return panel;
}

/** The kiosk's item page, with its strings; the console's own strings win where keys are shared. */
async function loadKiosk() {
  const [mod] = await Promise.all([import('../shared/itempage.js'), import('../kiosk/strings.js')]);
  extend(strings);
  return mod;
}
