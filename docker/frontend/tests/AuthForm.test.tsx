// @vitest-environment jsdom
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AuthForm } from '@/components/AuthForm';
import { FakeApi, json } from './helpers/fake-api';
import { router } from './setup';

describe('AuthForm', () => {
  it('signs in through the session route and opens the task page', async () => {
    const api = new FakeApi().on('POST /api/session/login', { user: { id: 1, email: 'a@b.c' } });
    render(<AuthForm mode="signin" api={api.client()} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'a@b.c');
    await user.type(screen.getByLabelText('Password'), 'secret123{Enter}');
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/tasks'));
    expect(api.calls[0]!.body).toEqual({ email: 'a@b.c', password: 'secret123' });
  });

  it('says so when the password is wrong', async () => {
    const api = new FakeApi().on('POST /api/session/login', () => json({ detail: 'Invalid credentials' }, 401));
    render(<AuthForm mode="signin" api={api.client()} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'a@b.c');
    await user.type(screen.getByLabelText('Password'), 'bad{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong email or password.');
    expect(router.replace).not.toHaveBeenCalled();
  });

  it('signs up with a name, and checks the password length first', async () => {
    const api = new FakeApi().on('POST /api/session/register', () => json({ user: { id: 2, email: 'n@b.c' } }, 201));
    render(<AuthForm mode="signup" api={api.client()} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Name (optional)'), 'Nia');
    await user.type(screen.getByLabelText('Email'), 'n@b.c');
    await user.type(screen.getByLabelText('Password'), 'short{Enter}');
    expect((await screen.findByRole('alert')).textContent).toContain('at least 8');
    expect(api.calls).toHaveLength(0);
    await user.type(screen.getByLabelText('Password'), 'enough!{Enter}');
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/tasks'));
    expect(api.calls[0]!.body).toEqual({ email: 'n@b.c', password: 'shortenough!', name: 'Nia' });
  });

  it('shows the backend validation message and the expired-session notice', async () => {
    const api = new FakeApi().on('POST /api/session/register', () =>
      json({ detail: [{ loc: ['body', 'email'], msg: 'value is not a valid email address' }] }, 422),
    );
    render(<AuthForm mode="signup" api={api.client()} notice="Your session has expired." />);
    expect(screen.getByRole('status').textContent).toBe('Your session has expired.');
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'nope');
    await user.type(screen.getByLabelText('Password'), 'longpassword{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('email: value is not a valid email address');
  });
});
