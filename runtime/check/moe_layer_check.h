// `moeplan-run --check`: one MoE layer's forward, distributed over every rank
// (expert parallel, real gating on real activations, uneven all-to-all counts
// from that gating), against the same layer computed on one GPU.
//
// Every rank draws its own tokens and the shared weights (router and all
// experts) from the seed, then
//   reference:   gate -> permute -> all experts locally -> combine       = y_ref
//   distributed: gate -> permute -> counts all-gathered -> rows sent to the
//                experts' ranks (grouped ncclSend/ncclRecv) -> local experts
//                (grouped SwiGLU FFN over all sources' rows) -> rows sent back
//                -> combine                                               = y
// and reports ||y - y_ref|| / ||y_ref|| against kMoeCheckTolerance.
#pragma once

#include <cstdint>

#include "runtime/exec/nccl_channels.h"
#include "runtime/plan/moe_check_config.h"

namespace moeplan::runtime {

// control_error: the same measure for a deliberately wrong variant (rows not
// regrouped by expert before the FFN); the check only passes if it is caught.
struct MoeCheckResult {
  double relative_error = 0, max_abs_error = 0, reference_norm = 0, control_error = 0;
  bool control_caught = false;
  std::int64_t rows_sent_away = 0, rows_received = 0;  // to/from other ranks
  bool pass = false;
};

MoeCheckResult run_moe_layer_check(const MoeCheckConfig& config, NcclChannels& nccl, int rank, std::uint64_t seed);

}  // namespace moeplan::runtime
