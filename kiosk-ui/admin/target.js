// The screen target editor used by schedules and interrupts: kinds, halls,
// groups and single screens; every non-empty list must match, and an empty
// target means every screen.

import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { checkbox, field, words } from './ui.js';

/**
 * The editor for a target {screens, groups, halls, kinds}. ctx: {halls,
 * screens} from the API. prefix names the controls' ids.
 */
export function targetEditor(prefix, target = {}, ctx = {}) {
  const kinds = h(
    'div',
    { class: 'checks', dataset: { field: 'target.kinds' } },
    ['led', 'kiosk'].map((k) => checkbox(`${prefix}-kind-${k}`, 'kind', t(`kind.${k}`), (target.kinds || []).includes(k), { value: k })),
  );
  const halls = h(
    'div',
    { class: 'checks', dataset: { field: 'target.halls' } },
    (ctx.halls || []).map((hl) => checkbox(`${prefix}-hall-${hl.id}`, 'hall', hl.name, (target.halls || []).includes(hl.id), { value: hl.id })),
  );
  const groups = h('input', { id: `${prefix}-groups`, value: (target.groups || []).join(', '), dataset: { field: 'target.groups' }, list: `${prefix}-group-list` });
  const known = [...new Set((ctx.screens || []).flatMap((s) => s.groups || []))];
  const screens = h('select', { id: `${prefix}-screens`, multiple: true, size: Math.min(6, Math.max(2, (ctx.screens || []).length)), dataset: { field: 'target.screens' } });
  for (const s of ctx.screens || []) screens.append(h('option', { value: s.id, selected: (target.screens || []).includes(s.id) }, `${s.name} (${t(`kind.${s.kind}`)})`));
  const el = h(
    'fieldset',
    { class: 'target' },
    h('legend', null, t('target.title')),
    h('p', { class: 'hint' }, t('target.hint')),
    h('div', { class: 'field' }, h('span', { class: 'label' }, t('target.kinds')), kinds),
    (ctx.halls || []).length > 0 && h('div', { class: 'field' }, h('span', { class: 'label' }, t('target.halls')), halls),
    field(t('target.groups'), groups, { hint: t('target.groupsHint') }),
    h('datalist', { id: `${prefix}-group-list` }, known.map((g) => h('option', { value: g }))),
    (ctx.screens || []).length > 0 && field(t('target.screens'), screens, { hint: t('target.screensHint') }),
  );
  return {
    el,
    value() {
      const out = {};
      const k = [...kinds.querySelectorAll('input:checked')].map((i) => i.value);
      const hs = [...halls.querySelectorAll('input:checked')].map((i) => i.value);
      const g = words(groups.value);
      const s = [...screens.selectedOptions].map((o) => o.value);
      if (s.length) out.screens = s;
      if (g.length) out.groups = g;
      if (hs.length) out.halls = hs;
      if (k.length) out.kinds = k;
      return out;
    },
  };
}

/** A target in words: "LED · 大厅 · 分组 main" or "全部屏幕". */
export function describeTarget(target = {}, ctx = {}) {
  const parts = [];
  if (target.kinds?.length) parts.push(target.kinds.map((k) => t(`kind.${k}`)).join('/'));
  if (target.halls?.length) parts.push(target.halls.map((id) => (ctx.halls || []).find((x) => x.id === id)?.name || id).join('/'));
  if (target.groups?.length) parts.push(`${t('target.groups')} ${target.groups.join('/')}`);
  if (target.screens?.length) parts.push(target.screens.map((id) => (ctx.screens || []).find((x) => x.id === id)?.name || id).join('/'));
  return parts.length ? parts.join(' · ') : t('target.all');
}
