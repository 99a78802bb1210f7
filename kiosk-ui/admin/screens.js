// 屏幕: the screens with their live state, adding one (its token shown
// once), claiming a pairing code, identify/reload/revoke, and halls.

import { h, replace } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { seg } from './api.js';
import { field, input, select, onSubmit, table, button, heading, secretBox, confirmAction, words, busy, ask } from './ui.js';
import { formatTime } from './times.js';

export const screens = {
  key: 'screens',
  label: 'nav.screens',
  visible: (app) => app.can('auditor'),
  render,
};

const refreshMs = 15000;

/** A pairing code as people type it ("347 852", "347-852", full-width digits) → "347852". */
export function normalizeCode(s) {
  return String(s || '')
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[\s\-－—_.]/g, '');
}

// Titles of the items screens show, read once per console visit.
const titles = new Map();

async function titleOf(app, id) {
  if (!titles.has(id)) {
    const p = app.api.get(`/items/${seg(id)}`).then((r) => r.item.title, () => '');
    titles.set(id, p);
  }
  return titles.get(id);
}

/** What a screen shows, with the item's title rather than its id. */
function showingCell(app, s) {
  const sh = s.showing;
  if (!sh) return '';
  if (!sh.item_id) return sh.media_url || '';
  const cell = h('span', { class: 'showing', title: sh.item_id, dataset: { item: sh.item_id } }, t('screens.showingItem', { title: '…', n: sh.revision || '' }));
  titleOf(app, sh.item_id).then((title) => (cell.textContent = t('screens.showingItem', { title: title || t('items.untitled'), n: sh.revision || '' })));
  return cell;
}

function screenFields(prefix, halls) {
  return [
    field(t('screens.name'), input(`${prefix}-name`, 'name', { required: true, maxlength: 80 })),
    field(t('screens.kind'), select(`${prefix}-kind`, 'kind', [['led', t('kind.led')], ['kiosk', t('kind.kiosk')]], 'led')),
    field(t('screens.hall'), select(`${prefix}-hall`, 'hall_id', halls.map((x) => [x.id, x.name]), halls[0]?.id)),
    field(t('screens.groups'), input(`${prefix}-groups`, 'groups'), { hint: t('target.groupsHint') }),
  ];
}

const screenBody = (form) => ({
  name: form.elements.name.value.trim(),
  kind: form.elements.kind.value,
  hall_id: form.elements.hall_id.value,
  groups: words(form.elements.groups.value),
});

async function render(app, el) {
  const admin = app.can('admin');
  const [sd, hd] = await Promise.all([app.api.get('/screens'), app.load('/halls')]);
  const halls = hd.halls || [];
  const hallName = (id) => halls.find((x) => x.id === id)?.name || id;
  const tableBox = h('div', { id: 'screens-list' });
  const draw = (list) => {
    const rows = list.map((s) => ({
      dataset: { id: s.id },
      cells: [
        h('span', { class: s.online ? 'dot on' : 'dot off', title: s.online ? t('screens.online') : t('screens.offline') }, h('span', { class: 'visually-hidden' }, s.online ? t('screens.online') : t('screens.offline'))),
        h(
          'span',
          null,
          h('strong', null, s.name),
          // Online in a page without a secure context: no service worker, so it
          // cannot start while the server is away.
          s.online && s.secure_context === false ? h('span', { class: 'tag warn no-offline', title: t('screens.noOfflineHint') }, t('screens.noOffline')) : null,
        ),
        t(`kind.${s.kind}`),
        hallName(s.hall_id),
        (s.groups || []).join(', '),
        showingCell(app, s),
        formatTime(s.last_seen),
        s.version || '',
        admin &&
          h(
            'div',
            { class: 'row-actions' },
            button(t('screens.edit'), () => editScreen(app, s, halls), { dataset: { edit: s.id } }),
            button(t('screens.identify'), (e) => command(app, s, 'identify', e.currentTarget), { disabled: !s.online }),
            button(t('screens.reload'), (e) => command(app, s, 'reload', e.currentTarget), { disabled: !s.online }),
            button(t('screens.revoke'), async (e) => {
              const btn = e.currentTarget;
              if (!(await confirmAction(t('screens.revoke'), t('screens.revokeText', { name: s.name }), t('screens.revoke')))) return;
              try {
                await busy(btn, () => app.api.del(`/screens/${seg(s.id)}`));
                app.toast(t('screens.revoked'));
                app.refresh();
              } catch (err) {
                app.toast(err.message, 'error');
              }
            }, { cls: 'button small danger' }),
          ),
      ],
    }));
    const cols = ['', t('screens.name'), t('screens.kind'), t('screens.hall'), t('screens.groups'), t('screens.showing'), t('screens.lastSeen'), t('screens.version')];
    if (admin) cols.push(t('ui.actions'));
    replace(tableBox, table(cols, rows, { id: 'screens-table', empty: t('screens.none') }));
  };
  draw(sd.screens || []);
  const timer = setInterval(async () => {
    try {
      draw((await app.api.get('/screens')).screens || []);
    } catch {
      /* keep the last list */
    }
  }, refreshMs);
  app.onLeave(() => clearInterval(timer));

  const parts = [heading(1, t('nav.screens'), button(t('ui.refresh'), () => app.refresh(), { id: 'screens-refresh' })), tableBox];
  if (admin) {
    const result = h('div', { id: 'screen-result' });
    const create = h('form', { id: 'screen-form', class: 'card form-grid', novalidate: true }, h('h2', { class: 'wide' }, t('screens.add')), h('p', { class: 'hint wide' }, t('screens.addHint')), ...screenFields('screen', halls), h('div', { class: 'actions wide' }, h('button', { type: 'submit', class: 'button primary', id: 'screen-submit' }, t('screens.create'))));
    onSubmit(create, async (form) => {
      if (!halls.length) throw { message: t('screens.needHall') };
      const r = await app.api.post('/screens', screenBody(form));
      const path = r.screen.kind === 'kiosk' ? '/kiosk' : '/player';
      const url = `${location.origin}${path}?token=${encodeURIComponent(r.token)}`;
      replace(result, secretBox('screen-token', t('screens.tokenFor', { name: r.screen.name }), [[t('screens.url'), url], [t('screens.token'), r.token]]));
      form.reset();
      draw((await app.api.get('/screens')).screens || []);
    });
    const code = h('input', { id: 'claim-code', name: 'code', inputmode: 'numeric', maxlength: 12, autocomplete: 'off', required: true, dataset: { field: 'code' }, class: 'code-input' });
    const claim = h(
      'form',
      { id: 'claim-form', class: 'card form-grid', novalidate: true },
      h('h2', { class: 'wide' }, t('screens.claim')),
      h('p', { class: 'hint wide' }, t('screens.claimHint')),
      field(t('screens.code'), code, { hint: t('screens.codeHint') }),
      ...screenFields('claim', halls),
      h('div', { class: 'actions wide' }, h('button', { type: 'submit', class: 'button primary', id: 'claim-submit' }, t('screens.claimButton'))),
    );
    onSubmit(claim, async (form) => {
      const c = normalizeCode(code.value);
      if (!/^\d{6}$/.test(c)) throw { field: 'code', message: t('screens.badCode') };
      if (!halls.length) throw { message: t('screens.needHall') };
      const r = await app.api.post(`/pairings/${seg(c)}/claim`, screenBody(form));
      app.toast(t('screens.claimed', { name: r.screen?.name || '' }));
      form.reset();
      draw((await app.api.get('/screens')).screens || []);
    });
    parts.push(h('div', { class: 'two' }, create, claim), result);
  }
  parts.push(hallsPanel(app, halls, admin));
  replace(el, parts);
}

/** Changes a screen's name, kind, hall and groups (PUT /screens/{id}). */
async function editScreen(app, s, halls) {
  const v = await ask({
    title: t('screens.editTitle', { name: s.name }),
    id: 'screen-edit-dialog',
    ok: t('ui.save'),
    fields: [
      { name: 'name', label: t('screens.name'), value: s.name, required: true, max: 80 },
      { name: 'kind', label: t('screens.kind'), type: 'select', value: s.kind, options: [['led', t('kind.led')], ['kiosk', t('kind.kiosk')]] },
      { name: 'hall_id', label: t('screens.hall'), type: 'select', value: s.hall_id, options: halls.map((x) => [x.id, x.name]) },
      { name: 'groups', label: t('screens.groups'), value: (s.groups || []).join(', '), hint: t('target.groupsHint') },
    ],
  });
  if (!v) return;
  try {
    await app.api.put(`/screens/${seg(s.id)}`, { name: v.name, kind: v.kind, hall_id: v.hall_id, groups: words(v.groups) });
    app.toast(t('screens.saved'));
    app.refresh();
  } catch (err) {
    app.toast(err.message, 'error');
  }
}

async function command(app, s, name, btn) {
  try {
    const r = await busy(btn, () => app.api.post(`/screens/${seg(s.id)}/command`, { name }));
    app.toast(t('screens.sent', { n: r?.sent ?? 0 }));
  } catch (err) {
    app.toast(err.message, 'error');
  }
}

function hallsPanel(app, halls, admin) {
  const list = table([t('halls.name'), t('halls.tz'), 'ID'], halls.map((x) => [x.name, x.tz, h('code', null, x.id)]), { id: 'halls-table' });
  if (!admin) return h('section', null, h('h2', null, t('halls.title')), list);
  const form = h(
    'form',
    { id: 'hall-form', class: 'inline-form', novalidate: true },
    field(t('halls.name'), input('hall-name', 'name', { required: true, maxlength: 80 })),
    field(t('halls.tz'), input('hall-tz', 'tz', { value: 'Asia/Shanghai', required: true })),
    h('button', { type: 'submit', class: 'button' }, t('halls.add')),
  );
  onSubmit(form, async (f) => {
    await app.api.post('/halls', { name: f.elements.name.value.trim(), tz: f.elements.tz.value.trim() });
    app.forget('/halls');
    app.toast(t('halls.added'));
    app.refresh();
  });
  return h('section', null, h('h2', null, t('halls.title')), list, form);
}
