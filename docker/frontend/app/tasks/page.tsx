import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { TodoApp } from '@/components/TodoApp';
import { currentUser } from '@/lib/server-session';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'My tasks · Todo Chatbot' };

export default function TasksPage() {
  const user = currentUser();
  if (!user) redirect('/signin');
  return <TodoApp user={user} />;
}
