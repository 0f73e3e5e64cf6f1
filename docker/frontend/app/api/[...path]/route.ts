// /api/* → BACKEND_URL/api/* (read per request), with the bearer token from the session cookie.
import { cookies } from 'next/headers';
import { proxyRequest } from '@/lib/proxy';
import { backendUrl, proxyTimeoutMs } from '@/lib/server-config';
import { TOKEN_COOKIE } from '@/lib/session';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Ctx = { params: { path?: string[] } };

async function handle(req: Request, { params }: Ctx): Promise<Response> {
  return proxyRequest(req, params.path ?? [], {
    backendUrl: backendUrl(),
    token: cookies().get(TOKEN_COOKIE)?.value,
    timeoutMs: proxyTimeoutMs(),
  });
}

export const GET = handle;
export const POST = handle;
export const PUT = handle;
export const PATCH = handle;
export const DELETE = handle;
export const HEAD = handle;
