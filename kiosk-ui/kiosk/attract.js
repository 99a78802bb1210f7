// The attract loop: the screen's manifest played exactly as the LED player
// plays it (clock-aligned rotation, items, finance and media rendered big),
// under a "touch to start" call to action. Suspended during a session.

import { loadJSON, saveJSON } from '../shared/device.js';
import { Content } from '../player/content.js';
import { Playback } from '../player/playback.js';
import { kioskDB } from './api.js';

const manifestKey = 'hallcast.kiosk.manifest';

/** The player's content store, with the kiosk's own manifest key and database. */
export class KioskContent extends Content {
  constructor() {
    super();
    const m = loadJSON(manifestKey);
    this.manifest = m && m.manifest ? m.manifest : null;
    this.etag = this.manifest ? m.etag || '' : '';
    this.db = kioskDB();
  }

  setManifest(etag, manifest) {
    this.manifest = manifest;
    this.etag = etag || '';
    saveJSON(manifestKey, { etag: this.etag, manifest });
  }

  clear() {
    this.manifest = null;
    this.etag = '';
    saveJSON(manifestKey, null);
  }
}

export class Attract {
  /**
   * @param {HTMLElement} root #attract, holding a .stage
   * @param {object} o {now, tz, record, onShowing}
   */
  constructor(root, { now, tz, record, onShowing }) {
    this.root = root;
    this.content = new KioskContent();
    this.showing = null;
    this.playback = new Playback({
      stage: root.querySelector('.stage'),
      now,
      content: this.content,
      tz,
      record,
      onView: () => {},
      onShowing: (s) => {
        this.showing = s;
        onShowing(s);
      },
    });
    this.playback.setManifest(this.content.manifest || { timeline: [] });
  }

  setManifest(etag, manifest) {
    this.content.setManifest(etag, manifest);
    this.playback.setManifest(manifest);
    this.content.prefetch();
  }

  show() {
    this.root.hidden = false;
    this.playback.setSuspended(false);
  }

  hide() {
    this.playback.setSuspended(true);
    this.root.hidden = true;
  }

  refit() {
    if (!this.root.hidden) this.playback.refit();
  }
}
