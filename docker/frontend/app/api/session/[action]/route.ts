// /api/session/{login,register,logout,me,token}: the browser's session, kept in httpOnly cookies.
import { cookies } from 'next/headers';
import { handleSession } from '@/lib/session-route';
import { backendUrl, proxyTimeoutMs } from '@/lib/server-config';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Ctx = { params: { action: string } };

async function handle(req: Request, { params }: Ctx): Promise<Response> {
  const jar = cookies();
  return handleSession(req, params.action, {
    backendUrl: backendUrl(),
    timeoutMs: proxyTimeoutMs(),
    cookie: (name) => jar.get(name)?.value,
    exposeToken: Boolean(process.env.NEXT_PUBLIC_API_BASE_URL),
  });
}

export const GET = handle;
export const POST = handle;
