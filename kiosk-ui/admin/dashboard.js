// 工作台: the first page after login. What is wrong or due now, each row a
// link to the thing itself: screens offline (and for how long), disclosures
// due or overdue by their cadence and the working-day calendar, drafts
// waiting for review or publication, poor-rating cases near or past their
// deadline, feedback awaiting a reply, and warnings (a missing calendar).
// Lists the caller's role does not see are left out (the server names them).
//
// Test hooks: #dashboard; each list is a table #dash-<list> (screens_offline,
// due, review, cases, feedback) whose rows carry data-id; warnings are
// .dash-warning[data-code].

import { h, replace } from '../shared/dom.js';
import { t, extend } from '../shared/i18n.js';
import { table, heading, notice, button } from './ui.js';
import { formatTime } from './times.js';

extend({
  zh: {
    'nav.dashboard': '工作台',
    'dash.title': '工作台',
    'dash.refresh': '刷新',
    'dash.updated': '更新于 {time}',
    'dash.screens_offline': '离线的屏幕',
    'dash.due': '到期或逾期的公开',
    'dash.review': '待审核、待发布',
    'dash.cases': '临近或超过期限的差评工单',
    'dash.feedback': '待回复的群众意见',
    'dash.none': '没有需要处理的事项。',
    'dash.name': '名称',
    'dash.kind': '类型',
    'dash.lastSeen': '最后在线',
    'dash.never': '从未连接',
    'dash.offlineFor': '已离线',
    'dash.title_': '标题',
    'dash.department': '部门',
    'dash.dueAt': '应公开日期',
    'dash.state': '状态',
    'dash.overdue': '已逾期',
    'dash.soon': '即将到期',
    'dash.status.submitted': '待审核',
    'dash.status.approved': '待发布',
    'dash.by': '提交人',
    'dash.since': '更新时间',
    'dash.subject': '评价对象',
    'dash.level': '评分',
    'dash.opened': '收到时间',
    'dash.deadline': '办理期限',
    'dash.receipt': '回执号',
    'dash.text': '内容',
    'dash.open': '查看',
    'dash.warn.calendar_missing': '工作日历缺少 {year} 年的节假日和调休安排：在录入之前，期限只按周末计算。',
    'dash.minutes': '{n} 分钟',
    'dash.hours': '{n} 小时',
    'dash.days': '{n} 天',
  },
  en: {
    'nav.dashboard': 'Dashboard',
    'dash.title': 'Dashboard',
    'dash.refresh': 'Refresh',
    'dash.updated': 'Updated {time}',
    'dash.screens_offline': 'Screens offline',
    'dash.due': 'Disclosures due or overdue',
    'dash.review': 'Waiting for review or publication',
    'dash.cases': 'Poor-rating cases near or past their deadline',
    'dash.feedback': 'Feedback awaiting a reply',
    'dash.none': 'Nothing needs attention.',
    'dash.name': 'Name',
    'dash.kind': 'Kind',
    'dash.lastSeen': 'Last seen',
    'dash.never': 'never connected',
    'dash.offlineFor': 'Offline for',
    'dash.title_': 'Title',
    'dash.department': 'Department',
    'dash.dueAt': 'Due',
    'dash.state': 'State',
    'dash.overdue': 'overdue',
    'dash.soon': 'due soon',
    'dash.status.submitted': 'to review',
    'dash.status.approved': 'to publish',
    'dash.by': 'Submitted by',
    'dash.since': 'Updated',
    'dash.subject': 'Subject',
    'dash.level': 'Rating',
    'dash.opened': 'Received',
    'dash.deadline': 'Deadline',
    'dash.receipt': 'Receipt',
    'dash.text': 'Text',
    'dash.open': 'Open',
    'dash.warn.calendar_missing': 'The working-day calendar lacks the holidays and make-up days of {year}: until they are entered, deadlines count weekends only.',
    'dash.minutes': '{n} min',
    'dash.hours': '{n} h',
    'dash.days': '{n} days',
  },
});

export const dashboard = {
  key: 'dashboard',
  label: 'nav.dashboard',
  visible: () => true,
  render,
};

/** How long s seconds is, roughly. */
function duration(s) {
  if (s < 3600) return t('dash.minutes', { n: Math.max(1, Math.round(s / 60)) });
  if (s < 2 * 86400) return t('dash.hours', { n: Math.round(s / 3600) });
  return t('dash.days', { n: Math.round(s / 86400) });
}

const link = (href, text) => h('a', { href }, text);
const dueTag = (overdue) => h('span', { class: overdue ? 'tag danger' : 'tag warn' }, overdue ? t('dash.overdue') : t('dash.soon'));

async function render(app, el) {
  const d = await app.api.get('/dashboard');
  const hidden = new Set(d.hidden || []);
  const parts = [];
  for (const w of d.warnings || []) {
    const key = `dash.warn.${w.code}`;
    const text = t(key, { year: w.year });
    parts.push(h('p', { class: 'notice warn dash-warning', dataset: { code: w.code } }, text === key ? w.message : text));
  }
  const section = (key, columns, rows) => {
    if (hidden.has(key)) return;
    parts.push(h('section', { class: 'dash-section' }, h('h2', null, `${t(`dash.${key}`)}（${rows.length}）`), table(columns, rows, { id: `dash-${key}`, empty: t('dash.none') })));
  };
  section(
    'screens_offline',
    [t('dash.name'), t('dash.kind'), t('dash.lastSeen'), t('dash.offlineFor')],
    d.screens_offline.map((s) => ({ dataset: { id: s.id }, cls: 'overdue', cells: [link(s.href, s.name), t(`kind.${s.kind}`), s.last_seen ? formatTime(s.last_seen) : t('dash.never'), duration(s.offline_s)] })),
  );
  section(
    'due',
    [t('dash.title_'), t('dash.department'), t('dash.dueAt'), t('dash.state')],
    d.due.map((i) => ({ dataset: { id: i.id }, cls: i.overdue ? 'overdue' : '', cells: [link(i.href, i.title), i.department, formatTime(i.due), dueTag(i.overdue)] })),
  );
  section(
    'review',
    [t('dash.title_'), t('dash.department'), t('dash.state'), t('dash.by'), t('dash.since')],
    d.review.map((i) => ({ dataset: { id: i.id }, cells: [link(i.href, i.title), i.department, t(`dash.status.${i.status}`), i.submitted_by || '', formatTime(i.updated_at)] })),
  );
  section(
    'cases',
    [t('dash.subject'), t('dash.level'), t('dash.opened'), t('dash.deadline')],
    d.cases.map((c) => ({ dataset: { id: c.id }, cls: c.overdue ? 'overdue' : '', cells: [link(c.href, c.subject), String(c.level), formatTime(c.at), h('span', null, formatTime(c.due_at), ' ', dueTag(c.overdue))] })),
  );
  section(
    'feedback',
    [t('dash.receipt'), t('dash.text'), t('dash.opened'), t('dash.deadline')],
    d.feedback.map((f) => ({ dataset: { id: f.id }, cls: f.overdue ? 'overdue' : '', cells: [link(f.href, f.receipt || f.id), f.text, formatTime(f.at), h('span', null, formatTime(f.due_at), f.overdue ? dueTag(true) : '')] })),
  );
  if (!parts.length) parts.push(notice(t('dash.none')));
  replace(el, h('div', { id: 'dashboard' }, heading(1, t('dash.title'), button(t('dash.refresh'), () => app.refresh())), h('p', { class: 'hint' }, t('dash.updated', { time: formatTime(d.generated_at) })), ...parts));
}
