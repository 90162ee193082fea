// Cost model v0: the duration of a compute op from a roofline,
//   max(FLOPs / (peak[dtype] x efficiency), bytes / (HBM bandwidth x efficiency)),
// with ceilings from the GPU file and efficiencies from calibration data
// measured by moeplan-run when present, else from the GPU file (each states its
// source). Calibration is the seam: a measured efficiency for a (part, pass)
// overrides the file's.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "sim/config/gpu.h"
#include "sim/program/program.h"

namespace moeplan::cost {

// Measured compute efficiencies, keyed "part" or "part/pass" (e.g.
// "routed_experts/F"); written by the calibration loop (calibration.json).
// The lowest compute efficiency a calibration may hold: 0.1% of peak. Below
// it a kernel would run for hours; such a fit comes from a broken trace.
inline constexpr double kMinCalibratedEfficiency = 1e-3;

struct Calibration {
  std::string source;
  std::map<std::string, double> compute_efficiency;
  std::optional<double> lookup(program::Part part, program::Pass pass) const;
  static Calibration load(const std::string& path);  // throws std::runtime_error with the path
  void save(const std::string& path) const;          // the format load reads
};

class CostModel {
 public:
  explicit CostModel(config::GpuSpec gpu, Calibration cal = {}) : gpu_(std::move(gpu)), cal_(std::move(cal)) {}

  // Seconds a compute op takes when it has the whole GPU.
  double compute_seconds(const program::Op& op) const;
  double compute_efficiency(const program::Op& op) const;
  const config::GpuSpec& gpu() const { return gpu_; }

 private:
  config::GpuSpec gpu_;
  Calibration cal_;
};

}  // namespace moeplan::cost
