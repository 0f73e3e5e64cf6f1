'use client';
// The signed-in page: a skip link to the assistant, header, connection banner, task list and chat
// side by side. Owns the connection state: while the backend is down it retries every few
// seconds and recovers without a reload; an expired session goes back to sign-in.

import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState, type MouseEvent } from 'react';
import { ApiClient } from '@/lib/api';
import { ApiError } from '@/lib/errors';
import type { InitialData } from '@/lib/server-data';
import type { User } from '@/lib/types';
import { CHAT_INPUT_ID, ChatPanel } from './ChatPanel';
import { StatusBanner, type ConnectionState } from './StatusBanner';
import { TaskPanel } from './TaskPanel';

export const DEFAULT_RETRY_SECONDS = 2;
const MAX_RETRY_SECONDS = 10;
const BACKGROUND_REFRESH_SECONDS = 30;

export interface TodoAppProps {
  user: User;
  api?: ApiClient;
  /** What the server already loaded (null parts are loaded here). */
  initial?: InitialData;
}

/** Follows the skip link without changing the URL: focus on the chat box (scrolled into view). */
function skipToAssistant(e: MouseEvent<HTMLAnchorElement>) {
  const target = document.getElementById(CHAT_INPUT_ID);
  if (!target) return;
  e.preventDefault();
  target.focus();
}

export function TodoApp({ user, api, initial }: TodoAppProps) {
  const router = useRouter();
  const [client] = useState(() => api ?? new ApiClient());
  const [conn, setConn] = useState<ConnectionState>({ kind: 'ok' });
  const [refreshKey, setRefreshKey] = useState(0);
  const [recoveredKey, setRecoveredKey] = useState(0);
  const expiring = useRef(false);
  const down = useRef(false);

  const expire = useCallback(async () => {
    if (expiring.current) return;
    expiring.current = true;
    await client.signOut().catch(() => undefined);
    router.replace('/signin?expired=1');
    router.refresh();
  }, [client, router]);

  const onError = useCallback(
    (err: unknown): boolean => {
      if (!(err instanceof ApiError)) return false;
      if (err.kind === 'unauthorized') {
        void expire();
        return true;
      }
      if (err.isConnectionProblem) {
        down.current = true;
        const retry = Math.min(MAX_RETRY_SECONDS, Math.max(1, err.retryAfterSeconds ?? DEFAULT_RETRY_SECONDS));
        setConn({ kind: err.kind as 'unreachable' | 'unavailable' | 'timeout', message: err.message, retryInSeconds: retry });
        return true;
      }
      return false;
    },
    [expire],
  );

  const onOk = useCallback(() => {
    if (!down.current) return;
    down.current = false;
    setConn({ kind: 'ok' });
    setRecoveredKey((k) => k + 1);
  }, []);

  // While the backend is down, reload the task list every few seconds; success clears the banner.
  useEffect(() => {
    if (conn.kind === 'ok') return;
    const t = setTimeout(() => setRefreshKey((k) => k + 1), conn.retryInSeconds * 1000);
    return () => clearTimeout(t);
  }, [conn]);

  // While all is well, pick up changes made elsewhere (another tab, the phone) now and then,
  // and whenever the page comes back into view; this also notices an outage early.
  useEffect(() => {
    if (conn.kind !== 'ok') return;
    const bump = () => {
      if (document.visibilityState === 'visible') setRefreshKey((k) => k + 1);
    };
    const t = setInterval(bump, BACKGROUND_REFRESH_SECONDS * 1000);
    document.addEventListener('visibilitychange', bump);
    return () => {
      clearInterval(t);
      document.removeEventListener('visibilitychange', bump);
    };
  }, [conn.kind]);

  async function signOut() {
    await client.signOut().catch(() => undefined);
    router.replace('/signin');
    router.refresh();
  }

  const tasksChanged = useCallback(() => setRefreshKey((k) => k + 1), []);

  return (
    <div className="app">
      <a className="skip-link" href={`#${CHAT_INPUT_ID}`} onClick={skipToAssistant}>
        Skip to the assistant
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">✓</span> Todo Chatbot
        </div>
        <div className="topbar-user">
          <span className="user-name" title={user.email} data-testid="user-email">
            {user.name || user.email}
          </span>
          <button type="button" className="btn btn-small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <StatusBanner state={conn} />
      <main className="workspace">
        <TaskPanel
          api={client}
          userId={user.id}
          initialTasks={initial?.tasks ?? null}
          refreshKey={refreshKey}
          onError={onError}
          onOk={onOk}
        />
        <ChatPanel
          api={client}
          userId={user.id}
          initial={initial?.chat ?? null}
          onTasksChanged={tasksChanged}
          onError={onError}
          recoveredKey={recoveredKey}
        />
      </main>
    </div>
  );
}
