'use client';
// The chat with the task agent: current conversation, past conversations, a new-conversation
// button, and one compact line per tool call under each reply. The log scrolls by keyboard too
// (it takes focus) and, as a live region, reads new messages out.

import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ApiClient } from '@/lib/api';
import { conversationLabel, newestConversation, type ChatStart } from '@/lib/conversations';
import { ApiError } from '@/lib/errors';
import { changesTasks, describeToolCall } from '@/lib/toolcalls';
import type { ChatMessage, Conversation, User } from '@/lib/types';

/** The message box's id: the target of the page's skip link. */
export const CHAT_INPUT_ID = 'chat-input';

export interface ChatPanelProps {
  api: ApiClient;
  userId: User['id'];
  /** The first state as the server rendered it; null or absent: loaded here. */
  initial?: ChatStart | null;
  /** Called after a reply whose tool calls changed tasks. */
  onTasksChanged: () => void;
  onError: (err: unknown) => boolean;
  /** Bumped by the parent when the backend is back after an outage. */
  recoveredKey: number;
}

type Shown = ChatMessage & { key: string };

let keySeq = 0;
function withKey(m: ChatMessage): Shown {
  keySeq += 1;
  return { ...m, key: `m${m.id ?? ''}-${keySeq}` };
}

export function ChatPanel({ api, userId, initial, onTasksChanged, onError, recoveredKey }: ChatPanelProps) {
  const [conversations, setConversations] = useState<Conversation[]>(initial?.conversations ?? []);
  const [currentId, setCurrentId] = useState<Conversation['id'] | null>(initial?.currentId ?? null);
  const [messages, setMessages] = useState<Shown[]>(() => (initial?.messages ?? []).map(withKey));
  const [input, setInput] = useState('');
  const [sending, setSending] = useState(false);
  const [loading, setLoading] = useState(!initial);
  const [error, setError] = useState<string | null>(null);
  // Dates in the picker are the reader's local time, known only once the page runs in the browser.
  const [inBrowser, setInBrowser] = useState(false);
  const logRef = useRef<HTMLDivElement>(null);
  const chosen = useRef(false);
  const skipFirstLoad = useRef(Boolean(initial));

  const openConversation = useCallback(
    async (id: Conversation['id']) => {
      setCurrentId(id);
      setLoading(true);
      try {
        const history = await api.listMessages(userId, id);
        setMessages(history.map(withKey));
        setError(null);
      } catch (err) {
        if (!onError(err)) setError(err instanceof ApiError ? err.message : 'Could not load this conversation.');
      } finally {
        setLoading(false);
      }
    },
    [api, userId, onError],
  );

  const loadConversations = useCallback(
    async (openNewest: boolean) => {
      try {
        const list = await api.listConversations(userId);
        setConversations(list);
        const latest = newestConversation(list);
        if (openNewest && latest) await openConversation(latest.id);
        else setLoading(false);
      } catch (err) {
        if (!onError(err)) setError(err instanceof ApiError ? err.message : 'Could not load conversations.');
        setLoading(false);
      }
    },
    [api, userId, onError, openConversation],
  );

  useEffect(() => {
    // On first load (and after an outage if nothing was chosen yet) reopen the latest conversation,
    // unless the server already rendered it.
    if (skipFirstLoad.current) {
      skipFirstLoad.current = false;
      return;
    }
    void loadConversations(!chosen.current);
  }, [loadConversations, recoveredKey]);

  useEffect(() => setInBrowser(true), []);

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages, sending]);

  function startNew() {
    chosen.current = true;
    setCurrentId(null);
    setMessages([]);
    setError(null);
  }

  async function send(e?: FormEvent) {
    e?.preventDefault();
    const text = input.trim();
    if (!text || sending) return;
    chosen.current = true;
    setError(null);
    setSending(true);
    setInput('');
    const mine = withKey({ role: 'user', content: text });
    setMessages((ms) => [...ms, mine]);
    try {
      const res = await api.chat(userId, text, currentId);
      setCurrentId(res.conversation_id);
      setMessages((ms) => [...ms, withKey({ role: 'assistant', content: res.response, tool_calls: res.tool_calls ?? [] })]);
      if (changesTasks(res.tool_calls)) onTasksChanged();
      void api
        .listConversations(userId)
        .then(setConversations)
        .catch(() => undefined);
    } catch (err) {
      setMessages((ms) => ms.filter((m) => m.key !== mine.key));
      setInput(text);
      onError(err);
      setError(`Your message was not sent: ${err instanceof ApiError ? err.message : 'unexpected error.'}`);
    } finally {
      setSending(false);
    }
  }

  function inputKeys(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  }

  return (
    <section className="panel chat-panel" aria-labelledby="chat-heading">
      <div className="panel-head">
        <h2 id="chat-heading">Assistant</h2>
        <button type="button" className="btn btn-small" onClick={startNew}>
          New conversation
        </button>
      </div>
      <div className="field">
        <label htmlFor="conversation" className="small muted">
          Past conversations
        </label>
        <select
          id="conversation"
          value={currentId === null ? '' : String(currentId)}
          onChange={(e) => {
            chosen.current = true;
            if (e.target.value === '') startNew();
            else void openConversation(conversations.find((c) => String(c.id) === e.target.value)?.id ?? e.target.value);
          }}
        >
          <option value="">New conversation</option>
          {conversations.map((c) => (
            <option key={String(c.id)} value={String(c.id)}>
              {conversationLabel(c, inBrowser)}
            </option>
          ))}
        </select>
      </div>

      <div
        className="chat-log"
        ref={logRef}
        role="log"
        aria-live="polite"
        aria-label="Conversation"
        aria-busy={loading}
        tabIndex={0}
      >
        {loading && messages.length === 0 && <p className="muted center">Loading conversation…</p>}
        {!loading && messages.length === 0 && (
          <div className="chat-empty">
            <p className="empty-title">Ask me to manage your tasks</p>
            <p className="muted">Try “Add a task to buy milk”, “What is pending?” or “Mark task 1 as done”.</p>
          </div>
        )}
        {messages.map((m) => (
          <div key={m.key} className={`msg msg-${m.role === 'user' ? 'user' : 'assistant'}`}>
            <span className="sr-only">{m.role === 'user' ? 'You said:' : 'Assistant:'}</span>
            <div className="bubble">{m.content}</div>
            {m.tool_calls && m.tool_calls.length > 0 && (
              <ul className="tool-calls" aria-label="Actions taken">
                {m.tool_calls.map((c, i) => (
                  <li key={i}>
                    <span aria-hidden="true">⚙ </span>
                    {describeToolCall(c)}
                  </li>
                ))}
              </ul>
            )}
          </div>
        ))}
        {sending && (
          <div className="msg msg-assistant">
            <div className="bubble typing">
              <span className="dot" aria-hidden="true" />
              <span className="dot" aria-hidden="true" />
              <span className="dot" aria-hidden="true" />
              <span className="sr-only">Assistant is typing…</span>
            </div>
          </div>
        )}
      </div>

      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      <form className="chat-form" onSubmit={send}>
        <label htmlFor={CHAT_INPUT_ID} className="sr-only">
          Message to the assistant
        </label>
        <textarea
          id={CHAT_INPUT_ID}
          rows={2}
          placeholder="Message the assistant…"
          aria-describedby="chat-hint"
          value={input}
          maxLength={4000}
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={inputKeys}
        />
        <button className="btn btn-primary" type="submit" disabled={sending || !input.trim()}>
          Send
        </button>
      </form>
      <p id="chat-hint" className="chat-hint small muted">
        Enter sends, Shift+Enter starts a new line.
      </p>
    </section>
  );
}
