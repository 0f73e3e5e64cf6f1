// Server-side settings, read from the environment at request time (never baked into the build),
// so one image serves every environment.

export const DEFAULT_BACKEND_URL = 'http://backend:8000';
export const DEFAULT_PROXY_TIMEOUT_MS = 30_000;

/** BACKEND_URL without a trailing slash; falls back to the Compose/Kubernetes service name. */
export function backendUrl(env: Record<string, string | undefined> = process.env): string {
  const raw = (env['BACKEND_URL'] ?? '').trim() || DEFAULT_BACKEND_URL;
  return raw.replace(/\/+$/, '');
}

/** How long the proxy waits for the backend's response headers (PROXY_TIMEOUT_MS, ms). */
export function proxyTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env['PROXY_TIMEOUT_MS']);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_PROXY_TIMEOUT_MS;
}
