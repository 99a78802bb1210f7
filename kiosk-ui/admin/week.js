// 周计划: for a screen or a group, a 7-day × 24-hour grid of which
// playlist plays at the start of each hour, as the server's resolver says
// (GET /screens/{id}/week). A group shows what its screens play; an hour
// where they differ lists each playlist.
//
// Test hooks: #week-form, #week-target, #week-from, #week-show, #week-grid
// with td[data-day][data-hour][data-playlist][data-schedule].

import { h, replace } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { seg, query } from './api.js';
import { field, select, input, onSubmit, notice } from './ui.js';

// A group's week is read from at most this many of its screens.
const groupScreens = 20;

/** Today as YYYY-MM-DD on this computer's calendar. */
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The week panel; ctx has screens and playlists. */
export function weekPanel(app, ctx) {
  const groups = [...new Set(ctx.screens.flatMap((s) => s.groups || []))].sort();
  const targetSel = select('week-target', 'target', [], '', { required: true });
  targetSel.append(
    h('optgroup', { label: t('week.screens') }, ctx.screens.map((s) => h('option', { value: `s:${s.id}` }, s.name))),
    groups.length ? h('optgroup', { label: t('week.groups') }, groups.map((g) => h('option', { value: `g:${g}` }, g))) : null,
  );
  const from = input('week-from', 'from', { type: 'date', value: today(), required: true });
  const out = h('div', { id: 'week-out', 'aria-live': 'polite' });
  const form = h(
    'form',
    { id: 'week-form', class: 'card', novalidate: true },
    h('p', { class: 'hint' }, t('week.hint')),
    h('div', { class: 'inline-form' }, field(t('week.target'), targetSel), field(t('week.from'), from), h('button', { type: 'submit', class: 'button primary', id: 'week-show' }, t('week.show'))),
    out,
  );
  const plName = (id) => ctx.playlists.find((p) => p.id === id)?.name || id;
  onSubmit(form, async () => {
    const [kind, key] = [targetSel.value.slice(0, 2), targetSel.value.slice(2)];
    if (!key) throw { field: 'target', message: t('week.needTarget') };
    const ids = kind === 's:' ? [key] : ctx.screens.filter((s) => (s.groups || []).includes(key)).slice(0, groupScreens).map((s) => s.id);
    const q = query({ from: from.value });
    const weeks = await Promise.all(ids.map((id) => app.api.get(`/screens/${seg(id)}/week${q}`)));
    if (!weeks.length) return replace(out, notice(t('week.noScreens')));
    replace(out, grid(weeks, plName));
  });
  return h('section', { id: 'week' }, h('h2', null, t('week.title')), form);
}

/** The grid: hours down, days across; each cell names what plays. */
function grid(weeks, plName) {
  const first = weeks[0];
  const colors = new Map();
  const colorOf = (id) => {
    if (!colors.has(id)) colors.set(id, colors.size % 8);
    return colors.get(id);
  };
  const days = [...Array(7).keys()].map((d) => first.hours[d * 24].at);
  const weekday = new Intl.DateTimeFormat(t('week.locale'), { weekday: 'short', month: 'numeric', day: 'numeric', timeZone: first.tz });
  const head = h('tr', null, h('th', { scope: 'col' }, t('week.hour')), days.map((at) => h('th', { scope: 'col' }, weekday.format(new Date(at)))));
  const body = h('tbody');
  for (let hr = 0; hr < 24; hr++) {
    const row = h('tr', null, h('th', { scope: 'row' }, `${String(hr).padStart(2, '0')}:00`));
    for (let d = 0; d < 7; d++) {
      const cells = weeks.map((w) => w.hours[d * 24 + hr]);
      const pls = [...new Set(cells.map((c) => c.playlist_id))];
      const scheds = [...new Set(cells.map((c) => c.schedule_id))];
      const pl = pls.length === 1 ? pls[0] : '';
      const label = pls.filter(Boolean).map(plName).join(' / ');
      row.append(
        h(
          'td',
          {
            class: pls.length > 1 ? 'mixed' : pl ? `pl-${colorOf(pl)}` : 'gap',
            title: [label || t('week.gap'), scheds.filter(Boolean).join(', ')].filter(Boolean).join(' · '),
            dataset: { day: String(d), hour: String(hr), playlist: pls.join(' '), schedule: scheds.join(' ') },
          },
          label || '—',
        ),
      );
    }
    body.append(row);
  }
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', { class: 'grid week-grid', id: 'week-grid' }, h('caption', null, t('week.caption', { from: first.from, tz: first.tz })), h('thead', null, head), body),
  );
}
