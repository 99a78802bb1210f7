// The residents' touch kiosk (/kiosk): token or pairing, the device
// websocket, the attract loop, touch sessions with an idle timeout, the
// views, and events (views, ratings, feedback) through the outbox.
//
// Test hooks on <body>: data-state ("pairing" | "attract" | "home" |
// "category" | "item" | "search" | "archive" | "replies" | "feedback" |
// "rate-hall"), data-outbox (events waiting for an ack), data-connection
// ("open" | "closed"), data-offline, data-session (the session id),
// data-archive (the archive witness's last result: "ok" | "broken" |
// "unavailable" | "unsupported"; #archive-warning shows a broken history).
//
// URL parameters: ?token=, ?lang=en, ?idle=SECONDS (60), ?countdown=SECONDS (20).

import './strings.js';
import { setLang, detectLang, lang, t, localized } from '../shared/i18n.js';
import { formatClock } from '../shared/format.js';
import { Connection } from '../shared/connection.js';
import { store, stored, takeToken, registerWorker, postEvents, clockOffset } from '../shared/device.js';
import { openOutbox, syncOutbox } from '../shared/outbox.js';
import { witness } from '../shared/witness.js';
import { pair } from '../player/pairing.js';
import { Interrupts } from '../player/interrupts.js';
import { Attract } from './attract.js';
import { Session } from './session.js';
import { Router } from './router.js';
import { api } from './api.js';
import { home, category } from './home.js';
import { item } from './item.js';
import { search } from './search.js';
import { archive } from './archive.js';
import { feedback } from './feedback.js';
import { replies } from './replies.js';
import { rateHall } from './rate.js';

export const VERSION = '1.0.0';

const keys = {
  token: 'hallcast.kiosk.token',
  offset: 'hallcast.kiosk.clockOffset',
  screen: 'hallcast.kiosk.screen',
};
const views = { home, category, item, search, archive, feedback, replies, 'rate-hall': rateHall };
const navTargets = { home: 'home', search: 'search', archive: 'archive', replies: 'replies', rate: 'rate-hall', feedback: 'feedback' };
const statusEveryMs = 5000;
const httpFallbackAfterMs = 30000;
const offlineAfterMs = 3000;

const $ = (id) => document.getElementById(id);

function setState(s) {
  if (document.body.dataset.state !== s) document.body.dataset.state = s;
}

/** Seconds from a URL parameter, or the default when missing or not positive. */
export function seconds(v, def) {
  const n = Number(v);
  return v != null && v !== '' && Number.isFinite(n) && n > 0 ? n : def;
}

/** Fills every [data-t] element with its string. */
function applyStrings() {
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
  document.body.dataset.lang = lang();
}

function run(token, outbox) {
  const startedAt = performance.now();
  const params = new URLSearchParams(location.search);
  const defaultLang = lang();
  let offset = Number(stored(keys.offset)) || 0;
  const now = () => Date.now() + offset;
  let screen = null;
  try {
    screen = JSON.parse(stored(keys.screen) || 'null');
  } catch {
    screen = null;
  }
  let attract = null;
  const tz = () => (screen && screen.tz) || attract?.content.manifest?.tz || undefined;
  let welcomed = false;
  let reloadPending = false;
  let cats = { categories: [], departments: [] };

  const record = (ev) => outbox.add(ev).catch((err) => console.warn('outbox:', err));

  // Status frames: what is on screen, at most every 5 s.
  let sentShowing = null;
  let lastStatus = 0;
  let statusTimer = 0;
  function showingNow() {
    if (!session.active()) return attract.showing;
    const v = router.top()?.view;
    return (v && v.showing && v.showing()) || null;
  }
  function pushStatus(force) {
    if (!welcomed) return;
    const showing = showingNow();
    const sig = JSON.stringify(showing);
    if (!force && sig === sentShowing) return;
    clearTimeout(statusTimer);
    const wait = lastStatus + statusEveryMs - Date.now();
    if (!force && wait > 0) {
      statusTimer = setTimeout(() => pushStatus(false), wait);
      return;
    }
    const frame = { type: 'status', showing: showing || { item_id: '', revision: 0 }, uptime_s: Math.round((performance.now() - startedAt) / 1000) };
    if (conn.send(frame)) {
      lastStatus = Date.now();
      sentShowing = sig;
    }
  }

  attract = new Attract($('attract'), { now, tz, record, onShowing: () => pushStatus(false) });

  const session = new Session({
    idleMs: seconds(params.get('idle'), 60) * 1000,
    countdownMs: seconds(params.get('countdown'), 20) * 1000,
    onCountdown(s) {
      const box = $('idle-countdown');
      box.hidden = s == null;
      if (s != null) {
        $('idle-seconds').textContent = String(s);
        $('idle-hint').textContent = t('idle.hint', { n: s });
        box.dataset.seconds = String(s);
      }
    },
    onEnd: endSession,
  });

  async function loadCategories() {
    const body = await api.categories();
    cats = { categories: body.categories || [], departments: body.departments || [] };
    return body;
  }
  const nameOf = (list, key) => {
    const c = list.find((x) => x.key === key);
    return c ? localized(c.name) || key : '';
  };

  const ctx = {
    go: (name, p, o) => router.go(name, p, o),
    back: () => router.back(),
    now,
    tz,
    session,
    record: (ev) => record({ ...ev, session: session.id }),
    loadCategories,
    categoryList: () => cats.categories,
    catName: (key) => nameOf(cats.categories, key) || key || '',
    deptName: (key) => nameOf(cats.departments, key),
    onShowing: () => pushStatus(false),
  };

  const router = new Router($('view'), views, ctx, {
    onShow(e) {
      setState(e.view.state);
      $('back').disabled = router.stack.length < 2;
      const root = router.stack[1] ? router.stack[1].name : 'home';
      for (const b of document.querySelectorAll('[data-nav]')) b.setAttribute('aria-current', String(navTargets[b.dataset.nav] === root));
      pushStatus(false);
    },
    onLeave(s, dwell) {
      ctx.record({ kind: 'view', item_id: s.item_id, revision: s.revision, dwell_ms: Math.max(0, Math.round(dwell)) });
    },
  });

  function startSession() {
    if (session.active()) return;
    session.start();
    document.body.dataset.session = session.id;
    attract.hide();
    $('shell').insertBefore($('notice'), $('view'));
    router.go('home', {}, { reset: true });
  }

  function endSession() {
    router.clear();
    $('idle-countdown').hidden = true;
    if (lang() !== defaultLang) {
      setLang(defaultLang);
      applyStrings();
    }
    setContrast(false);
    delete document.body.dataset.session;
    setState('attract');
    $('attract').append($('notice'));
    attract.show();
    pushStatus(false);
    if (reloadPending) location.reload();
  }

  /** The top bar's clock, in the hall's zone once the welcome has named it. */
  function showClock() {
    $('clock').textContent = formatClock(now(), tz(), lang());
  }

  /** Checks the archive's history as a witness; a broken one stays on screen. */
  let broken = false;
  async function checkArchive() {
    let r;
    try {
      r = await witness('kiosk');
    } catch (err) {
      console.warn('archive witness:', err);
      return;
    }
    broken = broken || r.status === 'broken';
    document.body.dataset.archive = broken ? 'broken' : r.status;
    const box = $('archive-warning');
    box.textContent = t('archive.broken');
    box.hidden = !broken;
  }

  function setContrast(on) {
    document.body.classList.toggle('hc', on);
    $('contrast').setAttribute('aria-pressed', String(on));
  }

  // Touch handling: any touch keeps the session alive; the first one after the attract loop starts it.
  for (const type of ['pointerdown', 'click', 'keydown']) document.addEventListener(type, () => session.touch(), true);
  $('attract').addEventListener('click', startSession);
  $('attract').addEventListener('pointerup', startSession);
  $('back').addEventListener('click', () => router.back());
  $('finish').addEventListener('click', () => session.end());
  $('idle-finish').addEventListener('click', () => session.end());
  $('continue').addEventListener('click', () => session.touch());
  $('lang').addEventListener('click', () => {
    setLang(lang() === 'zh' ? 'en' : 'zh');
    applyStrings();
    $('archive-warning').textContent = t('archive.broken');
    router.rebuild();
  });
  $('contrast').addEventListener('click', () => setContrast(!document.body.classList.contains('hc')));
  for (const b of document.querySelectorAll('[data-nav]')) {
    b.addEventListener('click', () => router.go(navTargets[b.dataset.nav], {}, { reset: true }));
  }

  // Connection state and the offline badge.
  let offSince = 0;
  function updateOffline() {
    const connected = welcomed && conn.isOpen();
    document.body.dataset.connection = connected ? 'open' : 'closed';
    const off = !connected || navigator.onLine === false;
    if (!off) offSince = 0;
    else if (!offSince) offSince = Date.now();
    const show = off && Date.now() - offSince >= offlineAfterMs;
    $('offline').hidden = !show;
    document.body.dataset.offline = String(show);
  }

  function showNotice(active) {
    const box = $('notice');
    Promise.all(
      active.map(async (i) => {
        if (i.text) return i.text;
        try {
          return i.item_id ? (await attract.content.item(i.item_id)).title : '';
        } catch {
          return '';
        }
      }),
    ).then((texts) => {
      const shown = active.map((i, n) => ({ i, text: texts[n] })).filter((x) => x.text);
      box.hidden = !shown.length;
      box.classList.toggle('urgent', shown.some((x) => x.i.level === 'urgent'));
      box.replaceChildren(...shown.map((x) => Object.assign(document.createElement('p'), { textContent: `${t(`interrupt.${x.i.level === 'urgent' ? 'urgent' : 'info'}`)}：${x.text}` })));
    });
  }
  const interrupts = new Interrupts(now, showNotice);

  function identify() {
    const box = $('identify');
    box.textContent = (screen && (screen.name || screen.id)) || '?';
    box.hidden = false;
    setTimeout(() => (box.hidden = true), 10000);
  }

  const conn = new Connection({
    hello: () => {
      const h = { type: 'hello', token, kind: 'kiosk', version: VERSION, screen: { w: Math.round(innerWidth), h: Math.round(innerHeight) } };
      if (attract.content.manifest && attract.content.etag) h.manifest_etag = attract.content.etag;
      return h;
    },
    onMessage: handle,
    onState(s) {
      if (s === 'closed') welcomed = false;
      updateOffline();
    },
    onAuthFailure(code) {
      console.warn('kiosk: token refused, pairing again', code);
      store(keys.token, null);
      store(keys.screen, null);
      attract.content.clear();
      location.reload();
    },
  });

  const sync = syncOutbox(outbox, {
    send: (events) => welcomed && conn.send({ type: 'events', events }),
    post: (events) => postEvents(token, events),
    canPost: () => conn.downFor() > httpFallbackAfterMs,
  });

  function handle(msg) {
    switch (msg.type) {
      case 'welcome': {
        const o = clockOffset(msg.server_time, conn.helloAt, Date.now());
        if (Number.isFinite(o)) {
          offset = o;
          store(keys.offset, String(offset));
        }
        if (msg.screen) {
          screen = msg.screen;
          store(keys.screen, screen);
        }
        welcomed = true;
        updateOffline();
        showClock(); // the corrected time, in the hall's zone, at once
        attract.playback.resync();
        interrupts.update();
        sync.reset();
        pushStatus(true);
        attract.content.refreshCategories();
        attract.content.refreshCheckpoint();
        checkArchive();
        loadCategories().catch(() => {});
        break;
      }
      case 'manifest':
        if (msg.unchanged) {
          if (!attract.content.manifest) {
            attract.content.clear();
            conn.restart();
          } else attract.content.prefetch();
          break;
        }
        if (!msg.manifest) break;
        attract.setManifest(msg.etag, msg.manifest);
        interrupts.fromManifest(msg.manifest.interrupts, msg.manifest.generated_at);
        break;
      case 'interrupt':
        interrupts.add(msg);
        break;
      case 'interrupt_clear':
        interrupts.clear(msg.id);
        break;
      case 'ack':
        sync.acked(Array.isArray(msg.ids) ? msg.ids : []);
        break;
      case 'command':
        if (msg.name === 'reload') {
          navigator.serviceWorker?.getRegistration?.('/kiosk').then((r) => r && r.update()).catch(() => {});
          if (session.active()) reloadPending = true;
          else setTimeout(() => location.reload(), 500);
        } else if (msg.name === 'identify') identify();
        break;
      case 'error':
        console.warn('server:', msg.code, msg.message);
        break;
    }
  }

  if (attract.content.manifest) interrupts.fromManifest(attract.content.manifest.interrupts, attract.content.manifest.generated_at);
  loadCategories().catch(() => {});
  setState('attract');
  $('attract').append($('notice'));
  attract.show();
  conn.start();
  setInterval(() => {
    showClock();
    updateOffline();
  }, 1000);
  showClock();
  updateOffline();
  addEventListener('online', updateOffline);
  addEventListener('offline', updateOffline);
  let resizeTimer = 0;
  addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => attract.refit(), 250);
  });
  addEventListener('pagehide', () => {
    if (session.active()) router.clear(); // record the open view
    attract.playback.stop();
  });
  setInterval(() => {
    if (!welcomed) return;
    attract.content.refreshCheckpoint();
    checkArchive();
  }, 10 * 60000);
}

async function boot() {
  setLang(detectLang());
  applyStrings();
  document.addEventListener('contextmenu', (e) => e.preventDefault());
  document.addEventListener('dragstart', (e) => e.preventDefault());
  // Links inside published bodies must not take the kiosk away from itself.
  document.addEventListener('click', (e) => e.target.closest?.('a[href]') && e.preventDefault(), true);
  registerWorker('/kiosk-sw.js', '/kiosk');
  const outbox = await openOutbox({ name: 'hallcast-kiosk-outbox' });
  document.body.dataset.outbox = String(outbox.count());
  outbox.onChange((n) => {
    document.body.dataset.outbox = String(n);
  });
  let token = takeToken(keys.token);
  if (!token) {
    setState('pairing');
    const box = $('pairing');
    box.hidden = false;
    token = await pair(box);
    store(keys.token, token);
    box.hidden = true;
    box.replaceChildren();
  }
  run(token, outbox);
}

boot().catch((err) => console.error('kiosk:', err));
