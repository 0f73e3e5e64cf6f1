import { afterEach, describe, expect, it } from 'vitest';
import { loadInitialData } from '@/lib/server-data';
import { closedPort, startBackend, type FakeBackend } from './helpers/backend';

// The server's first load of the tasks page against a real HTTP server on 127.0.0.1.
let backend: FakeBackend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

const user = { id: 7, email: 'ann@example.com' };
const TOKEN = 'header.payload.signature';

/** Answers each path with its entry: [status, body]. */
function routes(table: Record<string, [number, unknown]>) {
  return startBackend((req, res) => {
    const [status, body] = table[req.url ?? ''] ?? [404, { detail: 'not found' }];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
}

describe('the tasks page: data loaded on the server', () => {
  it('loads every task and the newest conversation with its messages, with the session token', async () => {
    const newer = { id: 2, updated_at: '2026-02-01T10:05:00Z' };
    backend = await routes({
      '/api/7/tasks?status=all': [200, [{ id: 1, title: 'buy milk', completed: false }]],
      '/api/7/conversations': [200, [{ id: 1, updated_at: '2026-01-01T10:00:00Z' }, newer]],
      '/api/7/conversations/2/messages': [200, [{ id: 11, role: 'assistant', content: 'Done!' }]],
    });
    const warnings: string[] = [];
    const data = await loadInitialData(user, TOKEN, { baseUrl: backend.url, warn: (l) => warnings.push(l) });
    expect(data.tasks).toEqual([{ id: 1, title: 'buy milk', completed: false }]);
    expect(data.chat).toMatchObject({ currentId: 2, messages: [{ id: 11, content: 'Done!' }] });
    expect(data.chat?.conversations).toHaveLength(2);
    expect(backend.requests.map((r) => r.headers.authorization)).toEqual(Array(3).fill(`Bearer ${TOKEN}`));
    expect(warnings).toEqual([]);
  });

  it('starts an empty chat when there is no conversation yet', async () => {
    backend = await routes({ '/api/7/tasks?status=all': [200, []], '/api/7/conversations': [200, []] });
    const data = await loadInitialData(user, TOKEN, { baseUrl: backend.url });
    expect(data).toEqual({ tasks: [], chat: { conversations: [], currentId: null, messages: [] } });
  });

  it('leaves an expired session to the browser (which signs out), saying why without the token', async () => {
    backend = await routes({
      '/api/7/tasks?status=all': [401, { detail: 'Token expired' }],
      '/api/7/conversations': [401, { detail: 'Token expired' }],
    });
    const warnings: string[] = [];
    const data = await loadInitialData(user, TOKEN, { baseUrl: backend.url, warn: (l) => warnings.push(l) });
    expect(data).toEqual({ tasks: null, chat: null });
    expect(warnings).toEqual([
      'tasks page: task list left to the browser (unauthorized, HTTP 401)',
      'tasks page: conversation left to the browser (unauthorized, HTTP 401)',
    ]);
    expect(warnings.join('\n')).not.toContain(TOKEN);
  });

  it('keeps what answered when one part fails (database down for the chat)', async () => {
    backend = await routes({
      '/api/7/tasks?status=all': [200, [{ id: 1, title: 'buy milk', completed: true }]],
      '/api/7/conversations': [503, { detail: 'Database unavailable' }],
    });
    const data = await loadInitialData(user, TOKEN, { baseUrl: backend.url, warn: () => undefined });
    expect(data.tasks).toHaveLength(1);
    expect(data.chat).toBeNull();
  });

  it('refuses an answer that is not a list', async () => {
    backend = await routes({ '/api/7/tasks?status=all': [200, { tasks: [] }], '/api/7/conversations': [200, 'x'] });
    const warnings: string[] = [];
    const data = await loadInitialData(user, TOKEN, { baseUrl: backend.url, warn: (l) => warnings.push(l) });
    expect(data).toEqual({ tasks: null, chat: null });
    expect(warnings[0]).toBe('tasks page: task list left to the browser (the task list is not a list)');
  });

  it('renders without data when the backend is not reachable', async () => {
    const port = await closedPort();
    const warnings: string[] = [];
    const data = await loadInitialData(user, TOKEN, { baseUrl: `http://127.0.0.1:${port}`, warn: (l) => warnings.push(l) });
    expect(data).toEqual({ tasks: null, chat: null });
    expect(warnings[0]).toBe('tasks page: task list left to the browser (unreachable)');
  });

  // (Waiting the proxy's 30 s instead would exceed vitest's 5 s test timeout.)
  it('waits no longer than its time budget for a backend that does not answer', async () => {
    backend = await startBackend(() => undefined); // never answers
    const warnings: string[] = [];
    const data = await loadInitialData(user, TOKEN, { baseUrl: backend.url, timeoutMs: 200, warn: (l) => warnings.push(l) });
    expect(data).toEqual({ tasks: null, chat: null });
    expect(warnings).toContain('tasks page: task list left to the browser (no answer within 200 ms)');
  });
});
