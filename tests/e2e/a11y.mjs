// Accessibility checks for the browser e2e suite: axe-core (pinned in docker/frontend's
// devDependencies, injected into the page) on every state a test visits, and what a keyboard
// user sees: where focus is, whether its ring is visible (>= 3:1 against what surrounds it) and
// whether the sticky header hides it (WCAG 2.4.7, 1.4.11, 2.4.11).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { FRONTEND_DIR } from './lib.mjs';

const axePath = createRequire(join(FRONTEND_DIR, 'package.json')).resolve('axe-core/axe.min.js');
const AXE_VERSION = createRequire(join(FRONTEND_DIR, 'package.json'))('axe-core/package.json').version;

/** The states checked so far in this test file, in order: { state, violations }. */
const checked = [];

/** One line: axe's version, the violations found and the states checked. */
export function axeSummary() {
  const violations = checked.reduce((n, c) => n + c.violations, 0);
  return `axe-core ${AXE_VERSION}: ${violations} violations in ${checked.length} states (${checked.map((c) => c.state).join('; ')})`;
}

/** Runs axe-core on the page as it is now; fails listing every violation (rule, impact, where). */
export async function axeCheck(page, state) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    // Every rule axe runs by default: WCAG 2.0-2.2 A and AA, plus its best practices.
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  });
  checked.push({ state, violations: violations.length });
  const lines = violations.flatMap((v) => [`${v.id} (${v.impact}): ${v.help}`, ...v.nodes.map((n) => `    ${n}`)]);
  assert.equal(violations.length, 0, `axe-core ${AXE_VERSION} found violations in state "${state}":\n  ${lines.join('\n  ')}`);
}

/**
 * What a sighted keyboard user sees of the focused element: a description, whether it is in the
 * viewport, what (if anything) covers part of it, and its focus ring (style, width, contrast
 * against the backdrop).
 */
function inspectFocus() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return { none: true };
  const rgba = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[,\s/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const over = (top, base) => ({
    r: top.r * top.a + base.r * (1 - top.a),
    g: top.g * top.a + base.g * (1 - top.a),
    b: top.b * top.a + base.b * (1 - top.a),
    a: 1,
  });
  const luminance = ({ r, g, b }) => {
    const ch = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
  };
  // The ring is drawn outside the element (outline-offset > 0): its backdrop is the ancestors'
  // backgrounds composited over the white canvas.
  const layers = [];
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c && c.a > 0) layers.push(c);
  }
  const backdrop = layers.reverse().reduce((base, c) => over(c, base), { r: 255, g: 255, b: 255, a: 1 });
  const style = getComputedStyle(el);
  const ringColor = rgba(style.outlineColor);
  let contrast = 0;
  if (ringColor) {
    const [l1, l2] = [luminance(over(ringColor, backdrop)), luminance(backdrop)].sort((a, b) => b - a);
    contrast = (l1 + 0.05) / (l2 + 0.05);
  }
  // Covered or not: what is on top at the element's top edge, centre and bottom edge. (An element
  // drawn above the header, as the skip link is, is not hidden by it.)
  const rect = el.getBoundingClientRect();
  const x = rect.left + rect.width / 2;
  const header = document.querySelector('header');
  const coveredBy = [rect.top + 1, rect.top + rect.height / 2, rect.bottom - 1]
    .map((y) => document.elementFromPoint(x, y))
    .filter((hit) => !(hit && (hit === el || el.contains(hit))))
    .map((hit) => (hit && header?.contains(hit) ? 'the sticky header' : hit ? `<${hit.tagName.toLowerCase()}.${hit.className}>` : 'nothing'));
  const label = el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? el.textContent ?? '';
  return {
    none: false,
    what: `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}> "${label.trim().slice(0, 60)}"`,
    inViewport: rect.top >= 0 && rect.bottom <= window.innerHeight && rect.left >= 0 && rect.right <= window.innerWidth,
    coveredBy: coveredBy[0] ?? null,
    ring: { style: style.outlineStyle, width: parseFloat(style.outlineWidth), contrast },
    scrollY: window.scrollY,
  };
}

/** Checks the focused element: present, in view, not under the sticky header, with a visible ring. */
export async function checkFocusVisible(page) {
  // Focus moves happen in React effects; let the frame that scrolls the element into view pass.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const f = await page.evaluate(inspectFocus);
  assert.equal(f.none, false, 'focus fell back to the page (document.body)');
  assert.ok(f.inViewport, `${f.what} is focused but not entirely in the viewport`);
  assert.equal(f.coveredBy, null, `${f.what} is focused but partly hidden under ${f.coveredBy}`);
  assert.ok(f.ring.style !== 'none' && f.ring.width >= 2, `${f.what} has no focus ring (outline ${f.ring.style} ${f.ring.width}px)`);
  assert.ok(f.ring.contrast >= 3, `${f.what}: focus ring contrast ${f.ring.contrast.toFixed(2)}:1, below 3:1`);
  return f;
}

/** Asserts that locator's element has focus (waiting for React to move it), and that it is visible. */
export async function expectFocus(page, locator, what) {
  const deadline = Date.now() + 5000;
  let has = false;
  while (Date.now() < deadline && !(has = await locator.evaluate((el) => el === document.activeElement).catch(() => false))) {
    await page.waitForTimeout(50);
  }
  if (!has) {
    const actual = await page.evaluate(() => {
      const a = document.activeElement;
      return a ? `<${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''}> ${(a.getAttribute('aria-label') ?? a.textContent ?? '').trim().slice(0, 60)}` : 'nothing';
    });
    assert.fail(`focus should be on ${what}, but is on ${actual}`);
  }
  return checkFocusVisible(page);
}

/**
 * Presses Tab (or Shift+Tab) until locator's element has focus, checking every stop on the way
 * with checkFocusVisible. Fails after max presses. Returns the stops' descriptions.
 */
export async function tabTo(page, locator, what, { backwards = false, max = 60 } = {}) {
  const stops = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    const f = await checkFocusVisible(page);
    stops.push(f);
    if (await locator.evaluate((el) => el === document.activeElement)) return stops;
  }
  assert.fail(`${what} not reached after ${max} ${backwards ? 'Shift+Tab' : 'Tab'} presses`);
}
