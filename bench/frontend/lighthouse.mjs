// Lighthouse (pinned in bench/frontend/package.json) on Debian's Chromium, with the headless flags
// the e2e suite uses: the four category scores, CLS and LCP of one page, mobile or desktop.
// Lighthouse's own settings otherwise: simulated throttling (a mid-range phone on a slow 4G link
// for mobile, a desktop on a fast link for desktop), a fresh profile per run.
import { writeFileSync } from 'node:fs';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { desktopConfig } from 'lighthouse';
import { CHROMIUM, CHROMIUM_ARGS } from '../../tests/e2e/lib.mjs';

export const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

/**
 * Runs Lighthouse once on url. formFactor: 'mobile' (Lighthouse's default config) or 'desktop'.
 * cookie: a Cookie header sent with every request (how Lighthouse audits a signed-in page).
 * Returns { scores: {category: 0-100}, cls, lcpMs, observedFcpMs, observedLcpMs, failures: [audit ids
 * scored below 1] }. lcpMs is Lighthouse's LCP (simulated on the throttled device); the observed
 * figures are the page's own paints in the unthrottled trace on this machine.
 */
export async function runLighthouse(url, { formFactor, cookie, reportFile }) {
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: CHROMIUM_ARGS, logLevel: 'silent' });
  try {
    const flags = { port: chrome.port, output: 'json', logLevel: 'error' };
    if (cookie) flags.extraHeaders = { Cookie: cookie };
    const result = await lighthouse(url, flags, formFactor === 'desktop' ? desktopConfig : undefined);
    if (!result) throw new Error(`lighthouse returned nothing for ${url}`);
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`lighthouse ${url}: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
    if (reportFile) writeFileSync(reportFile, result.report);
    const scores = {};
    for (const id of CATEGORIES) {
      const score = lhr.categories[id]?.score;
      if (typeof score !== 'number') throw new Error(`lighthouse ${url}: no ${id} score (${lhr.runWarnings.join('; ')})`);
      scores[id] = Math.round(score * 100);
    }
    const failures = CATEGORIES.flatMap((id) =>
      lhr.categories[id].auditRefs
        .filter((ref) => ref.weight > 0 && typeof lhr.audits[ref.id].score === 'number' && lhr.audits[ref.id].score < 1)
        .map((ref) => ref.id),
    );
    const observed = lhr.audits.metrics.details.items[0];
    return {
      scores,
      cls: lhr.audits['cumulative-layout-shift'].numericValue,
      lcpMs: lhr.audits['largest-contentful-paint'].numericValue,
      observedFcpMs: observed.observedFirstContentfulPaint,
      observedLcpMs: observed.observedLargestContentfulPaint,
      failures: [...new Set(failures)],
    };
  } finally {
    await chrome.kill();
  }
}
