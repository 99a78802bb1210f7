// The LED player (/player): token or pairing, the device websocket, playback
// of the manifest (full screen, or ?mode=ticker for strip signs), interrupts,
// proof of play through the outbox, offline play from what was stored.
//
// Test hooks on <body>: data-state ("pairing" | "connecting" | "playing" |
// "idle" | "offline"), data-item-id (the item on screen), data-outbox (events
// waiting for an ack), data-connection ("open" | "closed"), data-interrupt
// (the urgent interrupt covering the screen), data-archive (the archive
// witness's last result: "ok" | "broken" | "unavailable" | "unsupported";
// a broken history is reported to the server, which alerts staff); the
// visible title is #title.

import { setLang, detectLang, t } from '../shared/i18n.js';
import { Connection } from '../shared/connection.js';
import { store, stored, takeToken, registerWorker, postEvents, clockOffset } from '../shared/device.js';
import { openOutbox, syncOutbox } from '../shared/outbox.js';
import { witness } from '../shared/witness.js';
import { Content } from './content.js';
import { Playback } from './playback.js';
import { Ticker } from './ticker.js';
import { Overlays } from './overlay.js';
import { Interrupts } from './interrupts.js';
import { pair } from './pairing.js';
import { el } from './render.js';

export const VERSION = '1.0.0';

const keys = {
  token: 'hallcast.player.token',
  offset: 'hallcast.player.clockOffset',
  screen: 'hallcast.player.screen',
};

const statusEveryMs = 5000;
const httpFallbackAfterMs = 30000;

function setState(s) {
  if (document.body.dataset.state !== s) document.body.dataset.state = s;
}

function play(app, token, outbox, tickerMode) {
  const startedAt = performance.now();
  const content = new Content();
  let offset = Number(stored(keys.offset)) || 0;
  const now = () => Date.now() + offset;
  let screen = null;
  try {
    screen = JSON.parse(stored(keys.screen) || 'null');
  } catch {
    screen = null;
  }
  const tz = () => (screen && screen.tz) || (content.manifest && content.manifest.tz) || undefined;
  let view = 'none';
  let welcomed = false;
  let everClosed = false;

  const stage = el('main', 'stage', el('div', 'notice-line', t('state.connecting')));
  const offlineMark = el('div', 'offline-mark', t('state.offline'));
  app.replaceChildren(stage, offlineMark);
  document.body.classList.toggle('mode-ticker', tickerMode);

  /** Checks the archive's history as a witness (it reports a broken one). */
  let broken = false;
  async function checkArchive() {
    try {
      const r = await witness('player');
      broken = broken || r.status === 'broken';
      document.body.dataset.archive = broken ? 'broken' : r.status;
    } catch (err) {
      console.warn('archive witness:', err);
    }
  }

  function updateState() {
    const connected = welcomed && conn.isOpen();
    document.body.dataset.connection = connected ? 'open' : 'closed';
    if (connected) setState(view === 'playing' || view === 'idle' ? view : 'connecting');
    else setState(content.manifest && everClosed ? 'offline' : 'connecting');
  }

  // Status: the item on screen, at most every 5 s.
  let showing = null;
  let sentShowing = null;
  let lastStatus = 0;
  let statusTimer = 0;
  function pushStatus(force) {
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

  const record = (ev) => outbox.add(ev).catch((err) => console.warn('outbox:', err));
  const opts = {
    stage,
    now,
    content,
    tz,
    record,
    onView(v, itemID) {
      view = v;
      if (itemID) document.body.dataset.itemId = itemID;
      else delete document.body.dataset.itemId;
      updateState();
    },
    onShowing(s) {
      showing = s;
      pushStatus(false);
    },
  };
  const player = tickerMode ? new Ticker(opts) : new Playback(opts);
  const overlays = new Overlays(document.body, { content, tz, now, onLayout: () => player.refit() });
  const interrupts = new Interrupts(now, (active) => {
    if (tickerMode) player.setInterrupts(active);
    else {
      overlays.show(active);
      const urgent = active.filter((i) => i.level === 'urgent').pop();
      if (urgent) {
        if (urgent.item_id) document.body.dataset.itemId = urgent.item_id;
        else delete document.body.dataset.itemId;
      }
      player.setSuspended(!!urgent);
    }
  });

  const conn = new Connection({
    hello: () => {
      const h = { type: 'hello', token, kind: 'led', version: VERSION, screen: { w: Math.round(innerWidth), h: Math.round(innerHeight) } };
      if (content.manifest && content.etag) h.manifest_etag = content.etag;
      return h;
    },
    onMessage: handle,
    onState(s) {
      if (s === 'closed') {
        welcomed = false;
        everClosed = true;
      }
      updateState();
    },
    onAuthFailure(code) {
      console.warn('player: token refused, pairing again', code);
      player.stop();
      store(keys.token, null);
      store(keys.screen, null);
      content.clear();
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
        updateState();
        player.resync();
        interrupts.update();
        sync.reset();
        pushStatus(true);
        content.refreshCategories();
        content.refreshCheckpoint();
        checkArchive();
        break;
      }
      case 'manifest':
        if (msg.unchanged) {
          if (!content.manifest) {
            content.clear();
            conn.restart();
          } else content.prefetch();
          break;
        }
        if (!msg.manifest) break;
        content.setManifest(msg.etag, msg.manifest);
        player.setManifest(msg.manifest);
        interrupts.fromManifest(msg.manifest.interrupts, msg.manifest.generated_at);
        content.prefetch();
        updateState();
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
          player.stop();
          navigator.serviceWorker?.getRegistration?.('/player').then((r) => r && r.update()).catch(() => {});
          setTimeout(() => location.reload(), 500);
        } else if (msg.name === 'identify') overlays.identify(screen);
        break;
      case 'error':
        console.warn('server:', msg.code, msg.message);
        break;
    }
  }

  if (content.manifest) {
    player.setManifest(content.manifest);
    interrupts.fromManifest(content.manifest.interrupts, content.manifest.generated_at);
  }
  updateState();
  conn.start();
  navigator.serviceWorker?.addEventListener('controllerchange', () => content.prefetch());

  let resizeTimer = 0;
  addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => player.refit(), 250);
  });
  addEventListener('pagehide', () => player.stop());
  addEventListener('pageshow', (e) => e.persisted && location.reload());
  setInterval(() => {
    if (!welcomed) return;
    content.refreshCheckpoint();
    checkArchive();
  }, 10 * 60000);
}

async function boot() {
  setLang(detectLang());
  registerWorker('/player-sw.js', '/player');
  const app = document.getElementById('app');
  const outbox = await openOutbox();
  document.body.dataset.outbox = String(outbox.count());
  outbox.onChange((n) => {
    document.body.dataset.outbox = String(n);
  });
  const tickerMode = new URLSearchParams(location.search).get('mode') === 'ticker';
  let token = takeToken(keys.token);
  if (!token) {
    setState('pairing');
    token = await pair(app);
    store(keys.token, token);
  }
  play(app, token, outbox, tickerMode);
}

boot().catch((err) => console.error('player:', err));
