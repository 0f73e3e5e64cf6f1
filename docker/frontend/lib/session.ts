// The session lives in two httpOnly cookies set by the frontend's own route: the backend's JWT
// and the signed-in user's public profile (id, email, name) for rendering.

import type { User } from './types';

export const TOKEN_COOKIE = 'todo_token';
export const USER_COOKIE = 'todo_user';
export const DEFAULT_SESSION_SECONDS = 60 * 60;

/** Encodes the user for a cookie value (base64url JSON). */
export function encodeUser(user: User): string {
  const { id, email, name } = user;
  return Buffer.from(JSON.stringify({ id, email, name: name ?? null }), 'utf8').toString('base64url');
}

/** Decodes a user cookie; null when absent or malformed. */
export function decodeUser(value: string | undefined): User | null {
  if (!value) return null;
  try {
    const u = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<User>;
    if ((typeof u.id === 'number' || typeof u.id === 'string') && typeof u.email === 'string') {
      return { id: u.id, email: u.email, name: u.name ?? null };
    }
  } catch {
    /* malformed cookie: treat as signed out */
  }
  return null;
}

/** Seconds until the JWT's `exp` (not verified: the backend does that); default when unreadable. */
export function tokenLifetimeSeconds(token: string, nowMs: number = Date.now()): number {
  const payload = token.split('.')[1];
  if (payload) {
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
      if (typeof claims.exp === 'number') return Math.max(0, Math.floor(claims.exp - nowMs / 1000));
    } catch {
      /* fall through */
    }
  }
  return DEFAULT_SESSION_SECONDS;
}
