/** @type {import('next').NextConfig} */
const nextConfig = {
  // The image ships only .next/standalone (+ static, public): see Dockerfile.
  output: 'standalone',
  reactStrictMode: true,
  poweredByHeader: false,
  // Lint runs elsewhere; `next build` still type-checks (a type error fails the build).
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
