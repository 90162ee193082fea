#!/usr/bin/env bash
# README command 1: install dependencies, build, and simulate the bundled
# default scenario (DeepSeek-V3 pre-training on 2048 H800 GPUs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default
cmake --build --preset default --target moeplan
./build/moeplan simulate "$@"
