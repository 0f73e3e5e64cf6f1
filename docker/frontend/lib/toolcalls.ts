// One short line per tool call the chat agent made, e.g. "added task 5: buy milk".

import type { ToolCall } from './types';

const VERBS: Record<string, string> = {
  add_task: 'added',
  complete_task: 'completed',
  delete_task: 'deleted',
  update_task: 'updated',
};

/** Tools that change tasks: after one of these the task list must be reloaded. */
export const MUTATING_TOOLS = new Set(Object.keys(VERBS));

function asRecord(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') {
    try {
      const parsed: unknown = JSON.parse(v);
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function firstOf(obj: Record<string, unknown>, keys: string[]): unknown {
  for (const k of keys) if (obj[k] !== undefined && obj[k] !== null && obj[k] !== '') return obj[k];
  return undefined;
}

/** Human summary of one tool call. */
export function describeToolCall(call: ToolCall): string {
  const args = asRecord(call.args);
  const result = asRecord(call.result);
  const nested = asRecord(result.task);
  const error = firstOf(result, ['error', 'detail']);
  if (error !== undefined && typeof error === 'string') return `${call.tool} failed: ${error}`;

  if (call.tool === 'list_tasks') {
    const list = Array.isArray(call.result)
      ? call.result
      : Array.isArray(result.tasks)
        ? (result.tasks as unknown[])
        : undefined;
    const status = typeof args.status === 'string' && args.status !== 'all' ? ` ${args.status}` : '';
    if (list) return `listed ${list.length}${status} task${list.length === 1 ? '' : 's'}`;
    return `listed${status} tasks`;
  }

  const verb = VERBS[call.tool];
  if (!verb) return `${call.tool}`;
  const id = firstOf(result, ['task_id', 'id']) ?? firstOf(nested, ['id']) ?? firstOf(args, ['task_id', 'id']);
  const title = firstOf(result, ['title']) ?? firstOf(nested, ['title']) ?? firstOf(args, ['title']);
  const idPart = id !== undefined ? ` ${String(id)}` : '';
  const titlePart = title !== undefined ? `: ${String(title)}` : '';
  return `${verb} task${idPart}${titlePart}`;
}

/** Whether any call in the list changed tasks. */
export function changesTasks(calls: ToolCall[] | null | undefined): boolean {
  return (calls ?? []).some((c) => MUTATING_TOOLS.has(c.tool));
}
