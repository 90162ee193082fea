// A scenario: model + GPU type + topology + workload + parallel plan.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "sim/config/gpu.h"
#include "sim/config/model.h"
#include "sim/config/placement_spec.h"
#include "sim/config/routing_spec.h"
#include "sim/config/serving_workload.h"
#include "sim/program/program.h"
#include "sim/schedule/schedule.h"
#include "sim/config/topology_file.h"

namespace moeplan::config {

// `workload: {kind: training, ...}`: one optimizer step over a global batch.
struct TrainingWorkload {
  std::int64_t global_batch = 0;  // sequences per step
  int sequence_length = 0;        // tokens per sequence
  int micro_batch = 1;            // sequences per micro-batch
  bool operator==(const TrainingWorkload&) const = default;
};

// What the cluster runs; `workload.kind` picks the alternative: training, or
// serving (a prefill or decode step, serving_workload.h).
using Workload = std::variant<TrainingWorkload, ServingWorkload>;
std::string_view kind_name(const Workload& w);

struct PlanConfig {
  int pp = 1, dp = 1, ep = 1, tp = 1;
  schedule::Kind schedule = schedule::Kind::OneFOneB;
  int chunks = 1;          // model chunks per device (interleaved only)
  DType precision = DType::BF16;  // GEMM precision
  int comm_sms = 0;        // SMs held by communication kernels
  int zero_stage = 1;      // 0: plain DP (all-reduce), 1: ZeRO-1 (reduce-scatter + all-gather)
  std::vector<int> layers_per_stage;  // transformer layers per pipeline stage (MTP excluded)
  program::AllToAllAlgorithm all_to_all = program::AllToAllAlgorithm::Hierarchical;
  bool operator==(const PlanConfig&) const = default;
};

// A serving plan's attention layout for summaries: "DP32", or "DP8 TP4 + SP".
std::string attention_layout_name(const PlanConfig& p);

enum class SimMode { Auto, Reduced, Full };

struct SimulationConfig {
  SimMode mode = SimMode::Auto;  // Auto: full up to 64 GPUs, reduced above
  std::uint64_t seed = 1;
  bool operator==(const SimulationConfig&) const = default;
};

struct Scenario {
  std::string path;  // where it was read from (or the name given to in-memory text)
  std::string name;
  std::string description;
  ModelConfig model;
  std::string model_file;     // the HF config.json it came from (resolved); empty: inline
  GpuSpec gpu;
  std::string hardware_file;  // the GPU file it came from (resolved); empty: inline
  TopologyFile topology;
  Workload workload;
  PlanConfig plan;
  SimulationConfig simulation;
  RoutingSpec routing;      // `routing:` (default uniform, no node limit)
  PlacementSpec placement;  // `placement:` (default contiguous)
  std::map<std::string, int> lines;  // dotted field -> line, for cross-field errors

  // pp x dp x tp in 64 bits: each may be up to 2^20 before validation.
  std::int64_t gpus() const { return std::int64_t{plan.pp} * plan.dp * plan.tp; }
  bool is_training() const { return std::holds_alternative<TrainingWorkload>(workload); }
  // The training workload; an invariant error for another kind (check is_training first).
  const TrainingWorkload& training() const;
  bool is_serving() const { return std::holds_alternative<ServingWorkload>(workload); }
  // The serving workload; an invariant error for another kind (check is_serving first).
  const ServingWorkload& serving() const;
  // Micro-batches each pipeline runs per step.
  std::int64_t microbatches() const {
    return training().global_batch / (static_cast<std::int64_t>(plan.dp) * training().micro_batch);
  }
  std::int64_t tokens_per_step() const { return training().global_batch * training().sequence_length; }
  std::int64_t tokens_per_microbatch() const {
    return static_cast<std::int64_t>(training().micro_batch) * training().sequence_length;
  }
  int line_of(const std::string& field) const;
  bool full_simulation() const;
};

// Parses the scenario and the files it names; every problem lands in `diag`.
Scenario load_scenario(const std::string& path, Diagnostics& diag);

// The same from YAML text (an editor's buffer): `path` names it in messages,
// and relative file references are resolved against its folder.
Scenario parse_scenario(const std::string& text, const std::string& path, Diagnostics& diag);

// The bundled default: DeepSeek-V3 pre-training on 2048 H800 GPUs.
std::string default_scenario_path();

}  // namespace moeplan::config
