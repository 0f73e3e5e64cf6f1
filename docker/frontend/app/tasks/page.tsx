import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { TodoApp } from '@/components/TodoApp';
import { loadInitialData } from '@/lib/server-data';
import { currentSession } from '@/lib/server-session';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'My tasks · Todo Chatbot' };

// Rendered with the user's tasks and latest conversation already in the HTML (lib/server-data.ts).
export default async function TasksPage() {
  const session = currentSession();
  if (!session) redirect('/signin');
  const initial = await loadInitialData(session.user, session.token);
  return <TodoApp user={session.user} initial={initial} />;
}
