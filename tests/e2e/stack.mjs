// The stack the browser e2e tests run against, and how they take parts of it down and back:
// - native (default, `make e2e`): the backend (`make backend-run`) and the built standalone
//   frontend, started here on free ports; PostgreSQL started by frontend-e2e.sh (E2E_PGDIR).
// - an already running stack (E2E_BASE_URL, the frontend's URL; E2E_API_URL, the backend's): the
//   Compose stack of `make up` (E2E_COMPOSE: the compose command with its -p/-f options), whose
//   backend and database containers are stopped and started by id (`compose stop` would also
//   stop the services that depend on them).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, freePort, launchBrowser, startBackend, startFrontend, stopAll, stopProcess, waitHttp } from './lib.mjs';

async function nativeStack(out, logPrefix) {
  for (const v of ['DATABASE_URL', 'JWT_SECRET', 'E2E_PGDIR']) {
    if (!process.env[v]) throw new Error(`${v} must be set (mk/scripts/frontend-e2e.sh sets it)`);
  }
  const backendPort = await freePort();
  const frontendPort = await freePort();
  const pg = (cmd) => execFileSync(join(ROOT, 'mk/scripts/pg-temp.sh'), [cmd, process.env.E2E_PGDIR], { stdio: 'ignore' });
  const start = () => startBackend(backendPort, join(out, `${logPrefix}backend.log`), { WEB_CONCURRENCY: '1' });
  let backend = await start();
  await startFrontend(frontendPort, backendPort, join(out, `${logPrefix}frontend.log`));
  return {
    url: (path) => `http://127.0.0.1:${frontendPort}${path}`,
    api: `http://127.0.0.1:${backendPort}`,
    stopBackend: () => stopProcess(backend),
    startBackend: async () => {
      backend = await start();
    },
    stopDatabase: () => pg('stop'),
    startDatabase: () => pg('start'),
    stop: stopAll,
  };
}

async function runningStack(base, api, compose) {
  if (!compose || !api) {
    throw new Error('with E2E_BASE_URL, E2E_API_URL (the backend URL) and E2E_COMPOSE (the compose command with -p/-f) must be set');
  }
  const [cmd, ...args] = compose.split(/\s+/);
  const cid = (service) => execFileSync(cmd, [...args, 'ps', '-a', '-q', service], { encoding: 'utf8' }).trim();
  const docker = (verb, service) => execFileSync('docker', [verb, cid(service)], { stdio: 'ignore' });
  const root = base.replace(/\/$/, '');
  const apiRoot = api.replace(/\/$/, '');
  await waitHttp(`${root}/api/healthz`);
  return {
    url: (path) => `${root}${path}`,
    api: apiRoot,
    stopBackend: () => docker('stop', 'backend'),
    startBackend: async () => {
      docker('start', 'backend');
      await waitHttp(`${apiRoot}/ready`, { timeoutMs: 90_000 });
    },
    stopDatabase: () => docker('stop', 'postgres'),
    startDatabase: () => docker('start', 'postgres'),
    stop: async () => undefined,
  };
}

/**
 * One test file's app: the stack (E2E_BASE_URL set: that running stack, else a native one with
 * its logs in out/<logPrefix>backend.log and frontend.log) and a page in a fresh Chromium.
 * Returns { url(path), api, browser, page, stopBackend, startBackend, stopDatabase, startDatabase, stop }.
 */
export async function startApp({ out, logPrefix = '', viewport, timeoutMs }) {
  const base = process.env.E2E_BASE_URL;
  const stack = base
    ? await runningStack(base, process.env.E2E_API_URL, process.env.E2E_COMPOSE)
    : await nativeStack(out, logPrefix);
  const browser = await launchBrowser(viewport);
  const page = await browser.context.newPage();
  page.setDefaultTimeout(timeoutMs);
  return { ...stack, browser, page };
}
