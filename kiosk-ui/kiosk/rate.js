// Ratings: five large buttons, 5 非常满意 … 1 非常不满意; one rating per
// subject per touch session. Used after an item and for the hall's service.

import { t } from '../shared/i18n.js';
import { el, button, heading } from './ui.js';

const levels = [5, 4, 3, 2, 1];

/** Key of a rating subject in session.rated. */
const subjectKey = (subject) => (subject.item_id ? `item:${subject.item_id}` : `service:${subject.service}`);

/**
 * The rating buttons for subject inside an element with the given id
 * ("rate-item", "rate-hall"). Without aspects a tap sends the rating at
 * once. With aspects (the hall: 办事效率, 服务态度) the overall level comes
 * first; tapping it opens the optional aspects and a submit button, and the
 * rating is sent with the aspects picked, as one event, when the resident
 * submits or leaves the view (flush).
 * @returns {{el: HTMLElement, flush: () => void}}
 */
export function ratingPanel(ctx, { id, subject, question, aspects = [] }) {
  const key = subjectKey(subject);
  const row = el('div', 'levels');
  const note = el('div', 'rate-note');
  note.setAttribute('aria-live', 'polite');
  const box = el('section', 'rate-panel', el('h2', 'sec-title', question), row);
  box.id = id;
  const buttons = levels.map((n) =>
    button(`level level-${n}`, [el('span', 'level-n', String(n)), el('span', 'level-label', t(`rating.${n}`))], () => pick(n), { level: String(n) }),
  );
  row.append(...buttons);
  let level = 0;
  const picked = {};
  const more = el('div', 'aspects');
  more.hidden = true;
  if (aspects.length) {
    const submit = button('primary submit', t('rate.submit'), () => flush());
    submit.id = `${id}-submit`;
    more.append(
      heading(t('rate.aspects'), 'h3'),
      ...aspects.map((a) => {
        const r = el('div', 'aspect-levels');
        for (const n of levels) {
          const b = button('aspect-level', [el('span', 'level-n', String(n)), el('span', 'level-label', t(`rating.${n}`))], () => {
            picked[a] = n;
            r.querySelectorAll('button').forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
          }, { aspect: a, aspectLevel: String(n) });
          b.setAttribute('aria-pressed', 'false');
          r.append(b);
        }
        return el('div', 'aspect', el('h3', 'aspect-name', t(`rate.${a}`)), r);
      }),
      submit,
    );
    box.append(more);
  }
  box.append(note);

  function done(lv) {
    box.classList.add('rated');
    more.hidden = true;
    for (const b of buttons) {
      b.disabled = true;
      b.setAttribute('aria-pressed', String(Number(b.dataset.level) === lv));
    }
    const msg = [el('p', 'thanks', `✓ ${t('rate.done')} · ${t('rate.thanks')}`)];
    if (lv && lv <= 2) msg.push(el('p', 'followup', t('rate.followup')));
    note.replaceChildren(...msg);
  }

  function pick(n) {
    if (ctx.session.rated.has(key)) return;
    level = n;
    if (!aspects.length) {
      flush();
      return;
    }
    for (const b of buttons) b.setAttribute('aria-pressed', String(Number(b.dataset.level) === n));
    box.classList.add('picked');
    more.hidden = false;
    note.replaceChildren(el('p', 'hint', t('rate.then')));
  }

  /** Sends the level picked, with the aspects picked, once. */
  function flush() {
    if (!level || ctx.session.rated.has(key)) return;
    ctx.session.rated.set(key, level);
    done(level);
    const ev = { kind: 'rating', subject, level };
    if (Object.keys(picked).length) ev.aspects = { ...picked };
    ctx.record(ev);
  }

  if (ctx.session.rated.has(key)) done(ctx.session.rated.get(key));
  else note.append(el('p', 'hint', t('rate.anon')));
  return { el: box, flush };
}

/** The hall's service: the overall rating first, then the optional aspects sent with it. */
export function rateHall(params, ctx) {
  const panel = ratingPanel(ctx, {
    id: 'rate-hall',
    subject: { service: 'hall' },
    question: t('rate.hall'),
    aspects: ['efficiency', 'attitude'],
  });
  const more = button('link-button', t('home.feedback'), () => ctx.go('feedback', { topic: 'other' }));
  const node = el('section', 'view rate-hall', el('h1', 'view-title', t('rate.hallTitle')), panel.el, more);
  // Leaving (or the session ending) sends a rating picked but not submitted.
  return {
    el: node,
    state: 'rate-hall',
    leave(_scroll, rebuilding) {
      if (!rebuilding) panel.flush();
    },
  };
}
