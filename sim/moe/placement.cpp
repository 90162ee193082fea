#include "sim/moe/placement.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>
#include <stdexcept>

#include "sim/util/check.h"

namespace moeplan::moe {
namespace {

int size_of(const std::vector<double>& v) { return static_cast<int>(v.size()); }

void check_eplb_inputs(const std::vector<std::vector<double>>& weight, const EplbConfig& c) {
  auto fail = [](const std::string& m) { throw std::invalid_argument("EPLB: " + m); };
  if (weight.empty()) fail("no layers of load statistics; give one row of per-expert load per MoE layer");
  const int experts = size_of(weight.front());
  if (experts == 0) fail("load rows are empty; give one load value per logical expert");
  for (std::size_t l = 0; l < weight.size(); ++l) {
    if (size_of(weight[l]) != experts)
      fail(fmt::format("layer {} has {} experts but layer 0 has {}; every layer needs the same expert count", l,
                       weight[l].size(), experts));
    for (std::size_t e = 0; e < weight[l].size(); ++e)
      if (!std::isfinite(weight[l][e]) || weight[l][e] < 0)
        fail(fmt::format("layer {} expert {} has load {}; loads must be finite and >= 0", l, e, weight[l][e]));
  }
  if (c.gpus < 1) fail(fmt::format("gpus = {}; need at least 1 GPU", c.gpus));
  if (c.nodes < 1) fail(fmt::format("nodes = {}; need at least 1 node", c.nodes));
  if (c.groups < 1) fail(fmt::format("groups = {}; need at least 1 expert group", c.groups));
  if (c.replicas < experts)
    fail(fmt::format("replicas R = {} is below the {} logical experts; R counts every physical slot, so use "
                     "R >= {} (R - {} redundant experts)",
                     c.replicas, experts, experts, experts));
  if (c.replicas % c.gpus != 0)
    fail(fmt::format("replicas R = {} is not a multiple of gpus = {}; every GPU needs the same slot count "
                     "(e.g. R = {})",
                     c.replicas, c.gpus, (c.replicas + c.gpus - 1) / c.gpus * c.gpus));
  const bool hierarchical = c.groups % c.nodes == 0;  // else the global policy ignores groups and nodes
  if (hierarchical && c.gpus % c.nodes != 0)
    fail(fmt::format("gpus = {} is not a multiple of nodes = {}; the hierarchical policy (groups = {} a multiple of "
                     "nodes) needs the same GPU count on every node", c.gpus, c.nodes, c.groups));
  if (hierarchical && experts % c.groups != 0)
    fail(fmt::format("{} experts do not split into groups = {} of equal size; use a divisor of {}", experts, c.groups,
                     experts));
  if (hierarchical && experts % c.nodes != 0)
    fail(fmt::format("{} experts do not split evenly over nodes = {}", experts, c.nodes));
}

// Sum of each group's load: groups are consecutive runs of experts.
std::vector<double> group_loads(const std::vector<double>& weight, int groups) {
  const int group_size = size_of(weight) / groups;
  std::vector<double> load(groups, 0.0);
  for (int e = 0; e < size_of(weight); ++e) load[e / group_size] += weight[e];
  return load;
}

// One layer of the hierarchical policy; the global policy is groups = nodes = 1.
// Output slots carry the replica rank so that log2phy can be filled by rank.
struct LayerResult {
  std::vector<int> phy2log;
  std::vector<int> rank;
};

LayerResult eplb_layer(const std::vector<double>& weight, int replicas, int groups, int nodes, int gpus) {
  const int experts = size_of(weight);
  const int group_size = experts / groups;
  const int groups_per_node = groups / nodes;
  const int experts_per_node = experts / nodes;
  const int slots_per_node = replicas / nodes;
  const int gpus_per_node = gpus / nodes;
  const int slots_per_gpu = replicas / gpus;

  // Phase 1 (groups -> nodes): balanced packing of `groups` group loads into
  // `nodes` packs. Node n then holds node-local experts m in
  // [n * experts_per_node, (n + 1) * experts_per_node); local_to_expert maps
  // them back to logical experts, groups in arrival order.
  const auto group_pack = balanced_packing(group_loads(weight, groups), nodes);
  std::vector<int> local_to_expert(experts);
  for (int g = 0; g < groups; ++g) {
    const int first = (group_pack.pack[g] * groups_per_node + group_pack.rank_in_pack[g]) * group_size;
    for (int j = 0; j < group_size; ++j) local_to_expert[first + j] = g * group_size + j;
  }

  LayerResult out{std::vector<int>(replicas, -1), std::vector<int>(replicas, -1)};
  for (int node = 0; node < nodes; ++node) {
    // Phase 2 (replicate inside the node): experts_per_node experts into
    // slots_per_node slots.
    std::vector<double> node_weight(experts_per_node);
    for (int m = 0; m < experts_per_node; ++m) node_weight[m] = weight[local_to_expert[node * experts_per_node + m]];
    const auto rep = replicate_experts(node_weight, slots_per_node);

    // Phase 3 (replicas -> GPUs of the node): balanced packing of the
    // slots_per_node replicas, each weighing its expert's load / replicas,
    // into gpus_per_node packs; a replica's slot is its GPU's first slot plus
    // its arrival rank on that GPU.
    std::vector<double> replica_weight(slots_per_node);
    for (int q = 0; q < slots_per_node; ++q)
      replica_weight[q] = node_weight[rep.phy2log[q]] / rep.logcnt[rep.phy2log[q]];
    const auto gpu_pack = balanced_packing(replica_weight, gpus_per_node);
    for (int q = 0; q < slots_per_node; ++q) {
      const int slot = node * slots_per_node + gpu_pack.pack[q] * slots_per_gpu + gpu_pack.rank_in_pack[q];
      out.phy2log[slot] = local_to_expert[node * experts_per_node + rep.phy2log[q]];
      out.rank[slot] = rep.rank[q];
    }
  }
  return out;
}

}  // namespace

Packing balanced_packing(const std::vector<double>& weight, int packs) {
  const int items = size_of(weight);
  MOEPLAN_CHECK(packs > 0 && items % packs == 0, "{} items cannot fill {} packs equally", items, packs);
  const int per_pack = items / packs;
  std::vector<int> order(items);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return weight[a] > weight[b]; });

  Packing out{std::vector<int>(items, -1), std::vector<int>(items, -1)};
  std::vector<double> pack_weight(packs, 0.0);
  std::vector<int> pack_items(packs, 0);
  for (const int item : order) {
    int best = -1;
    for (int p = 0; p < packs; ++p)
      if (pack_items[p] < per_pack && (best < 0 || pack_weight[p] < pack_weight[best])) best = p;
    out.pack[item] = best;
    out.rank_in_pack[item] = pack_items[best];
    pack_weight[best] += weight[item];
    ++pack_items[best];
  }
  return out;
}

Replication replicate_experts(const std::vector<double>& weight, int slots) {
  const int experts = size_of(weight);
  MOEPLAN_CHECK(slots >= experts, "{} slots cannot hold {} experts", slots, experts);
  Replication out{std::vector<int>(slots), std::vector<int>(slots, 0), std::vector<int>(experts, 1)};
  std::iota(out.phy2log.begin(), out.phy2log.begin() + experts, 0);
  for (int slot = experts; slot < slots; ++slot) {
    int best = 0;
    for (int e = 1; e < experts; ++e)
      if (weight[e] / out.logcnt[e] > weight[best] / out.logcnt[best]) best = e;
    out.phy2log[slot] = best;
    out.rank[slot] = out.logcnt[best];
    ++out.logcnt[best];
  }
  return out;
}

bool eplb_is_hierarchical(const EplbConfig& config) {
  return config.nodes > 0 && config.groups % config.nodes == 0;
}

std::vector<Placement> eplb_placement(const std::vector<std::vector<double>>& weight, const EplbConfig& config) {
  check_eplb_inputs(weight, config);
  const bool hierarchical = eplb_is_hierarchical(config);
  const int groups = hierarchical ? config.groups : 1;
  const int nodes = hierarchical ? config.nodes : 1;
  const int experts = size_of(weight.front());

  // Per layer: the policy gives each slot its expert and replica rank.
  std::vector<LayerResult> results;
  results.reserve(weight.size());
  for (const auto& layer : weight) results.push_back(eplb_layer(layer, config.replicas, groups, nodes, config.gpus));

  // Replica counts, then log2phy[e][rank] = slot, padded to the largest count
  // over all layers.
  std::vector<Placement> out(weight.size());
  int max_count = 1;
  for (std::size_t l = 0; l < weight.size(); ++l) {
    auto& p = out[l];
    p.gpus = config.gpus;
    p.phy2log = results[l].phy2log;
    p.logcnt.assign(experts, 0);
    for (const int e : p.phy2log) ++p.logcnt[e];
    max_count = std::max(max_count, *std::max_element(p.logcnt.begin(), p.logcnt.end()));
  }
  for (std::size_t l = 0; l < weight.size(); ++l) {
    auto& p = out[l];
    p.log2phy.assign(experts, std::vector<int>(max_count, -1));
    for (int slot = 0; slot < p.slots(); ++slot) p.log2phy[p.phy2log[slot]][results[l].rank[slot]] = slot;
  }
  return out;
}

Placement contiguous_placement(int experts, int gpus) {
  if (gpus < 1 || experts < 1 || experts % gpus != 0)
    throw std::invalid_argument(fmt::format(
        "contiguous placement: {} experts do not split evenly over {} GPUs; choose an expert-parallel size "
        "that divides the expert count, or use EPLB placement with redundant experts",
        experts, gpus));
  Placement p;
  p.gpus = gpus;
  p.phy2log.resize(experts);
  std::iota(p.phy2log.begin(), p.phy2log.end(), 0);
  p.logcnt.assign(experts, 1);
  p.log2phy.resize(experts);
  for (int e = 0; e < experts; ++e) p.log2phy[e] = {e};
  return p;
}

std::vector<double> gpu_loads(const Placement& placement, const std::vector<double>& weight) {
  if (size_of(weight) != placement.experts())
    throw std::invalid_argument(fmt::format("placement has {} experts but the load has {}; use load statistics of "
                                            "the same model",
                                            placement.experts(), weight.size()));
  std::vector<double> load(placement.gpus, 0.0);
  for (int slot = 0; slot < placement.slots(); ++slot) {
    const int e = placement.phy2log[slot];
    load[placement.gpu_of_slot(slot)] += weight[e] / placement.logcnt[e];
  }
  return load;
}

std::vector<int> least_loaded_gpus(const Placement& placement, const std::vector<double>& weight, int count) {
  if (count < 1 || count > placement.gpus)
    throw std::invalid_argument(fmt::format("placement.shared_expert_gpus: {} GPUs for the shared expert in an "
                                            "expert-parallel group of {}; use 1 to {}",
                                            count, placement.gpus, placement.gpus));
  const auto load = gpu_loads(placement, weight);
  std::vector<int> order(static_cast<std::size_t>(placement.gpus));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return load[a] < load[b]; });
  order.resize(static_cast<std::size_t>(count));
  std::sort(order.begin(), order.end());
  return order;
}

double imbalance(const std::vector<double>& gpu_loads) {
  if (gpu_loads.empty()) return 1.0;
  const double total = std::accumulate(gpu_loads.begin(), gpu_loads.end(), 0.0);
  if (total <= 0) return 1.0;
  const double mean = total / static_cast<double>(gpu_loads.size());
  return *std::max_element(gpu_loads.begin(), gpu_loads.end()) / mean;
}

namespace {

Placement place_routed(const PlacementSpec& spec, const std::vector<double>& expert_load, int expert_groups, int ep,
                       int gpus_per_node) {
  const int experts = static_cast<int>(expert_load.size());
  if (spec.policy == PlacementPolicy::contiguous) return contiguous_placement(experts, ep);
  if (gpus_per_node < 1 || ep % gpus_per_node != 0)
    throw std::invalid_argument(fmt::format("placement: expert-parallel size {} is not a whole number of nodes of {} "
                                            "GPUs; choose ep as a multiple of the GPUs per node",
                                            ep, gpus_per_node));
  const int replicas = experts + spec.redundant_experts;
  if (replicas % ep != 0)
    throw std::invalid_argument(fmt::format(
        "placement.redundant_experts: {} experts + {} redundant = {} slots do not split evenly over {} GPUs; use "
        "redundant_experts = {} (or another value making the total a multiple of {})",
        experts, spec.redundant_experts, replicas, ep, (replicas + ep - 1) / ep * ep - experts, ep));
  EplbConfig config{replicas, expert_groups, ep / gpus_per_node, ep};
  return eplb_placement({expert_load}, config).front();
}

}  // namespace

Placement place_layer(const PlacementSpec& spec, const std::vector<double>& expert_load, int expert_groups, int ep,
                      int gpus_per_node) {
  auto placement = place_routed(spec, expert_load, expert_groups, ep, gpus_per_node);
  if (spec.shared_expert_gpus > 0)
    placement.shared_gpus = least_loaded_gpus(placement, expert_load, spec.shared_expert_gpus);
  return placement;
}

}  // namespace moeplan::moe
