#!/usr/bin/env bash
# Prints the user targets of the mk files given, grouped by concern: the word before the colon
# of each file's first-line comment ("# concern: description"). Files of one concern (cluster.mk
# and cluster-sim.mk) share one heading; concerns come in the team's order, then the rest.
order=(config tools env backend frontend compose docker-engine k8s helm cluster chaos lint security test)
declare -A descs targets
for f in "$@"; do
  [[ $f == mk/*.mk ]] || continue
  head=$(head -n 1 "$f" | sed -E 's/^# ?//')
  concern=${head%%:*}
  desc=${head#*: }
  desc=${desc%.}
  t=$(grep -E '^[a-zA-Z0-9_.%-]+:[^=]*## ' "$f" | sed -E 's/^([^:]+):[^#]*## (.*)$/\1\t\2/')
  [[ -z $t ]] && continue
  descs[$concern]+="${descs[$concern]:+; }$desc"
  targets[$concern]+="$t"$'\n'
done
concerns=()
for c in "${order[@]}"; do [[ -n ${targets[$c]:-} ]] && concerns+=("$c"); done
for c in $(printf '%s\n' "${!targets[@]}" | sort); do
  [[ " ${order[*]} " == *" $c "* ]] || concerns+=("$c")
done
echo "Usage: make TARGET [ENV=dev|staging|prod] [NAMESPACE=todo] [RELEASE=todo] [CLUSTER=auto] [REGISTRY=...]"
for c in "${concerns[@]}"; do
  if [[ -t 1 ]]; then printf '\n\033[1m%s: %s\033[0m\n' "$c" "${descs[$c]}"; else printf '\n%s: %s\n' "$c" "${descs[$c]}"; fi
  while IFS=$'\t' read -r t d; do if [[ -n $t ]]; then printf '  %-22s %s\n' "$t" "$d"; fi; done <<<"${targets[$c]}"
done
