#!/bin/sh
# Analytic-tier speed: one estimate of the 2048-GPU default scenario (first,
# then with the routing cached in process), and a sweep of 10,000+ analytic
# configurations with --jobs 2, side by side in one run.
#   bench/sweep_speed.sh [build]
set -e
build=${1:-build}
here=$(dirname "$0")
"$build/moeplan" estimate --repeat 100 | tail -2
out=$(mktemp -d)
"$build/moeplan" sweep "$here/sweeps/analytic-10k.yaml" --count
start=$(date +%s.%N)
"$build/moeplan" sweep "$here/sweeps/analytic-10k.yaml" -o "$out/r.csv" --jobs 2 2>/dev/null
end=$(date +%s.%N)
echo "sweep wall: $(echo "$end - $start" | bc) s"
awk -F, 'NR > 1 { n[$6]++ } END { for (s in n) print "  " s ": " n[s] }' "$out/r.csv"
rm -rf "$out"
