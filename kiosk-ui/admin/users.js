// 用户: users, departments and categories (admins), and everyone's own API
// tokens.

import { h, replace } from '../shared/dom.js';
import { t, lang, localized } from '../shared/i18n.js';
import { seg } from './api.js';
import { field, input, select, checkbox, onSubmit, table, button, heading, secretBox, confirmAction, busy } from './ui.js';
import { formatTime } from './times.js';

export const users = {
  key: 'users',
  label: (app) => (app.can('admin') ? t('nav.users') : t('nav.tokens')),
  visible: () => true,
  render,
};

const roles = ['admin', 'editor', 'reviewer', 'auditor'];
const cadences = ['once', 'monthly', 'quarterly', 'annual'];

async function render(app, el) {
  const admin = app.can('admin');
  const parts = [heading(1, admin ? t('nav.users') : t('nav.tokens'))];
  if (admin) {
    const [u, d, c] = await Promise.all([app.api.get('/users'), app.load('/departments'), app.load('/categories')]);
    parts.push(usersPanel(app, u.users || [], d.departments || []), deptPanel(app, d.departments || []), catPanel(app, c.categories || []));
  }
  parts.push(passwordPanel(app), await tokensPanel(app));
  replace(el, parts);
}

// My password: the first admin's password is printed once at first start
// and should be changed here.
function passwordPanel(app) {
  const form = h(
    'form',
    { id: 'password-form', class: 'inline-form', novalidate: true },
    field(t('pw.current'), input('password-current', 'current', { type: 'password', autocomplete: 'current-password', required: true })),
    field(t('pw.new'), input('password-new', 'new', { type: 'password', autocomplete: 'new-password', required: true, minlength: 10 })),
    h('button', { type: 'submit', class: 'button', id: 'password-submit' }, t('pw.change')),
  );
  onSubmit(form, async (f) => {
    await app.api.post('/session/password', { current: f.elements.current.value, new: f.elements.new.value });
    f.reset();
    app.toast(t('pw.changed'));
  });
  return h('section', null, h('h2', null, t('pw.title')), h('p', { class: 'hint' }, t('pw.hint')), form);
}

function usersPanel(app, list, depts) {
  const deptName = (k) => localized(depts.find((d) => d.key === k)?.name) || k;
  const rows = list.map((u) => [h('strong', null, u.username), t(`role.${u.role}`), (u.departments || []).map(deptName).join(lang() === 'zh' ? '、' : ', ') || '—', u.disabled ? t('us.disabled') : '', formatTime(u.created_at)]);
  const deptBoxes = h('div', { class: 'checks', dataset: { field: 'departments' } }, depts.map((d) => checkbox(`user-dept-${d.key}`, 'dept', localized(d.name), false, { value: d.key })));
  const form = h(
    'form',
    { id: 'user-form', class: 'card form-grid', novalidate: true, autocomplete: 'off' },
    h('h3', { class: 'wide' }, t('us.add')),
    field(t('adm.username'), input('user-username', 'username', { required: true, maxlength: 40, autocomplete: 'off' })),
    field(t('adm.password'), input('user-password', 'password', { type: 'password', required: true, autocomplete: 'new-password' }), { hint: t('us.passwordHint') }),
    field(t('us.role'), select('user-role', 'role', roles.map((r) => [r, t(`role.${r}`)]), 'editor')),
    h('div', { class: 'field' }, h('span', { class: 'label' }, t('us.departments')), deptBoxes, h('small', { class: 'hint' }, t('us.departmentsHint'))),
    h('div', { class: 'actions wide' }, h('button', { type: 'submit', class: 'button primary', id: 'user-submit' }, t('us.create'))),
  );
  onSubmit(form, async (f) => {
    await app.api.post('/users', {
      username: f.elements.username.value.trim(),
      password: f.elements.password.value,
      role: f.elements.role.value,
      departments: [...deptBoxes.querySelectorAll('input:checked')].map((i) => i.value),
    });
    app.toast(t('us.created'));
    app.refresh();
  });
  return h('section', null, h('h2', null, t('us.title')), table([t('adm.username'), t('us.role'), t('us.departments'), '', t('us.created_at')], rows, { id: 'users-table' }), form);
}

function nameFields(prefix) {
  return [
    field(t('cat.key'), input(`${prefix}-key`, 'key', { required: true, maxlength: 40, pattern: '[a-z0-9][a-z0-9_\\-]*', class: 'mono' }), { hint: t('cat.keyHint') }),
    field(t('cat.zh'), input(`${prefix}-zh`, 'zh', { required: true, maxlength: 60, field: 'name.zh' })),
    field(t('cat.en'), input(`${prefix}-en`, 'en', { maxlength: 60, field: 'name.en' })),
  ];
}

const nameOf = (f) => {
  const name = { zh: f.elements.zh.value.trim() };
  if (f.elements.en.value.trim()) name.en = f.elements.en.value.trim();
  return name;
};

function deptPanel(app, list) {
  const form = h('form', { id: 'dept-form', class: 'inline-form', novalidate: true }, ...nameFields('dept'), h('button', { type: 'submit', class: 'button' }, t('dept.add')));
  onSubmit(form, async (f) => {
    await app.api.post('/departments', { key: f.elements.key.value.trim(), name: nameOf(f) });
    app.forget('/departments');
    app.toast(t('ui.saved'));
    app.refresh();
  });
  return h('section', null, h('h2', null, t('dept.title')), table([t('cat.key'), t('cat.zh'), t('cat.en')], list.map((d) => [h('code', null, d.key), d.name?.zh || '', d.name?.en || '']), { id: 'departments-table' }), form);
}

function catPanel(app, list) {
  const form = h(
    'form',
    { id: 'cat-form', class: 'inline-form', novalidate: true },
    ...nameFields('cat'),
    field(t('items.cadence'), select('cat-cadence', 'cadence', cadences.map((c) => [c, t(`cadence.${c}`)]), 'once')),
    h('button', { type: 'submit', class: 'button' }, t('cat.add')),
  );
  onSubmit(form, async (f) => {
    await app.api.post('/categories', { key: f.elements.key.value.trim(), name: nameOf(f), cadence: f.elements.cadence.value });
    app.forget('/categories');
    app.toast(t('ui.saved'));
    app.refresh();
  });
  return h(
    'section',
    null,
    h('h2', null, t('cat.title')),
    table([t('cat.key'), t('cat.zh'), t('cat.en'), t('items.cadence')], list.map((c) => [h('code', null, c.key), c.name?.zh || '', c.name?.en || '', c.cadence ? t(`cadence.${c.cadence}`) : '']), { id: 'categories-table' }),
    form,
  );
}

async function tokensPanel(app) {
  const data = await app.api.get('/tokens');
  const result = h('div', { id: 'token-result' });
  const row = (tk) => [
    tk.name,
    formatTime(tk.created_at),
    formatTime(tk.last_used) || t('tok.never'),
    button(t('tok.revoke'), async (e) => {
      const btn = e.currentTarget;
      if (!(await confirmAction(t('tok.revoke'), t('tok.revokeText', { name: tk.name }), t('tok.revoke')))) return;
      try {
        await busy(btn, () => app.api.del(`/tokens/${seg(tk.id)}`));
        app.toast(t('tok.revoked'));
        redraw();
      } catch (err) {
        app.toast(err.message, 'error');
      }
    }, { cls: 'button small danger' }),
  ];
  const tokTable = (ts) => table([t('tok.name'), t('us.created_at'), t('tok.lastUsed'), t('ui.actions')], ts.map(row), { id: 'tokens-table', empty: t('tok.none') });
  let tableBox = tokTable(data.tokens || []);
  // Only the table is redrawn, so a secret shown once stays on screen.
  const redraw = async () => {
    const list = await app.api.get('/tokens');
    const next = tokTable(list.tokens || []);
    tableBox.replaceWith(next);
    tableBox = next;
  };
  const form = h('form', { id: 'token-form', class: 'inline-form', novalidate: true }, field(t('tok.name'), input('token-name', 'name', { required: true, maxlength: 80 })), h('button', { type: 'submit', class: 'button', id: 'token-submit' }, t('tok.create')));
  onSubmit(form, async (f) => {
    const r = await app.api.post('/tokens', { name: f.elements.name.value.trim() });
    replace(result, secretBox('token-secret', t('tok.created', { name: r.api_token?.name || '' }), [[t('tok.token'), r.token]]));
    f.reset();
    await redraw();
  });
  return h('section', null, h('h2', null, t('tok.title')), h('p', { class: 'hint' }, t('tok.hint')), tableBox, form, result);
}
