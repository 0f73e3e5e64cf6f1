// The tasks page's first data, fetched by the server while it renders the page, so the first
// paint shows the user's tasks and conversation and nothing moves when they arrive. The server
// calls BACKEND_URL (read per request) with the session's token. Whatever fails, or does not
// answer within INITIAL_DATA_TIMEOUT_MS, is left to the browser, which loads it as before (with
// the "not reachable" banner, the expired-session redirect, and so on).

import { ApiClient } from './api';
import { newestConversation, type ChatStart } from './conversations';
import { ApiError } from './errors';
import { backendUrl } from './server-config';
import type { Task, User } from './types';

export const INITIAL_DATA_TIMEOUT_MS = 2000;

export interface InitialData {
  /** Every task of the user (filter "all"), or null when the browser must load them. */
  tasks: Task[] | null;
  /** The chat's first state, or null when the browser must load it. */
  chat: ChatStart | null;
}

export interface InitialDataOptions {
  baseUrl?: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** Where a failure is reported (one line, never the token); console.warn by default. */
  warn?: (line: string) => void;
}

function why(err: unknown): string {
  if (err instanceof ApiError) return err.status ? `${err.kind}, HTTP ${err.status}` : err.kind;
  return err instanceof Error ? err.message : String(err);
}

/** Loads the first task list and conversation in parallel; never throws. */
export async function loadInitialData(user: User, token: string, opts: InitialDataOptions = {}): Promise<InitialData> {
  const signal = AbortSignal.timeout(opts.timeoutMs ?? INITIAL_DATA_TIMEOUT_MS);
  const fetchImpl = opts.fetchImpl ?? fetch;
  const warn = opts.warn ?? ((line: string) => console.warn(line));
  const api = new ApiClient({
    baseUrl: opts.baseUrl ?? backendUrl(),
    token,
    fetchImpl: (input, init) => fetchImpl(input, { ...init, signal }),
  });
  const settle = async <T>(what: string, p: Promise<T>): Promise<T | null> => {
    try {
      return await p;
    } catch (err) {
      const reason = signal.aborted ? `no answer within ${opts.timeoutMs ?? INITIAL_DATA_TIMEOUT_MS} ms` : why(err);
      warn(`tasks page: ${what} left to the browser (${reason})`);
      return null;
    }
  };
  const chat = async (): Promise<ChatStart> => {
    const conversations = await api.listConversations(user.id);
    if (!Array.isArray(conversations)) throw new Error('the conversation list is not a list');
    const latest = newestConversation(conversations);
    const messages = latest ? await api.listMessages(user.id, latest.id) : [];
    if (!Array.isArray(messages)) throw new Error('the message list is not a list');
    return { conversations, currentId: latest?.id ?? null, messages };
  };
  const tasks = async (): Promise<Task[]> => {
    const list = await api.listTasks(user.id, 'all');
    if (!Array.isArray(list)) throw new Error('the task list is not a list');
    return list;
  };
  const [taskList, chatStart] = await Promise.all([settle('task list', tasks()), settle('conversation', chat())]);
  return { tasks: taskList, chat: chatStart };
}
