#!/usr/bin/env bash
# Collects what `make doctor` reads, from the live cluster, into DIR (overwritten):
#   pods.json, events.json, workloads.json   kubectl get ... -o json
#   secret-keys.txt                          "<secret> <key> <key>..." (key names only, never values)
#   logs/<pod>_<container>.log               last 20 lines of the previous (crashed) or current run
#   namespace.txt                            the namespace, for the sentences
# Usage: doctor-collect.sh NAMESPACE DIR     (KUBECTL overrides the kubectl command)
set -euo pipefail
ns=${1:?usage: doctor-collect.sh NAMESPACE DIR}
dir=${2:?}
kubectl=${KUBECTL:-kubectl}
rm -rf "$dir"
mkdir -p "$dir/logs"
echo "$ns" >"$dir/namespace.txt"
if ! "$kubectl" get namespace "$ns" >/dev/null 2>"$dir/cluster-error.txt"; then
  echo "doctor: cannot read namespace $ns: $(head -n 1 "$dir/cluster-error.txt")" >&2
  echo "doctor: is the cluster up (make cluster-up) and the context right (kubectl config current-context)?" >&2
  exit 1
fi
"$kubectl" get pods -n "$ns" -o json >"$dir/pods.json"
"$kubectl" get events -n "$ns" -o json >"$dir/events.json"
"$kubectl" get deployments,statefulsets,jobs -n "$ns" -o json >"$dir/workloads.json"
# shellcheck disable=SC2016 # a Go template, not shell
"$kubectl" get secrets -n "$ns" -o go-template='{{range .items}}{{.metadata.name}}{{range $k, $v := .data}} {{$k}}{{end}}{{"\n"}}{{end}}' \
  >"$dir/secret-keys.txt"
# Logs of every container that restarted or is not running: the previous run when it crashed.
"$kubectl" get pods -n "$ns" -o go-template='{{range .items}}{{$p := .metadata.name}}{{range .status.containerStatuses}}{{$p}} {{.name}} {{.restartCount}} {{.ready}}{{"\n"}}{{end}}{{end}}' |
  while read -r pod container restarts ready; do
    [[ $restarts == 0 && $ready == true ]] && continue
    out="$dir/logs/${pod}_${container}.log"
    if [[ $restarts != 0 ]]; then
      "$kubectl" logs -n "$ns" "$pod" -c "$container" --previous --tail 20 >"$out" 2>/dev/null || true
    else
      "$kubectl" logs -n "$ns" "$pod" -c "$container" --tail 20 >"$out" 2>/dev/null || true
    fi
  done
echo "doctor: collected the state of namespace $ns into $dir"
