#!/usr/bin/env bash
# Held-out accuracy of the cost model (issue 11, docs/calibration.md): the
# simulator, calibrated from the kernel profile alone, against moeplan-run on
# single-GPU programs that were never used for fitting.
#
#   bench/accuracy/holdout.sh plan   BUILD OUTDIR   plans every scenario in bench/accuracy/scenarios
#                                                   into OUTDIR/programs (needs moeplan)
#   bench/accuracy/holdout.sh device BUILD OUTDIR   on a GPU machine: profiles the kernels into
#                                                   OUTDIR/<gpu>/profile.json, then runs every
#                                                   program with moeplan-run --trace OUTDIR/<gpu>/<name>.json
#   bench/accuracy/holdout.sh table  BUILD OUTDIR GPU
#                                                   simulates each program on hardware/<GPU>.yaml (whose
#                                                   kernel profile is calibration/*.json: copy the one
#                                                   just measured there first), compares with
#                                                   OUTDIR/<GPU>/<name>.json and prints a markdown table
#                                                   (per program, per kind; moeplan-holdout-table)
  gpu="${4:?gpu tag (h100, h200)}"
  hw="$root/hardware/$gpu.yaml"
  [ -f "$hw" ] || { echo "no hardware file $hw" >&2; exit 2; }
  mkdir -p "$out/$gpu/compare"
  for s in "${scenarios[@]}"; do
    n="$(basename "$s" .yaml)"
    [ -f "$out/$gpu/$n.json" ] || { echo "missing $out/$gpu/$n.json (not run there?)" >&2; continue; }
    "$build/moeplan" compare "$out/programs/$n.json" "$out/$gpu/$n.json" --scenario "$s" --hardware "$hw" \
      --json "$out/$gpu/compare/$n.json" >/dev/null
  done
  "$build/bench/moeplan-holdout-table" "$gpu" "$out/$gpu/compare"/*.json
  ;;
*)
  echo "unknown mode $mode" >&2
  exit 2
  ;;
esac
