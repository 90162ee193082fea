// Cost model: the duration of a compute op as the sum of the kernels it runs
// (its GEMMs, its memory-bound kernels, its attention core), each at the rate
// the GPU's kernel profile measured for that kernel's shape (kernel_profile.h),
// or where none is measured from a roofline,
//   max(FLOPs / (peak[dtype] x efficiency), bytes / (HBM bandwidth x efficiency)),
// with ceilings and efficiencies from the GPU file (each states its source).
// Ops that list no kernels (embedding, loss, optimizer) take the roofline of
// their totals. A measured efficiency for a (part, pass) from `moeplan
// calibrate` overrides the profile and the file for that part's GEMMs.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "sim/config/gpu.h"
#include "sim/cost/eager_launch.h"
#include "sim/cost/kernel_profile.h"
#include "sim/program/program.h"

namespace moeplan::cost {

// Measured compute efficiencies, keyed "part" or "part/pass" (e.g.
// "routed_experts/F"), and the host launch time of the eager runtime
// (eager_launch.h) when the measured trace recorded it; written by the
// calibration loop (calibration.json).
// The lowest compute efficiency a calibration may hold: 0.1% of peak. Below
// it a kernel would run for hours; such a fit comes from a broken trace.
inline constexpr double kMinCalibratedEfficiency = 1e-3;

struct Calibration {
  std::string source;
  std::map<std::string, double> compute_efficiency;
  std::optional<EagerLaunch> eager_launch;  // the host enqueue time of the eager runtime
  std::optional<double> lookup(program::Part part, program::Pass pass) const;
  static Calibration load(const std::string& path);  // throws std::runtime_error with the path
  void save(const std::string& path) const;          // the format load reads
};

class CostModel {
 public:
  // Loads the GPU's kernel profile when it names one (throws naming the file).
  explicit CostModel(config::GpuSpec gpu, Calibration cal = {});

  // Seconds a compute op takes when it has the whole GPU.
  double compute_seconds(const program::Op& op) const;
  // The eager runtime's host launch time, when the calibration fitted it: the
  // executors keep each op from ending before the host has enqueued it
  // (host_enqueue_ends in eager_launch.h).
  const std::optional<EagerLaunch>& eager_launch() const { return cal_.eager_launch; }
  // Its parts: one GEMM, one memory-bound kernel, the attention core.
  double gemm_seconds(const program::Op& op, const program::Gemm& g) const;
  double kernel_seconds(const program::Kernel& k) const;
  double attention_seconds(const program::Op& op) const;
  // The roofline efficiency of the op's GEMMs without a profile (file or calibration).
  double compute_efficiency(const program::Op& op) const;
  const config::GpuSpec& gpu() const { return gpu_; }
  const KernelProfile* profile() const { return profile_.get(); }

 private:
  config::GpuSpec gpu_;
  Calibration cal_;
  std::shared_ptr<const KernelProfile> profile_;
};

}  // namespace moeplan::cost
