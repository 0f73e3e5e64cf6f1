import { afterEach, describe, expect, it } from 'vitest';
import { TOKEN_COOKIE, USER_COOKIE, decodeUser, encodeUser, tokenLifetimeSeconds } from '@/lib/session';
import { handleSession, type SessionDeps } from '@/lib/session-route';
import { startBackend, type FakeBackend } from './helpers/backend';

let backend: FakeBackend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

function jwt(claims: object): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256' })}.${b64(claims)}.sig`;
}

function deps(url: string, cookies: Record<string, string> = {}, exposeToken = false): SessionDeps {
  return { backendUrl: url, timeoutMs: 5000, cookie: (n) => cookies[n], exposeToken };
}

function post(action: string, body?: object, headers: Record<string, string> = {}): Request {
  return new Request(`http://frontend.test/api/session/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
}

describe('session route', () => {
  it('signs in through the backend and keeps the token in an httpOnly cookie, not in the body', async () => {
    const token = jwt({ sub: '3', exp: Math.floor(Date.now() / 1000) + 600 });
    backend = await startBackend((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: token, token_type: 'bearer', user: { id: 3, email: 'a@b.c', name: 'Ann' } }));
    });
    const res = await handleSession(post('login', { email: 'a@b.c', password: 'pw' }), 'login', deps(backend.url));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ user: { id: 3, email: 'a@b.c', name: 'Ann' } });
    expect(JSON.stringify(body)).not.toContain(token);
    expect(backend.requests[0]!.url).toBe('/api/auth/login');
    expect(JSON.parse(backend.requests[0]!.body)).toEqual({ email: 'a@b.c', password: 'pw' });
    const cookies = res.headers.getSetCookie();
    const tokenCookie = cookies.find((c) => c.startsWith(`${TOKEN_COOKIE}=`))!;
    expect(tokenCookie).toContain(token);
    expect(tokenCookie).toContain('HttpOnly');
    expect(tokenCookie).toContain('SameSite=Lax');
    expect(tokenCookie).not.toContain('Secure');
    const maxAge = Number(/Max-Age=(\d+)/.exec(tokenCookie)![1]);
    expect(maxAge).toBeGreaterThan(590);
    expect(maxAge).toBeLessThanOrEqual(600);
    expect(cookies.some((c) => c.startsWith(`${USER_COOKIE}=`) && c.includes('HttpOnly'))).toBe(true);
  });

  it('marks cookies Secure behind an HTTPS ingress', async () => {
    backend = await startBackend((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'x.y.z', token_type: 'bearer', user: { id: 1, email: 'a@b.c' } }));
    });
    const res = await handleSession(
      post('register', { email: 'a@b.c', password: 'password1' }, { 'x-forwarded-proto': 'https' }),
      'register',
      deps(backend.url),
    );
    expect(res.status).toBe(201);
    expect(backend.requests[0]!.url).toBe('/api/auth/register');
    expect(res.headers.getSetCookie().every((c) => c.includes('Secure'))).toBe(true);
  });

  it('passes a refused sign-in through with its status and sets no cookie', async () => {
    backend = await startBackend((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: 'Invalid credentials' }));
    });
    const res = await handleSession(post('login', { email: 'a@b.c', password: 'no' }), 'login', deps(backend.url));
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('reports an unreadable backend answer as 502', async () => {
    backend = await startBackend((_req, res) => res.end('<html>oops</html>'));
    const res = await handleSession(post('login', { email: 'a', password: 'b' }), 'login', deps(backend.url));
    expect(res.status).toBe(502);
  });

  it('signs out by expiring both cookies', async () => {
    const res = await handleSession(post('logout'), 'logout', deps('http://unused'));
    expect(res.status).toBe(204);
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(2);
    expect(cookies.every((c) => c.includes('Max-Age=0'))).toBe(true);
  });

  it('ends the session at the backend when signing out, so the token is refused afterwards', async () => {
    backend = await startBackend((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const res = await handleSession(post('logout'), 'logout', deps(backend.url, { [TOKEN_COOKIE]: 'tok.en.1' }));
    expect(res.status).toBe(204);
    expect(backend.requests[0]!.url).toBe('/api/auth/logout');
    expect(backend.requests[0]!.headers['authorization']).toBe('Bearer tok.en.1');
  });

  it('refuses a sign-out or sign-in posted by another site (a cross-site form)', async () => {
    const attempts: Record<string, string>[] = [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of attempts) {
      for (const action of ['logout', 'login']) {
        const res = await handleSession(post(action, {}, { host: 'frontend.test', ...headers }), action, deps('http://unused'));
        expect(res.status).toBe(403);
        expect(res.headers.getSetCookie()).toHaveLength(0);
      }
    }
    const same = await handleSession(
      post('logout', undefined, { host: 'frontend.test', origin: 'http://frontend.test' }),
      'logout',
      deps('http://unused'),
    );
    expect(same.status).toBe(204);
  });

  it('tells who is signed in, or 401', async () => {
    const user = { id: 4, email: 'd@e.f', name: null };
    const signedIn = deps('http://unused', { [TOKEN_COOKIE]: 't', [USER_COOKIE]: encodeUser(user) });
    const me = await handleSession(new Request('http://f/api/session/me'), 'me', signedIn);
    expect(await me.json()).toEqual({ user });
    const anon = await handleSession(new Request('http://f/api/session/me'), 'me', deps('http://unused'));
    expect(anon.status).toBe(401);
  });

  it('hands the token to page scripts only in direct mode (NEXT_PUBLIC_API_BASE_URL)', async () => {
    const c = { [TOKEN_COOKIE]: 'tok' };
    const hidden = await handleSession(new Request('http://f/api/session/token'), 'token', deps('http://u', c, false));
    expect(hidden.status).toBe(404);
    const shown = await handleSession(new Request('http://f/api/session/token'), 'token', deps('http://u', c, true));
    expect(await shown.json()).toEqual({ access_token: 'tok' });
  });
});

describe('session cookies', () => {
  it('round-trips the user and rejects garbage', () => {
    expect(decodeUser(encodeUser({ id: 'u-1', email: 'x@y.z', name: 'X' }))).toEqual({ id: 'u-1', email: 'x@y.z', name: 'X' });
    expect(decodeUser('not-base64-json')).toBeNull();
    expect(decodeUser(undefined)).toBeNull();
  });

  it('derives the cookie lifetime from the token, with a default', () => {
    expect(tokenLifetimeSeconds(jwt({ exp: 1000 }), 400_000)).toBe(600);
    expect(tokenLifetimeSeconds(jwt({ exp: 10 }), 400_000)).toBe(0);
    expect(tokenLifetimeSeconds('opaque-token')).toBe(3600);
  });
});
