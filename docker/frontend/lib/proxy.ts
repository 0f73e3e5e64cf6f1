// The same-origin proxy: forwards one browser request to the backend and its answer back,
// streaming both bodies, keeping the status code, adding the bearer token from the cookie.

/** Request headers worth passing to the backend (everything else is the browser's business). */
const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  'if-match',
  'if-none-match',
  'user-agent',
  'x-request-id',
];

/** Response headers that must not be copied: hop-by-hop, or no longer true after fetch decoded the body. */
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-encoding',
  'content-length',
  'set-cookie',
  'upgrade',
  'trailer',
]);

export interface ProxyOptions {
  backendUrl: string;
  /** Bearer token from the session cookie (undefined when signed out). */
  token?: string;
  /** Time allowed until the backend's response headers arrive. */
  timeoutMs: number;
  fetchImpl?: typeof fetch;
}

/** JSON error answer the browser's API client understands (see lib/errors.ts). */
export function proxyError(status: number, code: string, detail: string, retryAfter?: number): Response {
  const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
  if (retryAfter !== undefined) headers.set('retry-after', String(retryAfter));
  return new Response(JSON.stringify({ detail, code }), { status, headers });
}

/** Builds the backend URL for /api/<segments>?<query>; null when a segment tries to escape. */
export function backendTarget(backendUrl: string, segments: string[], search: string): string | null {
  if (segments.length === 0) return null;
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\\')) return null;
  }
  return `${backendUrl}/api/${segments.map(encodeURIComponent).join('/')}${search}`;
}

/**
 * The address of whoever connected to the nearest proxy: the last entry of X-Forwarded-For, which
 * Next.js fills from the socket when the request has none and an ingress appends (or replaces)
 * otherwise. Entries to its left come from the client, who can write anything there: the backend
 * keys its sign-in throttle on this address, so only this one is passed on.
 */
export function clientAddress(req: Request): string | undefined {
  const chain = req.headers.get('x-forwarded-for');
  const last = chain?.split(',').pop()?.trim();
  return last || undefined;
}

/**
 * A state-changing request (not GET/HEAD/OPTIONS) must come from this site's own pages: its
 * Origin, when the browser sends one, names the host it was sent to; without an Origin,
 * Sec-Fetch-Site must not say cross-site. A form on another site posting here is refused.
 */
export function crossSite(req: Request): boolean {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return false;
  const origin = req.headers.get('origin');
  if (origin) {
    const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
    try {
      return origin === 'null' || new URL(origin).host !== host;
    } catch {
      return true;
    }
  }
  const site = req.headers.get('sec-fetch-site');
  return site === 'cross-site' || site === 'same-site';
}

/** True for errors meaning "nobody answered in time" (our timer or the caller's abort). */
function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

/** Socket errors (undici's and Node's) of a connection the other side closed or reset. */
const DROPPED_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** True when fetch failed because the backend dropped the connection (not DNS, not a refusal). */
function isDroppedConnection(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && DROPPED_CONNECTION.has(code);
}

/**
 * fetch, tried a second time when a GET or HEAD fails because the backend dropped the
 * connection: a pooled keep-alive connection that the backend closed as it shut down (a rolling
 * update) fails the one request sent on it at that moment, and a new connection reaches a backend
 * that is still serving. Other failures (DNS, a refusal, a timeout) are not repeated, nor is a
 * request with a body (a write must not happen twice).
 */
async function fetchOnce(fetchImpl: typeof fetch, target: string, init: RequestInit, method: string): Promise<Response> {
  try {
    return await fetchImpl(target, init);
  } catch (err) {
    if ((method !== 'GET' && method !== 'HEAD') || !isDroppedConnection(err) || init.signal?.aborted) throw err;
    return await fetchImpl(target, init);
  }
}

/** Forwards `req` to the backend path `segments` and returns the backend's answer, or a mapped error. */
export async function proxyRequest(req: Request, segments: string[], opts: ProxyOptions): Promise<Response> {
  if (crossSite(req)) return proxyError(403, 'cross_site', 'Refused: this request came from another site.');
  const url = new URL(req.url);
  const target = backendTarget(opts.backendUrl, segments, url.search);
  if (!target) return proxyError(400, 'bad_path', 'Invalid API path.');

  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const v = req.headers.get(name);
    if (v !== null) headers.set(name, v);
  }
  const auth = opts.token ? `Bearer ${opts.token}` : req.headers.get('authorization');
  if (auth) headers.set('authorization', auth);
  headers.set('x-forwarded-host', url.host);
  headers.set('x-forwarded-proto', url.protocol.replace(':', ''));
  const client = clientAddress(req);
  if (client) headers.set('x-forwarded-for', client);

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  const onClientAbort = () => controller.abort();
  req.signal?.addEventListener('abort', onClientAbort, { once: true });

  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== null;
  const init: RequestInit & { duplex?: 'half' } = {
    method: req.method,
    headers,
    redirect: 'manual',
    cache: 'no-store',
    signal: controller.signal,
  };
  if (hasBody) {
    init.body = req.body;
    init.duplex = 'half'; // stream the request body instead of buffering it
  }

  let upstream: Response;
  try {
    upstream = await fetchOnce(opts.fetchImpl ?? fetch, target, init, req.method);
  } catch (err) {
    if (timedOut) {
      return proxyError(504, 'backend_timeout', `The server did not answer within ${opts.timeoutMs} ms.`, 2);
    }
    if (isAbort(err)) return proxyError(499, 'client_closed', 'The request was cancelled.');
    return proxyError(502, 'backend_unreachable', 'The server is not reachable.', 2);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onClientAbort);
  }

  const out = new Headers();
  upstream.headers.forEach((value, name) => {
    if (!DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) out.set(name, value);
  });
  if (!out.has('cache-control')) out.set('cache-control', 'no-store');
  const bodyless = req.method === 'HEAD' || upstream.status === 204 || upstream.status === 304;
  return new Response(bodyless ? null : upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: out,
  });
}
