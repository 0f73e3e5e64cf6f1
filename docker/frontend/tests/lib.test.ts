import { describe, expect, it } from 'vitest';
import { ApiError, detailMessage, errorFromResponse } from '@/lib/errors';
import { countTasks, matchesFilter, removeTask, replaceTask, restoreTask } from '@/lib/tasks';
import { changesTasks, describeToolCall } from '@/lib/toolcalls';
import type { Task } from '@/lib/types';

const t = (id: number, completed = false): Task => ({ id, title: `t${id}`, completed });

describe('error mapping', () => {
  it('maps proxy and backend answers to UI states', () => {
    expect(errorFromResponse(502, { code: 'backend_unreachable' }, '2')).toMatchObject({ kind: 'unreachable', retryAfterSeconds: 2 });
    expect(errorFromResponse(504, { code: 'backend_timeout' }, null).kind).toBe('timeout');
    const e503 = errorFromResponse(503, { detail: 'Database unavailable' }, '5');
    expect(e503).toMatchObject({ kind: 'unavailable', retryAfterSeconds: 5, message: 'Database unavailable' });
    expect(e503.isConnectionProblem).toBe(true);
    expect(errorFromResponse(401, {}, null).kind).toBe('unauthorized');
    const e404 = errorFromResponse(404, { detail: 'Task not found' }, null);
    expect(e404).toMatchObject({ kind: 'http', message: 'Task not found' });
    expect(e404.isConnectionProblem).toBe(false);
    expect(errorFromResponse(500, 'Internal Server Error', 'soon').retryAfterSeconds).toBeUndefined();
  });

  it('reads FastAPI validation details', () => {
    const body = { detail: [{ loc: ['body', 'email'], msg: 'value is not a valid email address' }] };
    expect(detailMessage(body, 'x')).toBe('email: value is not a valid email address');
    expect(detailMessage({}, 'fallback')).toBe('fallback');
    expect(new ApiError('http', 400, 'm')).toBeInstanceOf(Error);
  });
});

describe('optimistic list operations', () => {
  it('filters by status', () => {
    expect(matchesFilter(t(1, true), 'pending')).toBe(false);
    expect(matchesFilter(t(1, true), 'completed')).toBe(true);
    expect(matchesFilter(t(1, false), 'all')).toBe(true);
  });

  it('removes a task and restores it at the same place', () => {
    const list = [t(3), t(2), t(1)];
    const r = removeTask(list, 2);
    expect(r.tasks.map((x) => x.id)).toEqual([3, 1]);
    expect(r.index).toBe(1);
    expect(restoreTask(r.tasks, r.removed!, r.index).map((x) => x.id)).toEqual([3, 2, 1]);
    expect(restoreTask(list, t(2), 0)).toBe(list); // already there: unchanged
    expect(removeTask(list, 99).tasks).toBe(list);
  });

  it('replaces one task by value or by function', () => {
    const list = [t(1), t(2)];
    expect(replaceTask(list, 2, (x) => ({ ...x, completed: true }))[1]!.completed).toBe(true);
    expect(replaceTask(list, 1, t(7))[0]!.id).toBe(7);
    expect(countTasks([t(1), t(2, true)])).toEqual({ all: 2, pending: 1, completed: 1 });
  });
});

describe('tool call summaries', () => {
  it('describes task changes compactly', () => {
    expect(describeToolCall({ tool: 'add_task', args: { title: 'buy milk' }, result: { task_id: 5, status: 'created', title: 'buy milk' } })).toBe(
      'added task 5: buy milk',
    );
    expect(describeToolCall({ tool: 'complete_task', args: { task_id: 3 }, result: { task: { id: 3, title: 'call mom' } } })).toBe(
      'completed task 3: call mom',
    );
    expect(describeToolCall({ tool: 'delete_task', args: { task_id: 9 }, result: '{"task_id": 9, "title": "old"}' })).toBe(
      'deleted task 9: old',
    );
    expect(describeToolCall({ tool: 'update_task', args: { task_id: 2, title: 'new' } })).toBe('updated task 2: new');
  });

  it('describes listings and failures', () => {
    expect(describeToolCall({ tool: 'list_tasks', args: { status: 'pending' }, result: [{ id: 1 }, { id: 2 }] })).toBe('listed 2 pending tasks');
    expect(describeToolCall({ tool: 'list_tasks', args: {}, result: { tasks: [{ id: 1 }] } })).toBe('listed 1 task');
    expect(describeToolCall({ tool: 'delete_task', args: { task_id: 4 }, result: { error: 'Task not found' } })).toBe(
      'delete_task failed: Task not found',
    );
    expect(describeToolCall({ tool: 'weather', args: {} })).toBe('weather');
  });

  it('knows which calls change the task list', () => {
    expect(changesTasks([{ tool: 'list_tasks' }])).toBe(false);
    expect(changesTasks([{ tool: 'list_tasks' }, { tool: 'add_task' }])).toBe(true);
    expect(changesTasks(undefined)).toBe(false);
  });
});
