#!/usr/bin/env bash
# Prints the user targets of each mk file given, grouped by the file's first-line comment
# ("# group: description"), groups in the team's order.
order=(config tools env app backend frontend compose docker k8s helm cluster chaos lint test)
declare -A files
for f in "$@"; do
  [[ $f == mk/*.mk ]] && files[$(basename "$f" .mk)]=$f
done
ordered=()
for name in "${order[@]}"; do [[ -n ${files[$name]:-} ]] && ordered+=("${files[$name]}") && unset "files[$name]"; done
for name in $(printf '%s\n' "${!files[@]}" | sort); do ordered+=("${files[$name]}"); done
echo "Usage: make TARGET [ENV=dev|staging|prod] [NAMESPACE=todo] [RELEASE=todo] [CLUSTER=auto] [REGISTRY=...]"
for f in "${ordered[@]}"; do
  head=$(head -n 1 "$f" | sed -E 's/^# ?//')
  targets=$(grep -E '^[a-zA-Z0-9_.%-]+:[^=]*## ' "$f" | sed -E 's/^([^:]+):[^#]*## (.*)$/\1\t\2/')
  [[ -z $targets ]] && continue
  if [[ -t 1 ]]; then printf '\n\033[1m%s\033[0m\n' "$head"; else printf '\n%s\n' "$head"; fi
  while IFS=$'\t' read -r t d; do printf '  %-22s %s\n' "$t" "$d"; done <<<"$targets"
done
