// Reads the signed-in user from the session cookies in server components.
import { cookies } from 'next/headers';
import { TOKEN_COOKIE, USER_COOKIE, decodeUser } from './session';
import type { User } from './types';

export function currentUser(): User | null {
  const jar = cookies();
  if (!jar.get(TOKEN_COOKIE)?.value) return null;
  return decodeUser(jar.get(USER_COOKIE)?.value);
}
