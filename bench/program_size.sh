#!/usr/bin/env bash
# Programs of any size: the 2048-GPU default scenario's full program written
# one file per rank (moeplan plan --per-rank), with wall time, peak memory
# (RSS) and bytes written; then one rank file read back alone.
# Usage: bench/program_size.sh [build dir] [scenario]   (default: build, the bundled default)
# Target (issue 10): under 5 minutes and under 2 GiB peak RSS on a 2-core machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
scenario=${2:-$root/scenarios/deepseek-v3-pretrain-2048xH800.yaml}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/time -f "%e %M" -o "$out/time" "$build/moeplan" plan "$scenario" --per-rank -o "$out/ranks" > "$out/log"
read -r wall rss_kb < "$out/time"
files=$(ls "$out/ranks" | grep -c '^rank-')
bytes=$(du -sb "$out/ranks" | cut -f1)
printf "%-28s %10s %12s %8s %12s\n" "write" "wall_s" "peak_rss_MB" "files" "size_GB"
printf "%-28s %10.1f %12.0f %8d %12.2f\n" "per-rank, every rank" "$wall" "$((rss_kb / 1024))" "$files" "$(echo "$bytes / 1e9" | bc -l)"
# One rank's file alone: the simulator refuses to simulate it, but reads it (and checks it) without the rest.
/usr/bin/time -f "%e %M" -o "$out/time2" "$build/moeplan" compare "$out/ranks/rank-01000.json" "$out/ranks/rank-01000.json" \
  > "$out/log2" 2>&1 || true
read -r wall2 rss2_kb < "$out/time2"
printf "%-28s %10.2f %12.0f\n" "read one rank file" "$wall2" "$((rss2_kb / 1024))"
grep -q "partial" "$out/log2" && echo "(compare refuses to simulate it: $(grep -o 'program of [^ ]* is partial' "$out/log2"))"
