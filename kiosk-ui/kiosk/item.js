// One item: the current revision (or an earlier one, marked so), its
// finance drill-down, attachments, the matter's before/during/after
// timeline, the update history, a QR code to take it home and the rating.

import { t } from '../shared/i18n.js';
import { parseTime } from '../shared/format.js';
import { el, button, heading, loading, failed, date, archiveNo } from './ui.js';
import { api, HTTPError } from './api.js';
import { itemPage } from '../shared/itempage.js';
import { ratingPanel } from './rate.js';

const stages = ['before', 'during', 'after'];

/**
 * params: {id, revision?} — a revision number opens that (immutable)
 * revision. The finance level opened and the scroll position are kept for
 * the session (ctx.session.place): 返回 goes up the drill-down one level at
 * a time, and opening the item again, or switching the language, comes back
 * to the same place.
 */
export function item(params, ctx) {
  let shown = null;
  let finance = null;
  let built = false;
  const place = ctx.session.place(params.revision ? `item:${params.id}@${params.revision}` : `item:${params.id}`);
  const node = el('section', 'view item-view', loading());
  node.dataset.itemId = params.id;
  if (params.revision) node.dataset.revision = String(params.revision);
  (async () => {
    try {
      const rev = params.revision ? await api.revision(params.id, params.revision) : await api.item(params.id);
      shown = { item_id: rev.id || params.id, revision: rev.revision };
      ctx.onShowing(shown);
      const parts = build(rev, params, ctx, place);
      finance = parts.finance;
      node.replaceChildren(...parts.nodes);
      built = true;
      ctx.onNav();
      ctx.scrollTo(node, place.scroll);
    } catch (err) {
      console.warn('kiosk: item', err);
      node.replaceChildren(err instanceof HTTPError && err.status === 404 ? el('p', 'status', t('item.unavailable')) : failed());
    }
  })();
  return {
    el: node,
    state: 'item',
    showing: () => shown,
    back: () => !!finance && finance.up(),
    canBack: () => !!finance && !!place.at,
    leave(scroll) {
      if (built) place.scroll = scroll;
    },
  };
}

function build(rev, params, ctx, place) {
  const id = rev.id || params.id;
  const old = !!params.revision;
  place.onChange = () => ctx.onNav();
  const { head, main, finance } = itemPage(rev, {
    id,
    old,
    tz: ctx.tz(),
    catName: (k) => ctx.catName(k),
    deptName: (k) => ctx.deptName(k),
    onLatest: () => ctx.go('item', { id }),
    place,
    qr: (x) => api.qr(x),
  });
  if (rev.matter_id) main.append(matter(rev.matter_id, id, ctx));
  if (!old) {
    main.append(
      ratingPanel(ctx, { id: 'rate-item', subject: { item_id: id }, question: t('rate.item') }).el,
      button('link-button ask', t('item.ask'), () => ctx.go('feedback', { item_id: id, title: rev.title, topic: 'content' })),
    );
  }

  const qr = el('img', 'qr');
  qr.src = api.qr(id);
  qr.alt = '';
  const side = el(
    'aside',
    'item-side',
    el('figure', 'takeaway', qr, el('figcaption', null, el('b', null, t('item.takeaway')), el('span', null, t('item.takeawayHint')))),
    history(id, rev.revision, rev.latest_revision, ctx),
  );
  return { nodes: [head, el('div', 'item-body', main, side)], finance };
}

function matter(matterID, here, ctx) {
  const box = el('section', 'matter', heading(t('item.matter')), loading());
  api
    .matter(matterID)
    .then((body) => {
      const items = body.items || [];
      const cols = stages.map((s) => {
        const col = el('div', `matter-col stage-${s}`, el('h3', 'matter-stage', t(`stage.${s}`)));
        const of = items.filter((it) => it.stage === s);
        if (!of.length) col.append(el('p', 'muted', '—'));
        for (const it of of) {
          const b = button(`matter-item${it.id === here ? ' here' : ''}`, [el('span', null, it.title || it.id), el('span', 'muted', date(it.published_at, ctx.tz()))], () => it.id !== here && ctx.go('item', { id: it.id }), { item: it.id });
          if (it.id === here) b.setAttribute('aria-current', 'true');
          col.append(b);
        }
        return col;
      });
      const title = body.matter && body.matter.title;
      box.replaceChildren(heading(title ? `${t('item.matter')}：${title}` : t('item.matter')), el('p', 'hint', t('item.matterHint')), el('div', 'matter-cols', ...cols));
    })
    .catch(() => box.remove());
  return box;
}

function history(id, showing, latestKnown, ctx) {
  const box = el('section', 'history', heading(t('item.history')), loading());
  api
    .revisions(id)
    .then((body) => {
      const revs = body.revisions || [];
      const latest = Math.max(latestKnown || 0, ...revs.map((r) => r.revision));
      const rows = revs.map((r) => ({ at: r.published_at, r }));
      for (const e of body.entries || []) if (e.kind !== 'publish') rows.push({ at: e.at, e });
      rows.sort((a, b) => parseTime(b.at) - parseTime(a.at) || (b.r ? 1 : -1));
      const list = el('ol', 'history-list');
      for (const { r, e } of rows) {
        if (e) {
          list.append(el('li', `hist-entry kind-${e.kind}`, el('b', null, t(`entry.${e.kind}`)), el('span', null, date(e.at, ctx.tz())), el('span', 'archive-no', archiveNo(e.index))));
          continue;
        }
        const label = [el('b', null, t('item.revision', { n: r.revision })), el('span', null, date(r.published_at, ctx.tz()))];
        if (r.archive_index != null) label.push(el('span', 'archive-no', archiveNo(r.archive_index)));
        if (r.revision === latest) label.push(el('span', 'badge current', t('item.current')));
        const b = button(`hist-rev${r.revision === showing ? ' here' : ''}`, label, () => {
          if (r.revision !== showing) ctx.go('item', r.revision === latest ? { id } : { id, revision: r.revision });
        }, { revision: String(r.revision) });
        if (r.revision === showing) b.setAttribute('aria-current', 'true');
        list.append(el('li', null, b));
      }
      box.replaceChildren(heading(t('item.history')), list);
    })
    .catch(() => box.replaceChildren(heading(t('item.history')), failed()));
  return box;
}
