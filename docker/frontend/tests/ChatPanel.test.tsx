// @vitest-environment jsdom
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { ChatPanel } from '@/components/ChatPanel';
import type { ChatStart } from '@/lib/conversations';
import { deferred, FakeApi, json } from './helpers/fake-api';

function setup(api: FakeApi, initial: ChatStart | null = null) {
  const onTasksChanged = vi.fn();
  const onError = vi.fn(() => false);
  render(
    <ChatPanel
      api={api.client()}
      userId={7}
      initial={initial}
      onTasksChanged={onTasksChanged}
      onError={onError}
      recoveredKey={0}
    />,
  );
  return { onTasksChanged, onError, user: userEvent.setup() };
}

const older = { id: 1, created_at: '2026-01-01T10:00:00Z', updated_at: '2026-01-01T10:00:00Z' };
const newer = { id: 2, created_at: '2026-02-01T10:00:00Z', updated_at: '2026-02-01T10:05:00Z' };

describe('ChatPanel', () => {
  it('reopens the most recent conversation and shows its history with tool calls', async () => {
    const api = new FakeApi()
      .on('GET /api/7/conversations', [older, newer])
      .on('GET /api/7/conversations/2/messages', [
        { id: 10, role: 'user', content: 'add buy milk' },
        { id: 11, role: 'assistant', content: 'Done!', tool_calls: [{ tool: 'add_task', args: { title: 'buy milk' }, result: { task_id: 5, title: 'buy milk' } }] },
      ]);
    setup(api);
    expect(await screen.findByText('Done!')).toBeTruthy();
    expect(screen.getByText('added task 5: buy milk')).toBeTruthy();
    expect((screen.getByLabelText('Past conversations') as HTMLSelectElement).value).toBe('2');
  });

  it('sends a message, shows the reply and its actions, and refreshes tasks when they changed', async () => {
    const api = new FakeApi()
      .on('GET /api/7/conversations', [])
      .on('POST /api/7/chat', {
        conversation_id: 3,
        response: 'I added "buy milk" to your tasks.',
        tool_calls: [{ tool: 'add_task', args: { title: 'buy milk' }, result: { task_id: 5, status: 'created', title: 'buy milk' } }],
      });
    const { user, onTasksChanged } = setup(api);
    await screen.findByText('Ask me to manage your tasks');
    await user.type(screen.getByLabelText('Message to the assistant'), 'Add a task to buy milk{Enter}');
    expect(await screen.findByText('I added "buy milk" to your tasks.')).toBeTruthy();
    expect(screen.getByText('Add a task to buy milk')).toBeTruthy();
    expect(screen.getByText('added task 5: buy milk')).toBeTruthy();
    expect(onTasksChanged).toHaveBeenCalledTimes(1);
    expect(api.callsTo('POST', '/api/7/chat')[0]!.body).toEqual({ message: 'Add a task to buy milk' });
  });

  it('continues the same conversation, and starts a new one on request', async () => {
    let n = 0;
    const api = new FakeApi()
      .on('GET /api/7/conversations', [])
      .on('POST /api/7/chat', () => json({ conversation_id: 4, response: `reply ${++n}`, tool_calls: [{ tool: 'list_tasks', result: [] }] }));
    const { user, onTasksChanged } = setup(api);
    await screen.findByText('Ask me to manage your tasks');
    const box = screen.getByLabelText('Message to the assistant');
    await user.type(box, 'one{Enter}');
    await screen.findByText('reply 1');
    await user.type(box, 'two{Enter}');
    await screen.findByText('reply 2');
    await user.click(screen.getByRole('button', { name: 'New conversation' }));
    expect(screen.queryByText('reply 1')).toBeNull();
    await user.type(box, 'three{Enter}');
    await screen.findByText('reply 3');
    const bodies = api.callsTo('POST', '/api/7/chat').map((c) => c.body);
    expect(bodies).toEqual([{ message: 'one' }, { message: 'two', conversation_id: 4 }, { message: 'three' }]);
    expect(onTasksChanged).not.toHaveBeenCalled(); // list_tasks changes nothing
  });

  it('keeps the text in the box when the message could not be sent', async () => {
    const api = new FakeApi()
      .on('GET /api/7/conversations', [])
      .on('POST /api/7/chat', () => json({ detail: 'Database unavailable' }, 503, { 'retry-after': '3' }));
    const { user, onError } = setup(api);
    await screen.findByText('Ask me to manage your tasks');
    await user.type(screen.getByLabelText('Message to the assistant'), 'hello{Enter}');
    expect((await screen.findByRole('alert')).textContent).toContain('Your message was not sent');
    expect((screen.getByLabelText('Message to the assistant') as HTMLTextAreaElement).value).toBe('hello');
    await waitFor(() => expect(onError).toHaveBeenCalled());
    expect((onError.mock.calls[0] as unknown[])[0]).toMatchObject({ kind: 'unavailable', retryAfterSeconds: 3 });
  });

  it('shows the conversation the server rendered without loading it again', () => {
    const api = new FakeApi();
    setup(api, { conversations: [older, newer], currentId: 2, messages: [{ id: 11, role: 'assistant', content: 'Done!' }] });
    expect(screen.getByText('Done!')).toBeTruthy();
    expect((screen.getByLabelText('Past conversations') as HTMLSelectElement).value).toBe('2');
    expect(screen.queryByText('Loading conversation…')).toBeNull();
    expect(api.calls).toEqual([]);
  });

  it('renders the same picker labels on the server whatever its time zone (dates only in the browser)', () => {
    const html = renderToString(
      <ChatPanel
        api={new FakeApi().client()}
        userId={7}
        initial={{ conversations: [newer], currentId: 2, messages: [] }}
        onTasksChanged={() => undefined}
        onError={() => false}
        recoveredKey={0}
      />,
    );
    expect(html).toContain('>Conversation 2</option>');
    setup(new FakeApi(), { conversations: [newer], currentId: 2, messages: [] });
    expect(screen.getByRole('option', { name: /^Conversation 2 · / })).toBeTruthy();
  });

  it('makes the conversation log focusable, so the keyboard can scroll it', () => {
    setup(new FakeApi().on('GET /api/7/conversations', []));
    const log = screen.getByRole('log', { name: 'Conversation' });
    expect(log.tabIndex).toBe(0);
    expect(log.getAttribute('aria-live')).toBe('polite');
  });

  it('says "Assistant is typing" as text, not as a label on a plain element', async () => {
    const reply = deferred<Response>();
    const api = new FakeApi().on('GET /api/7/conversations', []).on('POST /api/7/chat', () => reply.promise);
    const { user } = setup(api);
    await screen.findByText('Ask me to manage your tasks');
    await user.type(screen.getByLabelText('Message to the assistant'), 'hi{Enter}');
    const typing = screen.getByText('Assistant is typing…');
    expect(typing.closest('[aria-label]')?.getAttribute('role')).toBe('log'); // no aria-label of its own
    reply.resolve(json({ conversation_id: 1, response: 'hello', tool_calls: [] }));
    await screen.findByText('hello');
    expect(screen.queryByText('Assistant is typing…')).toBeNull();
  });

  it('keeps the placeholder short and gives the keys as a description of the box', () => {
    setup(new FakeApi().on('GET /api/7/conversations', []));
    const box = screen.getByLabelText('Message to the assistant') as HTMLTextAreaElement;
    expect(box.placeholder).toBe('Message the assistant…');
    const hint = document.getElementById(box.getAttribute('aria-describedby') ?? '');
    expect(hint?.textContent).toBe('Enter sends, Shift+Enter starts a new line.');
  });
});
