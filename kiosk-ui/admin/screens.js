// 屏幕: the screens with their live state — searched, filtered by hall,
// kind, group and online state and paged in memory — adding one (its token
// shown once), claiming a pairing code, identify/reload/revoke, halls; the
// wall of live mirrors (#screens/wall, wall.js) and the week of schedules
// (week.js).
//
// Test hooks: #screens-search, #screens-hall, #screens-kind, #screens-group,
// #screens-online, #screens-prev, #screens-next, #screens-count;
// #screens-list[data-fetches][data-rows][data-matches]; #screens-view-wall.

import { h, replace } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { seg } from './api.js';
import { field, input, select, onSubmit, table, button, heading, secretBox, confirmAction, words, busy, ask } from './ui.js';
import { formatTime } from './times.js';
import { mountWall } from './wall.js';

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

const pageSize = 50;

/** Lower-cased text a search matches against: name, id, groups. */
const haystack = (s) => `${s.name} ${s.id} ${(s.groups || []).join(' ')}`.toLowerCase();

/** The screens passing the filters f: {q, hall, kind, group, online: "" | "on" | "off"}. */
export function filterScreens(list, f) {
  const q = (f.q || '').trim().toLowerCase();
  return list.filter(
    (s) =>
      (!q || haystack(s).includes(q)) &&
      (!f.hall || s.hall_id === f.hall) &&
      (!f.kind || s.kind === f.kind) &&
      (!f.group || (s.groups || []).includes(f.group)) &&
      (!f.online || (f.online === 'on') === !!s.online),
  );
}

async function render(app, el, [view] = []) {
  const admin = app.can('admin');
  const wall = view === 'wall';
  const t0 = performance.now();
  const [sd, hd] = await Promise.all([app.api.get('/screens'), app.load('/halls')]);
  let all = sd.screens || [];
  let fetches = 1;
  const halls = hd.halls || [];
  const hallName = (id) => halls.find((x) => x.id === id)?.name || id;
  const tableBox = h('div', { id: 'screens-list' });
  const f = { q: '', hall: '', kind: '', group: '', online: '' };
  let page = 0;
  let stopWall = null;
  app.onLeave(() => stopWall?.());

  const search = h('input', { id: 'screens-search', type: 'search', placeholder: t('screens.search'), 'aria-label': t('screens.search'), autocomplete: 'off' });
  const hallSel = select('screens-hall', 'hall', [['', t('screens.allHalls')], ...halls.map((x) => [x.id, x.name])], '', { 'aria-label': t('screens.hall') });
  const kindSel = select('screens-kind', 'kind', [['', t('screens.allKinds')], ['led', t('kind.led')], ['kiosk', t('kind.kiosk')]], '', { 'aria-label': t('screens.kind') });
  const groupSel = select('screens-group', 'group', [], '', { 'aria-label': t('screens.groups') });
  const onlineSel = select('screens-online', 'online', [['', t('screens.anyState')], ['on', t('screens.online')], ['off', t('screens.offline')]], '', { 'aria-label': t('screens.state') });
  const count = h('span', { id: 'screens-count', class: 'hint', role: 'status' });
  const prev = button(t('screens.prev'), () => go(page - 1), { id: 'screens-prev' });
  const next = button(t('screens.next'), () => go(page + 1), { id: 'screens-next' });
  const fillGroups = () => {
    const groups = [...new Set(all.flatMap((s) => s.groups || []))].sort();
    const cur = groupSel.value;
    replace(groupSel, [['', t('screens.allGroups')], ...groups.map((g) => [g, g])].map(([v, label]) => h('option', { value: v, selected: v === cur }, label)));
  };

  const rowOf = (s) => ({
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
          button(t('screens.identify'), (e) => command(app, s, 'identify', e.currentTarget), { disabled: !s.online, dataset: { identify: s.id } }),
          button(t('screens.reload'), (e) => command(app, s, 'reload', e.currentTarget), { disabled: !s.online, dataset: { reload: s.id } }),
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
  });

  // Filtering and paging work on the list in memory: no request.
  const draw = () => {
    const start = performance.now();
    const shown = filterScreens(all, f);
    const pages = Math.max(1, Math.ceil(shown.length / pageSize));
    page = Math.min(Math.max(page, 0), pages - 1);
    const slice = shown.slice(page * pageSize, (page + 1) * pageSize);
    count.textContent = t('screens.count', { n: shown.length, total: all.length, page: page + 1, pages });
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    stopWall?.();
    stopWall = null;
    if (wall) stopWall = mountWall(app, tableBox, slice);
    else {
      const cols = ['', t('screens.name'), t('screens.kind'), t('screens.hall'), t('screens.groups'), t('screens.showing'), t('screens.lastSeen'), t('screens.version')];
      if (admin) cols.push(t('ui.actions'));
      replace(tableBox, table(cols, slice.map(rowOf), { id: 'screens-table', empty: all.length ? t('screens.noMatch') : t('screens.none') }));
    }
    // For tests and the curious: how many list fetches, and the last draw's cost.
    tableBox.dataset.fetches = String(fetches);
    tableBox.dataset.drawMs = (performance.now() - start).toFixed(1);
    tableBox.dataset.rows = String(slice.length);
    tableBox.dataset.matches = String(shown.length);
  };
  const go = (p) => {
    page = p;
    draw();
  };
  const refilter = () => {
    Object.assign(f, { q: search.value, hall: hallSel.value, kind: kindSel.value, group: groupSel.value, online: onlineSel.value });
    go(0);
  };
  search.addEventListener('input', refilter);
  for (const s of [hallSel, kindSel, groupSel, onlineSel]) s.addEventListener('change', refilter);
  const setList = (list) => {
    all = list;
    fetches++;
    fillGroups();
    // The wall keeps its tiles between list refreshes; the table redraws.
    if (!wall) draw();
  };
  fillGroups();
  draw();
  tableBox.dataset.firstRenderMs = (performance.now() - t0).toFixed(1);
  const timer = setInterval(async () => {
    try {
      setList((await app.api.get('/screens')).screens || []);
    } catch {
      /* keep the last list */
    }
  }, refreshMs);
  app.onLeave(() => clearInterval(timer));
  const draw0 = async () => setList((await app.api.get('/screens')).screens || []);

  const tabs = h(
    'div',
    { class: 'view-tabs', role: 'group', 'aria-label': t('screens.view') },
    h('a', { class: `button small${wall ? '' : ' primary'}`, href: '#screens', id: 'screens-view-list', 'aria-current': wall ? null : 'page' }, t('screens.viewList')),
    h('a', { class: `button small${wall ? ' primary' : ''}`, href: '#screens/wall', id: 'screens-view-wall', 'aria-current': wall ? 'page' : null }, t('screens.viewWall')),
  );
  const toolbar = h('div', { class: 'screens-toolbar' }, search, hallSel, kindSel, groupSel, onlineSel, h('div', { class: 'pager' }, prev, count, next));
  const parts = [heading(1, t('nav.screens'), tabs, button(t('ui.refresh'), () => app.refresh(), { id: 'screens-refresh' })), toolbar, tableBox];
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
      await draw0();
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
      await draw0();
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
  const nameOf = (id) => halls.find((x) => x.id === id)?.name || id;
  const board = (x) => h('a', { href: `/v/${encodeURIComponent(x.id)}`, target: '_blank', rel: 'noopener' }, `/v/${x.id}`);
  const list = table(
    [t('halls.name'), t('halls.kind'), t('halls.parent'), t('halls.tz'), t('halls.board')],
    halls.map((x) => ({ dataset: { id: x.id }, cells: [x.name, t(`halls.kind.${x.kind || 'town'}`), x.parent ? nameOf(x.parent) : '', x.tz, board(x)] })),
    { id: 'halls-table' },
  );
  if (!admin) return h('section', null, h('h2', null, t('halls.title')), list);
  const form = h(
    'form',
    { id: 'hall-form', class: 'inline-form', novalidate: true },
    field(t('halls.name'), input('hall-name', 'name', { required: true, maxlength: 80 })),
    field(t('halls.tz'), input('hall-tz', 'tz', { value: 'Asia/Shanghai', required: true })),
    field(t('halls.kind'), select('hall-kind', 'kind', ['town', 'village', 'community'].map((k) => [k, t(`halls.kind.${k}`)]), 'town')),
    field(t('halls.parent'), select('hall-parent', 'parent', [['', t('halls.noParent')], ...halls.filter((x) => (x.kind || 'town') === 'town').map((x) => [x.id, x.name])], '')),
    h('button', { type: 'submit', class: 'button' }, t('halls.add')),
  );
  onSubmit(form, async (f) => {
    await app.api.post('/halls', { name: f.elements.name.value.trim(), tz: f.elements.tz.value.trim(), kind: f.elements.kind.value, parent: f.elements.parent.value });
    app.forget('/halls');
    app.toast(t('halls.added'));
    app.refresh();
  });
  return h('section', null, h('h2', null, t('halls.title')), list, form);
}
