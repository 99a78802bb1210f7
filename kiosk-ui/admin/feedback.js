// 反馈: residents' feedback with replies (public or private), and the cases
// that poor ratings open, with their due dates.

import { h, replace } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { seg } from './api.js';
import { table, button, heading, notice, ask, busy } from './ui.js';
import { formatTime } from './times.js';

export const feedback = {
  key: 'feedback',
  label: 'nav.feedback',
  visible: () => true,
  render,
};

const filter = { status: '' };

/** The list at path, or a notice when the server does not offer it (yet) or refuses. */
async function fetchList(app, path, key) {
  try {
    const r = await app.api.get(path);
    return { list: r[key] || [] };
  } catch (err) {
    if (err.status === 404) return { note: notice(t('fb.unavailable'), 'warn') };
    if (err.status === 403) return { note: notice(t('adm.forbidden'), 'warn') };
    throw err;
  }
}

async function render(app, el) {
  const [fb, cs] = await Promise.all([fetchList(app, '/feedback', 'feedback'), fetchList(app, '/cases', 'cases')]);
  replace(el, heading(1, t('nav.feedback')), feedbackPanel(app, fb), casesPanel(app, cs));
}

function feedbackPanel(app, { list, note }) {
  if (note) return h('section', null, h('h2', null, t('fb.title')), note);
  const canReply = app.can('editor', 'reviewer');
  const shown = list.filter((f) => !filter.status || f.status === filter.status);
  const chips = h(
    'div',
    { class: 'chips', role: 'group', 'aria-label': t('items.status') },
    ['', 'open', 'replied'].map((s) =>
      h('button', { type: 'button', class: 'chip', 'aria-pressed': String(filter.status === s), onclick: () => ((filter.status = s), app.refresh()) }, s ? t(`fb.status.${s}`) : t('ui.all')),
    ),
  );
  const rows = shown.map((f) => ({
    cls: f.overdue ? 'overdue' : '',
    dataset: { id: f.id },
    cells: [
      h('code', null, f.receipt || f.id),
      formatTime(f.at),
      h('span', null, formatTime(f.due_at), f.overdue && !f.reply ? h('span', { class: 'tag danger' }, ` ${t('cs.overdue')}`) : null),
      f.topic ? topicName(f.topic) : '',
      h('div', { class: 'text' }, f.text, f.item_id && h('div', { class: 'hint' }, h('a', { href: `/p/${seg(f.item_id)}`, target: '_blank', rel: 'noopener' }, t('fb.about')))),
      f.contact || '',
      h('span', { class: `status s-${f.status}` }, t(`fb.status.${f.status}`) || f.status),
      f.reply ? h('div', { class: 'text' }, f.reply.text, h('div', { class: 'hint' }, `${f.reply.public ? t('fb.public') : t('fb.private')} · ${f.reply.by || ''} · ${formatTime(f.reply.at)}`)) : '',
      canReply &&
        button(f.reply ? t('fb.replyAgain') : t('fb.reply'), async (e) => {
          const btn = e.currentTarget;
          const v = await ask({
            title: t('fb.replyTo', { receipt: f.receipt || f.id }),
            text: f.text,
            fields: [
              { name: 'text', label: t('fb.replyText'), type: 'textarea', required: true, max: 2000, value: f.reply?.text },
              { name: 'public', label: t('fb.makePublic'), type: 'checkbox', value: f.reply ? f.reply.public : false },
            ],
            ok: t('fb.send'),
            id: 'reply-dialog',
          });
          if (!v) return;
          try {
            await busy(btn, () => app.api.post(`/feedback/${seg(f.id)}/reply`, { text: v.text, public: v.public }));
            app.toast(t('fb.replied'));
            app.refresh();
          } catch (err) {
            app.toast(err.message, 'error');
          }
        }),
    ],
  }));
  const cols = [t('fb.receipt'), t('fb.at'), t('fb.due'), t('fb.topic'), t('fb.text'), t('fb.contact'), t('items.status'), t('fb.replyCol')];
  if (canReply) cols.push(t('ui.actions'));
  return h('section', null, heading(2, t('fb.title')), h('div', { class: 'toolbar' }, chips), table(cols, rows, { id: 'feedback-table', empty: t('fb.none') }));
}

function casesPanel(app, { list, note }) {
  if (note) return h('section', null, h('h2', null, t('cs.title')), note);
  const canResolve = app.can('editor', 'reviewer');
  const subject = (s) => {
    const m = /^item:(.+)$/.exec(String(s || ''));
    if (m) return h('a', { href: `/p/${seg(m[1])}`, target: '_blank', rel: 'noopener' }, t('cs.item', { id: m[1] }));
    return s === 'hall' || s === 'service:hall' ? t('cs.hall') : String(s || '');
  };
  const rows = list.map((c) => ({
    cls: c.overdue ? 'overdue' : '',
    dataset: { id: c.id },
    cells: [
      subject(c.subject),
      h('span', { class: `level l${c.level}` }, `${c.level} · ${t(`rating.${c.level}`)}`),
      formatTime(c.at),
      h('span', null, formatTime(c.due_at), c.overdue && c.status !== 'resolved' ? h('span', { class: 'tag danger' }, ` ${t('cs.overdue')}`) : null),
      h('span', { class: `status s-${c.status}` }, t(`cs.status.${c.status}`)),
      c.note || '',
      canResolve && c.status !== 'resolved'
        ? button(t('cs.resolve'), async (e) => {
            const btn = e.currentTarget;
            const v = await ask({ title: t('cs.resolve'), fields: [{ name: 'note', label: t('cs.note'), type: 'textarea', required: true, max: 1000 }], ok: t('cs.resolve'), id: 'resolve-dialog' });
            if (!v) return;
            try {
              await busy(btn, () => app.api.post(`/cases/${seg(c.id)}/resolve`, { note: v.note }));
              app.toast(t('cs.resolved'));
              app.refresh();
            } catch (err) {
              app.toast(err.message, 'error');
            }
          })
        : '',
    ],
  }));
  const cols = [t('cs.subject'), t('cs.level'), t('cs.at'), t('cs.due'), t('items.status'), t('cs.note')];
  if (canResolve) cols.push(t('ui.actions'));
  return h('section', null, heading(2, t('cs.title')), h('p', { class: 'hint' }, t('cs.hint')), table(cols, rows, { id: 'cases-table', empty: t('cs.none') }));
}

/** A feedback topic's name: "efficiency" → 办事效率 (the key itself when unknown). */
function topicName(key) {
  const k = `topic.${key}`;
  const s = t(k);
  return s === k ? key : s;
}
