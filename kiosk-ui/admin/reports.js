// 报表与考核: the engagement report (what residents did, by item, category,
// department, screen or day, as a table and SVG charts), the departments'
// scorecard for a month or a quarter (every lost point, printable on A4),
// and the scorecard's weights by month (admins set them).
//
// Routes: #reports (engagement), #reports/scorecard, #reports/rules.
//
// Test hooks: #reports; tabs a[data-tab="engagement|scorecard|rules"];
// engagement: #eng-period (this|last|quarter|custom), #eng-quarter, #eng-from,
// #eng-to, #eng-by, #eng-table (rows data-key), charts #eng-chart-counts,
// #eng-chart-index, #eng-chart-days (g.bar-row[data-key] per row), links
// #eng-csv, #eng-xlsx; <div id="reports" data-loaded="<query>"> once drawn.
// Scorecard: #sc-period, #sc-table (tr.sc-dept[data-dept]), .sc-expand,
// tr.sc-detail[data-dept] with li[data-status="late|missing"] per
// obligation, #sc-weights, #sc-csv, #sc-xlsx, #sc-print.
// Rules: #rules-versions (rows data-from), #rules-form, #rules-from,
// #rules-timeliness…, #rules-sum, #rules-save.

import { h, replace } from '../shared/dom.js';
import { t, extend, localized } from '../shared/i18n.js';
import { query, seg } from './api.js';
import { table, heading, notice, button, field, select, onSubmit, toast } from './ui.js';
import { formatTime } from './times.js';
import { barChart, columnChart } from './charts.js';

extend({
  zh: {
    'nav.reports': '报表与考核',
    'rep.title': '报表与考核',
    'rep.tab.engagement': '互动统计',
    'rep.tab.scorecard': '考核',
    'rep.tab.rules': '考核规则',
    'rep.period': '期间',
    'rep.this': '本月',
    'rep.last': '上月',
    'rep.quarter': '季度',
    'rep.custom': '自定义',
    'rep.from': '起始日期',
    'rep.to': '截止日期（含）',
    'rep.by': '统计维度',
    'rep.by.item': '按信息',
    'rep.by.category': '按类别',
    'rep.by.department': '按部门',
    'rep.by.screen': '按屏幕',
    'rep.by.day': '按日',
    'rep.show': '查询',
    'rep.csv': '下载 CSV',
    'rep.xlsx': '下载 Excel',
    'rep.print': '打印',
    'rep.name': '名称',
    'rep.impressions': '播放次数',
    'rep.impressionTime': '播放时长（时）',
    'rep.views': '查看次数',
    'rep.dwell': '停留时长（分）',
    'rep.ratings': '评价数',
    'rep.index': '满意度指数',
    'rep.poor': '差评',
    'rep.misuse': '无效评价',
    'rep.feedback': '意见',
    'rep.counts': '播放与查看次数',
    'rep.indexChart': '满意度指数（0–100）',
    'rep.days': '每日播放与查看',
    'rep.none': '该期间没有互动记录。',
    'rep.hall': '大厅服务评价',
    'rep.noKey': '（无关联信息）',
    'rep.range': '{from} 至 {to}',
    'rep.aspects': '分项评价',
    'rep.aspect.efficiency': '办事效率',
    'rep.aspect.attitude': '服务态度',
    'rep.aspect.environment': '环境设施',
    'sc.period': '考核期间',
    'sc.month': '月度',
    'sc.quarterly': '季度',
    'sc.weights': '本期权重：及时性 {timeliness} 分 · 完整性 {completeness} 分 · 回应性 {responsiveness} 分 · 满意度 {satisfaction} 分',
    'sc.department': '部门',
    'sc.score': '得分',
    'sc.grade': '等级',
    'sc.timeliness': '及时性',
    'sc.completeness': '完整性',
    'sc.responsiveness': '回应性',
    'sc.satisfaction': '满意度',
    'sc.details': '扣分明细',
    'sc.hide': '收起',
    'sc.generated': '生成于 {time}',
    'sc.noLoss': '满分，无扣分。',
    'sc.lost': '扣 {n} 分',
    'sc.obligations': '应公开 {due} 次：按时 {on_time}，逾期 {late}，未公开 {missing}',
    'sc.status.late': '逾期公开',
    'sc.status.missing': '未公开',
    'sc.status.on_time': '按时',
    'sc.dueOn': '应于 {due} 前公开',
    'sc.publishedOn': '{at} 公开',
    'sc.cadence.monthly': '每月',
    'sc.cadence.quarterly': '每季度',
    'sc.cadence.annual': '每年',
    'sc.cadence.immediate': '即时',
    'sc.categoryOwed': '类别“{name}”（无对应信息）',
    'sc.financeTotals': '只公开合计、没有明细的财务表（{n}/{tables}）',
    'sc.revision': '第 {n} 版',
    'sc.mattersLacking': '未分阶段公开的事项（{n}/{matters}）',
    'sc.stages': '已公开阶段：{stages}',
    'sc.stage.before': '事前',
    'sc.stage.during': '事中',
    'sc.stage.after': '事后',
    'sc.noStage': '无',
    'sc.summariesLacking': '缺少摘要或正文过短（{n}/{revisions}）',
    'sc.casesLate': '差评工单未按期办结：{n} 件（共 {cases} 件，另有 {pending} 件尚在期限内）',
    'sc.feedbackLate': '群众意见未按期回复：{n} 条（共 {feedback} 条，另有 {pending} 条尚在期限内）',
    'sc.sat': '满意度指数 {index}，评价 {ratings} 条（无效评价 {misuse} 条不计）',
    'sc.note.no obligations': '本期无公开义务，得满分',
    'sc.note.no ratings': '本期无评价，得满分',
    'sc.note.nothing published while disclosures were due': '有应公开事项却未发布任何信息，不得分',
    'rules.title': '考核权重',
    'rules.hint': '每个考核期按其第一个月生效的权重计分；修改只对本月及以后生效，已出的分数不变。',
    'rules.from': '生效月份',
    'rules.weights': '权重',
    'rules.by': '设置人',
    'rules.at': '设置时间',
    'rules.defaults': '默认',
    'rules.current': '当前生效',
    'rules.none': '尚未设置，使用默认权重。',
    'rules.set': '设置新权重',
    'rules.save': '保存权重',
    'rules.sum': '合计 {n} 分（应为 100 分）',
    'rules.saved': '已保存考核权重',
    'rules.adminOnly': '只有管理员可以修改考核权重。',
  },
  en: {
    'nav.reports': 'Reports',
    'rep.title': 'Reports and scorecard',
    'rep.tab.engagement': 'Engagement',
    'rep.tab.scorecard': 'Scorecard',
    'rep.tab.rules': 'Scorecard rules',
    'rep.period': 'Period',
    'rep.this': 'This month',
    'rep.last': 'Last month',
    'rep.quarter': 'Quarter',
    'rep.custom': 'Custom',
    'rep.from': 'From',
    'rep.to': 'To (inclusive)',
    'rep.by': 'Group by',
    'rep.by.item': 'Item',
    'rep.by.category': 'Category',
    'rep.by.department': 'Department',
    'rep.by.screen': 'Screen',
    'rep.by.day': 'Day',
    'rep.show': 'Show',
    'rep.csv': 'Download CSV',
    'rep.xlsx': 'Download Excel',
    'rep.print': 'Print',
    'rep.name': 'Name',
    'rep.impressions': 'Impressions',
    'rep.impressionTime': 'Shown (h)',
    'rep.views': 'Views',
    'rep.dwell': 'Dwell (min)',
    'rep.ratings': 'Ratings',
    'rep.index': 'Satisfaction index',
    'rep.poor': 'Poor',
    'rep.misuse': 'Misuse',
    'rep.feedback': 'Feedback',
    'rep.counts': 'Impressions and views',
    'rep.indexChart': 'Satisfaction index (0–100)',
    'rep.days': 'Impressions and views by day',
    'rep.none': 'No engagement in this period.',
    'rep.hall': 'Hall service ratings',
    'rep.noKey': '(no item)',
    'rep.range': '{from} to {to}',
    'rep.aspects': 'Aspects',
    'rep.aspect.efficiency': 'Efficiency',
    'rep.aspect.attitude': 'Attitude',
    'rep.aspect.environment': 'Environment',
    'sc.period': 'Period',
    'sc.month': 'Months',
    'sc.quarterly': 'Quarters',
    'sc.weights': 'Weights of this period: timeliness {timeliness} · completeness {completeness} · responsiveness {responsiveness} · satisfaction {satisfaction}',
    'sc.department': 'Department',
    'sc.score': 'Score',
    'sc.grade': 'Grade',
    'sc.timeliness': 'Timeliness',
    'sc.completeness': 'Completeness',
    'sc.responsiveness': 'Responsiveness',
    'sc.satisfaction': 'Satisfaction',
    'sc.details': 'Lost points',
    'sc.hide': 'Hide',
    'sc.generated': 'Generated {time}',
    'sc.noLoss': 'Full points: nothing lost.',
    'sc.lost': '−{n} points',
    'sc.obligations': '{due} due: {on_time} on time, {late} late, {missing} missing',
    'sc.status.late': 'late',
    'sc.status.missing': 'missing',
    'sc.status.on_time': 'on time',
    'sc.dueOn': 'due {due}',
    'sc.publishedOn': 'published {at}',
    'sc.cadence.monthly': 'monthly',
    'sc.cadence.quarterly': 'quarterly',
    'sc.cadence.annual': 'annual',
    'sc.cadence.immediate': 'immediate',
    'sc.categoryOwed': 'Category “{name}” (no item)',
    'sc.financeTotals': 'Finance tables with totals only ({n}/{tables})',
    'sc.revision': 'revision {n}',
    'sc.mattersLacking': 'Matters not disclosed in stages ({n}/{matters})',
    'sc.stages': 'Stages disclosed: {stages}',
    'sc.stage.before': 'before',
    'sc.stage.during': 'during',
    'sc.stage.after': 'after',
    'sc.noStage': 'none',
    'sc.summariesLacking': 'Without a summary or with a short body ({n}/{revisions})',
    'sc.casesLate': 'Cases not closed in time: {n} (of {cases}; {pending} still inside their deadline)',
    'sc.feedbackLate': 'Feedback not answered in time: {n} (of {feedback}; {pending} still inside their deadline)',
    'sc.sat': 'Satisfaction index {index} from {ratings} ratings ({misuse} misuse left out)',
    'sc.note.no obligations': 'Nothing was due: full points',
    'sc.note.no ratings': 'No ratings: full points',
    'sc.note.nothing published while disclosures were due': 'Nothing published while disclosures were due: no points',
    'rules.title': 'Scorecard weights',
    'rules.hint': 'A period is scored with the weights in force in its first month; changes apply from this month on and never change a score already given.',
    'rules.from': 'From month',
    'rules.weights': 'Weights',
    'rules.by': 'Set by',
    'rules.at': 'Set at',
    'rules.defaults': 'Defaults',
    'rules.current': 'In force',
    'rules.none': 'None set: the defaults apply.',
    'rules.set': 'Set new weights',
    'rules.save': 'Save weights',
    'rules.sum': 'Total {n} points (want 100)',
    'rules.saved': 'Scorecard weights saved',
    'rules.adminOnly': 'Only admins change the scorecard weights.',
  },
});

export const reports = {
  key: 'reports',
  label: 'nav.reports',
  visible: (app) => app.can('auditor'),
  render,
};

const parts = ['timeliness', 'completeness', 'responsiveness', 'satisfaction'];
const bys = ['item', 'category', 'department', 'screen', 'day'];

const pad = (n) => String(n).padStart(2, '0');
const ymd = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const ym = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
const quarterOf = (d) => `${d.getFullYear()}-Q${Math.floor(d.getMonth() / 3) + 1}`;

/** The chosen filters, kept while the console is open. */
const state = {
  period: 'this',
  quarter: quarterOf(new Date()),
  from: '',
  to: '',
  by: 'item',
  scPeriod: ym(new Date()),
};

/** The last n quarters, newest first: ["2026-Q4", "2026-Q3"…]. */
function quarters(n) {
  const out = [];
  const d = new Date();
  d.setDate(1);
  for (let i = 0; i < n; i++) {
    out.push(quarterOf(d));
    d.setMonth(d.getMonth() - 3);
  }
  return out;
}

/** The last n months, newest first: ["2026-11", "2026-10"…]. */
function months(n) {
  const out = [];
  const d = new Date();
  d.setDate(1);
  for (let i = 0; i < n; i++) {
    out.push(ym(d));
    d.setMonth(d.getMonth() - 1);
  }
  return out;
}

/** [from, to) as dates for the chosen period; to is the day after the last. */
function range() {
  const now = new Date();
  const first = new Date(now.getFullYear(), now.getMonth(), 1);
  switch (state.period) {
    case 'last':
      return [ymd(new Date(now.getFullYear(), now.getMonth() - 1, 1)), ymd(first)];
    case 'quarter': {
      const [y, q] = state.quarter.split('-Q').map(Number);
      return [ymd(new Date(y, (q - 1) * 3, 1)), ymd(new Date(y, q * 3, 1))];
    }
    case 'custom': {
      if (!state.from || !state.to) break;
      const [y, m, d] = state.to.split('-').map(Number);
      return [state.from, ymd(new Date(y, m - 1, d + 1))];
    }
  }
  return [ymd(first), ymd(new Date(now.getFullYear(), now.getMonth() + 1, 1))];
}

// Each render takes a number; one overtaken by a later render (a period
// picked while the previous one was still loading) draws nothing.
let renders = 0;
const stale = (n) => n !== renders;

async function render(app, el, rest) {
  const n = ++renders;
  const tab = ['scorecard', 'rules'].includes(rest[0]) ? rest[0] : 'engagement';
  const tabs = h(
    'nav',
    { class: 'chips report-tabs no-print', 'aria-label': t('rep.title') },
    ['engagement', 'scorecard', 'rules'].map((k) =>
      h('a', { href: k === 'engagement' ? '#reports' : `#reports/${k}`, class: 'chip', dataset: { tab: k }, 'aria-current': k === tab ? 'page' : null, 'aria-pressed': String(k === tab) }, t(`rep.tab.${k}`)),
    ),
  );
  const body = h('div', { class: 'report-body' });
  replace(el, h('div', { id: 'reports', class: 'reports' }, heading(1, t('rep.title')), tabs, body));
  if (tab === 'scorecard') await scorecardView(app, body, n);
  else if (tab === 'rules') await rulesView(app, body, n);
  else await engagementView(app, body, n);
}

// ---- Engagement -------------------------------------------------------

/** key → name for the grouping, from the catalogue the role may read. */
async function namer(app, by) {
  const names = new Map();
  const safe = (p) => app.load(p).catch(() => null);
  if (by === 'item') {
    const r = await safe('/items?limit=1000');
    for (const it of r?.items || []) names.set(it.id, it.title);
  } else if (by === 'category' || by === 'department') {
    const r = await safe(by === 'category' ? '/categories' : '/departments');
    for (const c of r?.[by === 'category' ? 'categories' : 'departments'] || []) names.set(c.key, localized(c.name));
  } else if (by === 'screen') {
    const r = await safe('/screens');
    for (const s of r?.screens || []) names.set(s.id, s.name);
  }
  return (key) => {
    if (key === '') return t('rep.noKey');
    if (key === 'service:hall') return t('rep.hall');
    return names.get(key) || key;
  };
}

async function engagementView(app, el, n) {
  const [from, to] = range();
  const q = { from, to, by: state.by };
  const [rep, name] = await Promise.all([app.api.get(`/reports/engagement${query(q)}`), namer(app, state.by)]);
  if (stale(n)) return;
  const rows = rep.rows || [];

  const periodSel = select(
    'eng-period',
    'period',
    ['this', 'last', 'quarter', 'custom'].map((k) => [k, t(`rep.${k}`)]),
    state.period,
  );
  const quarterSel = select(
    'eng-quarter',
    'quarter',
    quarters(8).map((k) => [k, k]),
    state.quarter,
  );
  const fromIn = h('input', { id: 'eng-from', type: 'date', name: 'from', value: state.from || from, dataset: { field: 'from' } });
  const lastDay = (() => {
    const [y, m, d] = to.split('-').map(Number);
    return ymd(new Date(y, m - 1, d - 1));
  })();
  const toIn = h('input', { id: 'eng-to', type: 'date', name: 'to', value: state.to || lastDay, dataset: { field: 'to' } });
  const bySel = select(
    'eng-by',
    'by',
    bys.map((k) => [k, t(`rep.by.${k}`)]),
    state.by,
  );
  const quarterField = field(t('rep.quarter'), quarterSel, { cls: 'compact' });
  const fromField = field(t('rep.from'), fromIn, { cls: 'compact' });
  const toField = field(t('rep.to'), toIn, { cls: 'compact' });
  quarterField.hidden = state.period !== 'quarter';
  fromField.hidden = toField.hidden = state.period !== 'custom';

  const form = h(
    'form',
    { id: 'eng-form', class: 'report-filters no-print', novalidate: true },
    field(t('rep.period'), periodSel, { cls: 'compact' }),
    quarterField,
    fromField,
    toField,
    field(t('rep.by'), bySel, { cls: 'compact' }),
    h('button', { type: 'submit', class: 'button primary', id: 'eng-show' }, t('rep.show')),
  );
  const apply = () => {
    state.period = periodSel.value;
    state.quarter = quarterSel.value;
    state.by = bySel.value;
    if (state.period === 'custom') {
      state.from = fromIn.value;
      state.to = toIn.value;
      if (!state.from) throw { message: t('err.required', { field: t('rep.from') }), field: 'from' };
      if (!state.to) throw { message: t('err.required', { field: t('rep.to') }), field: 'to' };
      if (state.to < state.from) throw { message: t('err.want_a_date_on_or_after_from'), field: 'to' };
    }
  };
  // Picking a period other than "custom" or another grouping shows it at once.
  periodSel.addEventListener('change', () => {
    quarterField.hidden = periodSel.value !== 'quarter';
    fromField.hidden = toField.hidden = periodSel.value !== 'custom';
    if (periodSel.value !== 'custom') form.requestSubmit();
  });
  quarterSel.addEventListener('change', () => form.requestSubmit());
  bySel.addEventListener('change', () => periodSel.value !== 'custom' && form.requestSubmit());
  onSubmit(form, async () => {
    apply();
    await app.refresh();
  });

  const dl = (format) => `/api/v1/reports/engagement${query({ ...q, format })}`;
  const downloads = h(
    'div',
    { class: 'heading-actions no-print' },
    h('a', { id: 'eng-csv', class: 'button small', href: dl('csv'), download: '' }, t('rep.csv')),
    h('a', { id: 'eng-xlsx', class: 'button small', href: dl('xlsx'), download: '' }, t('rep.xlsx')),
  );

  const label = (r) => (state.by === 'day' ? r.key : name(r.key));
  const series = [
    { label: t('rep.impressions'), cls: 's-impressions' },
    { label: t('rep.views'), cls: 's-views' },
  ];
  const charts = [];
  if (rows.length && state.by === 'day') {
    charts.push(
      columnChart({ id: 'eng-chart-days', title: t('rep.days'), series, rows: rows.map((r) => ({ key: r.key, label: r.key, short: r.key.slice(5), values: [r.impressions, r.views] })) }),
      columnChart({
        id: 'eng-chart-index',
        title: t('rep.indexChart'),
        max: 100,
        series: [{ label: t('rep.index'), cls: 's-index' }],
        rows: rows.map((r) => ({ key: r.key, label: r.key, short: r.key.slice(5), values: [r.index ?? null] })),
      }),
    );
  } else if (rows.length) {
    charts.push(
      barChart({ id: 'eng-chart-counts', title: t('rep.counts'), series, rows: rows.map((r) => ({ key: r.key, label: label(r), values: [r.impressions, r.views] })) }),
      barChart({
        id: 'eng-chart-index',
        title: t('rep.indexChart'),
        max: 100,
        series: [{ label: t('rep.index'), cls: 's-index' }],
        rows: rows.map((r) => ({ key: r.key, label: label(r), values: [r.index ?? null] })),
      }),
    );
  }
  const cols = [
    t(`rep.by.${state.by}`),
    { label: t('rep.impressions'), cls: 'num' },
    { label: t('rep.impressionTime'), cls: 'num' },
    { label: t('rep.views'), cls: 'num' },
    { label: t('rep.dwell'), cls: 'num' },
    { label: t('rep.ratings'), cls: 'num' },
    { label: t('rep.index'), cls: 'num' },
    { label: t('rep.poor'), cls: 'num' },
    { label: t('rep.misuse'), cls: 'num' },
    { label: t('rep.feedback'), cls: 'num' },
  ];
  const linkFor = (r) => (state.by === 'item' && r.key.startsWith('it_') ? h('a', { href: `#items/${seg(r.key)}` }, label(r)) : label(r));
  const trows = rows.map((r) => ({
    dataset: { key: r.key },
    cells: [
      linkFor(r),
      String(r.impressions),
      (r.impression_ms / 3600000).toFixed(1),
      String(r.views),
      (r.dwell_ms / 60000).toFixed(1),
      String(r.ratings),
      r.index == null ? '—' : r.index.toFixed(1),
      String(r.poor),
      String(r.misuse),
      String(r.feedback),
    ],
  }));
  const aspects = (rep.aspects || []).length
    ? h(
        'section',
        null,
        h('h3', null, t('rep.aspects')),
        table(
          [t('rep.name'), t('rep.aspects'), { label: t('rep.ratings'), cls: 'num' }, { label: t('rep.index'), cls: 'num' }],
          rep.aspects.map((a) => [a.subject === 'service:hall' ? t('rep.hall') : name(a.subject.replace(/^item:/, '')), t(`rep.aspect.${a.aspect}`), String(a.ratings), a.index == null ? '—' : a.index.toFixed(1)]),
          { id: 'eng-aspects' },
        ),
      )
    : null;
  replace(
    el,
    form,
    heading(2, t('rep.range', { from, to: lastDay }), downloads),
    (rep.warnings || []).map((w) => notice(w, 'warn')),
    rows.length ? h('div', { class: 'charts' }, charts) : notice(t('rep.none')),
    table(cols, trows, { id: 'eng-table', empty: t('rep.none') }),
    aspects,
  );
  el.closest('#reports')?.setAttribute('data-loaded', query(q));
}

// ---- Scorecard --------------------------------------------------------

const points = (p) => `${p.points}/${p.max}`;
const lost = (p) => Math.round((p.max - p.points) * 10) / 10;
const noteText = (n) => (n ? (t(`sc.note.${n}`) === `sc.note.${n}` ? n : t(`sc.note.${n}`)) : '');

/** The part's heading in the details: its name, points and what was lost. */
function partHead(key, p) {
  const l = lost(p);
  return h('h4', null, `${t(`sc.${key}`)} ${points(p)}`, l > 0 ? h('span', { class: 'tag danger' }, t('sc.lost', { n: l })) : null, p.note ? h('span', { class: 'hint' }, ` ${noteText(p.note)}`) : null);
}

/** The calendar date of a due time as the server wrote it (in the hall's zone). */
const dueDate = (v) => (/^\d{4}-\d\d-\d\dT.*[+-]\d\d:\d\d$/.test(String(v)) ? String(v).slice(0, 10) : formatTime(v));

const itemLink = (id, text) => h('a', { href: `#items/${seg(id)}` }, text);

function details(d, cats) {
  const out = [];
  const tl = d.timeliness;
  const obligations = (tl.items || []).filter((o) => o.status !== 'on_time');
  out.push(
    h(
      'section',
      { class: 'sc-part', dataset: { part: 'timeliness' } },
      partHead('timeliness', tl),
      tl.due ? h('p', null, t('sc.obligations', tl)) : null,
      obligations.length
        ? h(
            'ul',
            { class: 'sc-list' },
            obligations.map((o) =>
              h(
                'li',
                { dataset: { status: o.status, item: o.item_id || '' } },
                o.item_id ? itemLink(o.item_id, o.title || o.item_id) : t('sc.categoryOwed', { name: cats.get(o.category) || o.category || o.title }),
                ' ',
                h('span', { class: `tag ${o.status === 'missing' ? 'danger' : 'warn'}` }, t(`sc.status.${o.status}`)),
                ' ',
                h('span', { class: 'hint' }, [t(`sc.cadence.${o.cadence}`), t('sc.dueOn', { due: dueDate(o.due) }), o.published_at ? t('sc.publishedOn', { at: formatTime(o.published_at) }) : ''].filter(Boolean).join(' · ')),
              ),
            ),
          )
        : null,
    ),
  );
  const c = d.completeness;
  const lacking = (c.matters.items || []).filter((m) => (m.stages || []).length < 2);
  out.push(
    h(
      'section',
      { class: 'sc-part', dataset: { part: 'completeness' } },
      partHead('completeness', c),
      (c.finance.totals_only || []).length
        ? [
            h('p', null, `${t('sc.financeTotals', { n: c.finance.totals_only.length, tables: c.finance.tables })} ${points(c.finance)}`),
            h('ul', { class: 'sc-list', dataset: { list: 'finance' } }, c.finance.totals_only.map((r) => h('li', null, itemLink(r.item_id, r.title || r.item_id), h('span', { class: 'hint' }, ` ${t('sc.revision', { n: r.revision })}`)))),
          ]
        : null,
      lacking.length
        ? [
            h('p', null, `${t('sc.mattersLacking', { n: lacking.length, matters: c.matters.matters })} ${points(c.matters)}`),
            h(
              'ul',
              { class: 'sc-list', dataset: { list: 'matters' } },
              lacking.map((m) => h('li', null, h('code', null, m.matter_id), ' ', h('span', { class: 'hint' }, t('sc.stages', { stages: (m.stages || []).map((s) => t(`sc.stage.${s}`)).join('、') || t('sc.noStage') })))),
            ),
          ]
        : null,
      (c.summaries.lacking || []).length
        ? [
            h('p', null, `${t('sc.summariesLacking', { n: c.summaries.lacking.length, revisions: c.summaries.revisions })} ${points(c.summaries)}`),
            h('ul', { class: 'sc-list', dataset: { list: 'summaries' } }, c.summaries.lacking.map((r) => h('li', null, itemLink(r.item_id, r.title || r.item_id), h('span', { class: 'hint' }, ` ${t('sc.revision', { n: r.revision })}`)))),
          ]
        : null,
    ),
  );
  const r = d.responsiveness;
  out.push(
    h(
      'section',
      { class: 'sc-part', dataset: { part: 'responsiveness' } },
      partHead('responsiveness', r),
      h('p', { dataset: { count: 'cases' } }, t('sc.casesLate', { n: r.cases - r.cases_in_time, cases: r.cases, pending: r.cases_pending })),
      h('p', { dataset: { count: 'feedback' } }, t('sc.feedbackLate', { n: r.feedback - r.feedback_replied, feedback: r.feedback, pending: r.feedback_pending })),
    ),
  );
  const s = d.satisfaction;
  out.push(
    h(
      'section',
      { class: 'sc-part', dataset: { part: 'satisfaction' } },
      partHead('satisfaction', s),
      s.index != null ? h('p', null, t('sc.sat', { index: s.index.toFixed(1), ratings: s.ratings, misuse: s.misuse })) : null,
    ),
  );
  const total = parts.reduce((n, k) => n + lost(d[k]), 0);
  if (total <= 0) out.unshift(h('p', { class: 'notice' }, t('sc.noLoss')));
  return out;
}

async function scorecardView(app, el, n) {
  const period = state.scPeriod;
  const [sc, catList] = await Promise.all([app.api.get(`/reports/scorecard${query({ period })}`), app.load('/categories').catch(() => null)]);
  if (stale(n)) return;
  const cats = new Map((catList?.categories || []).map((c) => [c.key, localized(c.name)]));

  const periodSel = h(
    'select',
    { id: 'sc-period', name: 'period', dataset: { field: 'period' } },
    h('optgroup', { label: t('sc.month') }, months(18).map((m) => h('option', { value: m, selected: m === period }, m))),
    h('optgroup', { label: t('sc.quarterly') }, quarters(8).map((q) => h('option', { value: q, selected: q === period }, q))),
  );
  periodSel.addEventListener('change', () => {
    state.scPeriod = periodSel.value;
    app.refresh();
  });
  const dl = (format) => `/api/v1/reports/scorecard${query({ period, format })}`;
  const actions = h(
    'div',
    { class: 'heading-actions no-print' },
    h('a', { id: 'sc-csv', class: 'button small', href: dl('csv'), download: '' }, t('rep.csv')),
    h('a', { id: 'sc-xlsx', class: 'button small', href: dl('xlsx'), download: '' }, t('rep.xlsx')),
    button(t('rep.print'), () => window.print(), { id: 'sc-print' }),
  );
  const rows = [];
  for (const d of sc.departments || []) {
    const detail = h('tr', { class: 'sc-detail', dataset: { dept: d.key }, hidden: true }, h('td', { colspan: 8 }, details(d, cats)));
    const toggle = button(t('sc.details'), () => {
      detail.hidden = !detail.hidden;
      toggle.setAttribute('aria-expanded', String(!detail.hidden));
      toggle.textContent = detail.hidden ? t('sc.details') : t('sc.hide');
    });
    toggle.classList.add('sc-expand', 'no-print');
    toggle.setAttribute('aria-expanded', 'false');
    const grade = h('span', { class: `grade g-${d.score >= 90 ? 'a' : d.score >= 75 ? 'b' : d.score >= 60 ? 'c' : 'd'}` }, d.grade);
    rows.push(h('tr', { class: 'sc-dept', dataset: { dept: d.key } }, [localized(d.name) || d.key, h('strong', null, String(d.score)), grade, ...parts.map((k) => points(d[k])), toggle].map((c, i) => h('td', { class: i === 1 || (i >= 3 && i <= 6) ? 'num' : null }, c))), detail);
  }
  const cols = [t('sc.department'), t('sc.score'), t('sc.grade'), ...parts.map((k) => t(`sc.${k}`)), ''];
  const tbl = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'grid scorecard', id: 'sc-table' },
      h('thead', null, h('tr', null, cols.map((c, i) => h('th', { scope: 'col', class: i === 1 || (i >= 3 && i <= 6) ? 'num' : null }, c)))),
      h('tbody', null, rows),
    ),
  );
  replace(
    el,
    h('div', { class: 'report-filters no-print' }, field(t('sc.period'), periodSel, { cls: 'compact' })),
    heading(2, `${t('rep.tab.scorecard')} ${sc.period}`, actions),
    h('p', { id: 'sc-weights', class: 'sc-weights' }, t('sc.weights', sc.weights)),
    h('p', { class: 'hint' }, t('sc.generated', { time: formatTime(sc.generated_at) })),
    (sc.warnings || []).map((w) => notice(w, 'warn')),
    tbl,
  );
  el.closest('#reports')?.setAttribute('data-loaded', period);
}

// ---- Rules ------------------------------------------------------------

const weightText = (w) => parts.map((k) => `${t(`sc.${k}`)} ${w[k]}`).join(' · ');

async function rulesView(app, el, n) {
  const r = await app.api.get('/scorecard/rules');
  if (stale(n)) return;
  const versions = r.versions || [];
  const list = table(
    [t('rules.from'), t('rules.weights'), t('rules.by'), t('rules.at')],
    versions.map((v) => ({ dataset: { from: v.from }, cells: [v.from, weightText(v.weights), v.by || '', formatTime(v.at)] })),
    { id: 'rules-versions', empty: t('rules.none') },
  );
  const parts_ = [
    h('p', { class: 'hint' }, t('rules.hint')),
    h('p', null, `${t('rules.defaults')}：${weightText(r.defaults)}`),
    h('p', { id: 'rules-current' }, `${t('rules.current')}：${weightText(r.current)}`),
    list,
  ];
  if (app.can('admin')) parts_.push(rulesForm(app, r));
  else parts_.push(notice(t('rules.adminOnly')));
  replace(el, heading(2, t('rules.title')), ...parts_);
  el.closest('#reports')?.setAttribute('data-loaded', 'rules');
}

function rulesForm(app, r) {
  const d = new Date();
  const next = ym(new Date(d.getFullYear(), d.getMonth() + 1, 1));
  const fromIn = h('input', { id: 'rules-from', name: 'from', type: 'month', value: next, required: true, dataset: { field: 'from' } });
  const inputs = Object.fromEntries(
    parts.map((k) => [k, h('input', { id: `rules-${k}`, name: k, type: 'number', min: 0, max: 100, step: 1, value: String(r.current[k]), dataset: { field: `weights.${k}` } })]),
  );
  const sum = h('p', { id: 'rules-sum', class: 'weights-sum', tabindex: '-1', dataset: { field: 'weights' } });
  const update = () => {
    const n = parts.reduce((s, k) => s + (Number(inputs[k].value) || 0), 0);
    sum.textContent = t('rules.sum', { n });
    sum.classList.toggle('bad', n !== 100);
  };
  for (const k of parts) inputs[k].addEventListener('input', update);
  update();
  const form = h(
    'form',
    { id: 'rules-form', class: 'card', novalidate: true },
    h('h3', null, t('rules.set')),
    h('div', { class: 'form-grid' }, field(t('rules.from'), fromIn), ...parts.map((k) => field(t(`sc.${k}`), inputs[k]))),
    sum,
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'rules-save', class: 'button primary' }, t('rules.save'))),
  );
  onSubmit(form, async () => {
    const weights = Object.fromEntries(parts.map((k) => [k, inputs[k].value.trim() === '' ? -1 : Number(inputs[k].value)]));
    await app.api.put('/scorecard/rules', { from: fromIn.value, weights });
    toast(t('rules.saved'));
    await app.refresh();
  });
  return form;
}
