#!/usr/bin/env bash
# README command 2: install dependencies, build everything, run all tests.
# GPU tests skip with a message when no GPU is present.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default
cmake --build --preset default
ctest --preset default -j "$(nproc)"
