// The calibration loop's fitting step: per-(part, pass) GEMM efficiencies
// from a trace the runtime measured, for cost::Calibration.
//
//   efficiency(kind) = sum of the kind's GEMM FLOPs /
//                      (peak FLOP/s x sum of (measured time - its memory-bound kernels' modelled time))
//
// over the ops that can tell: compute-bound by the roofline (their GEMM FLOP
// time exceeds their GEMM HBM time), spending at least half their measured time
// in GEMMs by the model, and alone on their GPU (an op that overlaps another
// compute op of its rank, as DualPipe's F&B chunks do, shares the SMs and would
// read as slow). FP8 ops count against the FP8 peak; the attention core against
// BF16 (the runtime runs both for real: cuBLASLt FP8 with DeepSeek's scaling,
// cuDNN fused attention). Kinds with no usable op keep the hardware file's figure.
#pragma once

#include <string>
#include <vector>

#include "sim/config/gpu.h"
#include "sim/cost/cost_model.h"
#include "sim/program/program.h"
#include "sim/trace/trace.h"

namespace moeplan::cost {

struct FittedKind {
  std::string key;      // "attention/F": the Calibration key
  int ops = 0;          // ops the fit used
  int skipped = 0;      // ops of the kind it could not use
  double efficiency = 0;
  double default_efficiency = 0;  // the hardware file's figure it replaces
};

struct CalibrationFit {
  Calibration calibration;
  std::vector<FittedKind> kinds;  // in first-seen order
};

CalibrationFit fit_calibration(const program::Program& p, const trace::Trace& measured, const config::GpuSpec& gpu,
                               const std::string& source);

}  // namespace moeplan::cost
