// The attract loop: the screen's manifest played exactly as the LED player
// plays it (clock-aligned rotation, items, finance and media rendered big),
// under a "touch to start" call to action. Suspended during a session.

import { Playback } from '../shared/playback.js';

export class Attract {
  /**
   * @param {HTMLElement} root #attract, holding a .stage
   * @param {import('../shared/runtime.js').Device} device
   * @param {(showing: object|null) => void} onShowing
   */
  constructor(root, device, onShowing) {
    this.root = root;
    this.showing = null;
    this.playback = new Playback({
      stage: root.querySelector('.stage'),
      now: device.now,
      content: device.content,
      tz: device.tz,
      record: device.record,
      onView: () => {},
      onShowing: (s) => {
        this.showing = s;
        onShowing(s);
      },
    });
    // Until a manifest arrives: the idle screen (clock and archive).
    if (!device.content.manifest) this.playback.setManifest({ timeline: [] });
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
