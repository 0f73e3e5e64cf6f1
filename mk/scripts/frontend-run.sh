#!/usr/bin/env bash
# Builds if needed, then runs the standalone server in the foreground, as the image does.
# Env: FRONTEND_PORT (3000), FRONTEND_HOST (127.0.0.1; 0.0.0.0 to be reachable from elsewhere),
# BACKEND_URL (default here: http://127.0.0.1:${BACKEND_PORT:-8000}, a natively run backend).
set -euo pipefail
"$(dirname "$0")/frontend-build.sh"
export PORT=${FRONTEND_PORT:-3000}
export HOSTNAME=${FRONTEND_HOST:-127.0.0.1}
export BACKEND_URL=${BACKEND_URL:-http://127.0.0.1:${BACKEND_PORT:-8000}}
export NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
echo "frontend-run: http://$HOSTNAME:$PORT/ (BACKEND_URL=$BACKEND_URL); Ctrl-C stops it"
cd "${FRONTEND_BUILD:-build/frontend}/standalone"
exec node server.js
