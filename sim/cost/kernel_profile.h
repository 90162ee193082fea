// Calibration surfaces: what the cost model's primitives achieve on a real
// GPU, measured by `moeplan-run --profile-kernels` (docs/calibration.md):
//   GEMMs       achieved FLOP/s over (m, n, k), per dtype and layout
//               ("f": B is a weight, F and Bi; "w": both operands are
//               activations, the weight-gradient GEMM);
//   attention   achieved FLOP/s of the causal attention core over (sequence
//               length, heads), per pass, FLOPs as in cost/layer_work.h; measured
//               on one sequence, read for b sequences of h heads at b * h heads
//               (the fused kernel's blocks are per sequence, head and query tile);
//   latent attention  achieved FLOP/s of serving's decode attention over the
//               latent KV cache (runtime: kernels/attention/latent_attention.h)
//               over (query rows per sequence = new tokens x heads, sequences,
//               keys per sequence), FLOPs as in cost/layer_work.h;
//   kernels     achieved HBM bytes/s of each memory-bound kernel kind over the
//               bytes it moves (program/kernel.h).
// Rates are interpolated linearly in log2 of the coordinates and of the rate
// (trilinear for GEMMs over the measured grid). Outside the grid: below the
// smallest size the time stays that of the smallest (a launch does not get
// shorter), above the largest the rate stays that of the largest.
//
// Measurements carry over between GPUs of the same SMs, clocks and HBM (an
// H100-SXM5 profile for an H800-SXM5, whose only difference is NVLink, which
// no kernel here uses); the hardware file says which profile it takes and why.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/program/program.h"

namespace moeplan::cost {

// A rate over a full grid of 1-3 coordinates, interpolated in log2 space.
class RateGrid {
 public:
  RateGrid() = default;
  // axes: sorted distinct coordinates per dimension; rates: row-major over the axes.
  RateGrid(std::vector<std::vector<double>> axes, std::vector<double> rates);
  double rate(const std::vector<double>& at) const;
  bool empty() const { return rates_.empty(); }
  std::size_t points() const { return rates_.size(); }

 private:
  std::vector<std::vector<double>> log_axes_;
  std::vector<double> log_rates_;
  std::vector<double> rates_;
};

struct ProfileDevice {
  std::string name, driver, cuda, cublas, cudnn, nccl, date;
};

class KernelProfile {
 public:
  // Reads a profile; throws std::runtime_error naming the file and the entry.
  // Loaded profiles are shared per path within the process.
  static std::shared_ptr<const KernelProfile> load(const std::string& path);
  static KernelProfile parse(const std::string& text, const std::string& path);

  // Achieved rates where the profile measured them.
  std::optional<double> gemm_flops_per_s(DType dtype, program::Pass pass, const program::Gemm& g) const;
  std::optional<double> attention_flops_per_s(program::Pass pass, const program::AttentionShape& a) const;
  std::optional<double> latent_attention_flops_per_s(const program::AttentionShape& a) const;
  std::optional<double> kernel_bytes_per_s(program::KernelKind kind, double bytes) const;

  const std::string& path() const { return path_; }
  const ProfileDevice& device() const { return device_; }

 private:
  std::string path_;
  ProfileDevice device_;
  std::map<std::string, RateGrid> gemm_;       // "fp8/f", "bf16/w", ...
  std::map<std::string, RateGrid> attention_;  // "F", "Bi"
  RateGrid latent_;                            // decode over the latent cache
  std::map<std::string, RateGrid> kernels_;    // kernel kind name
};

}  // namespace moeplan::cost
