// The stack of views a resident walks through (the back button pops it).
// A view is built by views[name](params, ctx) and returns {el, state,
// showing?, back?, leave?}: showing() names the item revision on screen, if
// any, so that leaving the view records how long it was open; back() steps
// back inside the view (true when it did, so the stack is left alone);
// leave(scrollTop, rebuilding) is told where the view was scrolled whenever it goes off
// screen or is rebuilt.

export class Router {
  /**
   * @param {HTMLElement} root the scrolling container views go into
   * @param {Record<string, Function>} views view builders by name
   * @param {object} ctx passed to every builder
   * @param {object} hooks {onShow(entry), onLeave(showing, dwellMs)}
   */
  constructor(root, views, ctx, hooks) {
    Object.assign(this, { root, views, ctx, hooks });
    this.stack = [];
  }

  top() {
    return this.stack[this.stack.length - 1] || null;
  }

  /** Opens a view on top of the current one; reset: start a new stack (home first). */
  go(name, params = {}, { reset = false } = {}) {
    this.hide();
    if (reset) this.stack = name === 'home' ? [] : [{ name: 'home', params: {} }];
    this.stack.push({ name, params });
    this.show();
  }

  /** Inside the view first (a drill-down goes up one level), else the previous view. */
  back() {
    const e = this.top();
    if (e && e.view && e.view.back && e.view.back()) return;
    if (this.stack.length < 2) return;
    this.hide();
    this.stack.pop();
    this.show();
  }

  /** Leaves the current view and forgets the whole stack (the session ended). */
  clear() {
    this.hide();
    this.stack = [];
    this.root.replaceChildren();
  }

  /** Rebuilds the current view (the language changed); the others are rebuilt when shown again. */
  rebuild() {
    const e = this.top();
    for (const x of this.stack) if (x !== e) x.view = null;
    if (!e) return;
    const scroll = this.root.scrollTop;
    e.view?.leave?.(scroll, true);
    e.view = this.views[e.name](e.params, this.ctx);
    this.root.replaceChildren(e.view.el);
    this.root.scrollTop = scroll;
    this.hooks.onShow(e);
  }

  show() {
    const e = this.top();
    if (!e) return;
    if (!e.view) e.view = this.views[e.name](e.params, this.ctx);
    this.root.replaceChildren(e.view.el);
    this.root.scrollTop = e.scroll || 0;
    e.enteredAt = Date.now();
    this.hooks.onShow(e);
  }

  hide() {
    const e = this.top();
    if (!e || !e.view) return;
    e.scroll = this.root.scrollTop;
    e.view.leave?.(e.scroll);
    const s = e.view.showing?.();
    if (s) this.hooks.onLeave(s, Date.now() - e.enteredAt);
  }
}
