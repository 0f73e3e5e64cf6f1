#!/usr/bin/env bash
# Database backup and restore through the database container (pg_dump/pg_restore of the image
# itself, so the client version always matches the server).
#
#   stack-db.sh backup DIR     writes DIR/todo-YYYYmmdd-HHMMSS.dump (custom format), prints its path
#   stack-db.sh restore FILE   restores it into the same database (--clean --if-exists)
#
# Env: DB_EXEC: the command prefix that runs a command where the database is, with
#   POSTGRES_USER and POSTGRES_DB in its environment, e.g.
#   `docker compose -p todo -f docker-compose.yml exec -T postgres` (make db-backup) or
#   `kubectl exec -i -n todo statefulset/todo-todo-app-postgresql -c postgresql --` (make k8s-db-backup).
#   DB_HINT: what to check when pg_dump cannot run (default: the Compose stack's).
set -euo pipefail
(($# == 2)) || { echo "usage: $0 backup DIR | restore FILE" >&2; exit 2; }
read -r -a exec_prefix <<<"${DB_EXEC:?DB_EXEC must say how to reach the database container}"
[[ ${exec_prefix[0]} == *=* ]] && exec_prefix=(env "${exec_prefix[@]}")

case $1 in
  backup)
    dir=$2
    mkdir -p "$dir"
    file="$dir/todo-$(date -u +%Y%m%d-%H%M%S).dump"
    # the variables expand where the database runs, hence the single quotes
    # shellcheck disable=SC2016
    # written to a temporary name first: an interrupted dump never looks like a good one
    if ! "${exec_prefix[@]}" sh -c 'exec pg_dump --format=custom --no-owner --no-privileges -U "$POSTGRES_USER" -d "$POSTGRES_DB"' >"$file.part"; then
      rm -f "$file.part"
      echo "db-backup: pg_dump failed (${DB_HINT:-is the stack running? make ps})" >&2
      exit 1
    fi
    mv "$file.part" "$file"
    echo "db-backup: $file ($(wc -c <"$file" | tr -d ' ') bytes)"
    ;;
  restore)
    file=$2
    [[ -f $file && -r $file ]] || { echo "db-restore: $file: no such file" >&2; exit 2; }
    head -c 5 "$file" | grep -q '^PGDMP' ||
      { echo "db-restore: $file is not a pg_dump custom-format file (make db-backup writes those)" >&2; exit 2; }
    # shellcheck disable=SC2016
    "${exec_prefix[@]}" sh -c 'exec pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction -U "$POSTGRES_USER" -d "$POSTGRES_DB"' <"$file" ||
      { echo "db-restore: pg_restore failed (messages above; ${DB_HINT:-is the stack running? make ps})" >&2; exit 1; }
    echo "db-restore: $file restored"
    ;;
  *) echo "usage: $0 backup DIR | restore FILE" >&2; exit 2 ;;
esac
