// Pure list operations behind the optimistic updates: apply a change at once, and undo exactly
// that change (not the whole list) when the API refuses it.

import type { Task, TaskFilter } from './types';

/** Whether a task belongs in the list under the current filter. */
export function matchesFilter(task: Task, filter: TaskFilter): boolean {
  if (filter === 'pending') return !task.completed;
  if (filter === 'completed') return task.completed;
  return true;
}

/** Replaces the task with `id` by `next` (or by the result of `next(task)`). */
export function replaceTask(tasks: Task[], id: number, next: Task | ((t: Task) => Task)): Task[] {
  return tasks.map((t) => (t.id === id ? (typeof next === 'function' ? next(t) : next) : t));
}

/** Removes the task with `id`; returns the new list and where the task was (for a rollback). */
export function removeTask(tasks: Task[], id: number): { tasks: Task[]; removed?: Task; index: number } {
  const index = tasks.findIndex((t) => t.id === id);
  if (index < 0) return { tasks, index };
  return { tasks: [...tasks.slice(0, index), ...tasks.slice(index + 1)], removed: tasks[index], index };
}

/** Puts `task` back at `index` (clamped), unless a task with its id is already there. */
export function restoreTask(tasks: Task[], task: Task, index: number): Task[] {
  if (tasks.some((t) => t.id === task.id)) return tasks;
  const at = Math.max(0, Math.min(index, tasks.length));
  return [...tasks.slice(0, at), task, ...tasks.slice(at)];
}

let tempCounter = 0;
/** A negative id for a task that exists only on this page until the API confirms it. */
export function temporaryId(): number {
  tempCounter += 1;
  return -tempCounter;
}

/** Counts for the filter tabs' badges. */
export function countTasks(tasks: Task[]): { all: number; pending: number; completed: number } {
  const completed = tasks.filter((t) => t.completed).length;
  return { all: tasks.length, pending: tasks.length - completed, completed };
}
