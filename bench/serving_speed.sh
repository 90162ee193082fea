#!/usr/bin/env bash
# Serving simulation speed: wall time and peak memory (/usr/bin/time -v) of
# `moeplan simulate` on the published DeepSeek-V3 serving units (one step
# each) and on the request stream over both pools (deepseek-v3-serve-day:
# ten minutes of Poisson traffic), with the simulated step time.
# Targets on a 2-core machine: a step under 2 s, the stream under 30 s,
# peak memory under 2 GiB.
#   bench/serving_speed.sh [build]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
moeplan=${1:-$root/build}/moeplan
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%-34s %10s %8s %8s %8s %8s\n" scenario step_ms wall_s peak_MB target ok
for name in deepseek-v3-serve-decode-ep144 deepseek-v3-serve-decode-ep320 deepseek-v3-serve-prefill-ep32 deepseek-v3-serve-prefill-tp4 \
            deepseek-v3-serve-day deepseek-v3-serve-day-dec2024; do
  /usr/bin/time -v -o "$work/time" "$moeplan" simulate -q "$root/scenarios/$name.yaml" --report "$work/r.json" > /dev/null
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/time")
  rss_kB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")
  target=2; [[ "$name" == deepseek-v3-serve-day* ]] && target=30
  python3 - "$name" "$work/r.json" "$wall" "$rss_kB" "$target" <<'PY'
import json, sys
name, report, wall, rss_kB, target = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
r = json.load(open(report))
peak_MB = rss_kB / 1024
ok = "yes" if wall < target and peak_MB < 2048 else "NO"
print(f"{name:<34} {1e3 * r['step_time_s']:10.2f} {wall:8.2f} {peak_MB:8.0f} {target:7.0f}s {ok:>8}")
PY
done
