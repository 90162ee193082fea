// The MoE layer's routing as the program needs it: per MoE layer, the
// all-to-all traffic of an expert-parallel group (from the routing model and
// the expert placement) and the tokens each EP rank's local experts receive.
//
// Every EP group of the cluster routes alike (same distribution, same seed per
// layer), so one routing per layer serves all groups. With uniform routing all
// layers share one distribution and layer 0's routing serves every layer.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/moe/routing.h"
#include "sim/program/program.h"

namespace moeplan::workload {

struct LayerTraffic {
  int dispatch_fp8 = -1;  // traffic ids in Program::traffic: token owner -> experts (dispatch, combine's
                          // gradient), GEMM-precision payload
  int reverse_bf16 = -1;  // experts -> token owner, BF16 (combine, dispatch's gradient)
  std::vector<std::vector<std::int64_t>> local_expert_tokens;  // [EP rank][local slot] token copies; a GPU
                                                               // holding a dispatched shared expert's replica
                                                               // has it as its last slot
  int slowest_rank = 0;   // EP rank whose experts take longest by the roofline (FLOPs at peak, bytes at
                          // the HBM rate; the first on ties): a reduced program runs its pace
};

class MoeTraffic {
 public:
  // `tokens_per_gpu`: the tokens each EP rank routes in one layer (a micro-batch).
  MoeTraffic(const config::Scenario& sc, int gpus_per_node, std::int64_t tokens_per_gpu);

  // Traffic of MoE layer `layer` (MTP modules numbered after the last layer);
  // adds its matrices to `p.traffic` the first time.
  const LayerTraffic& layer(int layer, program::Program& p);
  // The EP rank with the most token copies summed over `layers` (MoE layers
  // only): the GPU whose weight-grad work, which no collective re-synchronises,
  // sets the pace of a stage.
  int busiest_rank(const std::vector<int>& layers, program::Program& p);
  // Traffic id for an all-to-all of `part` in `pass`.
  int traffic_id(const LayerTraffic& t, program::Part part, program::Pass pass) const;

 private:
  const config::Scenario& sc_;
  moe::RoutingShape shape_;
  std::optional<moe::LoadStats> measured_;
  std::map<int, LayerTraffic> layers_;
};

}  // namespace moeplan::workload
