// Layers over the full-screen player: the urgent takeover, the info banner
// at the bottom and the identify card.

import { t } from '../shared/i18n.js';
import { parseTime } from '../shared/format.js';
import { el, buildItem, fit } from '../shared/render.js';

export class Overlays {
  /**
   * @param {HTMLElement} root element the layers are added to
   * @param {object} o
   * @param {import('../shared/content.js').Content} o.content
   * @param {() => string} o.tz
   * @param {() => number} o.now corrected clock
   * @param {() => void} o.onLayout called when the banner appears or goes (the stage changed size)
   */
  constructor(root, { content, tz, now, onLayout }) {
    this.content = content;
    this.now = now;
    this.tz = tz;
    this.onLayout = onLayout;
    this.urgent = el('div', 'urgent-layer');
    this.banner = el('div', 'banner');
    this.ident = el('div', 'identify');
    this.urgent.hidden = this.banner.hidden = this.ident.hidden = true;
    root.append(this.urgent, this.banner, this.ident);
    this.gen = 0;
    this.identTimer = 0;
    this.bannerAnim = null;
  }

  /** Shows the interrupts in force: the newest urgent one full screen, info ones in the banner. */
  async show(active) {
    const gen = ++this.gen;
    const urgent = active.filter((i) => i.level === 'urgent');
    const info = active.filter((i) => i.level !== 'urgent');
    await Promise.all([this.showUrgent(urgent[urgent.length - 1], gen), this.showBanner(info, gen)]);
  }

  async showUrgent(i, gen) {
    if (!i) {
      this.urgent.hidden = true;
      this.motion?.cancel();
      this.motion = null;
      this.urgent.replaceChildren();
      document.body.classList.remove('urgent');
      delete document.body.dataset.interrupt;
      return;
    }
    let node;
    if (i.item_id && !i.text) {
      try {
        const rev = await this.content.item(i.item_id);
        node = buildItem(rev, { tz: this.tz(), names: { category: (k) => this.content.categoryName(k), department: (k) => this.content.departmentName(k) } });
      } catch {
        node = null;
      }
    }
    if (gen !== this.gen) return;
    if (!node) {
      const title = el('h1', 'title', i.text || t('interrupt.urgent'));
      title.id = 'title';
      node = el('article', 'item notice', el('div', 'meta', el('span', 'badge', t('interrupt.urgent'))), title, el('div', 'main', el('div', 'flow')));
    } else node.querySelector('.meta').prepend(el('span', 'badge', t('interrupt.urgent')));
    document.body.dataset.interrupt = i.id;
    this.urgent.replaceChildren(node);
    this.urgent.hidden = false;
    document.body.classList.add('urgent');
    const until = parseTime(i.until);
    this.motion?.cancel();
    this.motion = fit(node, Number.isFinite(until) ? Math.min(until - this.now(), 120000) : 60000);
  }

  async showBanner(info, gen) {
    const texts = await Promise.all(
      info.map(async (i) => {
        if (i.text) return i.text;
        try {
          return i.item_id ? (await this.content.item(i.item_id)).title : '';
        } catch {
          return '';
        }
      }),
    );
    if (gen !== this.gen) return;
    const text = texts.filter(Boolean).join('　·　');
    this.bannerAnim?.cancel();
    const was = !this.banner.hidden;
    this.banner.hidden = !text;
    document.body.classList.toggle('has-banner', !!text);
    if (text) {
      const span = el('span', 'text', text);
      this.banner.replaceChildren(el('b', 'pfx', t('interrupt.info')), el('div', 'scroll', span));
      const box = span.parentElement;
      const over = span.offsetWidth - box.clientWidth;
      if (over > 0 && span.animate) {
        const ms = Math.max(8000, (span.offsetWidth / Math.max(1, span.offsetHeight)) * 400);
        this.bannerAnim = span.animate([{ transform: `translateX(${box.clientWidth}px)` }, { transform: `translateX(-${span.offsetWidth}px)` }], { duration: ms, iterations: Infinity });
      }
    }
    if (was !== !!text) this.onLayout();
  }

  /** Shows the screen's name big for 10 s. */
  identify(screen) {
    clearTimeout(this.identTimer);
    const name = (screen && screen.name) || '';
    this.ident.replaceChildren(el('div', 'label', t('identify.label')), el('div', 'name', name || (screen && screen.id) || '?'), el('div', 'sub', screen && screen.id ? screen.id : ''));
    this.ident.hidden = false;
    this.identTimer = setTimeout(() => {
      this.ident.hidden = true;
    }, 10000);
  }
}
