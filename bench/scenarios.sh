#!/usr/bin/env bash
# Simulates every bundled DeepSeek-V3 scenario and prints a table: predicted
# step time, MFU, exposed all-to-all, and the simulator's own wall time and
# peak memory (targets: 2048 GPUs in under 10 s and 2 GiB on a 2-core machine).
# Usage: bench/scenarios.sh [build dir]   (default: build)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
moeplan=${1:-$root/build}/moeplan
report=$(mktemp)
trap 'rm -f "$report"' EXIT
printf "%-48s %9s %6s %9s %8s %8s %8s\n" scenario step_s mfu a2a_exp wall_s peak_MB ops
for s in "$root"/scenarios/deepseek-v3-*.yaml; do
  name=$(basename "$s" .yaml)
  if ! "$moeplan" simulate -q "$s" --report "$report" > /dev/null 2>&1; then
    printf "%-48s %s\n" "$name" "invalid: $("$moeplan" validate "$s" 2>&1 | head -1 | cut -c1-90)"
    continue
  fi
  python3 - "$name" "$report" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
print(f"{sys.argv[1]:<48} {r['step_time_s']:9.3f} {100*r['mfu']:5.1f}% {r['breakdown']['exposed_all_to_all_s']:9.3f} "
      f"{r['sim_wall_s']:8.2f} {r['peak_rss_bytes']/2**20:8.0f} {r['engine']['ops']:8d}")
PY
done
