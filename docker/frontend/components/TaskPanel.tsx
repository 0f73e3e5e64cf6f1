'use client';
// The task list: filter, add, edit, toggle, delete. Every change shows at once and is undone,
// with a message, when the API refuses it; a confirmed change is announced (polite live region).
// Focus never falls back to the page: when a row disappears (deleted, or hidden by the filter),
// it moves to the row now in its place; after an edit, back to the row's Edit button.

import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ApiClient } from '@/lib/api';
import { ApiError } from '@/lib/errors';
import { matchesFilter, removeTask, replaceTask, restoreTask, temporaryId } from '@/lib/tasks';
import type { Task, TaskFilter, User } from '@/lib/types';

export interface TaskPanelProps {
  api: ApiClient;
  userId: User['id'];
  /** Every task as the server rendered them (filter "all"); null: loaded here. */
  initialTasks?: Task[] | null;
  /** Bumped by the parent to reload (chat changed tasks, retry after an outage). */
  refreshKey: number;
  /** Gives connection and session errors to the parent; returns true when it handled them. */
  onError: (err: unknown) => boolean;
  onOk: () => void;
}

const FILTERS: { value: TaskFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'pending', label: 'Pending' },
  { value: 'completed', label: 'Completed' },
];

function byNewest(a: Task, b: Task): number {
  if (a.id < 0 || b.id < 0) return a.id < 0 && b.id < 0 ? b.id - a.id : a.id < 0 ? -1 : 1;
  return b.id - a.id;
}

function reason(err: unknown): string {
  return err instanceof ApiError ? err.message : 'Unexpected error.';
}

const NEW_TITLE_ID = 'new-title';
const checkboxId = (id: number) => `task-${id}`;
const titleId = (id: number) => `task-title-${id}`;
const editButtonId = (id: number) => `edit-${id}`;

/** Where focus goes when the row of `id` leaves the list: the next row, else the previous, else the add form. */
function focusAfterRemoving(visible: Task[], id: number): string {
  const i = visible.findIndex((t) => t.id === id);
  const saved = (t: Task | undefined) => (t && t.id > 0 ? t : undefined);
  const next = saved(visible[i + 1]) ?? saved(visible[i - 1]);
  return next ? checkboxId(next.id) : NEW_TITLE_ID;
}

export function TaskPanel({ api, userId, initialTasks = null, refreshKey, onError, onOk }: TaskPanelProps) {
  const [filter, setFilter] = useState<TaskFilter>('all');
  const [tasks, setTasks] = useState<Task[]>(() => (initialTasks ? [...initialTasks].sort(byNewest) : []));
  const [loaded, setLoaded] = useState(initialTasks !== null);
  const [loadedFilter, setLoadedFilter] = useState<TaskFilter | null>(initialTasks ? 'all' : null);
  const [loadFailed, setLoadFailed] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [editing, setEditing] = useState<{ id: number; title: string; description: string } | null>(null);
  const titleInput = useRef<HTMLInputElement>(null);
  const loadSeq = useRef(0);
  const skipFirstLoad = useRef(initialTasks !== null);
  // The id of the element to focus after the next render (set with the change that removes the
  // focused row, so the target exists once that change is on the page).
  const focusNext = useRef<string | null>(null);

  useEffect(() => {
    const id = focusNext.current;
    if (!id) return;
    focusNext.current = null;
    document.getElementById(id)?.focus();
  });

  const visible = tasks.filter((t) => matchesFilter(t, filter));

  const fail = useCallback(
    (what: string, err: unknown) => {
      onError(err);
      setMessage(`Could not ${what}: ${reason(err)} Your change was undone.`);
    },
    [onError],
  );

  const load = useCallback(async () => {
    const seq = ++loadSeq.current;
    try {
      const list = await api.listTasks(userId, filter);
      if (seq !== loadSeq.current) return;
      setTasks([...list].sort(byNewest));
      setLoaded(true);
      setLoadedFilter(filter);
      setLoadFailed(null);
      onOk();
    } catch (err) {
      if (seq !== loadSeq.current) return;
      if (!onError(err)) setLoadFailed(reason(err));
    }
  }, [api, userId, filter, onError, onOk]);

  useEffect(() => {
    if (skipFirstLoad.current) {
      skipFirstLoad.current = false; // the server rendered this list
      return;
    }
    void load();
  }, [load, refreshKey]);

  async function addTask(e: FormEvent) {
    e.preventDefault();
    const t = title.trim();
    if (!t) {
      setMessage('Give the task a title.');
      titleInput.current?.focus();
      return;
    }
    const d = description.trim();
    const temp: Task = { id: temporaryId(), title: t, description: d || null, completed: false };
    setMessage(null);
    setAnnouncement('');
    setTasks((ts) => [temp, ...ts]);
    setTitle('');
    setDescription('');
    titleInput.current?.focus(); // ready for the next one, also after a click on "Add task"
    try {
      const created = await api.createTask(userId, { title: t, description: d || null });
      setTasks((ts) => replaceTask(ts, temp.id, created));
      setAnnouncement(`Added “${t}”.`);
      onOk();
    } catch (err) {
      setTasks((ts) => removeTask(ts, temp.id).tasks);
      setTitle(t);
      setDescription(d);
      fail(`add “${t}”`, err);
    }
  }

  async function toggle(task: Task) {
    const next = { ...task, completed: !task.completed };
    setMessage(null);
    setAnnouncement('');
    if (!matchesFilter(next, filter)) focusNext.current = focusAfterRemoving(visible, task.id);
    setTasks((ts) => replaceTask(ts, task.id, next));
    try {
      const saved = await api.toggleTask(userId, task.id);
      if (saved && typeof saved === 'object' && 'id' in saved) setTasks((ts) => replaceTask(ts, task.id, saved));
      setAnnouncement(`Marked “${task.title}” as ${next.completed ? 'completed' : 'pending'}.`);
      onOk();
    } catch (err) {
      setTasks((ts) => replaceTask(ts, task.id, task));
      fail(`update “${task.title}”`, err);
    }
  }

  async function remove(task: Task) {
    setMessage(null);
    setAnnouncement('');
    const index = tasks.findIndex((t) => t.id === task.id);
    focusNext.current = focusAfterRemoving(visible, task.id);
    setTasks((ts) => removeTask(ts, task.id).tasks);
    try {
      await api.deleteTask(userId, task.id);
      setAnnouncement(`Deleted “${task.title}”.`);
      onOk();
    } catch (err) {
      setTasks((ts) => restoreTask(ts, task, index).sort(byNewest));
      fail(`delete “${task.title}”`, err);
    }
  }

  async function saveEdit(e: FormEvent) {
    e.preventDefault();
    if (!editing) return;
    const before = tasks.find((t) => t.id === editing.id);
    const t = editing.title.trim();
    if (!before) return setEditing(null);
    if (!t) return setMessage('A task needs a title.');
    const d = editing.description.trim();
    setMessage(null);
    setAnnouncement('');
    stopEditing();
    setTasks((ts) => replaceTask(ts, before.id, { ...before, title: t, description: d || null }));
    try {
      const saved = await api.updateTask(userId, before.id, { title: t, description: d || null });
      if (saved && typeof saved === 'object' && 'id' in saved) setTasks((ts) => replaceTask(ts, before.id, saved));
      setAnnouncement(`Saved “${t}”.`);
      onOk();
    } catch (err) {
      setTasks((ts) => replaceTask(ts, before.id, before));
      fail(`save “${t}”`, err);
    }
  }

  /** Leaves edit mode with focus on the row's Edit button. */
  function stopEditing() {
    if (editing) focusNext.current = editButtonId(editing.id);
    setEditing(null);
  }

  function editKeys(e: KeyboardEvent) {
    if (e.key === 'Escape') stopEditing();
  }

  const pending = tasks.filter((t) => !t.completed).length;

  return (
    <section className="panel tasks-panel" aria-labelledby="tasks-heading">
      <div className="panel-head">
        <h1 id="tasks-heading">My tasks</h1>
        {loaded && filter === 'all' && loadedFilter === 'all' && (
          <span className="muted small" data-testid="task-summary">
            {pending} pending · {tasks.length - pending} done
          </span>
        )}
      </div>

      <form className="add-form" onSubmit={addTask}>
        <div className="field grow">
          <label htmlFor={NEW_TITLE_ID} className="sr-only">
            New task title
          </label>
          <input
            id={NEW_TITLE_ID}
            ref={titleInput}
            placeholder="What needs to be done?"
            value={title}
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
          />
        </div>
        <div className="field grow">
          <label htmlFor="new-description" className="sr-only">
            Description (optional)
          </label>
          <input
            id="new-description"
            placeholder="Description (optional)"
            value={description}
            maxLength={1000}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <button className="btn btn-primary" type="submit">
          Add task
        </button>
      </form>

      <div className="filters" role="group" aria-label="Show tasks">
        {FILTERS.map((f) => (
          <button
            key={f.value}
            type="button"
            className={`chip ${filter === f.value ? 'chip-active' : ''}`}
            aria-pressed={filter === f.value}
            onClick={() => setFilter(f.value)}
          >
            {f.label}
          </button>
        ))}
      </div>

      <p className="sr-only" role="status" data-testid="task-announcement">
        {announcement}
      </p>
      {message && (
        <div className="inline-error" role="alert">
          <span>{message}</span>
          <button type="button" className="link-btn" onClick={() => setMessage(null)} aria-label="Dismiss message">
            ✕
          </button>
        </div>
      )}

      {!loaded && !loadFailed && (
        <ul className="task-list" aria-busy="true" aria-label="Loading tasks">
          {[0, 1, 2].map((i) => (
            <li key={i} className="task skeleton" />
          ))}
        </ul>
      )}
      {!loaded && loadFailed && (
        <p className="empty" role="alert">
          Could not load your tasks: {loadFailed}{' '}
          <button type="button" className="link-btn" onClick={() => void load()}>
            Try again
          </button>
        </p>
      )}
      {loaded && visible.length === 0 && (
        <div className="empty" data-testid="empty-state">
          <p className="empty-title">
            {filter === 'all' ? 'No tasks yet' : filter === 'pending' ? 'Nothing pending' : 'Nothing completed yet'}
          </p>
          <p className="muted">
            {filter === 'all' ? 'Add one above, or ask the assistant: “Add a task to buy milk”.' : 'Try another filter.'}
          </p>
        </div>
      )}
      {loaded && visible.length > 0 && (
        <ul className="task-list" aria-label="Tasks">
          {visible.map((task) =>
            editing && editing.id === task.id ? (
              <li key={task.id} className="task task-editing">
                <form className="edit-form" onSubmit={saveEdit} onKeyDown={editKeys}>
                  <label htmlFor={`edit-title-${task.id}`} className="sr-only">
                    Title
                  </label>
                  <input
                    id={`edit-title-${task.id}`}
                    autoFocus
                    value={editing.title}
                    maxLength={200}
                    onChange={(e) => setEditing({ ...editing, title: e.target.value })}
                  />
                  <label htmlFor={`edit-description-${task.id}`} className="sr-only">
                    Description
                  </label>
                  <input
                    id={`edit-description-${task.id}`}
                    placeholder="Description"
                    value={editing.description}
                    maxLength={1000}
                    onChange={(e) => setEditing({ ...editing, description: e.target.value })}
                  />
                  <div className="edit-actions">
                    <button className="btn btn-primary btn-small" type="submit">
                      Save
                    </button>
                    <button className="btn btn-small" type="button" onClick={stopEditing}>
                      Cancel
                    </button>
                  </div>
                </form>
              </li>
            ) : (
              <li key={task.id} className={`task ${task.completed ? 'task-done' : ''} ${task.id < 0 ? 'task-saving' : ''}`}>
                <input
                  type="checkbox"
                  id={checkboxId(task.id)}
                  checked={task.completed}
                  disabled={task.id < 0}
                  onChange={() => void toggle(task)}
                  aria-labelledby={titleId(task.id)}
                />
                <div className="task-body">
                  <span className="task-title" id={titleId(task.id)}>
                    {task.title}
                  </span>
                  {task.description && <span className="task-description">{task.description}</span>}
                </div>
                <div className="task-actions">
                  <button
                    type="button"
                    id={editButtonId(task.id)}
                    className="icon-btn"
                    disabled={task.id < 0}
                    onClick={() =>
                      setEditing({ id: task.id, title: task.title, description: task.description ?? '' })
                    }
                    aria-label={`Edit “${task.title}”`}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="icon-btn icon-btn-danger"
                    disabled={task.id < 0}
                    onClick={() => void remove(task)}
                    aria-label={`Delete “${task.title}”`}
                  >
                    Delete
                  </button>
                </div>
              </li>
            ),
          )}
        </ul>
      )}
    </section>
  );
}
