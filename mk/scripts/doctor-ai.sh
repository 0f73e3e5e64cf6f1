#!/usr/bin/env bash
# Hands the doctor's findings and the collected state to kubectl-ai (read-only question).
# Usage: doctor-ai.sh DIR     (DIR written by doctor-collect.sh and `python3 -m doctor`)
# Env: AI: auto (ask kubectl-ai when it is on PATH; the default), 1 (ask it; fail without it),
#   0 (never ask). KUBECTL_AI_ARGS: extra kubectl-ai flags, e.g. --llm-provider=openai --model=gpt-4.1.
set -euo pipefail
dir=${1:?usage: doctor-ai.sh DIR}
case ${AI:-auto} in
  0) exit 0 ;;
  1 | auto) ;;
  *) echo "doctor: AI='${AI}' is not one of auto, 1, 0" >&2; exit 2 ;;
esac
if ! command -v kubectl-ai >/dev/null 2>&1; then
  if [[ ${AI:-auto} == 1 ]]; then
    echo "doctor: AI=1 asks kubectl-ai, which is not on PATH (install it from GoogleCloudPlatform/kubectl-ai;" \
      "it needs a model: GEMINI_API_KEY by default, or KUBECTL_AI_ARGS='--llm-provider=... --model=...')" >&2
    exit 1
  fi
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
read -r -a extra <<<"${KUBECTL_AI_ARGS:-}"
kubectl-ai --quiet "${extra[@]}" "$prompt"
