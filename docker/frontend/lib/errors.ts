// One error type for every failed call, so the UI can pick the right state.

export type ApiErrorKind =
  | 'unreachable' // backend (or the frontend's proxy to it) cannot be reached
  | 'timeout' // backend did not answer in time
  | 'unavailable' // backend answered 503 (database down)
  | 'unauthorized' // token missing or expired
  | 'http'; // any other refusal (400, 403, 404, 422, 500, ...)

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the problem is the connection, not the request: retrying later can help. */
  get isConnectionProblem(): boolean {
    return this.kind === 'unreachable' || this.kind === 'timeout' || this.kind === 'unavailable';
  }
}

/** Turns FastAPI's `detail` (a string, or a list of {msg, loc}) into one readable sentence. */
export function detailMessage(body: unknown, fallback: string): string {
  if (body && typeof body === 'object' && 'detail' in body) {
    const detail = (body as { detail: unknown }).detail;
    if (typeof detail === 'string' && detail.trim()) return detail;
    if (Array.isArray(detail)) {
      const parts = detail
        .map((d) => {
          if (d && typeof d === 'object' && 'msg' in d) {
            const loc = Array.isArray((d as { loc?: unknown }).loc)
              ? ((d as { loc: unknown[] }).loc.filter((x) => x !== 'body').join('.') as string)
              : '';
            const msg = String((d as { msg: unknown }).msg);
            return loc ? `${loc}: ${msg}` : msg;
          }
          return typeof d === 'string' ? d : '';
        })
        .filter(Boolean);
      if (parts.length) return parts.join('; ');
    }
  }
  return fallback;
}

/** Parses a Retry-After header given in seconds; undefined when absent or not a number. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Maps a non-2xx response (already parsed body) to an ApiError. */
export function errorFromResponse(status: number, body: unknown, retryAfter: string | null): ApiError {
  const code =
    body && typeof body === 'object' && 'code' in body ? String((body as { code: unknown }).code) : '';
  if (code === 'backend_unreachable' || status === 502) {
    return new ApiError('unreachable', status, 'The server is not reachable, retrying…', parseRetryAfter(retryAfter));
  }
  if (code === 'backend_timeout' || status === 504) {
    return new ApiError('timeout', status, 'The server did not answer in time, retrying…', parseRetryAfter(retryAfter));
  }
  if (status === 503) {
    return new ApiError(
      'unavailable',
      status,
      detailMessage(body, 'The service is temporarily unavailable, retrying…'),
      parseRetryAfter(retryAfter),
    );
  }
  if (status === 401) {
    return new ApiError('unauthorized', status, detailMessage(body, 'Your session has expired.'));
  }
  return new ApiError('http', status, detailMessage(body, `The request failed (HTTP ${status}).`));
}
