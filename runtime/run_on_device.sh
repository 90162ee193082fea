#!/usr/bin/env bash
# Runs moeplan-run on a device machine from a carried folder (default .rtcarry):
#   .rtcarry/moeplan-run, .rtcarry/lib/*.so (libraries the binary needs that the
#   device image lacks), .rtcarry/programs/<name>.json (from `moeplan plan`).
# Usage: runtime/run_on_device.sh <program name>...   (writes $OUT/<name>.json)
#        a name written check:<name> runs `moeplan-run --check` on that program,
#        hang:<name> runs it with rank 1 hung at step 3 (--inject-hang 1:3, --timeout 10)
#        and expects a non-zero exit
set -u
carry=${CARRY:-.rtcarry}
out=${OUT:-/tmp/moeplan-out}
mkdir -p "$out"
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
export LD_LIBRARY_PATH="$PWD/$carry/lib:${LD_LIBRARY_PATH:-}"
if ldd "$carry/moeplan-run" | grep -q 'libnccl.so.2 => not found'; then
  nccl=$(find / -name 'libnccl.so.2' -not -path '*/proc/*' 2>/dev/null | head -1)
  export LD_LIBRARY_PATH="$(dirname "$nccl"):$LD_LIBRARY_PATH"
fi
nvidia-smi -L
status=0
for name in "$@"; do
  echo "=== $name"
  if [[ $name == hang:* ]]; then
    name=${name#hang:}
    start=$(date +%s)
    timeout -k 5 ${RUN_TIMEOUT_S:-90} "$carry/moeplan-run" "$carry/programs/$name.json" --trace "$out/$name-hang.json" \
      --warmup 2 --steps 5 --timeout 10 --inject-hang 1:3 --work-dir "/tmp/moeplan-hang-$name"
    code=$?
    echo "hang:$name exit $code after $(( $(date +%s) - start )) s (expected non-zero, not 124 from timeout)"
    [ $code -ne 0 ] && [ $code -ne 124 ] && [ $code -ne 137 ] || status=1
    continue
  fi
  if [[ $name == check:* ]]; then
    name=${name#check:}
    timeout -k 5 ${RUN_TIMEOUT_S:-90} "$carry/moeplan-run" "$carry/programs/$name.json" --check --timeout 60 \
      --work-dir "/tmp/moeplan-check-$name" || status=1
    continue
  fi
  timeout -k 5 ${RUN_TIMEOUT_S:-90} "$carry/moeplan-run" "$carry/programs/$name.json" --trace "$out/$name.json" --chrome "$out/$name-chrome.json" \
    --warmup 2 --steps 5 --timeout 60 --work-dir "/tmp/moeplan-$name" || status=1
done
exit $status
