// The staff console (/admin): login, a sidebar of the sections the user's
// role may use, and the section shown from the URL hash (#items, #items/ID…).
//
// Test hooks: <body data-state="loading|login|ready">; #login-username,
// #login-password, #login-submit; nav links [data-section="dashboard|items|screens|
// playlists|feedback|reports|archive|users"]; the section's own ids (#item-form,
// #claim-code, #claim-submit…).

import { setLang, lang, t, extend } from '../shared/i18n.js';
import { h, replace } from '../shared/dom.js';
import { Api } from './api.js';
import { strings } from './strings.js';
import { field, onSubmit, toast, notice } from './ui.js';
import { dashboard } from './dashboard.js';
import { items } from './items.js';
import { screens } from './screens.js';
import { playlists } from './playlists.js';
import { feedback } from './feedback.js';
import { archive } from './archive.js';
import { users } from './users.js';
import { reports } from './reports.js';

extend(strings);

const sections = [dashboard, items, screens, playlists, feedback, reports, archive, users];
const langKey = 'hallcast.lang';

/** Whether the user holds one of the roles (admins hold every role). */
export function has(user, ...roles) {
  return !!user && (user.role === 'admin' || roles.includes(user.role));
}

class App {
  constructor() {
    this.api = new Api(() => this.expired());
    this.user = null;
    this.cache = new Map();
    this.leave = null; // cleanup of the section shown
    this.route = '';
  }

  /** The user may do what one of the roles may. */
  can(...roles) {
    return has(this.user, ...roles);
  }

  /** A GET shared by sections until forget(path) or a logout. */
  load(path) {
    if (!this.cache.has(path)) {
      const p = this.api.get(path);
      p.catch(() => this.cache.delete(path));
      this.cache.set(path, p);
    }
    return this.cache.get(path);
  }

  forget(...paths) {
    for (const p of paths) this.cache.delete(p);
  }

  /** Calls fn when the section is left (timers). */
  onLeave(fn) {
    const prev = this.leave;
    this.leave = () => {
      prev?.();
      fn();
    };
  }

  async start() {
    let l = new URLSearchParams(location.search).get('lang');
    try {
      l = l || localStorage.getItem(langKey);
    } catch {
      /* storage blocked */
    }
    setLang(l || 'zh');
    this.chrome();
    document.getElementById('lang-toggle').addEventListener('click', () => this.toggleLang());
    document.getElementById('logout').addEventListener('click', () => this.logout());
    window.addEventListener('hashchange', () => this.user && this.show());
    try {
      const s = await this.api.get('/session');
      this.signedIn(s);
    } catch {
      this.showLogin();
    }
  }

  chrome() {
    document.title = `${t('adm.title')} · ${t('app.name')}`;
    document.getElementById('app-name').textContent = `${t('app.name')} · ${t('adm.title')}`;
    document.getElementById('skip').textContent = t('adm.skip');
    const b = document.getElementById('lang-toggle');
    b.textContent = t('adm.lang');
    b.lang = lang() === 'zh' ? 'en' : 'zh-CN';
    document.getElementById('logout').textContent = t('adm.logout');
    document.getElementById('nav').setAttribute('aria-label', t('adm.sections'));
  }

  toggleLang() {
    const next = setLang(lang() === 'zh' ? 'en' : 'zh');
    try {
      localStorage.setItem(langKey, next);
    } catch {
      /* storage blocked */
    }
    this.chrome();
    if (this.user) {
      this.renderShell();
      this.show(true);
    } else this.showLogin();
  }

  showLogin(message) {
    this.user = null;
    this.cache.clear();
    this.leave?.();
    this.leave = null;
    document.getElementById('shell').hidden = true;
    const box = document.getElementById('login');
    const user = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, dataset: { field: 'username' } });
    const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, dataset: { field: 'password' } });
    const form = h(
      'form',
      { id: 'login-form', class: 'login-form', novalidate: true },
      h('h1', null, t('app.name')),
      h('p', { class: 'sub' }, t('adm.title')),
      message && notice(message, 'warn'),
      field(t('adm.username'), user),
      field(t('adm.password'), pass),
      h('button', { type: 'submit', id: 'login-submit', class: 'button primary wide' }, t('adm.login')),
    );
    onSubmit(form, async () => {
      if (!user.value.trim()) throw { message: t('adm.needUsername'), field: 'username' };
      if (!pass.value) throw { message: t('adm.needPassword'), field: 'password' };
      const s = await this.api.post('/session', { username: user.value.trim(), password: pass.value });
      pass.value = '';
      this.signedIn(s);
    });
    replace(box, form);
    box.hidden = false;
    document.body.dataset.state = 'login';
    user.focus();
  }

  expired() {
    if (this.user) this.showLogin(t('adm.expired'));
  }

  signedIn(s) {
    this.user = s.user;
    this.api.csrf = s.csrf_token;
    document.getElementById('login').hidden = true;
    document.getElementById('shell').hidden = false;
    this.renderShell();
    this.show();
    document.body.dataset.state = 'ready';
  }

  async logout() {
    try {
      await this.api.del('/session');
    } catch {
      /* gone already */
    }
    this.api.csrf = '';
    this.showLogin();
  }

  visible() {
    return sections.filter((s) => s.visible(this));
  }

  renderShell() {
    const u = this.user;
    document.getElementById('who').textContent = `${u.username} · ${t(`role.${u.role}`)}`;
    const nav = document.getElementById('nav');
    replace(
      nav,
      h(
        'ul',
        null,
        this.visible().map((s) => h('li', null, h('a', { href: `#${s.key}`, dataset: { section: s.key } }, typeof s.label === 'function' ? s.label(this) : t(s.label)))),
      ),
    );
  }

  /** Shows the section named by the hash. */
  async show(keepScroll = false) {
    const [key, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
    const list = this.visible();
    const sec = list.find((s) => s.key === key) || list[0];
    if (!sec) return;
    this.leave?.();
    this.leave = null;
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.section === sec.key) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    const content = document.getElementById('content');
    const route = `${sec.key}/${rest.join('/')}`;
    const moved = route !== this.route;
    this.route = route;
    // Each showing renders into its own root: a section still loading when
    // the hash changes finishes into a detached root, never over the next.
    const root = h('div', { class: 'section-root' }, h('p', { class: 'loading' }, t('ui.loading')));
    content.replaceChildren(root);
    try {
      await sec.render(this, root, rest.map(decodeURIComponent));
    } catch (err) {
      console.error(err);
      replace(root, notice(err.status === 403 ? t('adm.forbidden') : `${t('adm.loadFailed')} ${err.message || ''}`, 'error'));
    }
    if (moved && !keepScroll) {
      window.scrollTo(0, 0);
      content.focus({ preventScroll: true });
    }
  }

  /** Re-renders the current section (after a change). */
  refresh() {
    return this.show(true);
  }

  toast(msg, kind) {
    toast(msg, kind);
  }
}

if (globalThis.document) new App().start();
