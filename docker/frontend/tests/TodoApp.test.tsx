// @vitest-environment jsdom
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { TodoApp } from '@/components/TodoApp';
import { FakeApi, json } from './helpers/fake-api';
import { router } from './setup';

const user = { id: 7, email: 'ann@example.com', name: 'Ann' };

describe('TodoApp', () => {
  it('shows the unreachable state while the backend is down and recovers without a reload', async () => {
    let up = false;
    const api = new FakeApi()
      .on('GET /api/7/tasks', () => (up ? json([{ id: 1, title: 'buy milk', completed: false }]) : json({ detail: 'x', code: 'backend_unreachable' }, 502, { 'retry-after': '1' })))
      .on('GET /api/7/conversations', () => (up ? json([]) : json({ code: 'backend_unreachable' }, 502)));
    render(<TodoApp user={user} api={api.client()} />);
    const banner = await screen.findByTestId('connection-banner');
    expect(banner.textContent).toContain('The server is not reachable, retrying');
    up = true;
    expect(await screen.findByText('buy milk', {}, { timeout: 4000 })).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId('connection-banner')).toBeNull());
    expect(await screen.findByText('Ask me to manage your tasks')).toBeTruthy();
  });

  it('says when the backend answers 503', async () => {
    const api = new FakeApi()
      .on('GET /api/7/tasks', () => json({ detail: 'Database unavailable' }, 503, { 'retry-after': '5' }))
      .on('GET /api/7/conversations', []);
    render(<TodoApp user={user} api={api.client()} />);
    const banner = await screen.findByTestId('connection-banner');
    expect(banner.textContent).toContain('temporarily unavailable');
    expect(banner.textContent).toContain('Database unavailable');
    expect(banner.textContent).toContain('5 s');
  });

  it('goes back to sign-in when the session has expired', async () => {
    const api = new FakeApi()
      .on('GET /api/7/tasks', () => json({ detail: 'Token expired' }, 401))
      .on('GET /api/7/conversations', () => json({ detail: 'Token expired' }, 401))
      .on('POST /api/session/logout', () => new Response(null, { status: 204 }));
    render(<TodoApp user={user} api={api.client()} />);
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/signin?expired=1'));
    expect(api.callsTo('POST', '/api/session/logout')).toHaveLength(1);
  });

  it('signs out', async () => {
    const api = new FakeApi()
      .on('GET /api/7/tasks', [])
      .on('GET /api/7/conversations', [])
      .on('POST /api/session/logout', () => new Response(null, { status: 204 }));
    render(<TodoApp user={user} api={api.client()} />);
    expect(screen.getByTestId('user-email').textContent).toBe('Ann');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/signin'));
  });

  it('starts with the data the server rendered and asks the API for none of it', () => {
    const api = new FakeApi();
    render(
      <TodoApp
        user={user}
        api={api.client()}
        initial={{ tasks: [{ id: 1, title: 'buy milk', completed: false }], chat: { conversations: [], currentId: null, messages: [] } }}
      />,
    );
    expect(screen.getByRole('checkbox', { name: 'buy milk' })).toBeTruthy();
    expect(screen.getByText('Ask me to manage your tasks')).toBeTruthy();
    expect(api.calls).toEqual([]);
  });

  it('loads in the browser what the server could not', async () => {
    const api = new FakeApi().on('GET /api/7/tasks', [{ id: 1, title: 'buy milk', completed: false }]).on('GET /api/7/conversations', []);
    render(<TodoApp user={user} api={api.client()} initial={{ tasks: null, chat: null }} />);
    expect(await screen.findByRole('checkbox', { name: 'buy milk' })).toBeTruthy();
    expect(await screen.findByText('Ask me to manage your tasks')).toBeTruthy();
  });

  it('offers a skip link to the assistant as the first stop of the keyboard', async () => {
    const api = new FakeApi().on('GET /api/7/tasks', []).on('GET /api/7/conversations', []);
    render(<TodoApp user={user} api={api.client()} />);
    const keys = userEvent.setup();
    await keys.tab();
    const skip = screen.getByRole('link', { name: 'Skip to the assistant' });
    expect(document.activeElement).toBe(skip);
    await keys.keyboard('{Enter}');
    expect(document.activeElement).toBe(screen.getByLabelText('Message to the assistant'));
  });
});
