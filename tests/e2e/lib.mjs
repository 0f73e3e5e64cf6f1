// Helpers for the browser e2e test: free ports, child processes in their own process group
// (always stopped), HTTP waits, and Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
export const FRONTEND_DIR = join(ROOT, process.env.FRONTEND_DIR ?? 'docker/frontend');
/** The laid-out standalone server (mk/scripts/frontend-build.sh): outside docker/frontend, like the image. */
export const STANDALONE_DIR = join(ROOT, process.env.FRONTEND_BUILD ?? 'build/frontend', 'standalone');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** playwright-core from the frontend's node_modules (installed by `make deps-frontend`). */
export function playwright() {
  return createRequire(join(FRONTEND_DIR, 'package.json'))('playwright-core');
}

/** Launches Chromium with a fresh profile; returns { context, close }. */
export async function launchBrowser(viewport = { width: 1280, height: 800 }) {
  const profile = mkdtempSync(join(tmpdir(), 'todo-chromium-'));
  const context = await playwright().chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const running = new Set();

/** Starts a command in its own process group, output appended to logFile. */
export function startProcess(name, cmd, args, { env, cwd, logFile }) {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const proc = { name, child, exited, logFile };
  running.add(proc);
  return proc;
}

/** Stops a process group: SIGTERM, then SIGKILL after graceMs. */
export async function stopProcess(proc, graceMs = 10_000) {
  if (!proc || !running.has(proc)) return;
  running.delete(proc);
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const kill = (sig) => {
    try {
      process.kill(-proc.child.pid, sig);
    } catch {
      /* already gone */
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
  kill('SIGKILL'); // stragglers left in the group
}

export async function stopAll() {
  await Promise.all([...running].map((p) => stopProcess(p)));
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    for (const p of running) {
      try {
        process.kill(-p.child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    process.exit(130);
  });
}

/**
 * Starts the backend natively (`make backend-run`, local chat provider) on port and waits until
 * it is ready. DATABASE_URL and JWT_SECRET come from the environment; env adds settings.
 */
export async function startBackend(port, logFile, env = {}) {
  const backend = startProcess('backend', 'make', ['-s', '-C', ROOT, 'backend-run'], {
    cwd: ROOT,
    env: { BACKEND_PORT: String(port), BACKEND_HOST: '127.0.0.1', CHAT_PROVIDER: 'local', LOG_LEVEL: 'warning', ...env },
    logFile,
  });
  await waitHttp(`http://127.0.0.1:${port}/ready`, { proc: backend, timeoutMs: 90_000 });
  return backend;
}

/** Starts the built standalone frontend (`node server.js`) on port, talking to the backend on backendPort. */
export async function startFrontend(port, backendPort, logFile) {
  const frontend = startProcess('frontend', process.execPath, ['server.js'], {
    cwd: STANDALONE_DIR,
    env: {
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      BACKEND_URL: `http://127.0.0.1:${backendPort}`,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
    },
    logFile,
  });
  await waitHttp(`http://127.0.0.1:${port}/api/healthz`, { proc: frontend });
  return frontend;
}

/**
 * Numbered steps inside a test: steps(t0, page, dir, 'fail-').test(name, fn) runs fn as a subtest
 * and, when it fails, leaves a screenshot dir/fail-NN.png of the page behind.
 */
export function steps(t0, page, dir, prefix) {
  let n = 0;
  return {
    test: (name, fn) =>
      t0.test(name, async () => {
        n += 1;
        try {
          await fn();
        } catch (err) {
          await page.screenshot({ path: join(dir, `${prefix}${String(n).padStart(2, '0')}.png`) }).catch(() => undefined);
          throw err;
        }
      }),
  };
}

/** Waits until url answers 2xx; fails early when proc exits. */
export async function waitHttp(url, { timeoutMs = 60_000, proc } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(`${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}) before ${url} answered; see ${proc.logFile}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (last: ${last})`);
}
