import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

export const router = { replace: vi.fn(), refresh: vi.fn(), push: vi.fn() };

vi.mock('next/navigation', () => ({
  useRouter: () => router,
}));

afterEach(() => {
  cleanup();
  router.replace.mockReset();
  router.refresh.mockReset();
  router.push.mockReset();
});
