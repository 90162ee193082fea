#include "runtime/exec/gpu_probe.h"

#include <cuda_runtime_api.h>

namespace moeplan::runtime {

LocalMachine probe_local_gpus() {
  LocalMachine m;
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) return m;
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, d) != cudaSuccess) continue;
    m.gpus.push_back({prop.name, static_cast<double>(prop.totalGlobalMem)});
  }
  return m;
}

}  // namespace moeplan::runtime
