// @ts-check
// What changed between two revisions (GET …/items/{id}/diff), drawn for the
// console's review and the public page's history: the changed fields, the
// body line by line (removed lines struck through, added ones marked) and
// the finance lines added, removed or changed, amounts in the table's unit.
//
// Test hooks: .diff; .diff-field[data-field]; .diff-line.del / .diff-line.ins;
// .diff-finance tr[data-code][data-op].

import { h } from './dom.js';
import { t, extend } from './i18n.js';
import { formatFen } from './format.js';

extend({
  zh: {
    'diff.none': '两个版本内容相同。',
    'diff.fields': '改动的信息',
    'diff.body': '正文改动',
    'diff.finance': '财务明细改动',
    'diff.field': '项目',
    'diff.from': '原为',
    'diff.to': '改为',
    'diff.code': '编码',
    'diff.name': '名称',
    'diff.amount': '金额',
    'diff.budget': '预算',
    'diff.op.added': '新增',
    'diff.op.removed': '删除',
    'diff.op.changed': '修改',
    'diff.f.title': '标题',
    'diff.f.summary': '摘要',
    'diff.f.category': '类别',
    'diff.f.department': '部门',
    'diff.f.hall': '公开栏',
    'diff.f.stage': '阶段',
    'diff.f.matter_id': '事项',
    'diff.f.cadence': '公开周期',
    'diff.f.valid_from': '生效时间',
    'diff.f.valid_until': '截止时间',
    'diff.f.assets': '附件',
    'diff.f.finance.unit': '金额单位',
  },
  en: {
    'diff.none': 'The two revisions are the same.',
    'diff.fields': 'Changed details',
    'diff.body': 'Changes to the text',
    'diff.finance': 'Changes to the finance lines',
    'diff.field': 'Field',
    'diff.from': 'Was',
    'diff.to': 'Now',
    'diff.code': 'Code',
    'diff.name': 'Name',
    'diff.amount': 'Amount',
    'diff.budget': 'Budget',
    'diff.op.added': 'added',
    'diff.op.removed': 'removed',
    'diff.op.changed': 'changed',
    'diff.f.title': 'Title',
    'diff.f.summary': 'Summary',
    'diff.f.category': 'Category',
    'diff.f.department': 'Department',
    'diff.f.hall': 'Board',
    'diff.f.stage': 'Stage',
    'diff.f.matter_id': 'Matter',
    'diff.f.cadence': 'Cadence',
    'diff.f.valid_from': 'Valid from',
    'diff.f.valid_until': 'Valid until',
    'diff.f.assets': 'Attachments',
    'diff.f.finance.unit': 'Unit',
  },
});

/**
 * @typedef {{field: string, from: string, to: string}} FieldChange
 * @typedef {{op: string, text: string}} BodyLine
 * @typedef {{code: string, name: string, amount: number, budget?: number}} FinLine
 * @typedef {{code: string, op: string, from?: FinLine, to?: FinLine}} FinChange
 * @typedef {{fields: FieldChange[], body: BodyLine[]|null, finance: FinChange[]|null, unchanged: boolean}} Diff
 */

/**
 * The diff drawn as a <div class="diff">.
 * @param {Diff} d
 * @param {string} [unit] the finance table's unit: "yuan" or "wan"
 * @returns {HTMLElement}
 */
export function buildDiff(d, unit = 'yuan') {
  const box = h('div', { class: 'diff' });
  if (d.unchanged) {
    box.append(h('p', { class: 'hint' }, t('diff.none')));
    return box;
  }
  if (d.fields.length) {
    box.append(
      h('h3', null, t('diff.fields')),
      h(
        'table',
        { class: 'diff-fields' },
        h('thead', null, h('tr', null, h('th', null, t('diff.field')), h('th', null, t('diff.from')), h('th', null, t('diff.to')))),
        h(
          'tbody',
          null,
          d.fields.map((f) => h('tr', { class: 'diff-field', dataset: { field: f.field } }, h('th', { scope: 'row' }, fieldName(f.field)), h('td', { class: 'del' }, f.from), h('td', { class: 'ins' }, f.to))),
        ),
      ),
    );
  }
  if (d.body) {
    box.append(
      h('h3', null, t('diff.body')),
      h(
        'div',
        { class: 'diff-body' },
        d.body.map((l) => {
          const cls = l.op === '-' ? 'del' : l.op === '+' ? 'ins' : 'same';
          return h(l.op === '-' ? 'del' : l.op === '+' ? 'ins' : 'div', { class: `diff-line ${cls}` }, (l.op === '=' ? '  ' : `${l.op} `) + l.text);
        }),
      ),
    );
  }
  if (d.finance) {
    const money = (/** @type {FinLine|undefined} */ l, /** @type {'amount'|'budget'} */ k) => (l && l[k] != null ? formatFen(l[k], unit) : '');
    const cell = (/** @type {FinChange} */ c, /** @type {'amount'|'budget'} */ k) => {
      const a = money(c.from, k);
      const b = money(c.to, k);
      if (c.op !== 'changed' || a === b) return b || a;
      return [h('del', null, a), ' → ', h('ins', null, b)];
    };
    box.append(
      h('h3', null, t('diff.finance')),
      h(
        'table',
        { class: 'diff-finance' },
        h('thead', null, h('tr', null, [t('diff.code'), t('diff.name'), '', t('diff.amount'), t('diff.budget')].map((x) => h('th', null, x)))),
        h(
          'tbody',
          null,
          d.finance.map((c) =>
            h(
              'tr',
              { class: `op-${c.op}`, dataset: { code: c.code, op: c.op } },
              h('td', null, c.code),
              h('td', null, (c.to || c.from)?.name || ''),
              h('td', null, t(`diff.op.${c.op}`)),
              h('td', { class: 'num' }, cell(c, 'amount')),
              h('td', { class: 'num' }, cell(c, 'budget')),
            ),
          ),
        ),
      ),
    );
  }
  return box;
}

/** @param {string} f */
function fieldName(f) {
  const key = `diff.f.${f}`;
  const s = t(key);
  return s === key ? f : s;
}
