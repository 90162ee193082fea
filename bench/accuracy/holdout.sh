#!/usr/bin/env bash
# Held-out accuracy of the cost model (issue 11, docs/calibration.md): the
# simulator, calibrated from the kernel profile alone, against moeplan-run on
# single-GPU programs that were never used for fitting.
#
#   holdout.sh plan   BUILD DIR       plans every scenario of bench/accuracy/scenarios into
#                                     DIR/programs (needs moeplan)
#   holdout.sh device BIN DIR OUT     on a GPU machine (BIN holds moeplan-run and
#                                     moeplan-profile-kernels): profiles the kernels, runs every
#                                     program of DIR/programs with moeplan-run --trace, and packs
#                                     profile and traces into OUT/<gpu>.tar.gz
#   holdout.sh table  BUILD DIR GPU   simulates each program on hardware/<GPU>.yaml (whose kernel
#                                     profile is calibration/*.json: put the one just measured
#                                     there first), compares with DIR/<GPU>/<name>.json (unpacked)
#                                     and prints markdown tables (moeplan-holdout-table)
# The split (plan here, run there, compare here) is because the GPU machines
# have no SimGrid; moeplan-run needs only the program file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
usage="usage: holdout.sh plan BUILD DIR | device BIN DIR OUT | table BUILD DIR GPU"
mode="${1:?$usage}"
build="${2:?$usage}"
dir="${3:?$usage}"
scenarios=("$here"/scenarios/*.yaml)

case "$mode" in
plan)
  mkdir -p "$dir/programs"
  for s in "${scenarios[@]}"; do
    n="$(basename "$s" .yaml)"
    "$build/moeplan" plan "$s" -o "$dir/programs/$n.json" >/dev/null
    echo "planned $n"
  done
  ;;
device)
  out="${4:?$usage}"
  gpu="$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | grep -o 'H[0-9]\{3\}' | tr 'A-Z' 'a-z')"
  work="$(mktemp -d)/$gpu"
  mkdir -p "$work"
  "$build/moeplan-profile-kernels" -o "$work/profile.json"
  for p in "$dir"/programs/*.json; do
    n="$(basename "$p" .json)"
    echo "== $gpu $n"
    "$build/moeplan-run" "$p" --warmup 3 --steps 10 --trace "$work/$n.json" 2>&1 | tail -2
  done
  tar -C "$(dirname "$work")" -czf "$out/$gpu.tar.gz" "$gpu"
  ;;
table)
  gpu="${4:?$usage}"
  hw="$root/hardware/$gpu.yaml"
  [ -f "$hw" ] || { echo "no hardware file $hw" >&2; exit 2; }
  mkdir -p "$dir/$gpu/compare"
  for s in "${scenarios[@]}"; do
    n="$(basename "$s" .yaml)"
    [ -f "$dir/$gpu/$n.json" ] || { echo "missing $dir/$gpu/$n.json (not run there?)" >&2; continue; }
    "$build/moeplan" compare "$dir/programs/$n.json" "$dir/$gpu/$n.json" --scenario "$s" --hardware "$hw" \
      --json "$dir/$gpu/compare/$n.json" >/dev/null
  done
  "$build/bench/moeplan-holdout-table" "$gpu" "$dir/$gpu/compare"/*.json
  ;;
*)
  echo "$usage" >&2
  exit 2
  ;;
esac
