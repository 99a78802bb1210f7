// @ts-check
// Pairing a screen set up on site: show a six-digit code until an admin
// claims it in the console, then hand back the screen token.

import { t, lang } from './i18n.js';
import { formatClock, parseTime } from './format.js';
import { el } from './render.js';

const pollMs = 3000;

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * "123456" → "123 456"
 * @param {unknown} code
 */
export function spacedCode(code) {
  const s = String(code || '');
  return s.length === 6 ? `${s.slice(0, 3)} ${s.slice(3)}` : s;
}

/**
 * On a strip sign the pairing is one line (player.css) sized to the sign's
 * height; this shrinks it, down to 14 px, until it fits the sign's width.
 * @param {HTMLElement} box
 */
export function fitLine(box) {
  box.style.fontSize = '';
  if (getComputedStyle(box).flexDirection !== 'row') return;
  let size = parseFloat(getComputedStyle(box).fontSize);
  while (size > 14 && box.scrollWidth > box.clientWidth + 1) {
    size = Math.max(14, Math.floor(size * 0.92));
    box.style.fontSize = `${size}px`;
  }
}

/**
 * Runs the pairing flow in root until a token arrives. Starts a new pairing
 * when the old one expires (404).
 * @param {HTMLElement} root
 * @returns {Promise<string>} the screen token
 */
export async function pair(root) {
  const code = el('div', 'code');
  const expires = el('div', 'expires');
  const status = el('div', 'status', t('pairing.waiting'));
  const box = el('div', 'pairing', el('div', 'label', t('pairing.title')), code, el('p', 'hint', t('pairing.hint')), el('p', 'hint short', t('pairing.hintShort')), expires, status);
  root.replaceChildren(box);
  const refit = () => fitLine(box);
  addEventListener('resize', refit);
  refit();
  let failures = 0;
  for (;;) {
    /** @type {{id: string, secret: string, code: string, expires_at?: string}} */
    let p;
    try {
      const res = await fetch('/api/v1/pairings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      if (res.status === 429) throw new Error('rate limited');
      if (!res.ok) throw new Error(`POST /api/v1/pairings: ${res.status}`);
      p = await res.json();
      failures = 0;
    } catch (err) {
      console.warn('pairing:', err);
      status.textContent = t('pairing.error');
      code.textContent = '— — —';
      await sleep(Math.min(60000, 3000 * 2 ** Math.min(failures++, 5)) * (0.5 + Math.random() / 2));
      continue;
    }
    code.textContent = spacedCode(p.code);
    refit();
    const exp = parseTime(p.expires_at);
    expires.textContent = Number.isFinite(exp) ? t('pairing.expires', { time: formatClock(exp, undefined, lang()) }) : '';
    status.textContent = t('pairing.waiting');
    for (;;) {
      await sleep(pollMs);
      let res;
      try {
        res = await fetch(`/api/v1/pairings/${encodeURIComponent(p.id)}?secret=${encodeURIComponent(p.secret)}`, { cache: 'no-store' });
      } catch {
        status.textContent = t('pairing.error');
        continue;
      }
      if (res.status === 404 || res.status === 410) break; // expired: start again
      if (!res.ok) {
        status.textContent = t('pairing.error');
        continue;
      }
      status.textContent = t('pairing.waiting');
      const body = await res.json().catch(() => ({}));
      if (body.token) {
        removeEventListener('resize', refit);
        return body.token;
      }
    }
  }
}
