// @vitest-environment jsdom
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { TaskPanel } from '@/components/TaskPanel';
import type { Task } from '@/lib/types';
import { deferred, FakeApi, json } from './helpers/fake-api';

const milk = { id: 1, title: 'buy milk', description: null, completed: false };
const bread = { id: 2, title: 'bake bread', description: 'sourdough', completed: true };

const eggs = { id: 3, title: 'boil eggs', description: null, completed: false };

function setup(api: FakeApi, onError = vi.fn(() => false), initialTasks: Task[] | null = null) {
  const onOk = vi.fn();
  render(
    <TaskPanel api={api.client()} userId={7} initialTasks={initialTasks} refreshKey={0} onError={onError} onOk={onOk} />,
  );
  return { onError, onOk, user: userEvent.setup() };
}

const focused = () => document.activeElement as HTMLElement;

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
    const box = await screen.findByRole('checkbox', { name: 'buy milk' });
    await user.click(box);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not update “buy milk”: Task is locked');
    expect((screen.getByRole('checkbox', { name: 'buy milk' }) as HTMLInputElement).checked).toBe(false);
    expect(screen.getByRole('status').textContent).toBe('');
  });

  it('toggles a task and keeps the server version', async () => {
    const api = new FakeApi()
      .on('GET /api/7/tasks', [milk])
      .on('PATCH /api/7/tasks/1/complete', { ...milk, completed: true });
    const { user } = setup(api);
    const box = await screen.findByRole('checkbox', { name: 'buy milk' });
    await user.click(box);
    expect((box as HTMLInputElement).checked).toBe(true);
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Marked “buy milk” as completed.'));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(document.activeElement).toBe(box); // still in the list under "All"
    expect(screen.getByRole('checkbox', { name: 'buy milk' })).toBe(box); // named by the task, not by the action
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

  it('shows the tasks the server rendered at once, without asking the API again', () => {
    const api = new FakeApi();
    setup(api, undefined, [milk, bread]);
    const list = screen.getByRole('list', { name: 'Tasks' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      expect.stringContaining('bake bread'),
      expect.stringContaining('buy milk'),
    ]);
    expect(screen.getByTestId('task-summary').textContent).toBe('1 pending · 1 done');
    expect(screen.queryByLabelText('Loading tasks')).toBeNull();
    expect(api.calls).toEqual([]);
  });

  it('titles the page with a level-one heading', () => {
    setup(new FakeApi(), undefined, []);
    expect(screen.getByRole('heading', { level: 1, name: 'My tasks' })).toBeTruthy();
  });

  it('announces each confirmed change in a polite status region, and nothing before it is confirmed', async () => {
    const created = deferred<Response>();
    const api = new FakeApi()
      .on('POST /api/7/tasks', () => created.promise)
      .on('PUT /api/7/tasks/1', (c) => json({ ...milk, ...(c.body as object) }))
      .on('DELETE /api/7/tasks/1', () => new Response(null, { status: 204 }));
    const { user } = setup(api, undefined, [milk]);
    const status = screen.getByRole('status');
    expect(status.textContent).toBe('');
    await user.type(screen.getByLabelText('New task title'), 'walk the dog{Enter}');
    expect(status.textContent).toBe('');
    created.resolve(json({ id: 9, title: 'walk the dog', completed: false }, 201));
    await waitFor(() => expect(status.textContent).toBe('Added “walk the dog”.'));
    await user.click(screen.getByRole('button', { name: 'Edit “buy milk”' }));
    await user.clear(screen.getByLabelText('Title'));
    await user.type(screen.getByLabelText('Title'), 'buy oat milk{Enter}');
    await waitFor(() => expect(status.textContent).toBe('Saved “buy oat milk”.'));
    await user.click(screen.getByRole('button', { name: 'Delete “buy oat milk”' }));
    await waitFor(() => expect(status.textContent).toBe('Deleted “buy oat milk”.'));
  });

  it('keeps focus in the title field after adding, also when "Add task" was clicked', async () => {
    const api = new FakeApi().on('POST /api/7/tasks', (c) => json({ id: 9, ...(c.body as object), completed: false }, 201));
    const { user } = setup(api, undefined, []);
    await user.type(screen.getByLabelText('New task title'), 'walk the dog');
    await user.click(screen.getByRole('button', { name: 'Add task' }));
    expect(focused()).toBe(screen.getByLabelText('New task title'));
  });

  it('after a delete, moves focus to the next task, else the previous one, else the title field', async () => {
    const api = new FakeApi();
    for (const id of [1, 2, 3]) api.on(`DELETE /api/7/tasks/${id}`, () => new Response(null, { status: 204 }));
    const { user } = setup(api, undefined, [milk, bread, eggs]); // shown newest first: eggs, bread, milk
    await user.click(screen.getByRole('button', { name: 'Delete “bake bread”' }));
    expect(focused()).toBe(screen.getByRole('checkbox', { name: 'buy milk' }));
    await user.click(screen.getByRole('button', { name: 'Delete “buy milk”' }));
    expect(focused()).toBe(screen.getByRole('checkbox', { name: 'boil eggs' }));
    await user.click(screen.getByRole('button', { name: 'Delete “boil eggs”' }));
    expect(focused()).toBe(screen.getByLabelText('New task title'));
    await waitFor(() => expect(api.callsTo('DELETE', '/api/7/tasks/')).toHaveLength(3));
  });

  it('moves focus to the next task when completing one hides it under the "Pending" filter', async () => {
    const api = new FakeApi()
      .on('GET /api/7/tasks?status=pending', [milk, eggs])
      .on('PATCH /api/7/tasks/3/complete', { ...eggs, completed: true });
    const { user } = setup(api, undefined, [milk, bread, eggs]);
    await user.click(screen.getByRole('button', { name: 'Pending' }));
    await waitFor(() => expect(screen.queryByText('bake bread')).toBeNull());
    await user.click(screen.getByRole('checkbox', { name: 'boil eggs' }));
    expect(screen.queryByText('boil eggs')).toBeNull();
    expect(focused()).toBe(screen.getByRole('checkbox', { name: 'buy milk' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Marked “boil eggs” as completed.'));
  });

  it('returns focus to the Edit button after Save, Cancel and Escape', async () => {
    const api = new FakeApi().on('PUT /api/7/tasks/1', (c) => json({ ...milk, ...(c.body as object) }));
    const { user } = setup(api, undefined, [milk]);
    await user.click(screen.getByRole('button', { name: 'Edit “buy milk”' }));
    expect(focused()).toBe(screen.getByLabelText('Title'));
    await user.keyboard('{Escape}');
    expect(focused()).toBe(screen.getByRole('button', { name: 'Edit “buy milk”' }));
    await user.keyboard('{Enter}');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(focused()).toBe(screen.getByRole('button', { name: 'Edit “buy milk”' }));
    await user.keyboard('{Enter}');
    await user.type(screen.getByLabelText('Title'), ' now{Enter}');
    expect(focused()).toBe(screen.getByRole('button', { name: 'Edit “buy milk now”' }));
  });
});
