// 信息公开: the list of disclosures, the draft editor with its finance table,
// the review workflow (submit, approve, publish, withdraw), the privacy check
// and the revision history.

import { h, replace, safeURL } from '../shared/dom.js';
import { t, localized } from '../shared/i18n.js';
import { query, seg } from './api.js';
import { field, input, textarea, select, checkbox, onSubmit, showError, table, button, heading, notice, ask, busy } from './ui.js';
import { yuanToFen, fenToYuan } from './money.js';
import { formatTime, toDateInput } from './times.js';
import { buildDiff } from '../shared/diff.js';
import { describe } from './errors.js';
import { livePreview } from './preview.js';

const statuses = ['draft', 'submitted', 'approved', 'published', 'withdrawn'];
const stages = ['before', 'during', 'after'];
const cadences = ['once', 'monthly', 'quarterly', 'annual'];
const pollMs = 5000;

export const items = {
  key: 'items',
  label: 'nav.items',
  visible: () => true,
  render(app, el, [id]) {
    return id ? editor(app, el, id) : list(app, el);
  },
};

/** {key → localized name} lookups for categories and departments. */
async function catalog(app) {
  const [c, d] = await Promise.all([app.load('/categories'), app.load('/departments')]);
  const name = (xs) => (key) => {
    const x = xs.find((v) => v.key === key);
    return x ? localized(x.name) : key;
  };
  return { categories: c.categories || [], departments: d.departments || [], cat: name(c.categories || []), dept: name(d.departments || []) };
}

const filter = { status: '', q: '' };

async function list(app, el) {
  const [data, cat] = await Promise.all([app.api.get(`/items${query(filter)}`), catalog(app)]);
  const chips = h(
    'div',
    { class: 'chips', role: 'group', 'aria-label': t('items.status') },
    ['', ...statuses].map((s) =>
      h(
        'button',
        {
          type: 'button',
          class: 'chip',
          'aria-pressed': String(filter.status === s),
          dataset: { status: s || 'all' },
          onclick: () => {
            filter.status = s;
            app.refresh();
          },
        },
        s ? t(`status.${s}`) : t('ui.all'),
      ),
    ),
  );
  const q = h('input', { type: 'search', id: 'items-q', name: 'q', value: filter.q, placeholder: t('items.search'), 'aria-label': t('items.search') });
  const search = h('form', { class: 'search', role: 'search' }, q, h('button', { type: 'submit', class: 'button small' }, t('ui.search')));
  search.addEventListener('submit', (e) => {
    e.preventDefault();
    filter.q = q.value.trim();
    app.refresh();
  });
  const rows = (data.items || []).map((it) => ({
    dataset: { id: it.id },
    cells: [
      h('a', { href: `#items/${seg(it.id)}` }, it.title || t('items.untitled')),
      cat.cat(it.category),
      cat.dept(it.department),
      h('span', { class: `status s-${it.status}` }, t(`status.${it.status}`)),
      it.public ? h('a', { href: `/p/${seg(it.id)}`, target: '_blank', rel: 'noopener' }, t('items.revN', { n: it.public.revision })) : '—',
      formatTime(it.updated_at),
      it.next_due ? formatTime(it.next_due).slice(0, 10) : '',
    ],
  }));
  replace(
    el,
    heading(1, t('nav.items'), app.can('editor') && h('a', { class: 'button primary', href: '#items/new', id: 'item-new' }, t('items.new'))),
    h('div', { class: 'toolbar' }, chips, search),
    table([t('items.title'), t('items.category'), t('items.department'), t('items.status'), t('items.public'), t('items.updated'), t('items.nextDue')], rows, { id: 'items-table' }),
  );
}

async function editor(app, el, id) {
  const isNew = id === 'new';
  const [cat, mattersData, itemData, hallsData] = await Promise.all([
    catalog(app),
    app.api.get('/matters').catch(() => ({ matters: [] })),
    isNew ? null : app.api.get(`/items/${seg(id)}`),
    app.load('/halls').catch(() => ({ halls: [] })),
  ]);
  // Whose board: the township's (every board shows it) or one hall's.
  const boards = (hallsData.halls || []).filter((x) => x.kind === 'village' || x.kind === 'community' || (hallsData.halls || []).some((y) => y.parent === x.id));
  const item = isNew ? { status: 'draft', version: 0, assets: [] } : itemData.item;
  const editable = app.can('editor') && (isNew || app.user.role === 'admin' || !(app.user.departments || []).length || app.user.departments.includes(item.department));
  let dirty = false;

  // Departments an editor may use.
  const mine = app.user.role === 'editor' && (app.user.departments || []).length ? cat.departments.filter((d) => app.user.departments.includes(d.key)) : cat.departments;
  const matterSel = select('item-matter', 'matter_id', [['', t('items.noMatter')], ...(mattersData.matters || []).map((m) => [m.id, m.title])], item.matter_id);
  const newMatter = button(t('items.newMatter'), async () => {
    const v = await ask({ title: t('items.newMatter'), fields: [{ name: 'title', label: t('items.matterTitle'), required: true, max: 120 }] });
    if (!v) return;
    try {
      const r = await app.api.post('/matters', { title: v.title });
      matterSel.append(h('option', { value: r.matter.id, selected: true }, r.matter.title));
      matterSel.value = r.matter.id;
      dirty = true;
    } catch (err) {
      app.toast(err.message, 'error');
    }
  }, { id: 'item-matter-new' });

  const fin = financeEditor(app, item, () => (dirty = true));
  const assets = assetsEditor(app, item.assets || [], () => (dirty = true));

  const fs = h(
    'fieldset',
    { class: 'form-grid', disabled: !editable },
    h('legend', { class: 'visually-hidden' }, t('items.content')),
    field(t('items.category'), select('item-category', 'category', [['', t('ui.choose')], ...cat.categories.map((c) => [c.key, localized(c.name)])], item.category, { required: true })),
    field(t('items.department'), select('item-department', 'department', [['', t('ui.choose')], ...mine.map((d) => [d.key, localized(d.name)])], item.department, { required: true })),
    boards.length ? field(t('items.board'), select('item-hall', 'hall', [['', t('items.boardTownship')], ...boards.map((x) => [x.id, x.name])], item.hall || ''), { hint: t('items.boardHint') }) : null,
    field(t('items.title'), input('item-title', 'title', { value: item.title || '', required: true, maxlength: 120 }), { wide: true }),
    field(t('items.summary'), textarea('item-summary', 'summary', { rows: 2, maxlength: 500, value: item.summary || '' }), { wide: true }),
    field(t('items.body'), textarea('item-body', 'body', { rows: 12, class: 'mono', value: item.body || '' }), { wide: true, hint: t('items.bodyHint') }),
    field(t('items.stage'), select('item-stage', 'stage', [['', t('items.noStage')], ...stages.map((s) => [s, t(`stage.${s}`)])], item.stage)),
    h('div', { class: 'field' }, h('label', { for: 'item-matter' }, t('items.matter')), h('div', { class: 'inline' }, matterSel, newMatter)),
    field(t('items.cadence'), select('item-cadence', 'cadence', [['', t('items.cadenceDefault')], ...cadences.map((c) => [c, t(`cadence.${c}`)])], item.cadence)),
    h('div', { class: 'field' }),
    field(t('items.validFrom'), input('item-valid-from', 'valid_from', { type: 'date', value: toDateInput(item.valid_from) })),
    field(t('items.validUntil'), input('item-valid-until', 'valid_until', { type: 'date', value: toDateInput(item.valid_until) })),
    h('div', { class: 'field wide' }, h('span', { class: 'label' }, t('items.assets')), assets.el),
    h('div', { class: 'field wide' }, fin.el),
  );
  const save = h('button', { type: 'submit', class: 'button primary', id: 'item-save', disabled: !editable }, isNew ? t('items.create') : t('ui.save'));
  const form = h('form', { id: 'item-form', class: 'item-form', novalidate: true }, fs, h('div', { class: 'actions' }, save, !isNew && item.status !== 'draft' && editable && h('span', { class: 'hint' }, t('items.editResets'))));
  form.addEventListener('input', () => (dirty = true));
  form.addEventListener('change', () => (dirty = true));
  onSubmit(form, async () => {
    const body = collect(form, fin, assets, item);
    await store(body);
  });
  const store = async (body) => {
    if (isNew) {
      const r = await app.api.post('/items', body);
      app.toast(t('items.created'));
      dirty = false;
      location.hash = `items/${seg(r.item.id)}`;
    } else {
      await app.api.put(`/items/${seg(item.id)}`, body);
      dirty = false;
      app.toast(t('items.saved'));
      app.refresh();
    }
  };

  // Someone else may publish, approve or send back the item while it is
  // open: poll its version and show the new state (or, with unsaved
  // edits, say so instead of overwriting them).
  const changed = h('div', { id: 'item-changed', 'aria-live': 'polite' });
  if (!isNew) {
    let warned = false;
    const timer = setInterval(async () => {
      if (document.querySelector('dialog[open]')) return;
      try {
        const r = await app.api.get(`/items/${seg(item.id)}`);
        if (r.item.version === item.version) return;
        if (!dirty) {
          clearInterval(timer);
          app.refresh();
        } else if (!warned) {
          warned = true;
          replace(changed, h('p', { class: 'notice warn' }, t('items.changedElsewhere'), ' ', button(t('items.reload'), () => app.refresh(), { id: 'item-reload' })));
        }
      } catch {
        /* keep what is shown */
      }
    }, pollMs);
    app.onLeave(() => clearInterval(timer));
  }

  const side = isNew ? null : workflow(app, item, () => dirty, form);
  replace(
    el,
    heading(1, isNew ? t('items.new') : item.title || t('items.untitled'), h('a', { href: '#items', class: 'button small' }, t('items.back'))),
    !isNew &&
      h(
        'p',
        { class: 'meta', dataset: { version: item.version } },
        h('span', { class: `status s-${item.status}`, id: 'item-status', dataset: { status: item.status } }, t(`status.${item.status}`)),
        ` · ${item.public ? t('items.pubVersion', { n: item.public.revision }) : t('items.notPublished')} · ${t('items.updatedBy', { who: item.updated_by || '', at: formatTime(item.updated_at) })}`,
      ),
    changed,
    item.returned &&
      h('div', { class: 'notice warn returned', id: 'item-returned', role: 'note' }, h('strong', null, t('wf.returned', { who: item.returned.by, at: formatTime(item.returned.at) })), h('p', { class: 'comment' }, item.returned.comment)),
    !editable && notice(t('items.readOnly')),
    h('div', { class: isNew ? 'editor' : 'editor with-side' }, form, side),
    livePreview(app, form, () => collect(form, fin, assets, item), item, { category: cat.cat, department: cat.dept }),
  );
}

/** The request body from the form; throws a field error for bad amounts. */
function collect(form, fin, assets, item) {
  const v = (name) => form.elements[name].value;
  const body = {
    category: v('category'),
    department: v('department'),
    title: v('title').trim(),
    summary: v('summary').trim(),
    body: v('body'),
  };
  for (const k of ['stage', 'matter_id', 'cadence', 'valid_from', 'valid_until']) if (v(k)) body[k] = v(k);
  if (form.elements.hall && v('hall')) body.hall = v('hall');
  const a = assets.value();
  if (a.length) body.assets = a;
  const f = fin.value();
  if (f) body.finance = f;
  if (item.id) body.version = item.version;
  return body;
}

/** The finance table editor: rows of code, name, parent, amount and budget
 * in yuan; a table can be read from the spreadsheet the clerk already has
 * (shown here with its totals check, saved only with the draft) and
 * downloaded again as a workbook. */
function financeEditor(app, item, changed) {
  const finance = item.finance;
  const on = checkbox('item-finance-on', 'finance_on', t('fin.include'), !!finance);
  const unit = select('finance-unit', 'finance_unit', [['yuan', t('unit.yuan')], ['wan', t('unit.wan')]], finance?.unit || 'yuan', { field: 'finance.unit' });
  const body = h('tbody', { id: 'finance-rows' });
  const codes = h('datalist', { id: 'finance-codes' });
  const check = h('p', { class: 'hint', id: 'finance-check', role: 'status' });
  const addRow = (l = {}) => {
    const cell = (name, value, props = {}) => h('td', null, h('input', { name: `fin_${name}`, value: value ?? '', 'aria-label': t(`fin.${name}`), ...props }));
    const tr = h(
      'tr',
      null,
      cell('code', l.code, { maxlength: 40, class: 'code' }),
      cell('name', l.name, { maxlength: 120 }),
      cell('parent', l.parent, { list: 'finance-codes', class: 'code' }),
      cell('amount', l.amount != null ? fenToYuan(l.amount) : '', { inputmode: 'decimal', class: 'num' }),
      cell('budget', l.budget != null ? fenToYuan(l.budget) : '', { inputmode: 'decimal', class: 'num' }),
      h('td', null, button('✕', () => {
        tr.remove();
        renumber();
      }, { 'aria-label': t('fin.remove'), cls: 'button small ghost' })),
    );
    body.append(tr);
    renumber();
    return tr;
  };
  // data-field names follow the row order, so server errors land on the right input.
  const renumber = () => {
    [...body.rows].forEach((tr, i) => {
      for (const inp of tr.querySelectorAll('input')) inp.dataset.field = `finance.lines[${i}].${inp.name.slice(4)}`;
    });
    codes.replaceChildren(...[...body.rows].map((tr) => h('option', { value: tr.querySelector('[name="fin_code"]').value })));
    sums();
  };
  // Shows totals that differ from the sum of their lines (the server refuses them).
  const sums = () => {
    const rows = [...body.rows].map((tr) => ({ tr, code: tr.querySelector('[name="fin_code"]').value.trim(), parent: tr.querySelector('[name="fin_parent"]').value.trim(), amount: yuanToFen(tr.querySelector('[name="fin_amount"]').value) }));
    const bad = [];
    for (const r of rows) {
      r.tr.classList.remove('mismatch');
      const kids = rows.filter((k) => k.parent && k.parent === r.code);
      if (!r.code || !kids.length || r.amount == null || kids.some((k) => k.amount == null)) continue;
      const sum = kids.reduce((s, k) => s + k.amount, 0);
      if (sum !== r.amount) {
        r.tr.classList.add('mismatch');
        bad.push(t('fin.mismatch', { code: r.code, sum: fenToYuan(sum) }));
      }
    }
    check.textContent = bad.join('；');
  };
  body.addEventListener('input', (e) => (e.target.name === 'fin_code' ? renumber() : sums()));
  for (const l of finance?.lines || []) addRow(l);
  if (!body.rows.length) addRow();

  // Import: the server reads the file and saves nothing; the rows replace
  // the table here, with the totals check, until the draft is saved.
  const report = h('div', { id: 'finance-import-report', role: 'status', 'aria-live': 'polite' });
  const file = h('input', { type: 'file', id: 'finance-file', accept: '.xlsx,.csv', class: 'visually-hidden' });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    file.value = '';
    if (!f) return;
    const form = new FormData();
    form.append('file', f);
    report.replaceChildren(h('p', { class: 'hint' }, t('fin.reading', { name: f.name })));
    try {
      const res = await app.api.post('/finance/parse', form);
      body.replaceChildren();
      for (const l of res.finance.lines) addRow(l);
      unit.value = res.finance.unit;
      box.checked = true;
      panel.hidden = false;
      changed();
      report.replaceChildren(h('p', { class: 'ok' }, t('fin.imported', { n: res.finance.lines.length, name: f.name })));
    } catch (err) {
      const problems = err.details?.problems || [];
      report.replaceChildren(
        h('p', { class: 'error' }, t('fin.importFailed', { name: f.name })),
        problems.length ? h('ul', { class: 'problems', id: 'finance-problems' }, problems.map((p) => h('li', null, p.row ? t('fin.row', { n: p.row }) + ' ' : '', describe({ reason: p.reason, args: p.args, serverMessage: p.message }, { unit: p.unit })))) : h('p', null, err.message),
      );
    }
  });
  const importButton = h('label', { for: 'finance-file', class: 'button', id: 'finance-import' }, t('fin.import'));
  const exportLink = item.id && finance ? h('a', { class: 'button', id: 'finance-export', href: `/api/v1/items/${seg(item.id)}/finance.xlsx`, download: '' }, t('fin.export')) : null;
  const tableEl = h(
    'table',
    { class: 'grid finance-edit' },
    h('thead', null, h('tr', null, ['code', 'name', 'parent', 'amount', 'budget'].map((k) => h('th', { scope: 'col' }, t(`fin.${k}`))), h('th', null, h('span', { class: 'visually-hidden' }, t('fin.remove'))))),
    body,
  );
  const panel = h(
    'div',
    { class: 'finance-panel', id: 'finance-panel', hidden: !finance },
    h('div', { class: 'inline' }, h('label', { for: 'finance-unit' }, t('fin.unit')), unit, h('span', { class: 'hint' }, t('fin.hint'))),
    h('div', { class: 'inline' }, file, importButton, exportLink, h('span', { class: 'hint' }, t('fin.importHint'))),
    report,
    h('div', { class: 'table-wrap' }, tableEl),
    codes,
    check,
    button(t('fin.add'), () => addRow().querySelector('input').focus(), { id: 'finance-add' }),
  );
  const box = on.querySelector('input');
  box.addEventListener('change', () => (panel.hidden = !box.checked));
  return {
    el: h('div', { class: 'finance-editor' }, h('h3', null, t('fin.title')), on, panel),
    unit: () => unit.value,
    value() {
      if (!box.checked) return null;
      const lines = [];
      [...body.rows].forEach((tr, i) => {
        const get = (n) => tr.querySelector(`[name="fin_${n}"]`).value.trim();
        if (!get('code') && !get('name') && !get('amount') && !get('budget')) return;
        const amount = yuanToFen(get('amount'));
        if (amount == null) throw { field: `finance.lines[${i}].amount`, message: t('fin.badAmount') };
        const line = { code: get('code'), name: get('name'), amount };
        if (get('parent')) line.parent = get('parent');
        if (get('budget')) {
          const b = yuanToFen(get('budget'));
          if (b == null) throw { field: `finance.lines[${i}].budget`, message: t('fin.badAmount') };
          line.budget = b;
        }
        lines.push(line);
      });
      return { currency: 'CNY', unit: unit.value, lines };
    },
  };
}

/** Attachments: the list, and an upload to /api/v1/media. */
function assetsEditor(app, initial, changed) {
  const list = initial.map((a) => ({ ...a }));
  const ul = h('ul', { class: 'assets', id: 'item-assets' });
  const draw = () =>
    replace(
      ul,
      list.map((a, i) =>
        h(
          'li',
          null,
          h('span', { class: 'tag' }, a.type),
          ' ',
          h('a', { href: safeURL(a.url), target: '_blank', rel: 'noopener' }, a.name || a.url),
          ' ',
          button(t('ui.remove'), () => {
            list.splice(i, 1);
            changed();
            draw();
          }, { cls: 'button small ghost' }),
        ),
      ),
    );
  draw();
  const file = h('input', { type: 'file', id: 'item-upload', accept: 'image/*,video/*,application/pdf', 'aria-label': t('items.upload') });
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    const fd = new FormData();
    fd.append('file', f);
    try {
      const r = await busy(file, () => app.api.request('POST', '/media', fd));
      list.push({ url: r.url, type: r.type, name: f.name });
      changed();
      draw();
    } catch (err) {
      app.toast(`${t('items.uploadFailed')} ${err.message}`, 'error');
    }
    file.value = '';
  });
  return { el: h('div', null, ul, h('label', { class: 'upload' }, t('items.upload'), ' ', file)), value: () => list.map(({ url, type, name }) => (name ? { url, type, name } : { url, type })) };
}

const kindNames = { id_card: 'privacy.id_card', mobile: 'privacy.mobile', bank_card: 'privacy.bank_card' };

/** Workflow buttons, the privacy check and the revision history. */
function workflow(app, item, isDirty, form) {
  const id = seg(item.id);
  const panel = h('div', { id: 'privacy-panel', class: 'privacy', 'aria-live': 'polite' });
  const guard = () => {
    if (isDirty()) {
      app.toast(t('items.saveFirst'), 'error');
      return false;
    }
    return true;
  };
  const box = h('div', { class: 'wf-buttons' });
  // Every workflow button is disabled while a step is under way, so a
  // double click cannot run two steps.
  const act = async (action, body) => {
    if (!guard()) return;
    const all = [...box.querySelectorAll('button')];
    for (const b of all) b.disabled = true;
    try {
      await app.api.post(`/items/${id}/${action}`, body);
      app.toast(t(`wf.done.${action}`));
      app.refresh();
    } catch (err) {
      for (const b of all) b.disabled = false;
      if (action === 'publish' && err.status === 422 && Array.isArray(err.details)) showPrivacy(app, panel, err, item, form);
      else app.toast(err.message, 'error');
    }
  };
  const buttons = [];
  const live = item.public && !item.public.withdrawn_at;
  if (item.status === 'draft' && app.can('editor')) buttons.push(button(t('wf.submit'), () => act('submit', {}), { id: 'item-submit', cls: 'button primary' }));
  if (item.status === 'submitted' && app.can('reviewer')) buttons.push(button(t('wf.approve'), () => act('approve', { version: item.version }), { id: 'item-approve', cls: 'button primary' }));
  // Publishing is for good: it asks first, and its button is not where
  // approve was (send back comes first), so a double click on approve
  // cannot publish.
  if ((item.status === 'submitted' || item.status === 'approved') && app.can('reviewer')) {
    buttons.push(
      button(t('wf.return'), async () => {
        if (!guard()) return;
        const v = await ask({ title: t('wf.returnTitle'), text: t('wf.returnText'), fields: [{ name: 'comment', label: t('wf.returnComment'), type: 'textarea', required: true, max: 1000 }], ok: t('wf.return'), id: 'return-dialog' });
        if (v) act('return', { version: item.version, comment: v.comment });
      }, { id: 'item-return', cls: 'button' }),
    );
  }
  if (item.status === 'approved' && app.can('reviewer')) {
    buttons.push(
      button(t('wf.publish'), async () => {
        if (!guard()) return;
        const v = await ask({ title: t('wf.publishTitle'), text: t('wf.publishText', { title: item.title }), ok: t('wf.publishOk'), danger: true, id: 'publish-dialog' });
        if (v) act('publish', {});
      }, { id: 'item-publish', cls: 'button primary' }),
    );
  }
  if (live && app.can('reviewer')) {
    buttons.push(
      button(t('wf.withdraw'), async () => {
        const v = await ask({ title: t('wf.withdrawTitle'), text: t('wf.withdrawText'), fields: [{ name: 'reason', label: t('wf.reason'), type: 'textarea', required: true, max: 500 }], ok: t('wf.withdraw'), danger: true, id: 'withdraw-dialog' });
        if (v) act('withdraw', { reason: v.reason });
      }, { id: 'item-withdraw', cls: 'button danger' }),
    );
  }
  buttons.push(
    button(t('wf.privacy'), async (e) => {
      try {
        const r = await busy(e.currentTarget, () => app.api.get(`/items/${id}/privacy`));
        const f = r.findings || [];
        replace(panel, f.length ? findingsList(f, t('privacy.found', { n: f.length })) : notice(t('privacy.none'), 'ok'));
      } catch (err) {
        app.toast(err.message, 'error');
      }
    }, { id: 'item-privacy' }),
  );
  box.append(...buttons);
  // What approving would publish: the working copy against the latest
  // published revision.
  const changes = item.public && ['draft', 'submitted', 'approved'].includes(item.status) ? h('div', { id: 'item-changes' }, h('p', { class: 'loading' }, t('ui.loading'))) : null;
  if (changes) {
    app.api
      .get(`/items/${id}/diff`)
      .then((r) => replace(changes, buildDiff(r.diff, item.finance?.unit)))
      .catch((err) => replace(changes, notice(err.message, 'error')));
  }
  const revs = h('div', { id: 'item-revisions' }, h('p', { class: 'loading' }, t('ui.loading')));
  app.api
    .get(`/items/${id}/revisions`)
    .then((r) => replace(revs, revisionList(app, item, r)))
    .catch((err) => replace(revs, notice(err.message, 'error')));
  return h(
    'aside',
    { class: 'side-panel' },
    h('h2', null, t('wf.title')),
    h('p', { class: 'hint' }, t(`wf.hint.${item.status}`)),
    box,
    live && h('p', null, h('a', { href: `/p/${id}`, target: '_blank', rel: 'noopener', id: 'item-public-link' }, t('items.openPublic'))),
    panel,
    changes && h('h2', null, t('items.changes', { n: item.public?.revision })),
    changes,
    h('h2', null, t('items.revisions')),
    revs,
  );
}

function findingsList(findings, title) {
  return h(
    'div',
    { class: 'findings' },
    h('p', { class: 'warn' }, title),
    h(
      'ul',
      null,
      findings.map((f) => h('li', null, h('code', null, f.field), ' · ', t(kindNames[f.kind] || 'privacy.other'), ' · ', t('privacy.maskAs'), ' ', h('code', null, f.masked))),
    ),
  );
}

/** The publish refusal: what was found, and for admins an override with a reason. */
function showPrivacy(app, panel, err, item, form) {
  const parts = [findingsList(err.details, err.message)];
  if (app.user.role === 'admin') {
    const reason = h('textarea', { id: 'privacy-override', name: 'privacy_override', rows: 2, maxlength: 500, required: true, dataset: { field: 'privacy_override' } });
    const f = h('form', { class: 'override', id: 'override-form', novalidate: true }, field(t('privacy.override'), reason, { hint: t('privacy.overrideHint') }), h('button', { type: 'submit', class: 'button danger', id: 'privacy-override-submit' }, t('privacy.publishAnyway')));
    onSubmit(f, async () => {
      if (!reason.value.trim()) throw { field: 'privacy_override', message: t('privacy.needReason') };
      await app.api.post(`/items/${seg(item.id)}/publish`, { privacy_override: reason.value.trim() });
      app.toast(t('wf.done.publish'));
      app.refresh();
    });
    parts.push(f);
  } else parts.push(notice(t('privacy.askAdmin')));
  replace(panel, parts);
  // Point at the field in the editor too.
  if (err.field) showError(form, err);
  panel.scrollIntoView({ block: 'nearest' });
}

/** Redact: an admin deletes a revision's content for good (the archive keeps its hash). */
function redactButton(app, item, v) {
  return button(t('redact.button'), async (e) => {
    const btn = e.currentTarget;
    const r = await ask({ title: t('redact.title', { n: v.revision }), text: t('redact.text'), fields: [{ name: 'reason', label: t('redact.reason'), type: 'textarea', required: true, max: 500 }], ok: t('redact.button'), danger: true, id: 'redact-dialog' });
    if (!r) return;
    try {
      await busy(btn, () => app.api.post(`/items/${seg(item.id)}/revisions/${v.revision}/redact`, { reason: r.reason }));
      app.toast(t('redact.done'));
      app.refresh();
    } catch (err) {
      app.toast(err.message, 'error');
    }
  }, { cls: 'button small danger', dataset: { redact: String(v.revision) } });
}

function revisionList(app, item, r) {
  const revs = r.revisions || [];
  const entries = (r.entries || []).filter((e) => e.kind !== 'publish');
  if (!revs.length) return notice(t('items.noRevisions'));
  const admin = app.user.role === 'admin';
  const rows = [
    ...revs.map((v) => ({ index: v.archive_index, node: h('li', null,
      v.redacted ? h('span', null, t('items.revN', { n: v.revision })) : h('a', { href: `/p/${seg(item.id)}?rev=${v.revision}`, target: '_blank', rel: 'noopener' }, t('items.revN', { n: v.revision })),
      ` · ${formatTime(v.published_at)} · ${t('archive.entryN', { n: v.archive_index })}`,
      v.redacted ? h('div', { class: 'hint' }, t('redact.gone', { reason: v.redacted.reason })) : v.title !== item.title ? h('div', { class: 'hint' }, v.title) : null,
      admin && !v.redacted ? redactButton(app, item, v) : null) })),
    ...entries.map((e) => ({ index: e.index, node: h('li', { class: 'muted' }, `${t(`archive.kind.${e.kind}`)} · ${formatTime(e.at)} · ${t('archive.entryN', { n: e.index })}`) })),
  ].sort((a, b) => b.index - a.index);
  return h('ol', { class: 'revisions', reversed: true }, rows.map((x) => x.node));
}

