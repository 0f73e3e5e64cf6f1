// Sent with every page and API answer. The pages load only their own scripts, styles and data
// (Next.js' inline bootstrap scripts need 'unsafe-inline' without a nonce); no site may frame them.
const apiBase = process.env.NEXT_PUBLIC_API_BASE_URL ? new URL(process.env.NEXT_PUBLIC_API_BASE_URL).origin : '';
const securityHeaders = [
  {
    key: 'Content-Security-Policy',
    value: [
      "default-src 'self'",
      "script-src 'self' 'unsafe-inline'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self'${apiBase ? ` ${apiBase}` : ''}`,
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "object-src 'none'",
    ].join('; '),
  },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
  // The image ships only .next/standalone (+ static, public): see Dockerfile.
  output: 'standalone',
  reactStrictMode: true,
  poweredByHeader: false,
  // ESLint is not installed here (no lint step is promised): the checks are strict TypeScript
  // (`tsc --noEmit` in frontend-test, and `next build`, where a type error fails the build).
  eslint: { ignoreDuringBuilds: true },
  experimental: {
    // Build-time-only parts of Next.js that the file tracer copies anyway (~8 MB of the image):
    // Babel, browserslist data, the edge-runtime sandbox (no middleware, no edge routes),
    // next/font, CSS tooling, Turbopack/experimental page runtimes. (@edge-runtime/cookies IS
    // needed.) The e2e test runs this output from build/frontend/standalone, outside this folder,
    // so a wrongly excluded module fails there as it would in the image.
    outputFileTracingExcludes: {
      '*': [
        'node_modules/caniuse-lite/**',
        'node_modules/next/dist/compiled/babel/**',
        'node_modules/next/dist/compiled/babel-packages/**',
        'node_modules/next/dist/compiled/edge-runtime/**',
        'node_modules/next/dist/compiled/@next/font/**',
        'node_modules/next/dist/compiled/postcss-preset-env/**',
        'node_modules/next/dist/compiled/cssnano-simple/**',
        'node_modules/next/dist/compiled/next-server/*turbo*',
        'node_modules/next/dist/compiled/next-server/*experimental*',
      ],
    },
  },
};

export default nextConfig;
