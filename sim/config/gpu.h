// A GPU type: datasheet ceilings and the efficiencies the roofline applies to
// them. Every efficiency carries where it came from; calibration data measured
// by moeplan-run replaces them (see sim/cost/calibration.h).
#pragma once

#include <map>
#include <string>

#include "sim/config/yaml_reader.h"
#include "sim/util/dtype.h"

namespace moeplan::config {

using moeplan::DType;
using moeplan::bytes_of;
using moeplan::to_string;

struct Efficiency {
  double value = 1.0;
  std::string source;  // where the figure comes from (measurement, datasheet, assumption)
  bool operator==(const Efficiency&) const = default;
};

// Calibration surfaces measured on a GPU (cost/kernel_profile.h), and why they
// apply to this one. The path is resolved against the hardware file's folder.
struct KernelProfileRef {
  std::string path;
  std::string source;
  bool operator==(const KernelProfileRef&) const = default;
};

struct GpuSpec {
  std::string name;
  int sms = 0;
  std::map<DType, double> peak_flops;  // dense tensor-core FLOP/s per dtype
  double hbm_Bps = 0;
  double hbm_bytes = 0;
  Efficiency gemm;       // fraction of peak FLOP/s a large GEMM reaches
  Efficiency attention;  // fraction of peak FLOP/s the attention core reaches
  Efficiency memory;     // fraction of HBM bandwidth a streaming kernel reaches
  KernelProfileRef kernel_profile;  // empty path: the efficiencies above alone

  double peak(DType d) const;
  bool operator==(const GpuSpec&) const = default;
};

GpuSpec read_gpu(YamlReader& r);
// Loads `hardware:` from a file path (a YAML file whose top level is `gpu:`).
GpuSpec load_gpu_file(const std::string& path, Diagnostics& diag);

}  // namespace moeplan::config
