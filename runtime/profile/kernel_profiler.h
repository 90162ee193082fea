// Measures the cost model's primitives on the local GPU and writes a kernel
// profile (sim/cost/kernel_profile.h): GEMMs over an (m, n, k) grid in BF16 and
// FP8 (cuBLASLt, DeepSeek-V3 block scaling: layout f = activations x 128x128
// weight blocks, layout w = activations x activations, the weight gradient),
// the MLA attention core over sequence length x heads (cuDNN fused attention,
// forward and backward), serving's decode attention over the latent KV cache,
// and every memory-bound kernel kind of the program
// over its bytes. FLOPs and bytes come from the same closed forms the cost
// model uses (cost/layer_work.h, program/kernel.h), so the rates it records
// are the rates the simulator divides by.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace moeplan::runtime {

struct ProfileOptions {
  bool quick = false;  // a coarse grid (for tests and smoke runs)
  std::function<void(const std::string&)> progress;  // one line per section
  // Sections to measure (gemm, attention, latent_attention, kernels); empty: all.
  // A profile of some sections merges into an existing one section by section.
  std::vector<std::string> only;
};
// The section names, in the order they are measured.
const std::vector<std::string>& profile_sections();

// Runs on CUDA device 0; throws std::runtime_error on a CUDA, cuBLASLt or cuDNN error.
nlohmann::json profile_kernels(const ProfileOptions& options);

}  // namespace moeplan::runtime
