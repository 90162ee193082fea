#include "sim/workload/moe_traffic.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "sim/config/placement_spec.h"
#include "sim/util/check.h"
#include "sim/cost/layer_work.h"

namespace moeplan::workload {

using cost::MicroBatchShape;
using program::Gemm;
using program::Part;
using program::Pass;
using cost::PartWork;
using cost::part_work;
using cost::pipeline_payload_bytes;
using cost::routed_experts_work;
using cost::token_payload_bytes;

namespace {

struct RoutedLayer {
  moe::Placement placement;
  moe::LayerRouting routing;
};

// Routing a layer is the costliest part of building a program's MoE traffic
// and is deterministic in its inputs, so one process (a sweep, the
// analytical estimator) routes each distinct layer once. Bounded, shared by threads.
std::shared_ptr<const RoutedLayer> routed_layer(const config::Scenario& sc, const moe::RoutingShape& shape, int key,
                                                const moe::LoadStats* stats) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const RoutedLayer>> cache;
  const auto& rs = sc.routing;
  const std::string id = fmt::format(
      "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", config::to_string(rs.distribution), rs.zipf_s,
      rs.hot_fraction, rs.hot_experts, rs.load_file, rs.node_limit, rs.seed, rs.sample_tokens,
      config::to_string(sc.placement.policy), sc.placement.redundant_experts, sc.placement.shared_expert_gpus,
      shape.experts, shape.top_k,
      shape.expert_groups, shape.groups_per_token, shape.ep, shape.gpus_per_node,
      fmt::format("{}|{}", shape.tokens_per_gpu, key));
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(id); it != cache.end() && rs.load_file.empty()) return it->second;
  }
  const auto probabilities = moe::expert_probabilities(rs, shape.experts, key, stats);
  auto placement = moe::place_layer(sc.placement, probabilities, shape.expert_groups, shape.ep, shape.gpus_per_node);
  auto routing = moe::route_layer(rs, shape, placement, key, stats);
  auto routed = std::make_shared<const RoutedLayer>(RoutedLayer{std::move(placement), std::move(routing)});
  std::lock_guard lock(mutex);
  if (cache.size() >= 512) cache.clear();
  if (rs.load_file.empty()) cache[id] = routed;  // a load file may change between runs: route it afresh
  return routed;
}

}  // namespace

MoeTraffic::MoeTraffic(const config::Scenario& sc, int gpus_per_node, std::int64_t tokens_per_gpu) : sc_(sc) {
  shape_ = moe::routing_shape(sc.model, sc.plan.ep, gpus_per_node, tokens_per_gpu);
  if (sc.routing.distribution == moe::RoutingDistribution::measured) {
    Diagnostics diag;
    measured_ = moe::read_load_stats(sc.routing.load_file, diag);
    diag.throw_if_any();
  }
}

const LayerTraffic& MoeTraffic::layer(int layer, program::Program& p) {
  // Uniform routing: one distribution for every layer, so one routing.
  const int key = sc_.routing.distribution == moe::RoutingDistribution::uniform ? 0 : layer;
  if (auto it = layers_.find(key); it != layers_.end()) return it->second;
  const auto* stats = measured_ ? &*measured_ : nullptr;
  const auto routed = routed_layer(sc_, shape_, key, stats);
  const auto& r = routed->routing;
  const auto& placement = routed->placement;

  const int ep = shape_.ep, nodes = r.nodes;
  auto traffic = [&](double per_token, bool reverse) {
    program::Traffic t;
    t.reverse = reverse;
    t.gpu_bytes.assign(static_cast<std::size_t>(ep), std::vector<double>(static_cast<std::size_t>(ep)));
    t.node_bytes.assign(static_cast<std::size_t>(ep), std::vector<double>(static_cast<std::size_t>(nodes)));
    for (int i = 0; i < ep; ++i) {
      for (int j = 0; j < ep; ++j)
        t.gpu_bytes[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] =
            static_cast<double>(r.copies_between(i, j)) * per_token;
      for (int n = 0; n < nodes; ++n)
        t.node_bytes[static_cast<std::size_t>(i)][static_cast<std::size_t>(n)] =
            static_cast<double>(r.distinct_tokens(i, n)) * per_token;
    }
    p.traffic.push_back(std::move(t));
    return static_cast<int>(p.traffic.size()) - 1;
  };
  LayerTraffic lt;
  const auto& m = sc_.model;
  lt.dispatch_fp8 = traffic(token_payload_bytes(m, program::Part::Dispatch, program::Pass::F, sc_.plan.precision), false);
  lt.reverse_bf16 = traffic(token_payload_bytes(m, program::Part::Combine, program::Pass::F, sc_.plan.precision), true);
  const int per_gpu = placement.slots_per_gpu();
  lt.local_expert_tokens.assign(static_cast<std::size_t>(ep), {});
  double slowest_s = -1;
  for (int g = 0; g < ep; ++g) {
    auto& tokens = lt.local_expert_tokens[static_cast<std::size_t>(g)];
    for (int s = 0; s < per_gpu; ++s) tokens.push_back(r.slot_tokens[static_cast<std::size_t>(g * per_gpu + s)]);
    // A dispatched shared expert's replica: one more expert of the same shape.
    if (std::binary_search(placement.shared_gpus.begin(), placement.shared_gpus.end(), g))
      tokens.push_back(r.shared_tokens[static_cast<std::size_t>(g)]);
    // The slowest by the roofline of its expert GEMMs: in decode, reading each
    // expert's weights dominates, so a GPU holding more experts (a shared
    // replica beside its routed slot) is slower at the same token count.
    const auto w = routed_experts_work(m, tokens, Pass::F, sc_.plan.precision);
    const double s = std::max(w.flops / sc_.gpu.peak(w.dtype), w.bytes / sc_.gpu.hbm_Bps);
    if (s > slowest_s) slowest_s = s, lt.slowest_rank = g;
  }
  return layers_.emplace(key, std::move(lt)).first->second;
}

int MoeTraffic::busiest_rank(const std::vector<int>& layers, program::Program& p) {
  std::vector<std::int64_t> total(static_cast<std::size_t>(shape_.ep), 0);
  for (int l : layers) {
    if (l < sc_.model.dense_layers) continue;
    const auto& lt = layer(l, p);
    for (std::size_t g = 0; g < total.size(); ++g)
      for (auto t : lt.local_expert_tokens[g]) total[g] += t;
  }
  return static_cast<int>(std::max_element(total.begin(), total.end()) - total.begin());
}

int MoeTraffic::traffic_id(const LayerTraffic& t, program::Part part, program::Pass pass) const {
  // Dispatch F and the combine's gradient flow owner -> experts in the GEMM
  // dtype; combine F and the dispatch's gradient flow back in BF16.
  const bool towards_experts = (part == program::Part::Dispatch) == (pass == program::Pass::F);
  return towards_experts ? t.dispatch_fp8 : t.reverse_bf16;
}

}  // namespace moeplan::workload
