#!/usr/bin/env bash
# Bench-style: checkov (pinned, in its own venv; heavy, so not part of `make test`) on the
# chart rendered for every values file. Prints checkov's summary and the failed checks.
# Skipped, and why (the same decisions as kube-score's ignores, see docs/kubernetes.md):
#   CKV_K8S_15 pull policy Always, CKV_K8S_43 image digest: images are built locally and loaded
#     into the cluster under immutable tags (VERSION-sha); there is no registry digest to pin.
#   CKV_K8S_35 secrets as files: the app is configured by environment variables, validated by
#     envcheck at start (a missing key fails fast); files would bypass that contract.
#   CKV_K8S_40 high UID: postgres:15-alpine (70) and the Next.js image (1001) fix their UIDs.
# The helm test Pod skips the probe checks itself (checkov.io/skip annotations): it is one-shot.
# Usage: helm-checkov.sh VENV HELM CHART
set -euo pipefail
venv=${1:?usage: helm-checkov.sh VENV HELM CHART}
helm=${2:?} chart=${3:?}
version=3.3.30
if ! "$venv/bin/checkov" --version 2>/dev/null | grep -qx "$version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "checkov==$version"
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rc=0
for env in dev staging prod; do
  mkdir -p "$out/$env"
  "$helm" template todo "$chart" --namespace todo -f "$chart/values-$env.yaml" >"$out/$env/all.yaml"
  echo "== checkov, values-$env.yaml"
  "$venv/bin/checkov" --quiet --compact --framework kubernetes -d "$out/$env" \
    --skip-check CKV_K8S_15,CKV_K8S_43,CKV_K8S_35,CKV_K8S_40 || rc=1
done
exit "$rc"
