// Choosing and naming conversations; shared by the chat panel and the server's first render.

import type { ChatMessage, Conversation } from './types';

/** The chat panel's first state: past conversations and the messages of the one shown. */
export interface ChatStart {
  conversations: Conversation[];
  currentId: Conversation['id'] | null;
  messages: ChatMessage[];
}

/** The most recently updated conversation (the highest id on a tie); undefined for none. */
export function newestConversation(list: Conversation[]): Conversation | undefined {
  return [...list].sort((a, b) => {
    const ta = Date.parse(a.updated_at ?? a.created_at ?? '') || 0;
    const tb = Date.parse(b.updated_at ?? b.created_at ?? '') || 0;
    return tb - ta || Number(b.id) - Number(a.id);
  })[0];
}

/**
 * The label of a conversation in the picker: its title, else its number and, when withDate, its
 * date in the reader's locale and time zone (so only in the browser: the server's differ).
 */
export function conversationLabel(c: Conversation, withDate: boolean): string {
  if (c.title) return c.title;
  const when = c.updated_at ?? c.created_at;
  const date = withDate && when ? new Date(when) : null;
  return date && !Number.isNaN(date.getTime())
    ? `Conversation ${c.id} · ${date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`
    : `Conversation ${c.id}`;
}
