import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/AuthForm';
import { currentUser } from '@/lib/server-session';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in · Todo Chatbot' };

export default function SignInPage({ searchParams }: { searchParams: { expired?: string } }) {
  if (currentUser()) redirect('/tasks');
  const notice = searchParams.expired ? 'Your session has expired. Please sign in again.' : undefined;
  return <AuthForm mode="signin" notice={notice} />;
}
