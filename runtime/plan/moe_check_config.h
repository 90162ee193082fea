// The MoE layer `moeplan-run --check` verifies: the layer shape of the
// program's model (hidden size, expert FFN width, routed experts, tokens per
// micro-batch), experts spread over every rank of the program's world (EP =
// world size, contiguous placement). The program does not carry the routing
// configuration, so the gate uses DeepSeek's shape scaled to the expert count.
#pragma once

#include <cstdint>
#include <string>

#include "sim/program/program.h"

namespace moeplan::runtime {

struct MoeCheckConfig {
  int hidden = 0, intermediate = 0, experts = 0, tokens = 0;
  int topk = 0, groups = 0, topk_groups = 0;
  int ranks = 0;
  std::string describe() const;
};

// Throws std::runtime_error when the program has no MoE layer or its experts
// do not split evenly over the ranks.
MoeCheckConfig moe_check_config(const program::Program& p);

// Tolerance on ||distributed - single GPU|| / ||single GPU||: both sides
// compute the same bf16 math, but the experts' GEMMs see other row counts
// (all sources at once versus one rank's rows) and may take other cuBLAS
// kernels, so each output element may round once differently: 2 bf16 ulps.
inline constexpr double kMoeCheckTolerance = 2.0 / 256.0;

}  // namespace moeplan::runtime
