// The browser's API client. By default it calls the frontend's own origin (/api/...), which the
// proxy route forwards to BACKEND_URL with the token from the httpOnly cookie. When
// NEXT_PUBLIC_API_BASE_URL was set at build time it calls that URL directly instead, with the
// token fetched once from /api/session/token and kept in memory only.

import { ApiError, errorFromResponse } from './errors';
import type { ChatMessage, ChatResponse, Conversation, Task, TaskFilter, User } from './types';

export interface TaskInput {
  title: string;
  description?: string | null;
}

export interface ApiClientOptions {
  /** Base URL for backend calls; '' means same origin. */
  baseUrl?: string;
  fetchImpl?: typeof fetch;
  /** The bearer token for direct calls, when the caller already holds it (the server rendering a page). */
  token?: string;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private token: string | null;

  constructor(opts: ApiClientOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? process.env.NEXT_PUBLIC_API_BASE_URL ?? '').replace(/\/+$/, '');
    this.fetchImpl = opts.fetchImpl ?? ((input, init) => fetch(input, init));
    this.token = opts.token ?? null;
  }

  /** Calls the frontend's own session route (always same origin). */
  async session<T>(method: 'GET' | 'POST', action: string, body?: unknown): Promise<T> {
    return this.send<T>(method, `/api/session/${action}`, body, false);
  }

  async signIn(email: string, password: string): Promise<User> {
    return (await this.session<{ user: User }>('POST', 'login', { email, password })).user;
  }

  async signUp(email: string, password: string, name?: string): Promise<User> {
    const body: Record<string, string> = { email, password };
    if (name) body.name = name;
    return (await this.session<{ user: User }>('POST', 'register', body)).user;
  }

  async signOut(): Promise<void> {
    this.token = null;
    await this.session<void>('POST', 'logout');
  }

  listTasks(userId: User['id'], filter: TaskFilter): Promise<Task[]> {
    return this.backend<Task[]>('GET', `/api/${userId}/tasks?status=${filter}`);
  }

  createTask(userId: User['id'], input: TaskInput): Promise<Task> {
    return this.backend<Task>('POST', `/api/${userId}/tasks`, input);
  }

  updateTask(userId: User['id'], id: number, input: TaskInput): Promise<Task> {
    return this.backend<Task>('PUT', `/api/${userId}/tasks/${id}`, input);
  }

  toggleTask(userId: User['id'], id: number): Promise<Task> {
    return this.backend<Task>('PATCH', `/api/${userId}/tasks/${id}/complete`);
  }

  deleteTask(userId: User['id'], id: number): Promise<void> {
    return this.backend<void>('DELETE', `/api/${userId}/tasks/${id}`);
  }

  chat(userId: User['id'], message: string, conversationId?: Conversation['id'] | null): Promise<ChatResponse> {
    const body: Record<string, unknown> = { message };
    if (conversationId !== undefined && conversationId !== null) body.conversation_id = conversationId;
    return this.backend<ChatResponse>('POST', `/api/${userId}/chat`, body);
  }

  listConversations(userId: User['id']): Promise<Conversation[]> {
    return this.backend<Conversation[]>('GET', `/api/${userId}/conversations`);
  }

  listMessages(userId: User['id'], conversationId: Conversation['id']): Promise<ChatMessage[]> {
    return this.backend<ChatMessage[]>('GET', `/api/${userId}/conversations/${conversationId}/messages`);
  }

  private async backend<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send<T>(method, this.baseUrl + path, body, this.baseUrl !== '');
  }

  private async send<T>(method: string, url: string, body: unknown, direct: boolean): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (direct) headers.authorization = `Bearer ${await this.directToken()}`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: direct ? 'omit' : 'same-origin',
        cache: 'no-store',
      });
    } catch {
      // The frontend itself (or, in direct mode, the backend) cannot be reached.
      throw new ApiError('unreachable', 0, 'The server is not reachable, retrying…');
    }
    const text = res.status === 204 ? '' : await res.text().catch(() => '');
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!res.ok) throw errorFromResponse(res.status, parsed, res.headers.get('retry-after'));
    return parsed as T;
  }

  private async directToken(): Promise<string> {
    if (this.token) return this.token;
    const { access_token } = await this.session<{ access_token: string }>('GET', 'token');
    this.token = access_token;
    return access_token;
  }
}
