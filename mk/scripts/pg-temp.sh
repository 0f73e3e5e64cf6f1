#!/usr/bin/env bash
# A private, throw-away PostgreSQL for tests (Debian's postgresql package: initdb + pg_ctl).
#
#   pg-temp.sh start DIR   init (first time) and start; prints DATABASE_URL=postgresql://... on stdout
#   pg-temp.sh stop DIR    stop it (fast shutdown); no error when it is not running
#   pg-temp.sh url DIR     print DATABASE_URL=... again
#   pg-temp.sh status DIR  exit 0 when it runs
#
# DIR holds the cluster (DIR/data), the unix socket, the log (DIR/postgres.log), the port and
# the URL. It must be reachable by the `postgres` user when run as root (put it under /tmp).
# Listens on 127.0.0.1 only, on a free port chosen at the first start and kept for restarts
# (so a test can stop and restart the same database at the same URL). Durability is off
# (fsync, synchronous_commit): it is for tests only. Knobs: PG_BIN, PG_USER (todo), PG_DB (todo).
set -euo pipefail

usage() { echo "usage: $0 start|stop|url|status DIR" >&2; exit 2; }
(($# == 2)) || usage
cmd=$1
dir=$2
[[ $dir == /* ]] || dir="$PWD/$dir"
db_user=${PG_USER:-todo}
db_name=${PG_DB:-todo}

find_bin() {
  if [[ -n ${PG_BIN:-} ]]; then echo "$PG_BIN"; return; fi
  if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then echo /usr/lib/postgresql/15/bin; return; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n $d ]]; then echo "$d"; return; fi
  if command -v pg_config >/dev/null 2>&1; then pg_config --bindir; return; fi
  echo "pg-temp: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 2
}
bin=$(find_bin)

# as_pg CMD...: run as the postgres user when we are root (initdb refuses root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

print_url() {
  [[ -f $dir/url ]] || { echo "pg-temp: no cluster in $dir (run: $0 start $dir)" >&2; exit 1; }
  echo "DATABASE_URL=$(cat "$dir/url")"
}

is_running() { [[ -d $dir/data ]] && as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

init_cluster() {
  mkdir -p "$dir"
  chmod 0755 "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      echo "pg-temp: $dir is not reachable by the postgres user (a parent directory is private); use a directory such as /tmp/NAME" >&2
      exit 2
    fi
  fi
  local pw
  pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  (umask 077; printf "%s\n" "$pw" >"$dir/.pw")
  as_pg "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --no-locale --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
log_min_messages = warning
EOF
  free_port >"$dir/port"
}

start() {
  [[ -d $dir/data ]] || init_cluster
  if ! is_running; then
    local tries=0
    until as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
      -o "-p $(cat "$dir/port")" start >/dev/null; do
      tries=$((tries + 1))
      # the port may have been taken since it was chosen: pick another once or twice
      if ((tries >= 3)) || [[ -f $dir/url ]]; then tail -n 20 "$dir/postgres.log" >&2; exit 1; fi
      free_port >"$dir/port"
    done
  fi
  local port
  port=$(cat "$dir/port")
  if [[ ! -f $dir/url ]]; then
    local pw
    pw=$(cat "$dir/.pw")
    as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
      -c "CREATE ROLE \"$db_user\" LOGIN PASSWORD '$pw'" \
      -c "CREATE DATABASE \"$db_name\" OWNER \"$db_user\"" >/dev/null
    printf 'postgresql://%s:%s@127.0.0.1:%s/%s\n' "$db_user" "$pw" "$port" "$db_name" >"$dir/url"
  fi
  print_url
}

stop() {
  if is_running; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null
  fi
}

case $cmd in
  start) start ;;
  stop) stop ;;
  url) print_url ;;
  status) is_running ;;
  *) usage ;;
esac
