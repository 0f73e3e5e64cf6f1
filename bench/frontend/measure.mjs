// Lighthouse-style figures for the task page in Debian's Chromium on this machine:
// first contentful paint (cold browser cache, fresh server connection) and JavaScript transferred
// (bytes on the wire, gzip as served by the standalone server). Needs DATABASE_URL and JWT_SECRET
// (mk/scripts/frontend-bench.sh provides a private PostgreSQL); starts the backend and frontend.
// Prints the median of RUNS runs and the ratio to the targets (FCP <= 1000 ms, JS <= 200 kB gzip).
// Then Lighthouse (lighthouse.mjs) on the sign-in page and the signed-in task page, mobile and
// desktop: the median of LIGHTHOUSE_RUNS runs of each category score, CLS and LCP (Lighthouse's,
// simulated on its throttled device), and the first and largest paints as observed on this machine.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  ROOT,
  CHROMIUM_ARGS,
  freePort,
  launchBrowser,
  startBackend,
  startFrontend,
  stopAll,
} from '../../tests/e2e/lib.mjs';
import { CATEGORIES, runLighthouse } from './lighthouse.mjs';

/** A positive whole number from the environment, or the default; anything else stops the bench. */
function runsFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9][0-9]{0,2}$/.test(raw)) {
    console.error(`frontend bench: ${name}=${JSON.stringify(raw)} is not a number of runs (1-999)`);
    process.exit(2);
  }
  return Number(raw);
}
const RUNS = runsFromEnv('RUNS', 7);
const LIGHTHOUSE_RUNS = runsFromEnv('LIGHTHOUSE_RUNS', 3);
const OUT = join(ROOT, 'build/bench-frontend');
const TARGET_FCP_MS = 1000;
const TARGET_JS_BYTES = 200 * 1024;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(context, url) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const scripts = new Map();
  let jsBytes = 0;
  let jsDecoded = 0;
  cdp.on('Network.responseReceived', (e) => {
    if (e.type === 'Script') scripts.set(e.requestId, e.response.url);
  });
  cdp.on('Network.loadingFinished', (e) => {
    if (scripts.has(e.requestId)) jsBytes += e.encodedDataLength;
  });
  cdp.on('Network.dataReceived', (e) => {
    if (scripts.has(e.requestId)) jsDecoded += e.dataLength;
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  const fcp = await page.evaluate(
    () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
  );
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { ttfb: n.responseStart, domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd };
  });
  await page.close();
  return { fcp, jsBytes, jsDecoded, scripts: scripts.size, ...nav };
}

const LIGHTHOUSE_VERSION = createRequire(import.meta.url)('lighthouse/package.json').version;
const SHORT = { performance: 'perf', accessibility: 'a11y', 'best-practices': 'best', seo: 'seo' };

/** Lighthouse on /signin (signed out) and /tasks (signed in by cookie), mobile and desktop. */
async function lighthouseTable(base, cookie) {
  const rows = [];
  for (const [page, pageCookie] of [
    ['/signin', undefined],
    ['/tasks', cookie],
  ]) {
    for (const formFactor of ['mobile', 'desktop']) {
      const runs = [];
      for (let i = 0; i < LIGHTHOUSE_RUNS; i++) {
        const reportFile = join(OUT, `lighthouse${page.replace('/', '-')}-${formFactor}-${i + 1}.json`);
        runs.push(await runLighthouse(`${base}${page}`, { formFactor, cookie: pageCookie, reportFile }));
      }
      rows.push({ page, formFactor, runs });
    }
  }
  console.log(
    `lighthouse ${LIGHTHOUSE_VERSION}, Chromium (${CHROMIUM_ARGS.join(' ')}), median of ${LIGHTHOUSE_RUNS} runs, reports in ${OUT}`,
  );
  console.log(
    `page     form     ${CATEGORIES.map((c) => SHORT[c].padStart(4)).join('  ')}    CLS   LCP ms  observed FCP/LCP ms  audits below 100`,
  );
  for (const { page, formFactor, runs } of rows) {
    const m = (f) => median(runs.map(f));
    const scores = CATEGORIES.map((c) => String(m((r) => r.scores[c])).padStart(4)).join('  ');
    const failures = [...new Set(runs.flatMap((r) => r.failures))].join(', ') || '-';
    const observed = `${m((r) => r.observedFcpMs).toFixed(0)}/${m((r) => r.observedLcpMs).toFixed(0)}`;
    console.log(
      `${page.padEnd(8)} ${formFactor.padEnd(7)}  ${scores}  ${m((r) => r.cls).toFixed(3)}  ${m((r) => r.lcpMs)
        .toFixed(0)
        .padStart(6)}  ${observed.padStart(19)}  ${failures}`,
    );
  }
}

async function main() {
  const backendPort = await freePort();
  const frontendPort = await freePort();
  await startBackend(backendPort, join(OUT, 'backend.log'));
  await startFrontend(frontendPort, backendPort, join(OUT, 'frontend.log'));
  const base = `http://127.0.0.1:${frontendPort}`;

  const browser = await launchBrowser();
  try {
    // A signed-in user with a few tasks, so the page shows real content.
    const api = browser.context.request;
    const email = `bench-${Date.now()}@example.com`;
    const reg = await api.post(`${base}/api/session/register`, { data: { email, password: 'bench-password-1', name: 'Bench' } });
    if (!reg.ok()) throw new Error(`register: HTTP ${reg.status()} ${await reg.text()}`);
    const { user } = await reg.json();
    for (const title of ['Buy milk', 'Write the report', 'Call the plumber']) {
      await api.post(`${base}/api/${user.id}/tasks`, { data: { title } });
    }
    await measure(browser.context, `${base}/tasks`); // warm the server (first render compiles nothing, but JITs)

    const results = { tasks: [], signin: [] };
    for (let i = 0; i < RUNS; i++) results.tasks.push(await measure(browser.context, `${base}/tasks`));
    const anon = await launchBrowser();
    for (let i = 0; i < RUNS; i++) results.signin.push(await measure(anon.context, `${base}/signin`));
    await anon.close();

    console.log(`frontend bench: Chromium ${browser.context.browser()?.version() ?? ''}, ${RUNS} runs each, cold cache, median`);
    console.log('page      FCP ms   TTFB ms  load ms  JS files  JS on the wire (gzip)  JS decoded');
    for (const [name, rs] of Object.entries(results)) {
      const m = (k) => median(rs.map((r) => r[k]));
      console.log(
        `${`/${name}`.padEnd(9)} ${m('fcp').toFixed(0).padStart(6)}  ${m('ttfb').toFixed(0).padStart(7)}  ${m('load')
          .toFixed(0)
          .padStart(7)}  ${String(m('scripts')).padStart(8)}  ${`${(m('jsBytes') / 1024).toFixed(1)} kB`.padStart(21)}  ${`${(
          m('jsDecoded') / 1024
        ).toFixed(1)} kB`.padStart(10)}`,
      );
    }
    const fcp = median(results.tasks.map((r) => r.fcp));
    const js = median(results.tasks.map((r) => r.jsBytes));
    console.log(`/tasks FCP ${fcp.toFixed(0)} ms = ${(fcp / TARGET_FCP_MS).toFixed(2)}x the 1000 ms target`);
    console.log(`/tasks JS ${(js / 1024).toFixed(1)} kB = ${(js / TARGET_JS_BYTES).toFixed(2)}x the 200 kB gzip target`);

    const cookie = (await browser.context.cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ');
    await lighthouseTable(base, cookie);
  } finally {
    await browser.close();
    await stopAll();
  }
}

main().catch(async (err) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
