// A scripted fetch for component tests: routes "METHOD /path" to handlers, records every call.
import { ApiClient } from '@/lib/api';

export interface Call {
  method: string;
  url: string;
  body: unknown;
}

type Handler = (call: Call) => Response | Promise<Response>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export class FakeApi {
  readonly calls: Call[] = [];
  private readonly routes: { key: string; handler: Handler }[] = [];

  /** Registers a handler for "METHOD /path" (query included when given); later wins. */
  on(key: string, handler: Handler | object): this {
    this.routes.unshift({ key, handler: typeof handler === 'function' ? (handler as Handler) : () => json(handler) });
    return this;
  }

  client(): ApiClient {
    return new ApiClient({
      baseUrl: '',
      fetchImpl: async (input, init) => {
        const url = String(input);
        const method = init?.method ?? 'GET';
        const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
        const call = { method, url, body };
        this.calls.push(call);
        const route =
          this.routes.find((r) => r.key === `${method} ${url}`) ??
          this.routes.find((r) => r.key === `${method} ${url.split('?')[0]}`);
        if (!route) return json({ detail: `no fake for ${method} ${url}` }, 404);
        return route.handler(call);
      },
    });
  }

  callsTo(method: string, prefix: string): Call[] {
    return this.calls.filter((c) => c.method === method && c.url.startsWith(prefix));
  }
}

/** A promise with its resolve function, to hold an API answer until the test releases it. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
