// The stack the browser e2e tests run against, and how they take parts of it down and back:
// - native (default, `make e2e`): the backend (`make backend-run`) and the built standalone
//   frontend, started here; PostgreSQL started by frontend-e2e.sh (E2E_PGDIR).
// - an already running stack (E2E_BASE_URL, the frontend's URL; E2E_API_URL, the backend's): the
//   Compose stack of `make up` (E2E_COMPOSE: the compose command with its -p/-f options), whose backend and
//   database containers are stopped and started by id (`compose stop` would also stop the
//   services that depend on them).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, STANDALONE_DIR, freePort, startProcess, stopAll, stopProcess, waitHttp } from './lib.mjs';

function nativeStack(out) {
  for (const v of ['DATABASE_URL', 'JWT_SECRET', 'E2E_PGDIR']) {
    if (!process.env[v]) throw new Error(`${v} must be set (mk/scripts/frontend-e2e.sh sets it)`);
  }
  let backendPort;
  let frontendPort;
  let backend;
  const pg = (cmd) => execFileSync(join(ROOT, 'mk/scripts/pg-temp.sh'), [cmd, process.env.E2E_PGDIR], { stdio: 'ignore' });
  const startBackend = () => {
    backend = startProcess('backend', 'make', ['-s', '-C', ROOT, 'backend-run'], {
      cwd: ROOT,
      env: {
        BACKEND_PORT: String(backendPort),
        BACKEND_HOST: '127.0.0.1',
        CHAT_PROVIDER: 'local',
        WEB_CONCURRENCY: '1',
        LOG_LEVEL: 'warning',
      },
      logFile: join(out, 'backend.log'),
    });
    return waitHttp(`http://127.0.0.1:${backendPort}/ready`, { proc: backend, timeoutMs: 90_000 });
  };
  return {
    url: (path) => `http://127.0.0.1:${frontendPort}${path}`,
    async start() {
      backendPort = await freePort();
      frontendPort = await freePort();
      await startBackend();
      const frontend = startProcess('frontend', process.execPath, ['server.js'], {
        cwd: STANDALONE_DIR,
        env: {
          PORT: String(frontendPort),
          HOSTNAME: '127.0.0.1',
          BACKEND_URL: `http://127.0.0.1:${backendPort}`,
          NODE_ENV: 'production',
          NEXT_TELEMETRY_DISABLED: '1',
        },
        logFile: join(out, 'frontend.log'),
      });
      await waitHttp(`http://127.0.0.1:${frontendPort}/api/healthz`, { proc: frontend });
    },
    stopBackend: () => stopProcess(backend),
    startBackend,
    stopDatabase: () => pg('stop'),
    startDatabase: () => pg('start'),
    stop: stopAll,
  };
}

function runningStack(base, api, compose) {
  if (!compose || !api) {
    throw new Error('with E2E_BASE_URL, E2E_API_URL (the backend URL) and E2E_COMPOSE (the compose command with -p/-f) must be set');
  }
  const [cmd, ...args] = compose.split(/\s+/);
  const cid = (service) => execFileSync(cmd, [...args, 'ps', '-a', '-q', service], { encoding: 'utf8' }).trim();
  const docker = (verb, service) => execFileSync('docker', [verb, cid(service)], { stdio: 'ignore' });
  const root = base.replace(/\/$/, '');
  return {
    url: (path) => `${root}${path}`,
    start: () => waitHttp(`${root}/api/healthz`),
    stopBackend: () => docker('stop', 'backend'),
    startBackend: async () => {
      docker('start', 'backend');
      await waitHttp(`${api.replace(/\/$/, '')}/ready`, { timeoutMs: 90_000 });
    },
    stopDatabase: () => docker('stop', 'postgres'),
    startDatabase: () => docker('start', 'postgres'),
    stop: async () => undefined,
  };
}

/** The stack for this run: E2E_BASE_URL set -> that running stack, else a native one. */
export function e2eStack(out) {
  const base = process.env.E2E_BASE_URL;
  return base ? runningStack(base, process.env.E2E_API_URL, process.env.E2E_COMPOSE) : nativeStack(out);
}
