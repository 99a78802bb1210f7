// @ts-check
// UI strings: Simplified Chinese by default, English with ?lang=en.
// Front-ends add their own keys with extend().

/** @type {Object<string, Object<string, string>>} language → key → string */
const dict = {
  zh: {
    'app.name': '政务公开',
    'pairing.title': '配对码',
    'pairing.hint': '请管理员在管理控制台的「屏幕」页面输入此配对码，认领本屏幕',
    'pairing.hintShort': '在控制台「屏幕」页输入此码',
    'pairing.expires': '有效期至 {time}',
    'pairing.waiting': '等待认领…',
    'pairing.error': '无法连接服务器，正在重试…',
    'state.connecting': '正在连接服务器…',
    'state.offline': '离线播放',
    'stage.before': '事前',
    'stage.during': '事中',
    'stage.after': '事后',
    'item.published': '发布日期：{date}',
    'item.archive': '档案第 {n} 条',
    'item.scan': '扫码查看详情',
    'item.unavailable': '内容暂时无法显示',
    'item.attachments': '附件 {n} 份，扫码查看',
    'finance.unit': '单位：{unit}',
    'finance.name': '项目',
    'finance.code': '编码',
    'finance.amount': '金额',
    'finance.actual': '实际',
    'finance.budget': '预算',
    'finance.rate': '执行率',
    'finance.page': '第 {n}/{of} 页',
    'finance.continued': '续 {n}/{of}',
    'unit.yuan': '元',
    'unit.wan': '万元',
    'idle.archive': '公开档案',
    'idle.entries': '共 {n} 条',
    'idle.hash': '校验值 {hash}',
    'interrupt.urgent': '紧急通知',
    'interrupt.info': '通知',
    'identify.label': '本屏幕',
    'media.pdf': 'PDF 文档',
    'media.pdf.hint': '请在触摸查询机或扫码查看全文',
    'rating.5': '非常满意',
    'rating.4': '满意',
    'rating.3': '基本满意',
    'rating.2': '不满意',
    'rating.1': '非常不满意',
  },
  en: {
    'app.name': 'Public disclosure',
    'pairing.title': 'Pairing code',
    'pairing.hint': 'An administrator claims this screen by entering this code on the Screens page of the console',
    'pairing.hintShort': 'Enter on the console’s Screens page',
    'pairing.expires': 'Valid until {time}',
    'pairing.waiting': 'Waiting to be claimed…',
    'pairing.error': 'Cannot reach the server, retrying…',
    'state.connecting': 'Connecting to the server…',
    'state.offline': 'Offline',
    'stage.before': 'Before',
    'stage.during': 'During',
    'stage.after': 'After',
    'item.published': 'Published {date}',
    'item.archive': 'Archive entry {n}',
    'item.scan': 'Scan for details',
    'item.unavailable': 'This content cannot be shown right now',
    'item.attachments': '{n} attachment(s), scan to view',
    'finance.unit': 'Unit: {unit}',
    'finance.name': 'Item',
    'finance.code': 'Code',
    'finance.amount': 'Amount',
    'finance.actual': 'Actual',
    'finance.budget': 'Budget',
    'finance.rate': 'Rate',
    'finance.page': 'page {n}/{of}',
    'finance.continued': 'continued {n}/{of}',
    'unit.yuan': 'yuan',
    'unit.wan': '10,000 yuan',
    'idle.archive': 'Disclosure archive',
    'idle.entries': '{n} entries',
    'idle.hash': 'Tree hash {hash}',
    'interrupt.urgent': 'Urgent notice',
    'interrupt.info': 'Notice',
    'identify.label': 'This screen',
    'media.pdf': 'PDF document',
    'media.pdf.hint': 'Read it on the touch kiosk or scan the code',
    'rating.5': 'Very satisfied',
    'rating.4': 'Satisfied',
    'rating.3': 'Fairly satisfied',
    'rating.2': 'Dissatisfied',
    'rating.1': 'Very dissatisfied',
  },
};

const langs = Object.keys(dict);
let current = 'zh';

/**
 * The language named by ?lang= in the URL, or "zh".
 * @param {string} [search]
 */
export function detectLang(search = globalThis.location ? location.search : '') {
  const l = new URLSearchParams(search).get('lang');
  return l && langs.includes(l) ? l : 'zh';
}

/**
 * Sets the UI language ("zh" or "en"; anything else means "zh") and the page's lang attribute.
 * @param {string} l
 */
export function setLang(l) {
  current = langs.includes(l) ? l : 'zh';
  if (globalThis.document) document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  return current;
}

/** The current UI language. */
export function lang() {
  return current;
}

/**
 * Adds or overrides strings: extend({zh: {...}, en: {...}}).
 * @param {Object<string, Object<string, string>>} more
 */
export function extend(more) {
  for (const [l, strings] of Object.entries(more)) {
    if (dict[l]) Object.assign(dict[l], strings);
  }
}

/**
 * The string for key in the current language, with {name} placeholders filled from vars.
 * @param {string} key
 * @param {Object<string, unknown>} [vars]
 * @returns {string}
 */
export function t(key, vars) {
  const s = dict[current][key] ?? dict.zh[key] ?? key;
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (/** @type {string} */ m, /** @type {string} */ k) => (k in vars ? String(vars[k]) : m));
}

/**
 * Picks the current language from a {"zh","en"} name; plain strings pass through.
 * @param {string|Object<string, string|undefined>|null|undefined} v
 * @returns {string}
 */
export function localized(v) {
  if (v == null) return '';
  if (typeof v === 'string') return v;
  return v[current] || v.zh || Object.values(v)[0] || '';
}
