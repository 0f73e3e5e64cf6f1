// Reads the session from its cookies in server components: the signed-in user and, for the
// server's own calls to the backend, the token (never sent to the page).
import { cookies } from 'next/headers';
import { TOKEN_COOKIE, USER_COOKIE, decodeUser } from './session';
import type { User } from './types';

export interface ServerSession {
  user: User;
  token: string;
}

export function currentSession(): ServerSession | null {
  const jar = cookies();
  const token = jar.get(TOKEN_COOKIE)?.value;
  if (!token) return null;
  const user = decodeUser(jar.get(USER_COOKIE)?.value);
  return user ? { user, token } : null;
}

export function currentUser(): User | null {
  return currentSession()?.user ?? null;
}
