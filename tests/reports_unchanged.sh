#!/usr/bin/env bash
# Every bundled scenario's report against the one recorded in
# tests/data/reports/ (wall-time fields aside), through the child-process API:
# what `Scenarios/BundledReports.*` in CTest checks.
#   tests/reports_unchanged.sh [build dir]            check
#   tests/reports_unchanged.sh [build dir] --record   re-record (a change meant to move them; say why in the commit)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
if [ "${2:-}" = "--record" ]; then export MOEPLAN_UPDATE_REPORTS=1; fi
exec "$build/tests/moeplan_core_tests" --gtest_filter='Scenarios/BundledReports.*'
