// Measures the cost model's primitives on the local GPU and writes a kernel
// profile (sim/cost/kernel_profile.h): GEMMs over an (m, n, k) grid in BF16 and
// FP8 (cuBLASLt, DeepSeek-V3 block scaling: layout f = activations x 128x128
// weight blocks, layout w = activations x activations, the weight gradient),
// the MLA attention core over sequence length x heads (cuDNN fused attention,
// forward and backward), and every memory-bound kernel kind of the program
// over its bytes. FLOPs and bytes come from the same closed forms the cost
// model uses (cost/layer_work.h, program/kernel.h), so the rates it records
// are the rates the simulator divides by.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace moeplan::runtime {

struct ProfileOptions {
  bool quick = false;  // a coarse grid (for tests and smoke runs)
  std::function<void(const std::string&)> progress;  // one line per section
};

// Runs on CUDA device 0; throws std::runtime_error on a CUDA, cuBLASLt or cuDNN error.
nlohmann::json profile_kernels(const ProfileOptions& options);

}  // namespace moeplan::runtime
