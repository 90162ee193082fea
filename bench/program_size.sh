#!/usr/bin/env bash
# Programs of any size: a scenario's full program written one file per rank
# (moeplan plan --per-rank), with wall time, peak memory (RSS) and bytes
# written, beside one rank's file alone (--ranks N).
# Usage: bench/program_size.sh [build dir] [scenario]   (default: build, the bundled 2048-GPU default)
# Target (issue 10): every rank in under 5 minutes and under 2 GiB peak RSS on a 2-core machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
scenario=${2:-$root/scenarios/deepseek-v3-pretrain-2048xH800.yaml}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {  # label, then the moeplan arguments
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/time" "$build/moeplan" "$@" > "$out/log"
  read -r wall rss_kb < "$out/time"
  local files bytes
  files=$(find "$out" -name 'rank-*.json' | wc -l)
  bytes=$(find "$out" -name 'rank-*.json' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  awk -v l="$label" -v w="$wall" -v r="$rss_kb" -v f="$files" -v b="$bytes" \
    'BEGIN {printf "%-26s %9.1f %12.0f %7d %10.2f\n", l, w, r / 1024, f, b / 1e9}'
  find "$out" -name 'rank-*.json' -delete
}
printf "%-26s %9s %12s %7s %10s\n" "write" "wall_s" "peak_rss_MB" "files" "size_GB"
run "one rank (--ranks 1000)" plan "$scenario" --ranks 1000 -o "$out/rank-01000.json"
run "every rank (--per-rank)" plan "$scenario" --per-rank -o "$out/ranks"
