// 存档: the archive entries (every published revision, withdrawal and
// expiry), the signed checkpoint, a full verification, and the audit log.

import { h, replace } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { query, seg } from './api.js';
import { field, input, onSubmit, table, button, heading, notice, busy } from './ui.js';
import { formatTime } from './times.js';
import { shortHash } from '../shared/format.js';

export const archive = {
  key: 'archive',
  label: 'nav.archive',
  visible: (app) => app.can('auditor'),
  render,
};

const pageSize = 100;
const audit = { actor: '', action: '', from: '', to: '' };
let from = -1; // first entry shown; -1: the newest page

async function render(app, el) {
  const cp = await app.api.get('/archive/checkpoint').catch((err) => `(${err.message})`);
  let page = await app.api.get(`/archive${query({ from: Math.max(0, from), limit: pageSize })}`);
  if (from < 0 && page.size > pageSize) page = await app.api.get(`/archive${query({ from: page.size - pageSize, limit: pageSize })}`);
  const first = page.entries?.[0]?.index ?? 0;
  const result = h('div', { id: 'verify-result', 'aria-live': 'polite' });
  const verify = button(t('ar.verify'), async (e) => {
    try {
      const r = await busy(e.currentTarget, () => app.api.get('/archive/verify'));
      replace(
        result,
        r.ok
          ? h('p', { class: 'notice ok', dataset: { ok: 'true' } }, t('ar.ok', { n: r.entries, cps: r.checked_checkpoints ?? 0 }), ' ', h('code', null, r.root))
          : h('p', { class: 'notice error', dataset: { ok: 'false' } }, t('ar.bad'), ' ', r.problem || '', r.bad_index >= 0 ? ` (#${r.bad_index})` : ''),
      );
    } catch (err) {
      replace(result, notice(err.message, 'error'));
    }
  }, { id: 'archive-verify', cls: 'button primary' });
  const rows = [...(page.entries || [])].reverse().map((e) => [
    String(e.index),
    h('span', { class: `tag kind-${e.kind}` }, t(`archive.kind.${e.kind}`)),
    h('a', { href: `/p/${seg(e.item_id)}?rev=${e.revision}`, target: '_blank', rel: 'noopener' }, e.title || h('code', null, e.item_id)),
    String(e.revision),
    formatTime(e.at),
    h('code', { title: e.leaf_hash || '' }, e.leaf_hash ? shortHash(e.leaf_hash, 6) : ''),
  ]);
  const nav = h(
    'div',
    { class: 'pager' },
    button(t('ar.older'), () => ((from = Math.max(0, first - pageSize)), app.refresh()), { disabled: first === 0 }),
    h('span', null, t('ar.range', { a: first, b: first + (page.entries || []).length - 1, n: page.size })),
    button(t('ar.newer'), () => ((from = first + pageSize >= page.size - pageSize ? -1 : first + pageSize), app.refresh()), { disabled: first + pageSize >= page.size }),
  );
  const parts = [
    heading(1, t('nav.archive')),
    h('section', { class: 'card' }, h('h2', null, t('ar.checkpoint')), h('pre', { id: 'checkpoint', class: 'mono' }, String(cp)), app.can('auditor') && verify, result),
    h('section', null, h('h2', null, t('ar.entries')), nav, table(['#', t('ar.kind'), t('items.title'), t('ar.revision'), t('ar.at'), t('ar.leaf')], rows, { id: 'archive-table' })),
  ];
  if (app.can('auditor')) parts.push(await auditPanel(app));
  replace(el, parts);
}

async function auditPanel(app) {
  const data = await app.api.get(`/audit${query({ ...audit, limit: 200 })}`);
  const form = h(
    'form',
    { id: 'audit-form', class: 'inline-form', novalidate: true },
    field(t('au.actor'), input('audit-actor', 'actor', { value: audit.actor })),
    field(t('au.action'), input('audit-action', 'action', { value: audit.action })),
    field(t('au.from'), input('audit-from', 'from', { type: 'date', value: audit.from })),
    field(t('au.to'), input('audit-to', 'to', { type: 'date', value: audit.to })),
    h('button', { type: 'submit', class: 'button' }, t('ui.search')),
  );
  onSubmit(form, async (f) => {
    for (const k of Object.keys(audit)) audit[k] = f.elements[k].value.trim();
    await app.refresh();
  });
  const rows = (data.entries || []).map((e) => [formatTime(e.at), e.actor, h('span', { title: e.action, dataset: { action: e.action } }, actionName(e.action)), e.target ? h('code', null, e.target) : '', e.detail || '', e.remote_ip || '']);
  return h('section', null, h('h2', null, t('au.title')), form, table([t('ar.at'), t('au.actor'), t('au.action'), t('au.target'), t('au.detail'), 'IP'], rows, { id: 'audit-table' }));
}

/** A readable name for an audit action: "item.publish" → 发布信息 (the action itself when unknown). */
function actionName(action) {
  const k = `action.${action}`;
  const s = t(k);
  return s === k ? action : s;
}
