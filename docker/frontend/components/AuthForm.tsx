'use client';
// Sign-in and sign-up form: the session route stores the token in an httpOnly cookie.

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ApiClient } from '@/lib/api';
import { ApiError } from '@/lib/errors';

export interface AuthFormProps {
  mode: 'signin' | 'signup';
  notice?: string;
  api?: ApiClient;
  onSignedIn?: () => void;
}

export function AuthForm({ mode, notice, api, onSignedIn }: AuthFormProps) {
  const router = useRouter();
  const [client] = useState(() => api ?? new ApiClient());
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const signup = mode === 'signup';

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (!email.trim() || !password) {
      setError('Enter your email and password.');
      return;
    }
    if (signup && password.length < 8) {
      setError('Choose a password of at least 8 characters.');
      return;
    }
    setBusy(true);
    try {
      if (signup) await client.signUp(email.trim(), password, name.trim() || undefined);
      else await client.signIn(email.trim(), password);
      if (onSignedIn) onSignedIn();
      else {
        router.replace('/tasks');
        router.refresh();
      }
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'unauthorized') setError('Wrong email or password.');
      else if (err instanceof ApiError) setError(err.message);
      else setError('Something went wrong. Please try again.');
      setBusy(false);
    }
  }

  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">✓</span> Todo Chatbot
        </div>
        <h1>{signup ? 'Create your account' : 'Sign in'}</h1>
        <p className="muted">
          {signup ? 'Manage your tasks by hand or just tell the assistant.' : 'Welcome back.'}
        </p>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <form onSubmit={submit} noValidate>
          {signup && (
            <div className="field">
              <label htmlFor="name">Name (optional)</label>
              <input id="name" name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
            </div>
          )}
          <div className="field">
            <label htmlFor="email">Email</label>
            <input
              id="email"
              name="email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete={signup ? 'new-password' : 'current-password'}
              required
              minLength={signup ? 8 : undefined}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
            {busy ? 'Please wait…' : signup ? 'Create account' : 'Sign in'}
          </button>
        </form>
        <p className="auth-switch">
          {signup ? (
            <>
              Already have an account? <Link href="/signin">Sign in</Link>
            </>
          ) : (
            <>
              New here? <Link href="/signup">Create an account</Link>
            </>
          )}
        </p>
      </div>
    </main>
  );
}
