// @ts-check
// A small element builder for the console and the public page. It never sets
// a style attribute (the Content-Security-Policy forbids inline styles):
// presentation goes through classes.

/**
 * Creates an element.
 *
 *   h('a', { href: '/p/x', class: 'link', onclick: fn }, 'text', child)
 *
 * props: "class" sets className, "text" the text content, "dataset" an object
 * of data-* values, functions under on* names become event listeners,
 * "value", "checked", "selected" and "disabled" are set as properties, true
 * sets an empty attribute, null/undefined/false are skipped. Children may be
 * nodes, strings, numbers or (nested) arrays; null and false are skipped.
 *
 * @param {string} tag
 * @param {Object<string, any>|null} [props]
 * @param {...Child} children
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const e = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'disabled') /** @type {any} */ (e)[k] = v;
      else if (k === 'style') throw new Error('h: style attributes are not allowed; use a class');
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(e, children);
  return e;
}

/** @typedef {Node|string|number|null|undefined|false|any[]} Child a node, text, or a (nested) array of them; null and false are skipped */

/**
 * @param {Element} parent
 * @param {Child[]} children
 */
function append(parent, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.append(c instanceof Node ? c : String(c));
  }
}

/**
 * Removes every child of el and appends the given children.
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * A same-origin path or an http(s) URL passes; anything else (javascript:, data:) becomes "#".
 * @param {unknown} u
 */
export function safeURL(u) {
  const s = String(u || '');
  if (s.startsWith('/') && !s.startsWith('//')) return s;
  return /^https?:\/\//i.test(s) ? s : '#';
}
