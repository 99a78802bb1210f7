// 播放: playlists (items, whole categories and media files with durations),
// schedules (which playlist plays where and when) and interrupts (notices
// that cut into what screens show).

import { h, replace } from '../shared/dom.js';
import { t, localized } from '../shared/i18n.js';
import { seg } from './api.js';
import { field, input, select, checkbox, onSubmit, table, button, heading, notice, confirmAction, busy } from './ui.js';
import { formatTime, fromDateTimeLocal, dateTimeLocalIn } from './times.js';
import { targetEditor, describeTarget } from './target.js';
import { weekPanel } from './week.js';

export const playlists = {
  key: 'playlists',
  label: 'nav.playlists',
  visible: (app) => app.can('admin'),
  render,
};

const days = [1, 2, 3, 4, 5, 6, 7];

async function render(app, el, [kind, id]) {
  const [pl, sc, ir, hd, sd, cd, items] = await Promise.all([
    app.api.get('/playlists'),
    app.api.get('/schedules'),
    app.api.get('/interrupts'),
    app.load('/halls'),
    app.api.get('/screens').catch(() => ({ screens: [] })),
    app.load('/categories'),
    app.api.get('/items?status=published&limit=1000').catch(() => ({ items: [] })),
  ]);
  const ctx = {
    playlists: pl.playlists || [],
    schedules: sc.schedules || [],
    interrupts: ir.interrupts || [],
    halls: hd.halls || [],
    screens: sd.screens || [],
    categories: cd.categories || [],
    items: items.items || [],
  };
  if (kind === 'playlist') return replace(el, playlistEditor(app, ctx, id));
  if (kind === 'schedule') return replace(el, scheduleEditor(app, ctx, id));
  replace(el, heading(1, t('nav.playlists')), playlistList(app, ctx), scheduleList(app, ctx), weekPanel(app, ctx), interruptPanel(app, ctx));
}

const del = (app, path, what) => async (e) => {
  const btn = e.currentTarget;
  if (!(await confirmAction(t('ui.delete'), t('ui.deleteText', { what }), t('ui.delete')))) return;
  try {
    await busy(btn, () => app.api.del(path));
    app.toast(t('ui.deleted'));
    app.refresh();
  } catch (err) {
    app.toast(err.message, 'error');
  }
};

function playlistList(app, ctx) {
  const rows = ctx.playlists.map((p) => [
    h('a', { href: `#playlists/playlist/${seg(p.id)}` }, p.name || p.id),
    h('code', null, p.id),
    String((p.entries || []).length),
    String((p.entries || []).reduce((s, e) => s + (e.duration_s || 0), 0)),
    formatTime(p.updated_at),
    h('div', { class: 'row-actions' }, h('a', { class: 'button small', href: `#playlists/playlist/${seg(p.id)}` }, t('ui.edit')), button(t('ui.delete'), del(app, `/playlists/${seg(p.id)}`, p.name || p.id), { cls: 'button small danger' })),
  ]);
  return h(
    'section',
    null,
    heading(2, t('pl.title'), h('a', { class: 'button primary small', href: '#playlists/playlist/new', id: 'playlist-new' }, t('pl.new'))),
    table([t('pl.name'), 'ID', t('pl.entries'), t('pl.cycle'), t('items.updated'), t('ui.actions')], rows, { id: 'playlists-table' }),
  );
}

const keyPattern = '[a-z0-9][a-z0-9_\\-]{0,39}';

function idField(prefix, id, isNew) {
  return field('ID', input(`${prefix}-id`, 'id', { value: isNew ? '' : id, required: true, pattern: keyPattern, readonly: !isNew, class: 'mono' }), { hint: isNew ? t('pl.idHint') : '' });
}

function playlistEditor(app, ctx, id) {
  const isNew = id === 'new';
  const p = isNew ? { id: '', name: '', entries: [] } : ctx.playlists.find((x) => x.id === id);
  if (!p) return notice(t('ui.notFound'), 'error');
  const body = h('tbody', { id: 'playlist-entries' });
  let dragged = null;
  // Each row shows its position (1, 2, …), kept up to date as rows move.
  const renumber = () => [...body.rows].forEach((r, i) => (r.querySelector('.pos').textContent = String(i + 1)));
  const itemOpts = [['', t('ui.choose')], ...ctx.items.map((it) => [it.id, it.title])];
  const catOpts = [['', t('ui.choose')], ...ctx.categories.map((c) => [c.key, localized(c.name)])];
  const addRow = (e = {}) => {
    const type = e.item_id ? 'item' : e.category ? 'category' : e.media_url ? 'media' : 'item';
    const kindSel = select('', 'kind', [['item', t('pl.kind.item')], ['category', t('pl.kind.category')], ['media', t('pl.kind.media')]], type, { 'aria-label': t('pl.kind') });
    kindSel.removeAttribute('id');
    const itemSel = select('', 'item_id', e.item_id && !ctx.items.some((i) => i.id === e.item_id) ? [...itemOpts, [e.item_id, e.item_id]] : itemOpts, e.item_id, { 'aria-label': t('pl.kind.item') });
    const catSel = select('', 'category', catOpts, e.category, { 'aria-label': t('pl.kind.category') });
    const media = h('input', { name: 'media_url', value: e.media_url || '', placeholder: '/media/…', 'aria-label': t('pl.kind.media') });
    const mtype = select('', 'type', [['image', t('pl.image')], ['video', t('pl.video')], ['pdf', 'PDF']], e.type || 'image', { 'aria-label': t('pl.mediaType') });
    const dur = h('input', { name: 'duration_s', type: 'number', min: 1, max: 3600, value: String(e.duration_s || 15), class: 'num', 'aria-label': t('pl.duration') });
    for (const x of [itemSel, catSel, mtype]) x.removeAttribute('id');
    const what = h('td', { class: 'what' });
    const show = () => replace(what, kindSel.value === 'item' ? itemSel : kindSel.value === 'category' ? catSel : h('div', { class: 'inline' }, media, mtype));
    kindSel.addEventListener('change', show);
    show();
    // Reordered by dragging the handle, or with the ↑ ↓ buttons (keyboard).
    const move = (btn, up) => {
      const other = up ? tr.previousElementSibling : tr.nextElementSibling;
      if (!other) return;
      if (up) other.before(tr);
      else other.after(tr);
      btn.focus();
      renumber();
    };
    // The row is draggable only from its handle, so text in its inputs
    // can still be selected with the mouse.
    const grip = h('td', { class: 'drag' }, h('span', { class: 'handle', title: t('pl.drag'), 'aria-hidden': 'true' }, '⠿'), h('span', { class: 'pos' }));
    grip.addEventListener('pointerdown', () => (tr.draggable = true));
    grip.addEventListener('pointerup', () => (tr.draggable = false));
    const tr = h(
      'tr',
      { class: 'entry-row' },
      grip,
      h('td', null, kindSel),
      what,
      h('td', null, dur),
      h(
        'td',
        null,
        h(
          'div',
          { class: 'row-actions' },
          button('↑', (e) => move(e.currentTarget, true), { 'aria-label': t('pl.up'), cls: 'button small ghost move', dataset: { move: 'up' } }),
          button('↓', (e) => move(e.currentTarget, false), { 'aria-label': t('pl.down'), cls: 'button small ghost move', dataset: { move: 'down' } }),
          button('✕', () => {
            tr.remove();
            renumber();
          }, { 'aria-label': t('ui.remove'), cls: 'button small ghost move' }),
        ),
      ),
    );
    tr.addEventListener('dragstart', (e) => {
      // Only from the row itself, not while selecting text in its inputs.
      if (e.target !== tr) return;
      dragged = tr;
      tr.classList.add('dragging');
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', String(tr.sectionRowIndex));
    });
    tr.addEventListener('dragend', () => {
      tr.draggable = false;
      tr.classList.remove('dragging');
      dragged = null;
      renumber();
    });
    tr.addEventListener('dragover', (e) => {
      if (!dragged || dragged === tr) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      const r = tr.getBoundingClientRect();
      if (e.clientY < r.top + r.height / 2) tr.before(dragged);
      else tr.after(dragged);
    });
    tr.addEventListener('drop', (e) => {
      e.preventDefault();
      renumber();
    });
    tr.entry = () => {
      const k = kindSel.value;
      const out = {};
      if (k === 'item') out.item_id = itemSel.value;
      else if (k === 'category') out.category = catSel.value;
      else {
        out.media_url = media.value.trim();
        out.type = mtype.value;
      }
      out.duration_s = Number(dur.value);
      return out;
    };
    body.append(tr);
    renumber();
    return tr;
  };
  for (const e of p.entries || []) addRow(e);
  if (!body.rows.length) addRow();
  const form = h(
    'form',
    { id: 'playlist-form', class: 'card', novalidate: true },
    h('div', { class: 'form-grid' }, idField('playlist', p.id, isNew), field(t('pl.name'), input('playlist-name', 'name', { value: p.name || '', required: true, maxlength: 80 }))),
    h('div', { class: 'table-wrap' }, h('table', { class: 'grid' }, h('thead', null, h('tr', null, h('th', null, h('span', { class: 'visually-hidden' }, t('pl.order'))), h('th', null, t('pl.kind')), h('th', null, t('pl.what')), h('th', null, t('pl.duration')), h('th', null, h('span', { class: 'visually-hidden' }, t('ui.actions'))))), body)),
    button(t('pl.addEntry'), () => addRow().querySelector('select').focus(), { id: 'playlist-add' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', id: 'playlist-save' }, t('ui.save')), h('a', { href: '#playlists', class: 'button' }, t('ui.cancel'))),
  );
  // Errors name entries[i].x; tag each row's controls accordingly before saving.
  const tag = () =>
    [...body.rows].forEach((tr, i) => {
      for (const c of tr.querySelectorAll('select, input')) c.dataset.field = `entries[${i}].${c.name === 'kind' ? 'item_id' : c.name}`;
    });
  onSubmit(form, async (f) => {
    tag();
    const pid = f.elements.id.value.trim();
    if (!new RegExp(`^${keyPattern}$`).test(pid)) throw { field: 'id', message: t('pl.idHint') };
    await app.api.put(`/playlists/${seg(pid)}`, { name: f.elements.name.value.trim(), entries: [...body.rows].map((tr) => tr.entry()) });
    app.toast(t('ui.saved'));
    location.hash = 'playlists';
  });
  return [heading(1, isNew ? t('pl.new') : `${t('pl.title')}: ${p.name || p.id}`), form];
}

function scheduleList(app, ctx) {
  const plName = (id) => ctx.playlists.find((p) => p.id === id)?.name || id;
  const rows = ctx.schedules.map((s) => [
    h('a', { href: `#playlists/schedule/${seg(s.id)}` }, h('code', null, s.id)),
    plName(s.playlist_id),
    describeTarget(s.target, ctx),
    [s.days?.length ? s.days.map((d) => t(`day.${d}`)).join(' ') : t('sch.everyDay'), s.day_type ? t(`sch.dayType.${s.day_type}`) : ''].filter(Boolean).join(' · '),
    s.start || s.end ? `${s.start || '00:00'}–${s.end || '24:00'}` : t('sch.allDay'),
    [s.from, s.until].some(Boolean) ? `${s.from || '…'} ~ ${s.until || '…'}` : '',
    String(s.priority ?? 0),
    h('div', { class: 'row-actions' }, h('a', { class: 'button small', href: `#playlists/schedule/${seg(s.id)}` }, t('ui.edit')), button(t('ui.delete'), del(app, `/schedules/${seg(s.id)}`, s.id), { cls: 'button small danger' })),
  ]);
  return h(
    'section',
    null,
    heading(2, t('sch.title'), h('a', { class: 'button primary small', href: '#playlists/schedule/new', id: 'schedule-new' }, t('sch.new'))),
    table(['ID', t('sch.playlist'), t('target.title'), t('sch.days'), t('sch.window'), t('sch.dates'), t('sch.priority'), t('ui.actions')], rows, { id: 'schedules-table' }),
  );
}

function scheduleEditor(app, ctx, id) {
  const isNew = id === 'new';
  // A new schedule starts with office hours, filled in, not as a hint.
  const s = isNew ? { id: '', target: {}, days: [], start: '08:30', end: '17:30', day_type: 'workdays', priority: 0 } : ctx.schedules.find((x) => x.id === id);
  if (!s) return notice(t('ui.notFound'), 'error');
  const target = targetEditor('sch', s.target, ctx);
  const dayBoxes = h('div', { class: 'checks', dataset: { field: 'days' } }, days.map((d) => checkbox(`sch-day-${d}`, 'day', t(`day.${d}`), (s.days || []).includes(d), { value: String(d) })));
  const allDay = !s.start && !s.end;
  const allDayBox = checkbox('schedule-all-day', 'all_day', t('sch.allDay'), allDay);
  const times = [
    input('schedule-start', 'start', { type: 'time', value: s.start || '08:30', step: 60, disabled: allDay }),
    input('schedule-end', 'end', { type: 'time', value: s.end === '24:00' ? '00:00' : s.end || '17:30', step: 60, disabled: allDay }),
  ];
  allDayBox.querySelector('input').addEventListener('change', (e) => {
    for (const i of times) i.disabled = e.currentTarget.checked;
  });
  const form = h(
    'form',
    { id: 'schedule-form', class: 'card', novalidate: true },
    h(
      'div',
      { class: 'form-grid' },
      idField('schedule', s.id, isNew),
      field(t('sch.playlist'), select('schedule-playlist', 'playlist_id', [['', t('ui.choose')], ...ctx.playlists.map((p) => [p.id, p.name || p.id])], s.playlist_id, { required: true })),
      h('div', { class: 'field wide' }, h('span', { class: 'label' }, t('sch.days')), dayBoxes, h('small', { class: 'hint' }, t('sch.daysHint'))),
      field(t('sch.dayType'), select('schedule-day-type', 'day_type', [['', t('sch.dayType.any')], ['workdays', t('sch.dayType.workdays')], ['restdays', t('sch.dayType.restdays')]], s.day_type || ''), { hint: t('sch.dayTypeHint') }),
      h('div', { class: 'field' }, h('span', { class: 'label' }, t('sch.window')), allDayBox),
      field(t('sch.start'), times[0], { hint: t('sch.timeHint') }),
      field(t('sch.end'), times[1]),
      field(t('sch.from'), input('schedule-from', 'from', { type: 'date', value: s.from || '' })),
      field(t('sch.until'), input('schedule-until', 'until', { type: 'date', value: s.until || '' })),
      field(t('sch.priority'), input('schedule-priority', 'priority', { type: 'number', value: String(s.priority ?? 0), step: 1 }), { hint: t('sch.priorityHint') }),
    ),
    target.el,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', id: 'schedule-save' }, t('ui.save')), h('a', { href: '#playlists', class: 'button' }, t('ui.cancel'))),
  );
  onSubmit(form, async (f) => {
    const sid = f.elements.id.value.trim();
    if (!new RegExp(`^${keyPattern}$`).test(sid)) throw { field: 'id', message: t('pl.idHint') };
    const body = {
      playlist_id: f.elements.playlist_id.value,
      target: target.value(),
      days: [...dayBoxes.querySelectorAll('input:checked')].map((i) => Number(i.value)),
      start: f.elements.all_day.checked ? '' : f.elements.start.value,
      end: f.elements.all_day.checked ? '' : f.elements.end.value,
      day_type: f.elements.day_type.value,
      priority: Number(f.elements.priority.value) || 0,
    };
    if (f.elements.from.value) body.from = f.elements.from.value;
    if (f.elements.until.value) body.until = f.elements.until.value;
    await app.api.put(`/schedules/${seg(sid)}`, body);
    app.toast(t('ui.saved'));
    location.hash = 'playlists';
  });
  return [heading(1, isNew ? t('sch.new') : `${t('sch.title')}: ${s.id}`), form];
}

function interruptPanel(app, ctx) {
  const rows = ctx.interrupts.map((i) => ({
    cls: i.level === 'urgent' ? 'urgent' : '',
    cells: [
      h('span', { class: `tag level-${i.level}` }, t(`ir.level.${i.level}`)),
      i.text || (i.item_id ? `${t('ir.item')} ${i.item_id}` : ''),
      describeTarget(i.target, ctx),
      formatTime(i.until),
      i.created_by || '',
      button(t('ir.clear'), del(app, `/interrupts/${seg(i.id)}`, i.text || i.id), { cls: 'button small danger' }),
    ],
  }));
  const target = targetEditor('ir', {}, ctx);
  const form = h(
    'form',
    { id: 'interrupt-form', class: 'card', novalidate: true },
    h('h3', null, t('ir.new')),
    h(
      'div',
      { class: 'form-grid' },
      field(t('ir.level'), select('interrupt-level', 'level', [['info', t('ir.level.info')], ['urgent', t('ir.level.urgent')]], 'info')),
      field(t('ir.until'), input('interrupt-until', 'until', { type: 'datetime-local', value: dateTimeLocalIn(1), required: true }), { hint: t('ir.untilHint') }),
      field(t('ir.text'), h('textarea', { id: 'interrupt-text', name: 'text', rows: 2, maxlength: 500, required: true, dataset: { field: 'text' } }), { wide: true }),
    ),
    target.el,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', id: 'interrupt-submit' }, t('ir.send'))),
  );
  onSubmit(form, async (f) => {
    const until = fromDateTimeLocal(f.elements.until.value);
    if (!until) throw { field: 'until', message: t('ir.needUntil') };
    if (!f.elements.text.value.trim()) throw { field: 'text', message: t('ir.needText') };
    await app.api.post('/interrupts', { target: target.value(), level: f.elements.level.value, text: f.elements.text.value.trim(), until });
    app.toast(t('ir.sent'));
    app.refresh();
  });
  return h(
    'section',
    null,
    heading(2, t('ir.title')),
    table([t('ir.level'), t('ir.text'), t('target.title'), t('ir.until'), t('ir.by'), t('ui.actions')], rows, { id: 'interrupts-table', empty: t('ir.none') }),
    form,
  );
}
