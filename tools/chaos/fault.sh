#!/bin/sh
# chaos-fault: runs one fault command (kill, docker compose kill, ...) after printing the exact
# time it started, so a chaos run can place the fault on its timeline when `probe recover`
# is the one running it:  tools/chaos/fault.sh CMD ARGS...
printf 'chaos-fault: at %s: %s\n' "$(date +%s.%N)" "$*"
exec "$@"
