#!/usr/bin/env bash
# bench-probe: measures probe against its peers on this machine and prints ratios.
#  1. load: `probe load` vs `wrk` vs `hey`, same nginx endpoint (127.0.0.1, own config in a
#     temp dir), same connections and duration: req/s and latency percentiles.
#  2. recover accuracy: outages of 0.5 s, 1 s and 3 s injected into the test server
#     (SIGUSR1), RUNS each: mean absolute error of `probe recover`'s "down" figure.
#  3. CPU cost of `probe watch --interval 100ms` for WATCH seconds.
# Knobs (environment): PROBE=build/bin/probe HEY=build/bench-tools/hey CONNS=50 DURATION=10s
# RUNS=10 WATCH=60 ROUNDS=3 (load rounds, tool order rotated, medians reported)
# URL= (a second endpoint to load, e.g. the backend's /health).
set -euo pipefail
PROBE=${PROBE:-build/bin/probe} HEY=${HEY:-build/bench-tools/hey}
OUTAGE_SERVER=${OUTAGE_SERVER:-build/bench/probe-outage-server}
CONNS=${CONNS:-50} DURATION=${DURATION:-10s} RUNS=${RUNS:-10} WATCH=${WATCH:-60} URL=${URL:-}
ROUNDS=${ROUNDS:-3}
for cmd in nginx wrk python3 "$PROBE" "$HEY" "$OUTAGE_SERVER"; do
  command -v "$cmd" >/dev/null || { echo "bench-probe: $cmd not found (apt-get install nginx wrk; make bench-probe builds the rest)" >&2; exit 1; }
done
tmp=$(mktemp -d /tmp/bench-probe-XXXXXX)
chmod 755 "$tmp" # nginx workers must read the files
cleanup() {
  [[ -f $tmp/nginx.pid ]] && nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/logs/error.log" -s stop 2>/dev/null || true
  [[ -n ${srv_pid:-} ]] && kill "$srv_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$(dirname "$0")"/nginx.sh "$tmp" "$port"
nginx_url=http://127.0.0.1:$port/health.json
for _ in $(seq 50); do "$PROBE" check "$nginx_url" >/dev/null 2>&1 && break; sleep 0.1; done

echo "== probe bench on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (machine shared: figures are noisy)"
wrk_version=$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2 || true)
echo "peers: $wrk_version, hey ${HEY_VERSION:-?} ($HEY), nginx $(nginx -v 2>&1 | cut -d/ -f2) (1 worker)"

cpu_of() { # time-file -> user+sys seconds
  awk '{print $1 + $2}' "$1"
}

run_probe() {
  /usr/bin/time -f "%U %S" -o "$tmp/t" "$PROBE" load "$1" -c "$CONNS" -d "$DURATION" --json >"$tmp/probe.json"
  python3 - "$tmp/probe.json" "$(cpu_of "$tmp/t")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); l = d["latency_ms"]
if set(d["status"]) != {"200"}:
    sys.exit("bench-probe: the endpoint did not answer 200 only: %s" % d["status"])
print("probe %.1f %.3f %.3f %.3f %d %.2f" % (d["req_per_s"], l["p50"], l["p90"], l["p99"], d["errors_total"],
      1e6 * float(sys.argv[2]) / max(1, d["requests"])))
PY
}

run_wrk() {
  /usr/bin/time -f "%U %S" -o "$tmp/t" wrk -c "$CONNS" -d "$DURATION" --latency "$1" >"$tmp/wrk.txt"
  python3 - "$tmp/wrk.txt" "$(cpu_of "$tmp/t")" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(v):
    n, u = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[u]
p = {k: ms(v) for k, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", t, re.M)}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
n = int(re.search(r"(\d+) requests in", t).group(1))
err = re.search(r"Socket errors: (.*)", t)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
bad = (1 if err else 0) + (int(non2xx.group(1)) if non2xx else 0)
print("wrk %.1f %.3f %.3f %.3f %d %.2f" % (rps, p["50"], p["90"], p["99"], bad, 1e6 * float(sys.argv[2]) / max(1, n)))
PY
}

run_hey() {
  /usr/bin/time -f "%U %S" -o "$tmp/t" "$HEY" -c "$CONNS" -z "$DURATION" "$1" >"$tmp/hey.txt"
  python3 - "$tmp/hey.txt" "$(cpu_of "$tmp/t")" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
p = {k: float(v) * 1000 for k, v in re.findall(r"(50|90|99)% in ([\d.]+) secs", t)}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
n = sum(int(c) for c in re.findall(r"\[\d+\]\s+(\d+) responses", t))
errs = t.split("Error distribution:")[1] if "Error distribution:" in t else ""
bad = sum(int(k) for k in re.findall(r"^\s+\[(\d+)\]", errs, re.M))
print("hey %.1f %.3f %.3f %.3f %d %.2f" % (rps, p["50"], p["90"], p["99"], bad, 1e6 * float(sys.argv[2]) / max(1, n)))
PY
}

load_round() { # url round -> one line per tool: name rps p50 p90 p99 (ms) errors cpu-us/request
  local order=(probe wrk hey) k
  for k in 0 1 2; do
    "run_${order[($2 + k) % 3]}" "$1"
  done
}

report_load() { # title file
  python3 - "$1" "$2" <<'PY'
import statistics, sys
title, rows = sys.argv[1], {}
for line in open(sys.argv[2]):
    f = line.split()
    rows.setdefault(f[0], []).append([float(x) for x in f[1:]])
med = {n: [statistics.median(col) for col in zip(*rs)] for n, rs in rows.items()}
print("-- load: %s; median of %d rounds" % (title, len(rows["probe"])))
print("%-6s %10s %9s %9s %9s %7s %14s  %s" % ("tool", "req/s", "p50 ms", "p90 ms", "p99 ms", "errors", "cpu us/request", "req/s per round"))
for n in ("probe", "wrk", "hey"):
    r = med[n]
    print("%-6s %10.1f %9.3f %9.3f %9.3f %7d %14.2f  %s" % (n, r[0], r[1], r[2], r[3], r[4], r[5],
          " ".join("%.0f" % x[0] for x in rows[n])))
p, w, h = med["probe"], med["wrk"], med["hey"]
print("ratio probe/wrk req/s %.2f (target >= 0.90), probe/hey req/s %.2f (target >= 1.50)" % (p[0] / w[0], p[0] / h[0]))
print("ratio probe/wrk latency p50 %.2f, p90 %.2f, p99 %.2f (target 0.90-1.10; equal connections, so it follows req/s)" % (p[1] / w[1], p[2] / w[2], p[3] / w[3]))
print("client CPU per request: probe %.2fx wrk's, %.2fx hey's" % (p[5] / w[5], p[5] / h[5]))
PY
}

: >"$tmp/nginx.rows"
for r in $(seq 0 $((ROUNDS - 1))); do load_round "$nginx_url" "$r" >>"$tmp/nginx.rows"; done
report_load "nginx small file, -c $CONNS, $DURATION each (closed model)" "$tmp/nginx.rows"
if [[ -n $URL ]]; then
  : >"$tmp/url.rows"
  for r in $(seq 0 $((ROUNDS - 1))); do load_round "$URL" "$r" >>"$tmp/url.rows"; done
  report_load "$URL, -c $CONNS, $DURATION each" "$tmp/url.rows"
fi
echo "-- recover accuracy: injected outages, $RUNS runs each, probe interval 100ms"
coproc SRV { "$OUTAGE_SERVER"; }
srv_pid=$SRV_PID
read -r srv_port srv_child <&"${SRV[0]}"
for ms in 500 1000 3000; do
  echo "outage-on-usr1 $ms" >&"${SRV[1]}"; read -r _ <&"${SRV[0]}"
  : >"$tmp/rec.$ms"
  for _ in $(seq "$RUNS"); do
    "$PROBE" recover "http://127.0.0.1:$srv_port/" --within 20s --interval 100ms --json \
      -- kill -USR1 "$srv_child" 2>/dev/null >>"$tmp/rec.$ms"
    sleep 0.2
  done
  python3 - "$tmp/rec.$ms" "$ms" <<'PY'
import json, sys
want = int(sys.argv[2]) / 1000
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
errs = [abs(r["down_s"] - want) for r in runs]
mae = sum(errs) / len(errs)
print("outage %.1f s: %d runs, measured down mean %.3f s, mean abs error %.3f s, max error %.3f s (target <= 0.100) %s"
      % (want, len(runs), sum(r["down_s"] for r in runs) / len(runs), mae, max(errs), "ok" if mae <= 0.1005 else "MISSED"))
PY
done
exec {SRV[1]}>&-
wait "$srv_pid" 2>/dev/null || true
srv_pid=

echo "-- CPU cost of probe watch --interval 100ms for ${WATCH}s against nginx"
/usr/bin/time -f "%U %S %e" -o "$tmp/watch.time" "$PROBE" watch "$nginx_url" --interval 100ms --duration "${WATCH}s" >"$tmp/watch.out"
read -r u s e <"$tmp/watch.time"
head -n 1 "$tmp/watch.out"
python3 -c "u,s,e=$u,$s,$e; print('cpu %.2f s user+sys over %.1f s wall = %.2f %% of a core (target < 1 %%)' % (u+s, e, 100*(u+s)/e))"
