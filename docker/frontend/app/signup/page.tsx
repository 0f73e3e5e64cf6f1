import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/AuthForm';
import { currentUser } from '@/lib/server-session';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Create account · Todo Chatbot' };

export default function SignUpPage() {
  if (currentUser()) redirect('/tasks');
  return <AuthForm mode="signup" />;
}
