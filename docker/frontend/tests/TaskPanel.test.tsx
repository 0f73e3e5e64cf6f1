// @vitest-environment jsdom
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { TaskPanel } from '@/components/TaskPanel';
import { deferred, FakeApi, json } from './helpers/fake-api';

const milk = { id: 1, title: 'buy milk', description: null, completed: false };
const bread = { id: 2, title: 'bake bread', description: 'sourdough', completed: true };

function setup(api: FakeApi, onError = vi.fn(() => false)) {
  const onOk = vi.fn();
  render(<TaskPanel api={api.client()} userId={7} refreshKey={0} onError={onError} onOk={onOk} />);
  return { onError, onOk, user: userEvent.setup() };
}

describe('TaskPanel', () => {
  it('shows a loading state, then the empty state', async () => {
    const api = new FakeApi().on('GET /api/7/tasks', []);
    setup(api);
    expect(screen.getByLabelText('Loading tasks')).toBeTruthy();
    expect(await screen.findByText('No tasks yet')).toBeTruthy();
    expect(api.calls[0]!.url).toBe('/api/7/tasks?status=all');
  });

  it('lists tasks newest first with their descriptions', async () => {
    setup(new FakeApi().on('GET /api/7/tasks', [milk, bread]));
    const list = await screen.findByRole('list', { name: 'Tasks' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      expect.stringContaining('bake bread'),
      expect.stringContaining('buy milk'),
    ]);
    expect(screen.getByText('sourdough')).toBeTruthy();
  });

  it('adds a task at once, before the API confirms it, then keeps the saved one', async () => {
    const answer = deferred<Response>();
    const api = new FakeApi().on('GET /api/7/tasks', []).on('POST /api/7/tasks', () => answer.promise);
    const { user } = setup(api);
    await screen.findByText('No tasks yet');
    await user.type(screen.getByLabelText('New task title'), 'walk the dog');
    await user.type(screen.getByLabelText('Description (optional)'), 'before 9');
    await user.keyboard('{Enter}');
    expect(screen.getByText('walk the dog')).toBeTruthy(); // optimistic
    expect(api.callsTo('POST', '/api/7/tasks')[0]!.body).toEqual({ title: 'walk the dog', description: 'before 9' });
    answer.resolve(json({ id: 9, title: 'walk the dog', description: 'before 9', completed: false }, 201));
    await waitFor(() => expect(screen.getByLabelText('Delete “walk the dog”')).toHaveProperty('disabled', false));
  });

  it('rolls a refused toggle back and says why', async () => {
    const api = new FakeApi()
      .on('GET /api/7/tasks', [milk])
      .on('PATCH /api/7/tasks/1/complete', () => json({ detail: 'Task is locked' }, 409));
    const { user } = setup(api);
    const box = await screen.findByLabelText('Mark “buy milk” as completed');
    await user.click(box);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not update “buy milk”: Task is locked');
    expect((screen.getByLabelText('Mark “buy milk” as completed') as HTMLInputElement).checked).toBe(false);
  });

  it('toggles a task and keeps the server version', async () => {
    const api = new FakeApi()
      .on('GET /api/7/tasks', [milk])
      .on('PATCH /api/7/tasks/1/complete', { ...milk, completed: true });
    const { user } = setup(api);
    await user.click(await screen.findByLabelText('Mark “buy milk” as completed'));
    expect(((await screen.findByLabelText('Mark “buy milk” as pending')) as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('puts a task back where it was when the delete is refused', async () => {
    const api = new FakeApi()
      .on('GET /api/7/tasks', [milk, bread])
      .on('DELETE /api/7/tasks/1', () => json({ detail: 'nope' }, 500));
    const { user } = setup(api);
    await user.click(await screen.findByLabelText('Delete “buy milk”'));
    expect((await screen.findByRole('alert')).textContent).toContain('Could not delete “buy milk”');
    const list = screen.getByRole('list', { name: 'Tasks' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
  });

  it('removes a deleted task', async () => {
    const api = new FakeApi().on('GET /api/7/tasks', [milk, bread]).on('DELETE /api/7/tasks/1', () => new Response(null, { status: 204 }));
    const { user } = setup(api);
    await user.click(await screen.findByLabelText('Delete “buy milk”'));
    await waitFor(() => expect(screen.queryByText('buy milk')).toBeNull());
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('edits title and description with the keyboard, and Escape cancels', async () => {
    const api = new FakeApi()
      .on('GET /api/7/tasks', [milk])
      .on('PUT /api/7/tasks/1', (c) => json({ ...milk, ...(c.body as object) }));
    const { user } = setup(api);
    await user.click(await screen.findByLabelText('Edit “buy milk”'));
    await user.keyboard('{Escape}');
    expect(screen.queryByLabelText('Title')).toBeNull();
    await user.click(screen.getByLabelText('Edit “buy milk”'));
    const title = screen.getByLabelText('Title');
    await user.clear(title);
    await user.type(title, 'buy oat milk');
    await user.type(screen.getByLabelText('Description'), '2 litres{Enter}');
    expect(await screen.findByText('buy oat milk')).toBeTruthy();
    expect(api.callsTo('PUT', '/api/7/tasks/1')[0]!.body).toEqual({ title: 'buy oat milk', description: '2 litres' });
  });

  it('asks the server for the chosen filter', async () => {
    const api = new FakeApi().on('GET /api/7/tasks', [milk]).on('GET /api/7/tasks?status=completed', [bread]);
    const { user } = setup(api);
    await screen.findByText('buy milk');
    await user.click(screen.getByRole('button', { name: 'Completed' }));
    expect(await screen.findByText('bake bread')).toBeTruthy();
    expect(screen.queryByText('buy milk')).toBeNull();
    expect(screen.getByRole('button', { name: 'Completed' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('refuses an empty title without calling the API', async () => {
    const api = new FakeApi().on('GET /api/7/tasks', []);
    const { user } = setup(api);
    await screen.findByText('No tasks yet');
    await user.click(screen.getByRole('button', { name: 'Add task' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Give the task a title');
    expect(api.callsTo('POST', '/api/7/tasks')).toHaveLength(0);
  });

  it('hands connection problems to the parent instead of showing a load error', async () => {
    const api = new FakeApi().on('GET /api/7/tasks', () => json({ code: 'backend_unreachable' }, 502, { 'retry-after': '2' }));
    const onError = vi.fn(() => true);
    setup(api, onError);
    await waitFor(() => expect(onError).toHaveBeenCalled());
    expect((onError.mock.calls[0] as unknown[])[0]).toMatchObject({ kind: 'unreachable' });
    expect(screen.queryByText(/Could not load/)).toBeNull();
  });
});
