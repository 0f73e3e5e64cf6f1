'use client';
// The app-wide connection state: shown while the backend is unreachable or answering 503.

export type ConnectionState =
  | { kind: 'ok' }
  | { kind: 'unreachable' | 'unavailable' | 'timeout'; message: string; retryInSeconds: number };

export function StatusBanner({ state }: { state: ConnectionState }) {
  if (state.kind === 'ok') return null;
  const title =
    state.kind === 'unavailable'
      ? 'The service is temporarily unavailable'
      : state.kind === 'timeout'
        ? 'The server is slow to answer'
        : 'The server is not reachable';
  return (
    <div className={`banner banner-${state.kind}`} role="alert" data-testid="connection-banner">
      <span className="spinner" aria-hidden="true" />
      <div>
        <strong>{title}, retrying…</strong>
        <span className="banner-detail">
          {state.kind === 'unavailable' && state.message
            ? `${state.message}${/[.!?…]$/.test(state.message) ? '' : '.'} `
            : ''}
          Next try in {state.retryInSeconds} s. Your changes on this page are kept.
        </span>
      </div>
    </div>
  );
}
