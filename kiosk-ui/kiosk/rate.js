// Ratings: five large buttons, 5 非常满意 … 1 非常不满意; one rating per
// subject per touch session. Used after an item and for the hall's service.

import { t } from '../shared/i18n.js';
import { el, button, heading } from './ui.js';

const levels = [5, 4, 3, 2, 1];

/** Key of a rating subject in session.rated. */
const subjectKey = (subject) => (subject.item_id ? `item:${subject.item_id}` : `service:${subject.service}`);

/**
 * The rating buttons for subject inside an element with the given id
 * ("rate-item", "rate-hall"). extra() returns more fields for the event
 * (aspects).
 */
export function ratingPanel(ctx, { id, subject, question, extra = () => ({}) }) {
  const key = subjectKey(subject);
  const row = el('div', 'levels');
  const note = el('div', 'rate-note');
  note.setAttribute('aria-live', 'polite');
  const box = el('section', 'rate-panel', el('h2', 'sec-title', question), row, note);
  box.id = id;
  const buttons = levels.map((n) =>
    button(`level level-${n}`, [el('span', 'level-n', String(n)), el('span', 'level-label', t(`rating.${n}`))], () => rate(n), { level: String(n) }),
  );
  row.append(...buttons);

  function done(level) {
    box.classList.add('rated');
    for (const b of buttons) {
      b.disabled = true;
      b.setAttribute('aria-pressed', String(Number(b.dataset.level) === level));
    }
    const msg = [el('p', 'thanks', `✓ ${t('rate.done')} · ${t('rate.thanks')}`)];
    if (level && level <= 2) msg.push(el('p', 'followup', t('rate.followup')));
    note.replaceChildren(...msg);
  }

  async function rate(level) {
    if (ctx.session.rated.has(key)) return;
    ctx.session.rated.set(key, level);
    done(level);
    await ctx.record({ kind: 'rating', subject, level, ...extra() });
  }

  if (ctx.session.rated.has(key)) done(ctx.session.rated.get(key));
  else note.append(el('p', 'hint', t('rate.anon')));
  return box;
}

/** The hall's service: optional aspects, then the overall rating. */
export function rateHall(params, ctx) {
  const aspects = {};
  const rows = ['efficiency', 'attitude'].map((a) => {
    const r = el('div', 'aspect-levels');
    for (const n of levels) {
      const b = button('aspect-level', [el('span', 'level-n', String(n)), el('span', 'level-label', t(`rating.${n}`))], () => {
        aspects[a] = n;
        r.querySelectorAll('button').forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
      }, { aspect: a, aspectLevel: String(n) });
      b.setAttribute('aria-pressed', 'false');
      r.append(b);
    }
    return el('div', 'aspect', el('h3', 'aspect-name', t(`rate.${a}`)), r);
  });
  const panel = ratingPanel(ctx, {
    id: 'rate-hall',
    subject: { service: 'hall' },
    question: t('rate.hall'),
    extra: () => (Object.keys(aspects).length ? { aspects: { ...aspects } } : {}),
  });
  const more = button('link-button', t('home.feedback'), () => ctx.go('feedback', { topic: 'other' }));
  const node = el('section', 'view rate-hall', el('h1', 'view-title', t('rate.hallTitle')), el('div', 'aspects', heading(t('rate.aspects'), 'h2'), ...rows), panel, more);
  return { el: node, state: 'rate-hall' };
}
