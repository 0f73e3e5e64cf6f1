#!/usr/bin/env bash
# Hands the doctor's findings and the collected state to kubectl-ai when it is installed.
# Usage: doctor-ai.sh DIR     (DIR written by doctor-collect.sh and `python3 -m doctor`)
set -euo pipefail
dir=${1:?usage: doctor-ai.sh DIR}
if ! command -v kubectl-ai >/dev/null 2>&1; then
  echo "(kubectl-ai is not installed: the diagnosis above is the doctor's own." \
    "With kubectl-ai on PATH, make doctor also asks it, with the same context.)"
  exit 0
fi
ns=$(cat "$dir/namespace.txt")
prompt="The Todo Chatbot deployment in namespace $ns is unhealthy. A deterministic check found:
$(cat "$dir/diagnosis.txt")
Confirm or refine the cause using the cluster, and say the exact commands to fix it.
Do not change anything in the cluster."
echo
echo "== kubectl-ai"
kubectl-ai --quiet "$prompt"
