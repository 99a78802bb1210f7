// The print layout of the public item page: /p/{id}?print=1 shows the page
// as an A4 notice for a board (print.css), and any printout of the page
// carries the same head: the QR code to the page, the archive index and the
// publication date. Built from data, no inline styles.
//
// Test hooks: <body class="print-layout"> with ?print=1; the head is
// .print-head with #print-index, #print-published and #print-qr.

import { t, lang, extend } from '../shared/i18n.js';
import { parseTime, formatDate } from '../shared/format.js';
import { h } from '../shared/dom.js';

extend({
  zh: {
    'print.index': '存档编号',
    'print.published': '发布时间',
    'print.revision': '版本',
    'print.qr': '扫码查看本公开事项',
  },
  en: {
    'print.index': 'Archive index',
    'print.published': 'Published',
    'print.revision': 'Revision',
    'print.qr': 'Scan to open this disclosure',
  },
});

/** Whether the page was asked for in its print layout (?print=1). */
export function printRequested(search) {
  return new URLSearchParams(search).get('print') === '1';
}

/** Turns the print layout on for ?print=1. */
export function applyPrintLayout(search) {
  document.body.classList.toggle('print-layout', printRequested(search));
}

/** The head of a printed notice for revision v of item id. */
export function buildPrintHead(v) {
  const enc = encodeURIComponent(v.id);
  const rev = Number(v.revision);
  const fact = (label, value, id) => h('div', null, h('dt', null, label), h('dd', { id }, value));
  const link = `${location.origin}/p/${enc}${rev > 0 ? `?rev=${rev}` : ''}`;
  return h(
    'header',
    { class: 'print-head' },
    h(
      'dl',
      { class: 'print-facts' },
      fact(t('print.index'), `#${v.archive_index}`, 'print-index'),
      fact(t('print.published'), formatDate(parseTime(v.published_at), undefined, lang()), 'print-published'),
      fact(t('print.revision'), t('pub.revision', { n: rev }), null),
    ),
    h(
      'div',
      { class: 'print-qr', id: 'print-qr' },
      h('img', { src: `/api/v1/public/items/${enc}/qr.png${rev > 0 ? `?rev=${rev}` : ''}`, alt: t('print.qr'), width: '256', height: '256' }),
      h('span', null, link),
    ),
  );
}
