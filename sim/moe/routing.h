// Token routing of ONE MoE layer inside ONE expert-parallel group: which GPU
// each token copy goes to, how many tokens each expert gets, and how many
// distinct tokens each source GPU sends to each node (what crosses IB once
// DeepSeek's dispatch deduplicates per node).
//
//   EP group of ep GPUs, gpus_per_node per node: EP rank i on node i / gpus_per_node
//   tokens_per_gpu tokens originate on every GPU; each picks top_k experts
//   expert -> GPU through a Placement (contiguous or EPLB, replicas allowed)
//
// Per token (see docs/moe.md): affinity scores that pick experts with the
// distribution's probabilities (Gumbel-top-k), then group-limited routing
// (top groups_per_token groups by the sum of their top-2 scores), then
// node-limited routing (top M nodes by the sum of the top top_k / M scores of
// their experts), then the top_k best allowed experts, all distinct.
// `sample_tokens` tokens are drawn per source GPU and the counts scaled to
// tokens_per_gpu by largest-remainder rounding (per-source totals exact).
#pragma once

#include <vector>

#include "sim/config/model.h"
#include "sim/moe/load_stats.h"
#include "sim/moe/placement.h"
#include "sim/config/routing_spec.h"

namespace moeplan::moe {

using config::RoutingDistribution;
using config::RoutingSpec;

// The MoE layer and the expert-parallel group being routed.
struct RoutingShape {
  int experts = 0;           // routed experts E
  int top_k = 0;             // experts per token
  int expert_groups = 1;     // n_group
  int groups_per_token = 1;  // topk_group
  int ep = 0;                // GPUs in the expert-parallel group
  int gpus_per_node = 8;
  long long tokens_per_gpu = 0;  // tokens originating on each GPU in this layer

  int nodes() const { return ep / gpus_per_node; }
};

// Fills the expert fields from the model.
RoutingShape routing_shape(const config::ModelConfig& model, int ep, int gpus_per_node, long long tokens_per_gpu);

struct LayerRouting {
  int ep = 0;
  int nodes = 0;
  int gpus_per_node = 0;
  int top_k = 0;
  long long tokens_per_gpu = 0;
  int sampled_tokens_per_gpu = 0;       // tokens actually drawn per source GPU
  std::vector<long long> copies;        // [src * ep + dst] token copies src dispatches to dst
  std::vector<long long> node_tokens;   // [src * nodes + node] distinct tokens src sends to node
                                        // (src's own node included: those stay on NVLink)
  std::vector<long long> slot_tokens;   // [R] token copies each physical expert slot receives
  std::vector<long long> expert_tokens; // [E] token copies each logical expert receives
  std::vector<long long> shared_tokens; // [ep] tokens each GPU's shared-expert replica receives (all 0
                                        // unless the placement dispatches the shared expert; then also in
                                        // copies and node_tokens)

  int node_of(int gpu) const { return gpu / gpus_per_node; }
  long long copies_between(int src, int dst) const { return copies[static_cast<std::size_t>(src) * ep + dst]; }
  // Combine returns every copy to its token's GPU: expert GPU -> token GPU.
  long long combine_copies(int expert_gpu, int token_gpu) const { return copies_between(token_gpu, expert_gpu); }
  long long distinct_tokens(int src, int node) const {
    return node_tokens[static_cast<std::size_t>(src) * nodes + node];
  }
  long long sent(int src) const;      // copies dispatched by src (= tokens_per_gpu * top_k, + tokens_per_gpu
                                      // with a dispatched shared expert)
  long long received(int dst) const;  // copies dst receives (its expert GEMM rows)
};

// Per-expert routing probabilities of one layer (sum 1). zipf and hot rank the
// experts by a per-layer permutation drawn from the seed; measured uses row
// `layer % rows` of `measured`, which must then be given.
std::vector<double> expert_probabilities(const RoutingSpec& spec, int experts, int layer,
                                         const LoadStats* measured = nullptr);

// One sampled token's choice: its top_k logical experts (best first) and the
// physical slot serving each.
struct TokenRoute {
  std::vector<int> experts;
  std::vector<int> slots;
};

// The first `count` sampled tokens of source GPU `source`, exactly as
// route_layer draws them (same random stream): for tests and inspection.
std::vector<TokenRoute> sample_token_routes(const RoutingSpec& spec, const RoutingShape& shape,
                                            const Placement& placement, int layer, int source, int count,
                                            const LoadStats* measured = nullptr);

// One token's choice from given keys instead of drawn ones, by the code
// route_layer runs: key_e = Exp(1) / p_e per logical expert (smaller is
// better; its score is -log key_e), then the shape's group limit and
// `node_limit` (0: none). For checking the router against a reference.
struct ExpertChoice {
  std::vector<int> experts;    // top_k logical experts, best first
  bool by_group_tops = false;  // the fast path chose (every group on one node,
                               // nodes ranked on at most 2 keys)
};
ExpertChoice choose_experts_for_keys(const RoutingShape& shape, const Placement& placement, int node_limit,
                                     const std::vector<double>& keys);

// With a dispatched shared expert (placement.shared_gpus), each source GPU
// spreads its tokens evenly over the replicas (largest remainder, the extra
// tokens rotating with the source) as one more copy per token. A node's
// distinct tokens from a source grow by the shared copies it receives times
// the fraction of the source's tokens not already sent there: the replica is
// chosen independently of the routed experts.
//
// Routes one layer. Deterministic for (spec.seed, layer). Throws
// std::invalid_argument when the shape, placement and spec do not fit together
// (the message names the field and a fix).
LayerRouting route_layer(const RoutingSpec& spec, const RoutingShape& shape, const Placement& placement, int layer,
                         const LoadStats* measured = nullptr);

}  // namespace moeplan::moe
