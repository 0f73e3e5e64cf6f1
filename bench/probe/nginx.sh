#!/usr/bin/env bash
# Starts Debian's nginx on 127.0.0.1:PORT serving a small file from DIR (its own config,
# pid and logs inside DIR; access log off). Prints nothing; stop with: nginx -p DIR -c nginx.conf -s stop
set -euo pipefail
dir=$1 port=$2
mkdir -p "$dir/www" "$dir/logs"
printf '{"status": "ok", "service": "bench"}\n' >"$dir/www/health.json"
cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    root $dir/www;
    location / { default_type application/json; }
  }
}
CONF
nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log"
