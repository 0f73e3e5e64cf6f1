#!/usr/bin/env bash
# Writes a realistic .env of N lines (default 100000) to stdout: groups of sorted keys
# under a comment, separated by blank lines; unquoted, double- and single-quoted values,
# interpolation, inline comments, and a few findings (lowercase key, duplicate) per 1000 lines.
set -euo pipefail
n=${1:-100000}
awk -v n="$n" 'BEGIN {
  line = 0; g = 0
  while (line < n) {
    printf "# group %d: settings of service %d\n", g, g; line++
    for (k = 0; k < 8 && line < n; k++) {
      key = sprintf("SERVICE_%06d_KEY_%d", g, k)
      if (k == 0)      printf "%s=plain-value-%d\n", key, g
      else if (k == 1) printf "%s=\"quoted value %d with spaces\"\n", key, g
      else if (k == 2) printf "%s=%c/srv/%d/data%c\n", key, 39, g, 39
      else if (k == 3) printf "%s=${SERVICE_%06d_KEY_0}-suffix\n", key, g
      else if (k == 4) printf "%s=%d # inline comment\n", key, 1000 + g
      else if (k == 5) printf "export %s=https://example.com/%d?x=1\n", key, g
      else if (k == 6) printf "%s=\"a\\tb\\n${UNSET_VAR:-default}\"\n", key
      else             printf "%s=%s\n", (g % 125 == 0 ? tolower(key) : key), "ZXhhbXBsZS1zZWNyZXQtdmFsdWU"
      line++
    }
    if (line < n) { printf "\n"; line++ }
    g++
  }
}'
