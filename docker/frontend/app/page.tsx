import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/server-session';

export const dynamic = 'force-dynamic';

export default function Home() {
  redirect(currentUser() ? '/tasks' : '/signin');
}
