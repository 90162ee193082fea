#!/usr/bin/env bash
# One device call: build the kernels standalone, run the tests, run the
# benchmark, then the ragged tests under compute-sanitizer. Logs go to $OUT.
# Usage (from the repository root): bash bench/kernels/run_on_device.sh
set -u -o pipefail
OUT=${OUT:-/tmp/kernels-out}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total,clocks.sm,clocks.max.sm,driver_version --format=csv 2>&1 | tee "$OUT/gpu.txt"
cmake -S kernels/standalone -B build-device -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc > "$OUT/build.log" 2>&1 &&
  cmake --build build-device -j 16 >> "$OUT/build.log" 2>&1
build_rc=$?
tail -5 "$OUT/build.log"
if [ $build_rc -ne 0 ]; then grep -E "error|Error" "$OUT/build.log" | head -40; exit 1; fi
./build-device/tests/kernels/moeplan_kernels_tests --gtest_brief=1 2>&1 | tee "$OUT/tests.log" | tail -40
./build-device/bench/kernels/moeplan-kernel-bench 2>&1 | tee "$OUT/bench.md"
timeout 150 compute-sanitizer --tool memcheck --print-limit 20 \
  ./build-device/tests/kernels/moeplan_kernels_tests \
  --gtest_filter='*Ragged*:*Partial*:*PartialLaneSlots*:*Payload*' --gtest_brief=1 > "$OUT/memcheck.log" 2>&1
echo "memcheck rc=$?"; tail -8 "$OUT/memcheck.log"
