#!/bin/bash
# The official postgres image's contract, for the look-alike: on first start (empty PGDATA),
# initdb as the postgres user with POSTGRES_USER/POSTGRES_PASSWORD (password auth from other
# hosts, listen on every address), create POSTGRES_DB, run /docker-entrypoint-initdb.d/*.sh|*.sql
# against a socket-only server; then exec postgres. Started as root, it drops to postgres.
set -euo pipefail

if [[ ${1:0:1} == - ]]; then set -- postgres "$@"; fi
if [[ ${1:-} != postgres ]]; then exec "$@"; fi

# On every start, as any user (like the official entrypoint): PGDATA back to 0700, since PostgreSQL
# refuses a group-writable data directory and a volume's fsGroup (Kubernetes) makes it one at
# each mount. As root also the owners, then drop to postgres.
mkdir -p "$PGDATA" /var/run/postgresql 2>/dev/null || true
chmod 0700 "$PGDATA" 2>/dev/null || true
if [[ $(id -u) == 0 ]]; then
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [[ ! -s $PGDATA/PG_VERSION ]]; then
  if [[ -z ${POSTGRES_PASSWORD:-} && ${POSTGRES_HOST_AUTH_METHOD:-} != trust ]]; then
    echo "Error: Database is uninitialized and superuser password is not specified." >&2
    echo "       Set POSTGRES_PASSWORD to a non-empty value for the superuser." >&2
    exit 1
  fi
  initdb --username="$user" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
    --auth-local=trust --auth-host="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" -D "$PGDATA" >/dev/null
  printf "host all all all %s\n" "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$PGDATA/pg_hba.conf"
  printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start >/dev/null
  export PGUSER=$user PGHOST=/var/run/postgresql
  if [[ $db != postgres ]]; then
    psql -v ON_ERROR_STOP=1 --dbname postgres -q -c "CREATE DATABASE \"$db\";"
  fi
  # shellcheck disable=SC1090 # the init scripts are the user's
  source_init() { . "$1"; }
  for f in /docker-entrypoint-initdb.d/*; do
    [[ -e $f ]] || continue
    case $f in
      *.sh) echo "entrypoint: running $f"; if [[ -x $f ]]; then "$f"; else source_init "$f"; fi ;;
      *.sql) echo "entrypoint: running $f"; psql -v ON_ERROR_STOP=1 --dbname "$db" -q -f "$f" ;;
      *.sql.gz) echo "entrypoint: running $f"; gunzip -c "$f" | psql -v ON_ERROR_STOP=1 --dbname "$db" -q ;;
      *) echo "entrypoint: ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  unset PGUSER PGHOST
  echo "entrypoint: PostgreSQL init process complete; ready for start up."
fi
exec "$@"
