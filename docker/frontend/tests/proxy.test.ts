import { afterEach, describe, expect, it } from 'vitest';
import { backendTarget, proxyRequest } from '@/lib/proxy';
import { backendUrl, proxyTimeoutMs } from '@/lib/server-config';
import { closedPort, startBackend, type FakeBackend } from './helpers/backend';

let backend: FakeBackend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

function browserRequest(path: string, init: RequestInit & { duplex?: 'half' } = {}): Request {
  return new Request(`http://frontend.test${path}`, init);
}

describe('proxy route: forwarding', () => {
  it('forwards method, path, query and JSON body, and adds the bearer token from the cookie', async () => {
    backend = await startBackend((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 5, title: 'buy milk' }));
    });
    const res = await proxyRequest(
      browserRequest('/api/7/tasks?status=pending', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'abc', cookie: 'todo_token=secret' },
        body: JSON.stringify({ title: 'buy milk' }),
      }),
      ['7', 'tasks'],
      { backendUrl: backend.url, token: 'tok123', timeoutMs: 5000 },
    );
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: 5, title: 'buy milk' });
    const got = backend.requests[0]!;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/api/7/tasks?status=pending');
    expect(got.body).toBe('{"title":"buy milk"}');
    expect(got.headers.authorization).toBe('Bearer tok123');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-request-id']).toBe('abc');
    expect(got.headers['x-forwarded-host']).toBe('frontend.test');
    // The browser's cookies are the frontend's business and never reach the backend.
    expect(got.headers.cookie).toBeUndefined();
  });

  it('passes the browser Authorization header when there is no session cookie', async () => {
    backend = await startBackend((_req, res) => res.end('[]'));
    await proxyRequest(browserRequest('/api/1/tasks', { headers: { authorization: 'Bearer direct' } }), ['1', 'tasks'], {
      backendUrl: backend.url,
      timeoutMs: 5000,
    });
    expect(backend.requests[0]!.headers.authorization).toBe('Bearer direct');
  });

  it('preserves error status codes, bodies and Retry-After', async () => {
    backend = await startBackend((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
      res.end(JSON.stringify({ detail: 'database unavailable' }));
    });
    const res = await proxyRequest(browserRequest('/api/1/tasks'), ['1', 'tasks'], {
      backendUrl: backend.url,
      timeoutMs: 5000,
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({ detail: 'database unavailable' });
  });

  it.each([401, 403, 404, 422])('passes status %i through unchanged', async (status) => {
    backend = await startBackend((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: 'x' }));
    });
    const res = await proxyRequest(browserRequest('/api/1/tasks/9'), ['1', 'tasks', '9'], {
      backendUrl: backend.url,
      timeoutMs: 5000,
    });
    expect(res.status).toBe(status);
  });

  it('answers 204 with no body and drops hop-by-hop and set-cookie headers', async () => {
    backend = await startBackend((_req, res) => {
      res.writeHead(204, { connection: 'close', 'set-cookie': 'evil=1', 'x-custom': 'kept' });
      res.end();
    });
    const res = await proxyRequest(browserRequest('/api/1/tasks/2', { method: 'DELETE' }), ['1', 'tasks', '2'], {
      backendUrl: backend.url,
      timeoutMs: 5000,
    });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('connection')).toBeNull();
    expect(res.headers.get('x-custom')).toBe('kept');
  });

  it('streams the response body as the backend writes it', async () => {
    let finish: () => void = () => undefined;
    backend = await startBackend((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first,');
      finish = () => res.end('second');
    });
    const res = await proxyRequest(browserRequest('/api/stream'), ['stream'], { backendUrl: backend.url, timeoutMs: 5000 });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('first,');
    finish();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toBe('second');
  });
});

describe('proxy route: failures', () => {
  it('maps a refused connection to 502 backend_unreachable with Retry-After', async () => {
    const port = await closedPort();
    const res = await proxyRequest(browserRequest('/api/1/tasks'), ['1', 'tasks'], {
      backendUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 5000,
    });
    expect(res.status).toBe(502);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toMatchObject({ code: 'backend_unreachable' });
  });

  it('repeats a GET once when the backend closes the connection without answering (a rolling update)', async () => {
    let calls = 0;
    backend = await startBackend((req, res) => {
      calls += 1;
      if (calls === 1) {
        req.socket.destroy(); // the old pod closing its keep-alive connection
        return;
      }
      res.end('[]');
    });
    const res = await proxyRequest(browserRequest('/api/1/tasks'), ['1', 'tasks'], { backendUrl: backend.url, timeoutMs: 5000 });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('[]');
    expect(backend.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  it('does not repeat a GET that failed for another reason (an unknown host, a refusal)', async () => {
    for (const code of ['ENOTFOUND', 'ECONNREFUSED', undefined]) {
      let calls = 0;
      const fetchImpl = (async () => {
        calls += 1;
        throw new TypeError('fetch failed', { cause: { code } });
      }) as unknown as typeof fetch;
      const res = await proxyRequest(browserRequest('/api/1/tasks'), ['1', 'tasks'], {
        backendUrl: 'http://backend:8000',
        timeoutMs: 5000,
        fetchImpl,
      });
      expect(res.status).toBe(502);
      expect(calls).toBe(1);
    }
  });

  it('never repeats a write whose connection was closed: 502, sent once', async () => {
    backend = await startBackend((req) => req.socket.destroy());
    const res = await proxyRequest(
      browserRequest('/api/1/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"x"}' }),
      ['1', 'tasks'],
      { backendUrl: backend.url, timeoutMs: 5000 },
    );
    expect(res.status).toBe(502);
    expect(backend.requests).toHaveLength(1);
  });

  it('gives up after the timeout with 504 backend_timeout', async () => {
    backend = await startBackend(() => {
      /* never answers */
    });
    const res = await proxyRequest(browserRequest('/api/1/chat', { method: 'POST', body: '{}' }), ['1', 'chat'], {
      backendUrl: backend.url,
      timeoutMs: 150,
    });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ code: 'backend_timeout' });
  });

  it('rejects path segments that try to leave /api', async () => {
    const fetchImpl = (() => {
      throw new Error('must not be called');
    }) as unknown as typeof fetch;
    for (const segs of [['..', 'health'], ['a/b'], ['.'], []]) {
      const res = await proxyRequest(browserRequest('/api/x'), segs, {
        backendUrl: 'http://backend:8000',
        timeoutMs: 100,
        fetchImpl,
      });
      expect(res.status).toBe(400);
    }
  });
});

describe('proxy route: what a client cannot choose', () => {
  it('passes on only the address the nearest proxy recorded, not the client-written X-Forwarded-For entries', async () => {
    backend = await startBackend((_req, res) => res.end('[]'));
    const req = new Request('http://frontend.test/api/1/tasks', {
      headers: { 'x-forwarded-for': '6.6.6.6, 10.0.0.7' },
    });
    await proxyRequest(req, ['1', 'tasks'], { backendUrl: backend.url, timeoutMs: 5000 });
    expect(backend.requests[0]!.headers['x-forwarded-for']).toBe('10.0.0.7');
  });

  it('refuses a state-changing request from another site', async () => {
    backend = await startBackend((_req, res) => res.end('{}'));
    const req = new Request('http://frontend.test/api/1/tasks', {
      method: 'POST',
      headers: { host: 'frontend.test', origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{"title":"x"}',
    });
    const res = await proxyRequest(req, ['1', 'tasks'], { backendUrl: backend.url, timeoutMs: 5000 });
    expect(res.status).toBe(403);
    expect(backend.requests).toHaveLength(0);
  });
});

describe('proxy configuration', () => {
  it('reads BACKEND_URL per call, defaulting to the service name', () => {
    expect(backendUrl({})).toBe('http://backend:8000');
    expect(backendUrl({ BACKEND_URL: 'http://127.0.0.1:9000/' })).toBe('http://127.0.0.1:9000');
    expect(backendUrl({ BACKEND_URL: '  ' })).toBe('http://backend:8000');
  });

  it('reads PROXY_TIMEOUT_MS, ignoring nonsense', () => {
    expect(proxyTimeoutMs({ PROXY_TIMEOUT_MS: '1500' })).toBe(1500);
    expect(proxyTimeoutMs({ PROXY_TIMEOUT_MS: 'abc' })).toBe(30000);
    expect(proxyTimeoutMs({})).toBe(30000);
  });

  it('encodes path segments and keeps the query string', () => {
    expect(backendTarget('http://b', ['1', 'tasks'], '?status=all')).toBe('http://b/api/1/tasks?status=all');
    expect(backendTarget('http://b', ['a b'], '')).toBe('http://b/api/a%20b');
  });
});
