// The residents' touch kiosk (/kiosk): token or pairing, the device
// websocket, the attract loop, touch sessions with an idle timeout, the
// views, and events (views, ratings, feedback) through the outbox.
//
// Test hooks on <body>: data-state ("pairing" | "attract" | "home" |
// "category" | "item" | "search" | "archive" | "replies" | "feedback" |
// "rate-hall"), data-outbox (events waiting for an ack), data-connection
// ("open" | "closed"), data-offline, data-session (the session id).
//
// URL parameters: ?token=, ?lang=en, ?idle=SECONDS (60), ?countdown=SECONDS (20).

import './strings.js';
import { setLang, detectLang, lang, t, localized } from '../shared/i18n.js';
import { formatClock } from '../shared/format.js';
import { Device, setupDevice } from '../shared/runtime.js';
import { Attract } from './attract.js';
import { Session } from './session.js';
import { Router } from './router.js';
import { api, kioskDB, setBoard } from './api.js';
import { home, category } from './home.js';
import { item } from './item.js';
import { search } from './search.js';
import { archive } from './archive.js';
import { feedback } from './feedback.js';
import { replies } from './replies.js';
import { rateHall } from './rate.js';

export const VERSION = '1.0.0';

const views = { home, category, item, search, archive, feedback, replies, 'rate-hall': rateHall };
const navTargets = { home: 'home', search: 'search', archive: 'archive', replies: 'replies', rate: 'rate-hall', feedback: 'feedback' };
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
  const params = new URLSearchParams(location.search);
  const defaultLang = lang();
  let cats = { categories: [], departments: [] };

  const device = new Device('kiosk', {
    version: VERSION,
    token,
    outbox,
    db: kioskDB(),
    hooks: {
      play: (manifest) => attract.playback.setManifest(manifest),
      interrupts: showNotice,
      showing: showingNow,
      connection: updateOffline,
      welcome() {
        setBoard(device.screen?.hall_id);
        showClock(); // the corrected time, in the hall's zone, at once
        attract.playback.resync();
        loadCategories().catch(() => {});
      },
      identify,
      busy: () => session.active(),
      archive: showArchive,
    },
  });

  /** A broken archive history stays on screen (#archive-warning). */
  function showArchive(broken) {
    const box = $('archive-warning');
    box.textContent = t('archive.broken');
    box.hidden = !broken;
  }
  const { now, tz } = device;
  const record = device.record;

  /** What is on screen, for status frames. */
  function showingNow() {
    if (!session.active()) return attract.showing;
    const v = router.top()?.view;
    return (v && v.showing && v.showing()) || null;
  }
  const pushStatus = () => device.pushStatus();

  const attract = new Attract($('attract'), device, pushStatus);

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
    onShowing: pushStatus,
  };

  const router = new Router($('view'), views, ctx, {
    onShow(e) {
      setState(e.view.state);
      $('back').disabled = router.stack.length < 2;
      const root = router.stack[1] ? router.stack[1].name : 'home';
      for (const b of document.querySelectorAll('[data-nav]')) b.setAttribute('aria-current', String(navTargets[b.dataset.nav] === root));
      pushStatus();
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
    pushStatus();
    device.reloadIfPending();
  }

  /** The top bar's clock, in the hall's zone once the welcome has named it. */
  function showClock() {
    $('clock').textContent = formatClock(now(), tz(), lang());
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
    const off = !device.connected() || navigator.onLine === false;
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
          return i.item_id ? (await device.content.item(i.item_id)).title : '';
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
  function identify() {
    const box = $('identify');
    const screen = device.screen;
    box.textContent = (screen && (screen.name || screen.id)) || '?';
    box.hidden = false;
    setTimeout(() => (box.hidden = true), 10000);
  }

  loadCategories().catch(() => {});
  setState('attract');
  $('attract').append($('notice'));
  attract.show();
  setBoard(device.screen?.hall_id); // the hall the last welcome named, offline too
  device.start();
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
}

async function boot() {
  setLang(detectLang());
  applyStrings();
  document.addEventListener('contextmenu', (e) => e.preventDefault());
  document.addEventListener('dragstart', (e) => e.preventDefault());
  // Links inside published bodies must not take the kiosk away from itself.
  document.addEventListener('click', (e) => e.target.closest?.('a[href]') && e.preventDefault(), true);
  const box = $('pairing');
  const { token, outbox } = await setupDevice('kiosk', {
    pairIn: box,
    onPairing() {
      setState('pairing');
      box.hidden = false;
    },
  });
  box.hidden = true;
  box.replaceChildren();
  run(token, outbox);
}

boot().catch((err) => console.error('kiosk:', err));
