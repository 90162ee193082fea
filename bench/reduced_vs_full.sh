#!/usr/bin/env bash
# Reduced vs full simulation on 64/128/256 H800 GPUs, balanced and skewed
# routing: step time, relative error, wall time and peak memory of each mode.
# Usage: bench/reduced_vs_full.sh [build dir]   (default: build)
#        SCHEDULE=dualpipe bench/reduced_vs_full.sh ...   (the scenario's 1F1B swapped for DualPipe)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
moeplan=${1:-$root/build}/moeplan
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%5s %-9s %12s %12s %8s %9s %9s %9s %9s\n" gpus routing full_s reduced_s error full_wall red_wall full_MB red_MB
for gpus in 64 128 256; do
  nodes=$((gpus / 8)); dp=$((gpus / 4)); ep=$((dp > 64 ? 64 : dp))
  sed -e "s/nodes: 8/nodes: $nodes/" -e "s/name: h800-cluster-64/name: h800-cluster-$gpus/" \
    "$root/topologies/h800-cluster-64.yaml" > "$work/topo.yaml"
  for routing in balanced skewed; do
    if [ $routing = skewed ]; then r="routing: {distribution: zipf, zipf_s: 1.0, seed: 3}"
    else r="routing: {distribution: uniform, seed: 3}"; fi
    declare -A step wall rss
    for mode in full reduced; do
      sed -e "s|\.\./topologies/h800-cluster-64.yaml|$work/topo.yaml|" -e "s|\.\./|$root/|g" \
          -e "s/  dp: 16/  dp: $dp/" -e "s/  ep: 16/  ep: $ep/" -e "s/  global_batch: 128/  global_batch: $((dp * 8))/" \
          -e "s/schedule: 1f1b/schedule: ${SCHEDULE:-1f1b}/" -e "s/  mode: full/  mode: $mode\n$r/" "$root/scenarios/small-moe-64xH800.yaml" > "$work/s.yaml"
      /usr/bin/time -f "%e %M" -o "$work/time" "$moeplan" simulate -q "$work/s.yaml" --report "$work/r.json" > /dev/null
      step[$mode]=$(python3 -c "import json;print(json.load(open('$work/r.json'))['step_time_s'])")
      read -r wall[$mode] rss[$mode] < "$work/time"
    done
    python3 - "$gpus" "$routing" "${step[full]}" "${step[reduced]}" "${wall[full]}" "${wall[reduced]}" "${rss[full]}" "${rss[reduced]}" <<'PY'
import sys
g, r, f, red, wf, wr, mf, mr = sys.argv[1:]
f, red = float(f), float(red)
print(f"{g:>5} {r:<9} {f:12.6f} {red:12.6f} {100*(red-f)/f:+7.2f}% {float(wf):8.2f}s {float(wr):8.2f}s {int(mf)/1024:9.0f} {int(mr)/1024:9.0f}")
PY
  done
done
