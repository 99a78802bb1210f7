// The LED player (/player): token or pairing, the device runtime (websocket,
// outbox, offline content), playback of the manifest (full screen, or
// ?mode=ticker for strip signs), interrupts, proof of play.
//
// Test hooks on <body>: data-state ("pairing" | "connecting" | "playing" |
// "idle" | "offline"), data-item-id (the item on screen), data-outbox (events
// waiting for an ack), data-connection ("open" | "closed"), data-interrupt
// (the urgent interrupt covering the screen); the visible title is #title.

import { setLang, detectLang, t } from '../shared/i18n.js';
import { Device, setupDevice } from '../shared/runtime.js';
import { Playback } from '../shared/playback.js';
import { el } from '../shared/render.js';
import { Ticker } from './ticker.js';
import { Overlays } from './overlay.js';

export const VERSION = '1.0.0';

function setState(s) {
  if (document.body.dataset.state !== s) document.body.dataset.state = s;
}

function play(app, token, outbox, tickerMode) {
  let view = 'none';
  let showing = null;

  const stage = el('main', 'stage', el('div', 'notice-line', t('state.connecting')));
  const offlineMark = el('div', 'offline-mark', t('state.offline'));
  app.replaceChildren(stage, offlineMark);
  document.body.classList.toggle('mode-ticker', tickerMode);

  const device = new Device('player', {
    version: VERSION,
    token,
    outbox,
    hooks: {
      play: (manifest) => player.setManifest(manifest),
      interrupts: showInterrupts,
      showing: () => showing,
      connection: updateState,
      welcome: () => player.resync(),
      identify: (screen) => overlays.identify(screen),
      stop: () => player.stop(),
    },
  });
  const { content, now, tz } = device;

  function updateState() {
    if (device.connected()) setState(view === 'playing' || view === 'idle' ? view : 'connecting');
    else setState(content.manifest && device.everClosed ? 'offline' : 'connecting');
  }

  function showInterrupts(active) {
    if (tickerMode) {
      player.setInterrupts(active);
      return;
    }
    overlays.show(active);
    const urgent = active.filter((i) => i.level === 'urgent').pop();
    if (urgent) {
      if (urgent.item_id) document.body.dataset.itemId = urgent.item_id;
      else delete document.body.dataset.itemId;
    }
    player.setSuspended(!!urgent);
  }

  const opts = {
    stage,
    now,
    content,
    tz,
    record: device.record,
    onView(v, itemID) {
      view = v;
      if (itemID) document.body.dataset.itemId = itemID;
      else delete document.body.dataset.itemId;
      updateState();
    },
    onShowing(s) {
      showing = s;
      device.pushStatus();
    },
  };
  const player = tickerMode ? new Ticker(opts) : new Playback(opts);
  const overlays = new Overlays(document.body, { content, tz, now, onLayout: () => player.refit() });
  device.start();

  let resizeTimer = 0;
  addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => player.refit(), 250);
  });
  addEventListener('pagehide', () => player.stop());
  addEventListener('pageshow', (e) => e.persisted && location.reload());
}

async function boot() {
  setLang(detectLang());
  const app = document.getElementById('app');
  const tickerMode = new URLSearchParams(location.search).get('mode') === 'ticker';
  const { token, outbox } = await setupDevice('player', { pairIn: app, onPairing: () => setState('pairing') });
  play(app, token, outbox, tickerMode);
}

boot().catch((err) => console.error('player:', err));
