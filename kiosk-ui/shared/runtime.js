// @ts-check
// The device runtime of the LED player and the touch kiosk: the websocket
// client of the device protocol (hello, welcome and the clock offset,
// manifests, interrupts, commands, acks), the outbox that keeps every event
// until the server acknowledges it (over the websocket, or over HTTP when it
// has been down for a while), status frames, and the content kept for
// offline play. A page supplies hooks for what it shows:
//
//   const { token, outbox } = await setupDevice('player', { pairIn: app });
//   const device = new Device('player', { version, token, outbox, hooks: {
//     play: (manifest) => …, interrupts: (active) => …, showing: () => …,
//   } });
//   device.start();
//
// Test hooks on <body>: data-outbox (events waiting for an ack) and
// data-connection ("open" once welcomed, else "closed").

import { Connection, CLOSE_TOO_LARGE } from './connection.js';
import { store, stored, loadJSON, takeToken, registerWorker, postEvents, clockOffset } from './device.js';
import { openOutbox, syncOutbox } from './outbox.js';
import { Content, openRevisions } from './content.js';
import { Interrupts } from './interrupts.js';
import { pair } from './pairing.js';

/** @typedef {import('./protocol.js').Manifest} Manifest */
/** @typedef {import('./protocol.js').Interrupt} Interrupt */
/** @typedef {import('./protocol.js').Screen} Screen */
/** @typedef {import('./protocol.js').Showing} Showing */
/** @typedef {import('./protocol.js').ServerFrame} ServerFrame */
/** @typedef {import('./outbox.js').Outbox} Outbox */
/** @typedef {'player'|'kiosk'} DeviceName */

/**
 * What a page does with what the runtime hears.
 * @typedef {object} DeviceHooks
 * @property {(manifest: Manifest) => void} play a manifest to play: the stored one at start, then each new one
 * @property {(active: Interrupt[]) => void} interrupts the interrupts in force, oldest first, whenever they change
 * @property {() => Showing|null} showing what is on screen now, for status frames
 * @property {() => void} [connection] connected() or everClosed changed
 * @property {() => void} [welcome] after a welcome: the clock and the screen are current
 * @property {(screen: Screen|null) => void} [identify] the identify command
 * @property {() => boolean} [busy] while true, a reload command waits for reloadIfPending()
 * @property {() => void} [stop] the page is about to reload: stop playback (recording what was shown)
 * @property {(broken: boolean) => void} [archive] the archive witness checked the history; broken once a check failed
 */

/** The protocol's `kind` and the outbox database of each device. */
const devices = {
  player: { kind: 'led', outbox: 'hallcast-outbox' },
  kiosk: { kind: 'kiosk', outbox: 'hallcast-kiosk-outbox' },
};

const statusEveryMs = 5000;

/**
 * Whether the page can keep a service worker, so the device starts from its
 * cache while the server is away: a secure context (https or localhost) in a
 * browser with service workers. Sent as secure_context in hello and status.
 * @returns {boolean}
 */
export function offlineCapable() {
  return Boolean(window.isSecureContext && 'serviceWorker' in navigator);
}
const httpFallbackAfterMs = 30000;
const checkpointEveryMs = 10 * 60000;
// archiveFirstMs is how long after the first welcome the archive witness
// first runs: after the start-up, whose downloads it does not add to.
const archiveFirstMs = 5000;
const reloadDelayMs = 500;

/**
 * Registers the device's service worker (/player-sw.js with scope /player,
 * /kiosk-sw.js with scope /kiosk), opens its outbox (mirrored in <body
 * data-outbox>) and finds its token: from ?token=, from storage, or by
 * pairing in pairIn.
 *
 * @param {DeviceName} name
 * @param {object} o
 * @param {HTMLElement} o.pairIn where the pairing code is shown
 * @param {() => void} [o.onPairing] called before pairing starts
 * @returns {Promise<{token: string, outbox: Outbox}>}
 */
export async function setupDevice(name, { pairIn, onPairing = () => {} }) {
  registerWorker(`/${name}-sw.js`, `/${name}`);
  const outbox = await openOutbox({ name: devices[name].outbox });
  document.body.dataset.outbox = String(outbox.count());
  outbox.onChange((n) => {
    document.body.dataset.outbox = String(n);
  });
  const key = `hallcast.${name}.token`;
  let token = takeToken(key);
  if (!token) {
    onPairing();
    token = await pair(pairIn);
    store(key, token);
  }
  return { token, outbox };
}

export class Device {
  /**
   * @param {DeviceName} name
   * @param {object} o
   * @param {string} o.version sent in hello
   * @param {string} o.token the screen token
   * @param {Outbox} o.outbox
   * @param {DeviceHooks} o.hooks
   * @param {Promise<IDBDatabase|null>} [o.db] where revisions are kept (a "revisions" store); default hallcast-<name>
   */
  constructor(name, { version, token, outbox, hooks, db }) {
    const prefix = `hallcast.${name}`;
    this.name = name;
    this.kind = devices[name].kind;
    this.version = version;
    this.hooks = hooks;
    this.keys = { token: `${prefix}.token`, offset: `${prefix}.clockOffset`, screen: `${prefix}.screen` };
    this.content = new Content({ prefix, db: db || openRevisions(`hallcast-${name}`) });
    /** Milliseconds to add to the local clock to read the server's. */
    this.offset = Number(stored(this.keys.offset)) || 0;
    /** @type {Screen|null} the screen as the last welcome named it */
    this.screen = loadJSON(this.keys.screen);
    this.welcomed = false;
    /** Whether the websocket has closed since the page loaded. */
    this.everClosed = false;
    this.reloadPending = false;
    this.startedAt = performance.now();
    /** Whether the archive witness ever found the history broken. */
    this.archiveBroken = false;
    /** The first archive check, scheduled at the first welcome. */
    this.archiveTimer = 0;

    /** The server-corrected clock, in milliseconds since the epoch. */
    this.now = () => Date.now() + this.offset;
    /** The hall's time zone: the welcome's, else the manifest's. */
    this.tz = () => (this.screen && this.screen.tz) || (this.content.manifest && this.content.manifest.tz) || undefined;
    /**
     * Keeps an event in the outbox until the server acknowledges it;
     * resolves once it is stored (a failure is logged, not thrown).
     * @param {{kind: string} & Object<string, unknown>} ev
     * @returns {Promise<void>}
     */
    this.record = (ev) =>
      outbox.add(ev).then(
        () => {},
        (err) => console.warn('outbox:', err),
      );

    this.interrupts = new Interrupts(this.now, (active) => hooks.interrupts(active));
    this.conn = new Connection({
      hello: () => this.hello(token),
      onMessage: (msg) => this.handle(msg),
      onState: (s) => {
        if (s === 'closed') {
          this.welcomed = false;
          this.everClosed = true;
        }
        this.changed();
      },
      onClose: (code) => {
        if (code === CLOSE_TOO_LARGE) this.sync.shrink();
      },
      onAuthFailure: (code) => this.forget(code),
    });
    this.sync = syncOutbox(outbox, {
      send: (events) => this.welcomed && this.conn.send({ type: 'events', events }),
      post: (events) => postEvents(token, events),
      canPost: () => this.conn.downFor() > httpFallbackAfterMs,
    });

    this.sentShowing = '';
    this.lastStatus = 0;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.statusTimer = undefined;
  }

  /** Plays the stored manifest and connects. */
  start() {
    const m = this.content.manifest;
    if (m) {
      this.hooks.play(m);
      this.interrupts.fromManifest(m.interrupts, m.generated_at);
    }
    this.changed();
    this.conn.start();
    navigator.serviceWorker?.addEventListener('controllerchange', () => this.content.prefetch());
    setInterval(() => {
      if (!this.welcomed) return;
      this.content.refreshCheckpoint();
      this.checkArchive();
    }, checkpointEveryMs);
  }

  /**
   * Checks the archive's history as a witness (a broken one is reported to
   * the server, which alerts staff, and stays broken on this screen).
   * Test hook: <body data-archive> "ok" | "broken" | "unavailable" | "unsupported".
   */
  async checkArchive() {
    let r;
    try {
      // Loaded when first needed: the witness is not part of a cold start.
      const { witness } = await import('./witness.js');
      r = await witness(this.name);
    } catch (err) {
      console.warn('archive witness:', err);
      return;
    }
    this.archiveBroken = this.archiveBroken || r.status === 'broken';
    document.body.dataset.archive = this.archiveBroken ? 'broken' : r.status;
    this.hooks.archive?.(this.archiveBroken);
  }

  /** Welcomed on an open websocket. */
  connected() {
    return this.welcomed && this.conn.isOpen();
  }

  /** @param {string} token */
  hello(token) {
    /** @type {{type: 'hello', token: string, kind: string, version: string, screen: {w: number, h: number}, secure_context: boolean, manifest_etag?: string}} */
    const h = { type: 'hello', token, kind: this.kind, version: this.version, screen: { w: Math.round(innerWidth), h: Math.round(innerHeight) }, secure_context: offlineCapable() };
    if (this.content.manifest && this.content.etag) h.manifest_etag = this.content.etag;
    return h;
  }

  changed() {
    document.body.dataset.connection = this.connected() ? 'open' : 'closed';
    this.hooks.connection?.();
  }

  /** @param {ServerFrame} msg */
  handle(msg) {
    switch (msg.type) {
      case 'welcome': {
        const o = clockOffset(msg.server_time, this.conn.helloAt, Date.now());
        if (Number.isFinite(o)) {
          this.offset = o;
          store(this.keys.offset, String(o));
        }
        if (msg.screen) {
          this.screen = msg.screen;
          store(this.keys.screen, msg.screen);
        }
        this.welcomed = true;
        this.changed();
        this.hooks.welcome?.();
        this.interrupts.update();
        this.sync.reset();
        this.pushStatus(true);
        this.content.refreshCategories();
        this.content.refreshCheckpoint();
        // The first check waits until the start-up is over.
        if (!this.archiveTimer) this.archiveTimer = setTimeout(() => this.checkArchive(), archiveFirstMs);
        break;
      }
      case 'manifest':
        if (msg.unchanged) {
          // Our etag is current, but we have no manifest: ask again without it.
          if (!this.content.manifest) {
            this.content.clear();
            this.conn.restart();
          } else this.content.prefetch();
          break;
        }
        if (!msg.manifest) break;
        this.content.setManifest(msg.etag, msg.manifest);
        this.hooks.play(msg.manifest);
        this.interrupts.fromManifest(msg.manifest.interrupts, msg.manifest.generated_at);
        this.content.prefetch();
        this.changed();
        break;
      case 'interrupt':
        this.interrupts.add(/** @type {Interrupt} */ (/** @type {unknown} */ (msg)));
        break;
      case 'interrupt_clear':
        if (msg.id) this.interrupts.clear(msg.id);
        break;
      case 'ack':
        this.sync.acked(Array.isArray(msg.ids) ? msg.ids.map(String) : []);
        break;
      case 'command':
        if (msg.name === 'reload') this.reload();
        else if (msg.name === 'identify') this.hooks.identify?.(this.screen);
        break;
      case 'error':
        console.warn('server:', msg.code, msg.message);
        // Invalid events are named; resending them cannot help.
        if (msg.code === 'validation' && Array.isArray(msg.ids) && msg.ids.length) this.sync.rejected(msg.ids.map(String));
        break;
    }
  }

  /**
   * Sends a status frame with what is on screen: at once when force, else
   * when it changed, at most every 5 s.
   */
  pushStatus(force = false) {
    if (!this.welcomed) return;
    const showing = this.hooks.showing();
    const sig = JSON.stringify(showing);
    if (!force && sig === this.sentShowing) return;
    clearTimeout(this.statusTimer);
    const wait = this.lastStatus + statusEveryMs - Date.now();
    if (!force && wait > 0) {
      this.statusTimer = setTimeout(() => this.pushStatus(false), wait);
      return;
    }
    const frame = { type: 'status', showing: showing || { item_id: '', revision: 0 }, uptime_s: Math.round((performance.now() - this.startedAt) / 1000), secure_context: offlineCapable() };
    if (this.conn.send(frame)) {
      this.lastStatus = Date.now();
      this.sentShowing = sig;
    }
  }

  /** The reload command: fetch the new worker and reload, unless busy() holds it back. */
  reload() {
    navigator.serviceWorker
      ?.getRegistration?.(`/${this.name}`)
      .then((r) => r && r.update())
      .catch(() => {});
    if (this.hooks.busy?.()) {
      this.reloadPending = true;
      return;
    }
    this.hooks.stop?.();
    setTimeout(() => location.reload(), reloadDelayMs);
  }

  /** Carries out a reload command that busy() held back. */
  reloadIfPending() {
    if (this.reloadPending) location.reload();
  }

  /**
   * The token was refused (4401) or the screen revoked (4403): forget both
   * and reload, which pairs again.
   * @param {number} code
   */
  forget(code) {
    console.warn(`${this.name}: token refused, pairing again`, code);
    this.hooks.stop?.();
    store(this.keys.token, null);
    store(this.keys.screen, null);
    this.content.clear();
    location.reload();
  }
}
