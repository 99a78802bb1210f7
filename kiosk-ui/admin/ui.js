// Console building blocks: labelled fields, errors next to the field at
// fault, dialogs, toasts and tables. Everything is keyboard reachable.

import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { fieldLabel } from './errors.js';

let uid = 0;
const nextID = (p) => `${p}-${++uid}`;

/** A label and its control (and an optional hint) in a .field wrapper. */
export function field(label, control, { hint, wide, cls } = {}) {
  if (!control.id) control.id = nextID('f');
  let hintEl = null;
  if (hint) {
    hintEl = h('small', { class: 'hint', id: `${control.id}-hint` }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', { class: ['field', wide && 'wide', cls].filter(Boolean).join(' ') }, h('label', { for: control.id }, label), control, hintEl);
}

/** An <input>; name doubles as the API field name for error placement. */
export function input(id, name, props = {}) {
  return h('input', { id, name, dataset: { field: props.field || name }, type: 'text', ...props, field: null });
}

export function textarea(id, name, props = {}) {
  return h('textarea', { id, name, dataset: { field: props.field || name }, ...props, field: null });
}

/** A <select> of [value, label] pairs with value selected. */
export function select(id, name, options, value, props = {}) {
  const s = h('select', { id, name, dataset: { field: props.field || name }, ...props, field: null });
  for (const [v, label] of options) s.append(h('option', { value: v, selected: String(v) === String(value ?? '') }, label));
  return s;
}

/** A checkbox with its label. */
export function checkbox(id, name, label, checked, props = {}) {
  return h('label', { class: 'check', for: id }, h('input', { type: 'checkbox', id, name, checked: !!checked, ...props }), ' ', label);
}

/** Removes the errors shown in the form. */
export function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) e.remove();
  for (const e of form.querySelectorAll('[aria-invalid]')) {
    e.removeAttribute('aria-invalid');
    const ids = (e.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.endsWith('-err'));
    if (ids.length) e.setAttribute('aria-describedby', ids.join(' '));
    else e.removeAttribute('aria-describedby');
  }
  const box = form.querySelector(':scope > .form-error');
  if (box) box.hidden = true;
}

function findField(form, name) {
  if (!name) return null;
  const esc = CSS.escape(name);
  const exact = form.querySelector(`[data-field="${esc}"]`);
  if (exact) return exact;
  // "finance.lines[3]" → the first control of that line; "target.groups[0]" → "target.groups".
  const within = form.querySelector(`[data-field^="${esc}."]`);
  if (within) return within;
  const trimmed = name.replace(/\[\d+\]$/, '');
  return trimmed !== name ? findField(form, trimmed) : null;
}

/**
 * Shows an API error in the form: next to the field it names when the form
 * has that field, otherwise at the top of the form. Focuses the field.
 */
export function showError(form, err) {
  clearErrors(form);
  const msg = err.message || String(err);
  const el = findField(form, err.field);
  if (el) {
    const id = `${el.id || nextID('x')}-err`;
    const p = h('p', { class: 'field-error', id, role: 'alert' }, msg);
    el.after(p);
    el.setAttribute('aria-invalid', 'true');
    el.setAttribute('aria-describedby', [el.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
    el.focus();
    return;
  }
  let box = form.querySelector(':scope > .form-error');
  if (!box) {
    box = h('p', { class: 'form-error', role: 'alert' });
    form.prepend(box);
  }
  const label = fieldLabel(err.field);
  box.textContent = err.field && !(label && msg.includes(label)) ? `${label || err.field}: ${msg}` : msg;
  box.hidden = false;
}

/** Runs fn with the button disabled; returns fn's result. */
export async function busy(button, fn) {
  if (button) button.disabled = true;
  try {
    return await fn();
  } finally {
    if (button) button.disabled = false;
  }
}

/** Wires a form's submit to fn(form), showing errors in the form. */
export function onSubmit(form, fn) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const button = form.querySelector('[type="submit"]');
    try {
      await busy(button, () => fn(form));
    } catch (err) {
      showError(form, err);
    }
  });
  return form;
}

/** A short message in the live region. kind: "ok" | "error". */
export function toast(msg, kind = 'ok') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const el = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, msg);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/**
 * A modal dialog with fields; resolves with {name: value} (checkboxes as
 * booleans) or null when cancelled.
 *
 * fields: [{name, label, type ("text" | "textarea" | "password" | "checkbox" | "select"), value, required, hint, options: [[value, label]]}]
 */
export function ask({ title, text, fields = [], ok = t('ui.ok'), danger = false, id }) {
  return new Promise((resolve) => {
    const controls = {};
    const form = h('form', { method: 'dialog', class: 'dialog-form' });
    form.append(h('h2', null, title));
    if (text) form.append(h('p', null, text));
    for (const f of fields) {
      const fid = nextID('dlg');
      let c;
      if (f.type === 'checkbox') {
        const wrap = checkbox(fid, f.name, f.label, f.value);
        controls[f.name] = wrap.querySelector('input');
        form.append(h('div', { class: 'field' }, wrap));
        continue;
      }
      if (f.type === 'select') {
        c = h('select', { id: fid, name: f.name });
        for (const [v, label] of f.options || []) c.append(h('option', { value: v, selected: String(v) === String(f.value ?? '') }, label));
      } else if (f.type === 'textarea') c = h('textarea', { id: fid, name: f.name, rows: 4, required: !!f.required, maxlength: f.max || null });
      else c = h('input', { id: fid, name: f.name, type: f.type || 'text', required: !!f.required, maxlength: f.max || null, autocomplete: 'off' });
      if (f.type !== 'select') c.value = f.value || '';
      controls[f.name] = c;
      form.append(field(f.label, c, { hint: f.hint }));
    }
    const cancel = h('button', { type: 'button', class: 'button' }, t('ui.cancel'));
    const okButton = h('button', { type: 'submit', class: danger ? 'button danger' : 'button primary', id: id ? `${id}-ok` : null }, ok);
    form.append(h('div', { class: 'actions' }, okButton, cancel));
    const dlg = h('dialog', { class: 'dialog', id, 'aria-label': title }, form);
    let result = null;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      result = {};
      for (const [k, c] of Object.entries(controls)) result[k] = c.type === 'checkbox' ? c.checked : c.value.trim();
      dlg.close();
    });
    cancel.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

/** Asks to confirm something; resolves true or false. */
export async function confirmAction(title, text, ok) {
  return (await ask({ title, text, ok, danger: true })) !== null;
}

/**
 * A table. columns: [label | {label, cls}]; rows: arrays of cells (nodes or
 * text), or {cells, cls, dataset}. Shows `empty` when there are no rows.
 */
export function table(columns, rows, { id, empty = t('ui.empty'), caption } = {}) {
  const cols = columns.map((c) => (typeof c === 'string' ? { label: c } : c));
  const head = h('tr', null, cols.map((c) => h('th', { scope: 'col', class: c.cls }, c.label)));
  const body = h('tbody');
  for (const r of rows) {
    const row = Array.isArray(r) ? { cells: r } : r;
    body.append(h('tr', { class: row.cls, dataset: row.dataset }, row.cells.map((cell, i) => h('td', { class: cols[i]?.cls }, cell))));
  }
  if (!rows.length) body.append(h('tr', { class: 'empty' }, h('td', { colspan: cols.length }, empty)));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id }, caption && h('caption', null, caption), h('thead', null, head), body));
}

/** A small button. */
export function button(label, onclick, props = {}) {
  return h('button', { type: 'button', class: props.cls || 'button small', onclick, ...props, cls: null }, label);
}

/** A section heading row with actions on the right. */
export function heading(level, text, ...actions) {
  return h('div', { class: 'heading' }, h(`h${level}`, null, text), actions.length ? h('div', { class: 'heading-actions' }, actions) : null);
}

/** A notice paragraph. */
export function notice(text, cls = '') {
  return h('p', { class: `notice ${cls}`.trim() }, text);
}

/** A box showing a secret once, with a copy button. */
export function secretBox(id, label, lines) {
  const box = h('div', { class: 'secret', id, role: 'status' }, h('p', { class: 'secret-title' }, label));
  for (const [name, value] of lines) {
    const out = h('input', { type: 'text', readonly: true, value, class: 'mono', 'aria-label': name });
    box.append(h('div', { class: 'secret-line' }, h('span', { class: 'secret-name' }, name), out, button(t('ui.copy'), () => copy(out))));
  }
  box.append(h('p', { class: 'hint' }, t('ui.secretOnce')));
  return box;
}

async function copy(inputEl) {
  inputEl.select();
  try {
    await navigator.clipboard.writeText(inputEl.value);
    toast(t('ui.copied'));
  } catch {
    // Plain-http origins have no clipboard API.
    toast(document.execCommand && document.execCommand('copy') ? t('ui.copied') : t('ui.copyManually'));
  }
}

/** Comma or space separated words as a list: "a, b c" → ["a","b","c"]. */
export function words(s) {
  return String(s || '')
    .split(/[\s,，、]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}
