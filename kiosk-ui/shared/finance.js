// @ts-check
// Finance tables: totals (lines that other lines name as parent) with their
// line items beneath. Amounts are integer fen; see format.js for display.

/**
 * The lines as a tree in display order: each line followed by its children,
 * with its depth and whether it is a total. Input order is kept among
 * siblings; a line whose parent is unknown is shown at the top level, and a
 * cycle (which the server refuses) is cut.
 *
 * @template {{code: string, parent?: string}} L
 * @param {L[]} lines
 * @returns {{line: L, depth: number, total: boolean}[]}
 */
export function financeRows(lines) {
  const codes = new Set(lines.map((l) => l.code));
  /** @type {Map<string, L[]>} */
  const kids = new Map();
  /** @type {L[]} */
  const roots = [];
  for (const l of lines) {
    if (l.parent && codes.has(l.parent) && l.parent !== l.code) {
      const list = kids.get(l.parent);
      if (list) list.push(l);
      else kids.set(l.parent, [l]);
    } else roots.push(l);
  }
  /** @type {{line: L, depth: number, total: boolean}[]} */
  const out = [];
  const seen = new Set();
  /**
   * @param {L} l
   * @param {number} depth
   */
  const walk = (l, depth) => {
    if (seen.has(l.code)) return;
    seen.add(l.code);
    const children = kids.get(l.code) || [];
    out.push({ line: l, depth, total: children.length > 0 });
    for (const c of children) walk(c, depth + 1);
  };
  roots.forEach((l) => walk(l, 0));
  // Lines only reachable through a cycle.
  for (const l of lines) if (!seen.has(l.code)) walk(l, 0);
  return out;
}

/**
 * Whether any line has a budget (the table then shows budget, actual and rate).
 * @param {{budget?: number|null}[]} lines
 */
export function hasBudget(lines) {
  return lines.some((l) => l.budget != null);
}
