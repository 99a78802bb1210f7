// DOM of the public item page: the revision, its finance table, attachments,
// matter, history and archive proof. Built from data, no inline styles.

import { t, lang, localized } from '../shared/i18n.js';
import { parseTime, formatDate, formatFen, percent, shortHash } from '../shared/format.js';
import { financeRows, hasBudget } from '../shared/finance.js';
import { h, safeURL } from '../shared/dom.js';
import { buildDiff } from '../shared/diff.js';

const stages = ['before', 'during', 'after'];

const date = (v) => formatDate(parseTime(v), undefined, lang());

/** A message with an optional retry button. */
export function buildMessage(text, retry) {
  return h('div', { class: 'notice', role: 'alert' }, h('p', null, text), retry && h('button', { type: 'button', class: 'button', onclick: retry }, t('pub.retry')));
}

function nameOf(list, key) {
  const found = (list || []).find((x) => x.key === key);
  return found ? localized(found.name) : key;
}

/** The whole page for the Page state ({item, view, catalog, history, matter, proof}). */
export function buildPage(p) {
  const v = p.view;
  const item = p.item;
  const old = v.revision !== item.revision;
  const badges = h('div', { class: 'badges' });
  if (stages.includes(v.stage)) badges.append(h('span', { class: `badge stage-${v.stage}` }, t(`stage.${v.stage}`)));
  const state = item.state || 'live';
  badges.append(h('span', { class: `badge state-${state}`, id: 'item-state', dataset: { state } }, t(`pub.state.${state}`)));
  if (old) badges.append(h('span', { class: 'badge old' }, t('pub.revision', { n: v.revision })));

  const meta = h(
    'dl',
    { class: 'meta' },
    h('dt', null, t('pub.department')),
    h('dd', null, nameOf(p.catalog?.departments, v.department)),
    h('dt', null, t('pub.category')),
    h('dd', null, nameOf(p.catalog?.categories, v.category)),
  );
  const line = h('p', { class: 'published' }, t('item.published', { date: date(v.published_at) }), ' · ', t('pub.revision', { n: v.revision }));
  const validity = validityText(v);

  return h(
    'article',
    { class: 'item', dataset: { itemId: v.id, revision: v.revision } },
    buildWarning(p.archive),
    h('header', { class: 'head' }, badges, h('h1', { id: 'title' }, v.title), meta, line, validity && h('p', { class: 'published' }, validity)),
    old && h('div', { class: 'banner old', role: 'note' }, h('p', null, t('pub.old', { n: v.revision, m: item.revision })), h('a', { href: latestHref(), dataset: { rev: '0' } }, t('pub.toLatest'))),
    stateBanner(item, p.history),
    v.summary && h('p', { class: 'summary' }, v.summary),
    bodyOf(v),
    v.finance && Array.isArray(v.finance.lines) && v.finance.lines.length > 0 && financeSection(v.finance),
    assetsSection(v.assets),
    p.matter && matterSection(p.matter, v.id),
    historySection(p),
    buildProof(p.proof, v, p.archive),
    h('footer', { class: 'foot' }, t('pub.footer')),
  );
}

function latestHref() {
  const u = new URL(location.href);
  u.searchParams.delete('rev');
  return u.pathname + u.search;
}

function revHref(n) {
  const u = new URL(location.href);
  u.searchParams.set('rev', String(n));
  return u.pathname + u.search;
}

function validityText(v) {
  const from = v.valid_from ? date(v.valid_from) : '';
  const until = v.valid_until ? date(v.valid_until) : '';
  if (from && until) return t('pub.validity', { from, until });
  if (from) return t('pub.validFrom', { from });
  if (until) return t('pub.validUntil', { until });
  return '';
}

function stateBanner(item, history) {
  switch (item.state) {
    case 'withdrawn': {
      const entry = (history?.entries || []).filter((e) => e.kind === 'withdraw').pop();
      return h(
        'div',
        { class: 'banner withdrawn', role: 'note', id: 'state-banner' },
        h('p', { class: 'strong' }, t('pub.withdrawn')),
        entry && h('p', null, t('pub.withdrawnAt', { date: date(entry.at) })),
        item.withdraw_reason && h('p', { id: 'withdraw-reason' }, t('pub.reason', { reason: item.withdraw_reason })),
      );
    }
    case 'expired':
      return h('div', { class: 'banner expired', role: 'note', id: 'state-banner' }, h('p', { class: 'strong' }, item.valid_until ? t('pub.expired', { date: date(item.valid_until) }) : t('pub.expiredNoDate')));
    case 'scheduled':
      return item.valid_from && h('div', { class: 'banner scheduled', role: 'note', id: 'state-banner' }, h('p', null, t('pub.scheduled', { date: date(item.valid_from) })));
  }
  return null;
}

function bodyOf(v) {
  if (!v.body_html) return null;
  const div = h('div', { class: 'body', id: 'body' });
  div.innerHTML = v.body_html; // sanitised by the server when published
  for (const a of div.querySelectorAll('a[href]')) {
    if (/^https?:\/\//i.test(a.getAttribute('href'))) a.rel = 'noopener noreferrer';
  }
  for (const tbl of div.querySelectorAll('table')) tbl.replaceWith(h('div', { class: 'scroll' }, tbl.cloneNode(true)));
  return div;
}

function financeSection(f) {
  const unit = f.unit === 'wan' ? 'wan' : 'yuan';
  const unitName = !f.currency || f.currency === 'CNY' ? t(`unit.${unit}`) : unit === 'wan' ? `${f.currency} ×10,000` : f.currency;
  const budget = hasBudget(f.lines);
  const th = (text, cls) => h('th', { scope: 'col', class: cls }, text);
  const head = h('tr', null, th(t('finance.name'), 'name'));
  if (budget) head.append(th(t('finance.budget'), 'num'), th(t('finance.actual'), 'num'), th(t('finance.rate'), 'num'));
  else head.append(th(t('finance.amount'), 'num'));
  const body = h('tbody');
  for (const { line, depth, total } of financeRows(f.lines)) {
    const cls = [total ? 'total' : 'line', `d${Math.min(depth, 6)}`].join(' ');
    const tr = h('tr', { class: cls, dataset: { code: line.code } }, h('th', { scope: 'row', class: 'name' }, line.name || line.code));
    const money = (x, label) => h('td', { class: 'num', dataset: { label } }, x == null ? '' : formatFen(x, unit));
    if (budget) {
      tr.append(
        money(line.budget, t('finance.budget')),
        money(line.amount, t('finance.actual')),
        h('td', { class: 'num rate', dataset: { label: t('finance.rate') } }, line.budget != null ? percent(line.amount, line.budget) : ''),
      );
    } else tr.append(money(line.amount, t('finance.amount')));
    body.append(tr);
  }
  return h(
    'section',
    { class: 'card', id: 'finance', 'aria-labelledby': 'finance-h' },
    h('h2', { id: 'finance-h' }, t('pub.finance')),
    h('p', { class: 'hint' }, t('finance.unit', { unit: unitName }), ' · ', t('pub.financeHint')),
    h('div', { class: 'scroll' }, h('table', { class: budget ? 'finance budgeted' : 'finance' }, h('thead', null, head), body)),
  );
}

function mediaKind(type) {
  const s = String(type || '').toLowerCase();
  if (s.startsWith('image')) return 'image';
  if (s.startsWith('video')) return 'video';
  if (s.includes('pdf')) return 'pdf';
  return 'file';
}

function assetsSection(assets) {
  if (!Array.isArray(assets) || !assets.length) return null;
  const list = h('ul', { class: 'assets' });
  for (const a of assets) {
    const kind = mediaKind(a.type);
    const url = safeURL(a.url);
    const label = a.name || t(`pub.${kind}`);
    if (kind === 'image') {
      list.append(h('li', { class: 'image' }, h('figure', null, h('a', { href: url }, h('img', { src: url, alt: label, loading: 'lazy' })), a.name && h('figcaption', null, a.name))));
    } else {
      list.append(h('li', { class: kind }, h('a', { href: url, class: 'file' }, h('span', { class: 'kind' }, t(`pub.${kind}`)), h('span', { class: 'fname' }, label))));
    }
  }
  return h('section', { class: 'card', id: 'attachments', 'aria-labelledby': 'att-h' }, h('h2', { id: 'att-h' }, t('pub.attachments')), list);
}

function matterSection(m, currentID) {
  const items = m.items || [];
  const groups = [...stages, ''].map((s) => [s, items.filter((it) => (stages.includes(it.stage) ? it.stage : '') === s)]).filter(([, g]) => g.length);
  return h(
    'section',
    { class: 'card', id: 'matter', 'aria-labelledby': 'matter-h' },
    h('h2', { id: 'matter-h' }, t('pub.matter')),
    m.matter?.title && h('p', { class: 'hint' }, t('pub.matterTitle', { title: m.matter.title })),
    h(
      'ol',
      { class: 'stages' },
      groups.map(([s, g]) =>
        h(
          'li',
          { class: `stage stage-${s || 'none'}` },
          h('span', { class: `badge stage-${s || 'none'}` }, s ? t(`stage.${s}`) : t('pub.noStage')),
          h(
            'ul',
            null,
            g.map((it) => {
              const here = it.id === currentID;
              const state = it.state && it.state !== 'live' ? h('span', { class: `badge small state-${it.state}` }, t(`pub.state.${it.state}`)) : null;
              return h(
                'li',
                null,
                here ? h('strong', { 'aria-current': 'page' }, it.title, t('pub.thisItem')) : h('a', { href: safeURL(it.page || `/p/${encodeURIComponent(it.id)}`) }, it.title),
                ' ',
                h('span', { class: 'muted' }, date(it.published_at)),
                state && ' ',
                state,
              );
            }),
          ),
        ),
      ),
    ),
  );
}

function historySection(p) {
  const revs = p.history?.revisions || [];
  if (!revs.length) return null;
  const rows = [];
  for (const r of revs) rows.push({ index: Number(r.archive_index), rev: r });
  for (const e of p.history.entries || []) if (e.kind === 'withdraw' || e.kind === 'expire') rows.push({ index: Number(e.index), entry: e });
  rows.sort((a, b) => b.index - a.index);
  const latest = p.item.revision;
  const list = h('ol', { class: 'history', reversed: true });
  for (const row of rows) {
    if (row.entry) {
      list.append(h('li', { class: `event ${row.entry.kind}` }, h('span', { class: 'what' }, t(`pub.entry.${row.entry.kind}`)), ' · ', date(row.entry.at), ' · ', t('item.archive', { n: row.index })));
      continue;
    }
    const r = row.rev;
    const viewing = r.revision === p.view.revision;
    const text = [h('span', { class: 'what' }, t('pub.revision', { n: r.revision })), ' · ', t('pub.published'), ' ', date(r.published_at), ' · ', t('item.archive', { n: r.archive_index })];
    const title = r.title && r.title !== p.view.title ? h('span', { class: 'rtitle' }, r.title) : null;
    const li = h(
      'li',
      { class: viewing ? 'rev viewing' : 'rev' },
      viewing
        ? h('span', { class: 'here', 'aria-current': 'true' }, text, ' ', h('span', { class: 'badge small' }, t('pub.viewing')), title)
        : h('a', { href: r.revision === latest ? latestHref() : revHref(r.revision), dataset: { rev: String(r.revision === latest ? 0 : r.revision) } }, text, title),
    );
    if (r.revision > 1) li.append(' ', compareButton(p, r.revision, li));
    list.append(li);
  }
  return h('section', { class: 'card', id: 'history', 'aria-labelledby': 'history-h' }, h('h2', { id: 'history-h' }, t('pub.history')), h('p', { class: 'hint' }, t('pub.historyHint')), list);
}

/** A button that shows, under li, what revision n changed from n-1. */
function compareButton(p, n, li) {
  const b = h('button', { type: 'button', class: 'link-button', dataset: { diff: String(n) }, 'aria-expanded': 'false' }, t('pub.compare'));
  b.addEventListener('click', async () => {
    const open = li.querySelector('.diff');
    if (open) {
      open.remove();
      b.setAttribute('aria-expanded', 'false');
      return;
    }
    b.disabled = true;
    try {
      const res = await fetch(`/api/v1/public/items/${encodeURIComponent(p.item.id)}/diff?from=${n - 1}&to=${n}`, { headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = await res.json();
      li.append(buildDiff(body.diff, p.view.finance?.unit));
      b.setAttribute('aria-expanded', 'true');
    } catch (err) {
      console.warn('diff', err);
      li.append(h('p', { class: 'hint diff' }, t('pub.failed')));
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

function kv(label, value, cls) {
  return [h('dt', null, label), h('dd', { class: cls }, value)];
}

/**
 * The broken-history warning for the witness's result {status, problem}, or
 * null while the history is not shown broken.
 */
export function buildWarning(archive) {
  if (!archive || archive.status !== 'broken') return null;
  return h(
    'div',
    { class: 'banner broken', role: 'alert', id: 'archive-warning', dataset: { problem: archive.problem || '' } },
    h('p', { class: 'strong' }, t('pub.witness.broken')),
    h('p', null, t(`pub.witness.problem.${archive.problem}`)),
    h('p', null, t('pub.witness.brokenLong')),
  );
}

/** What the witness found, as a line of the proof section, or null. */
function historyLine(archive) {
  if (!archive) return null;
  let text = '';
  switch (archive.status) {
    case 'ok':
      if (archive.signature !== 'ok') text = t('pub.witness.unchecked');
      else text = t(archive.first ? 'pub.witness.first' : 'pub.witness.ok', { n: archive.size });
      break;
    case 'broken':
      text = `${t('pub.witness.broken')}：${t(`pub.witness.problem.${archive.problem}`)}`;
      break;
    case 'unsupported':
      text = t('pub.witness.unchecked');
      break;
  }
  return text ? h('p', { class: `history-status ${archive.status}`, id: 'history-status', dataset: { status: archive.status } }, text) : null;
}

/** The archive proof section for the proof state {status, index, data, checkpoint, leafHash, problem} and the witness's result. */
export function buildProof(proof, v, archive) {
  const status = h('p', { id: 'proof-status', class: `status ${proof.status}`, role: 'status' });
  let detail = null;
  switch (proof.status) {
    case 'checking':
      status.textContent = t('pub.proof.checking');
      break;
    case 'verified':
      status.dataset.verified = 'true';
      status.textContent = t('pub.proof.verified');
      detail = t('pub.proof.verifiedLong', { n: proof.data.index, size: proof.data.size });
      break;
    case 'failed':
      status.dataset.verified = 'false';
      status.textContent = t('pub.proof.failed');
      detail = t(`pub.proof.fail.${proof.problem}`);
      break;
    case 'raw':
      status.dataset.verified = 'unavailable';
      status.textContent = t('pub.proof.needsHttps');
      break;
    default:
      status.dataset.verified = 'unavailable';
      status.textContent = t('pub.proof.unavailable');
  }
  const sec = h('section', { class: 'card proof', id: 'proof', 'aria-labelledby': 'proof-h' }, h('h2', { id: 'proof-h' }, t('pub.proof')), h('p', { class: 'hint' }, t('pub.proofHint')), status, detail && h('p', { class: 'detail' }, detail), historyLine(archive));
  const d = proof.data;
  const dl = h('dl', { class: 'kv' }, kv(t('pub.proof.index'), `#${d ? d.index : (proof.index ?? v.archive_index)}`, 'mono'));
  if (d) {
    dl.append(
      ...kv(t('pub.proof.leaf'), proof.leafHash || d.leaf_hash, 'mono hash'),
      ...kv(t('pub.proof.size'), t('pub.proof.entries', { n: d.size })),
      ...kv(t('pub.proof.root'), d.root, 'mono hash'),
      ...kv(t('pub.proof.short'), shortHash(d.root), 'mono'),
    );
    if (proof.checkpoint) dl.append(...kv(t('pub.proof.checkpoint'), `${proof.checkpoint.origin} · ${t('pub.proof.entries', { n: proof.checkpoint.size })} · ${proof.checkpoint.short}`, 'mono'));
  }
  sec.append(dl);
  if (d) {
    const path = d.proof || [];
    sec.append(
      h('details', null, h('summary', null, t('pub.proof.path', { n: path.length })), h('ol', { class: 'path mono', start: '1' }, path.map((x) => h('li', null, x)))),
      h('details', null, h('summary', null, t('pub.proof.leafText')), h('pre', { class: 'leaf' }, d.leaf)),
    );
  }
  sec.append(h('details', null, h('summary', null, t('pub.proof.how')), h('p', null, t('pub.proof.howText'))));
  return sec;
}

function canonFinance(f) {
  if (!f || !Array.isArray(f.lines)) return '';
  return JSON.stringify([f.currency || '', f.unit || '', f.lines.map((l) => [l.code, l.name, l.parent || '', Number(l.amount), l.budget == null ? null : Number(l.budget)])]);
}

function canonAssets(as) {
  return JSON.stringify((as || []).map((a) => [a.url, a.type]));
}

/**
 * Why the archived leaf text does not match the revision shown, or "" when
 * it does: the leaf must be this revision's publish entry with the same
 * title, summary, body, finance table and attachments.
 */
export async function contentProblem(data, v) {
  let l;
  let c;
  try {
    l = JSON.parse(data.leaf);
    c = l && l.content;
    if (l && l.v === 2) {
      // Format 2: the leaf commits to the content by SHA-256(salt || content);
      // the content and salt come beside the proof.
      if (typeof data.content !== 'string' || typeof data.salt !== 'string') return 'content';
      const salt = new Uint8Array((data.salt.match(/../g) || []).map((b) => parseInt(b, 16)));
      const text = new TextEncoder().encode(data.content);
      const buf = new Uint8Array(salt.length + text.length);
      buf.set(salt);
      buf.set(text, salt.length);
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
      const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
      if (hex !== l.content_hash) return 'content';
      c = JSON.parse(data.content);
    }
  } catch {
    return 'content';
  }
  if (!c || l.kind !== 'publish' || l.item_id !== v.id || Number(l.revision) !== Number(v.revision)) return 'content';
  for (const k of ['title', 'summary', 'body_html']) if ((c[k] || '') !== (v[k] || '')) return 'content';
  if (canonFinance(c.finance) !== canonFinance(v.finance)) return 'content';
  if (canonAssets(c.assets) !== canonAssets(v.assets)) return 'content';
  return '';
}
