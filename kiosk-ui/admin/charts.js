// Charts as inline SVG built with DOM calls: no library, no style
// attributes (the Content-Security-Policy forbids them). Colours and fonts
// come from classes in admin.css; sizes are SVG attributes.
//
// Each chart is an <svg class="chart"> with one <g class="bar-row"
// data-key="…"> per row, so a test can count them against the data.

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and children (nodes or text). */
export function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null && v !== false) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c != null && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

/** s cut to n characters with an ellipsis. */
function clip(s, n) {
  const a = Array.from(String(s));
  return a.length > n ? `${a.slice(0, n - 1).join('')}…` : a.join('');
}

const fmt = (v) => (v == null ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(1));

/**
 * Horizontal bars, one group per row and one bar per series:
 *   rows: [{key, label, values: [number|null…]}], series: [{label, cls}],
 *   max: a fixed scale (100 for an index) or the largest value.
 */
export function barChart({ id, title, rows, series, max }) {
  const labelW = 200;
  const width = 760;
  const plotW = width - labelW - 60;
  const barH = 12;
  const rowH = series.length * (barH + 2) + 10;
  const top = 30;
  const height = top + rows.length * rowH + 8;
  const top1 = max || Math.max(1, ...rows.flatMap((r) => r.values.map((v) => v || 0)));
  const legend = svg(
    'g',
    { class: 'legend' },
    series.map((s, i) => svg('g', { transform: `translate(${labelW + i * 130},8)` }, svg('rect', { width: 12, height: 12, class: `bar ${s.cls}` }), svg('text', { x: 18, y: 10 }, s.label))),
  );
  const groups = rows.map((r, i) =>
    svg(
      'g',
      { class: 'bar-row', 'data-key': r.key, transform: `translate(0,${top + i * rowH})` },
      svg('title', {}, r.label),
      svg('text', { x: labelW - 8, y: rowH / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'label' }, clip(r.label, 14)),
      series.map((s, j) => {
        const v = r.values[j];
        const w = v == null ? 0 : Math.max(v > 0 ? 1 : 0, (v / top1) * plotW);
        return svg(
          'g',
          { transform: `translate(${labelW},${j * (barH + 2) + 4})` },
          svg('rect', { width: w.toFixed(1), height: barH, class: `bar ${s.cls}` }),
          svg('text', { x: (w + 4).toFixed(1), y: barH - 2, class: 'value' }, fmt(v)),
        );
      }),
    ),
  );
  return svg(
    'svg',
    { id, class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': title },
    svg('title', {}, title),
    legend,
    svg('line', { x1: labelW, x2: labelW, y1: top - 4, y2: height - 4, class: 'axis' }),
    groups,
  );
}

/**
 * Columns over days (or any ordered keys), one group per row and one
 * column per series, the key's label under every few groups.
 */
export function columnChart({ id, title, rows, series, max }) {
  const width = 760;
  const height = 260;
  const left = 44;
  const top = 30;
  const bottom = 34;
  const plotH = height - top - bottom;
  const plotW = width - left - 8;
  const slot = plotW / Math.max(1, rows.length);
  const colW = Math.max(1, (slot * 0.8) / series.length);
  const top1 = max || Math.max(1, ...rows.flatMap((r) => r.values.map((v) => v || 0)));
  const every = Math.max(1, Math.ceil(rows.length / 10));
  const legend = svg(
    'g',
    { class: 'legend' },
    series.map((s, i) => svg('g', { transform: `translate(${left + i * 130},8)` }, svg('rect', { width: 12, height: 12, class: `bar ${s.cls}` }), svg('text', { x: 18, y: 10 }, s.label))),
  );
  const groups = rows.map((r, i) =>
    svg(
      'g',
      { class: 'bar-row', 'data-key': r.key, transform: `translate(${(left + i * slot + slot * 0.1).toFixed(1)},0)` },
      svg('title', {}, `${r.label}: ${r.values.map(fmt).join(' / ')}`),
      series.map((s, j) => {
        const v = r.values[j] || 0;
        const hgt = (v / top1) * plotH;
        return svg('rect', { x: (j * colW).toFixed(1), y: (top + plotH - hgt).toFixed(1), width: colW.toFixed(1), height: hgt.toFixed(1), class: `bar ${s.cls}` });
      }),
      i % every === 0 ? svg('text', { x: (slot * 0.4).toFixed(1), y: height - bottom + 16, 'text-anchor': 'middle', class: 'label' }, r.short || r.label) : null,
    ),
  );
  return svg(
    'svg',
    { id, class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': title },
    svg('title', {}, title),
    legend,
    svg('line', { x1: left, x2: width - 8, y1: top + plotH, y2: top + plotH, class: 'axis' }),
    svg('text', { x: left - 6, y: top + 4, 'text-anchor': 'end', class: 'value' }, fmt(top1)),
    svg('text', { x: left - 6, y: top + plotH, 'text-anchor': 'end', class: 'value' }, '0'),
    groups,
  );
}
