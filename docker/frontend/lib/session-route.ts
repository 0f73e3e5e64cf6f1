// Sign-in, sign-up and sign-out for the browser: talks to the backend's /api/auth/*, then keeps
// the token in an httpOnly cookie so page scripts never see it.

import { crossSite, proxyError, proxyRequest } from './proxy';
import {
  TOKEN_COOKIE,
  USER_COOKIE,
  decodeUser,
  encodeUser,
  tokenLifetimeSeconds,
} from './session';
import type { AuthResponse } from './types';

export interface SessionDeps {
  backendUrl: string;
  timeoutMs: number;
  /** Cookie values sent by the browser. */
  cookie: (name: string) => string | undefined;
  /** Whether the token may be handed to page scripts (only when NEXT_PUBLIC_API_BASE_URL is set). */
  exposeToken: boolean;
  fetchImpl?: typeof fetch;
}

function cookieHeader(name: string, value: string, maxAge: number, secure: boolean): string {
  return [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${maxAge}`,
    secure ? 'Secure' : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The request came over HTTPS (directly or through an ingress that says so). */
function isSecure(req: Request): boolean {
  const proto = req.headers.get('x-forwarded-proto');
  return (proto ?? new URL(req.url).protocol.replace(':', '')).split(',')[0]?.trim() === 'https';
}

/** Handles /api/session/<action>: POST login|register|logout, GET me|token. */
export async function handleSession(req: Request, action: string, deps: SessionDeps): Promise<Response> {
  const secure = isSecure(req);
  if (req.method === 'GET' && action === 'me') {
    const user = decodeUser(deps.cookie(USER_COOKIE));
    if (!user || !deps.cookie(TOKEN_COOKIE)) return proxyError(401, 'signed_out', 'Not signed in.');
    return Response.json({ user }, { headers: { 'cache-control': 'no-store' } });
  }
  if (req.method === 'GET' && action === 'token') {
    const token = deps.cookie(TOKEN_COOKIE);
    if (!deps.exposeToken) return proxyError(404, 'not_found', 'Not found.');
    if (!token) return proxyError(401, 'signed_out', 'Not signed in.');
    return Response.json({ access_token: token }, { headers: { 'cache-control': 'no-store' } });
  }
  if (crossSite(req)) return proxyError(403, 'cross_site', 'Refused: this request came from another site.');
  if (req.method === 'POST' && action === 'logout') {
    // The backend ends the token (it is refused from now on); the cookies go whatever it says.
    const token = deps.cookie(TOKEN_COOKIE);
    if (token) {
      await (deps.fetchImpl ?? fetch)(`${deps.backendUrl}/api/auth/logout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        cache: 'no-store',
        signal: AbortSignal.timeout(deps.timeoutMs),
      }).catch(() => undefined);
    }
    const headers = new Headers({ 'cache-control': 'no-store' });
    headers.append('set-cookie', cookieHeader(TOKEN_COOKIE, '', 0, secure));
    headers.append('set-cookie', cookieHeader(USER_COOKIE, '', 0, secure));
    return new Response(null, { status: 204, headers });
  }
  if (req.method === 'POST' && (action === 'login' || action === 'register')) {
    const upstream = await proxyRequest(req, ['auth', action], {
      backendUrl: deps.backendUrl,
      timeoutMs: deps.timeoutMs,
      fetchImpl: deps.fetchImpl,
    });
    if (!upstream.ok) return upstream;
    let body: AuthResponse;
    try {
      body = (await upstream.json()) as AuthResponse;
    } catch {
      return proxyError(502, 'bad_backend_answer', 'The server sent an unreadable answer.');
    }
    if (!body || typeof body.access_token !== 'string' || !body.user) {
      return proxyError(502, 'bad_backend_answer', 'The server sent an incomplete answer.');
    }
    const maxAge = tokenLifetimeSeconds(body.access_token);
    const headers = new Headers({ 'cache-control': 'no-store' });
    headers.append('set-cookie', cookieHeader(TOKEN_COOKIE, body.access_token, maxAge, secure));
    headers.append('set-cookie', cookieHeader(USER_COOKIE, encodeUser(body.user), maxAge, secure));
    return Response.json({ user: body.user }, { status: upstream.status, headers });
  }
  return proxyError(405, 'method_not_allowed', 'Not allowed.');
}
