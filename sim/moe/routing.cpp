#include "sim/moe/routing.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fmt/format.h>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "sim/util/check.h"

namespace moeplan::moe {
namespace {

// ---- random numbers: splitmix64 streams, one per (seed, purpose, layer, source)

struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in the open interval (0, 1).
  double uniform_open() { return (static_cast<double>(static_cast<std::int64_t>(next() >> 11)) + 0.5) * 0x1.0p-53; }
};

enum StreamTag : std::uint64_t { kPermutationStream = 1, kTokenStream = 2 };

std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t tag, std::uint64_t layer, std::uint64_t source) {
  SplitMix64 g{seed};
  for (const auto v : {tag, layer, source}) g.state = g.next() ^ (v * 0xd1342543de82ef95ULL);
  return g.next();
}

// Exp(1) variates by Marsaglia and Tsang's ziggurat (256 layers): one 64-bit
// draw, a multiply and a compare in about 99% of the calls; the wedges and the
// tail (r + Exp(1), memoryless) use exp and log.
class ExponentialZiggurat {
 public:
  ExponentialZiggurat() {
    // Layer i spans y in [f(x_i), f(x_{i+1})], f(x) = exp(-x), each of area kArea;
    // layer 0 is the base strip of width kArea / f(r) with the tail beyond r.
    x_[0] = kArea / std::exp(-kR);
    x_[1] = kR;
    for (int i = 1; i < 255; ++i) x_[i + 1] = -std::log(kArea / x_[i] + std::exp(-x_[i]));
    x_[256] = 0.0;
    for (int i = 0; i <= 256; ++i) f_[i] = std::exp(-x_[i]);
  }

  double operator()(SplitMix64& rng) const {
    while (true) {
      const std::uint64_t bits = rng.next();
      const int i = static_cast<int>(bits & 0xff);
      const double x = static_cast<double>(static_cast<std::int64_t>(bits >> 11)) * 0x1.0p-53 * x_[i];
      if (x < x_[i + 1]) return x;
      if (i == 0) return kR - std::log(rng.uniform_open());
      if (f_[i] + rng.uniform_open() * (f_[i + 1] - f_[i]) < std::exp(-x)) return x;
    }
  }

 private:
  static constexpr double kR = 7.69711747013104972;
  static constexpr double kArea = 0.0039496598225815571993;
  double x_[257];
  double f_[257];
};

const ExponentialZiggurat& exponential() {
  static const ExponentialZiggurat table;
  return table;
}

std::vector<int> layer_permutation(std::uint64_t seed, int layer, int experts) {
  std::vector<int> perm(experts);
  std::iota(perm.begin(), perm.end(), 0);
  SplitMix64 g{stream_seed(seed, kPermutationStream, static_cast<std::uint64_t>(layer), 0)};
  for (int i = experts - 1; i > 0; --i) std::swap(perm[i], perm[g.next() % static_cast<std::uint64_t>(i + 1)]);
  return perm;
}

// ---- checks of the inputs -----------------------------------------------

void check_inputs(const RoutingSpec& spec, const RoutingShape& s, const Placement& placement) {
  auto fail = [](const std::string& m) { throw std::invalid_argument("routing: " + m); };
  if (s.experts < 1) fail(fmt::format("routed_experts = {}; an MoE layer needs at least 1 expert", s.experts));
  if (s.top_k < 1 || s.top_k > s.experts)
    fail(fmt::format("experts_per_token = {} is outside [1, {}] (the routed experts)", s.top_k, s.experts));
  if (s.expert_groups < 1 || s.experts % s.expert_groups != 0)
    fail(fmt::format("expert_groups = {} does not divide the {} routed experts", s.expert_groups, s.experts));
  if (s.groups_per_token < 1 || s.groups_per_token > s.expert_groups)
    fail(fmt::format("groups_per_token = {} is outside [1, {}] (expert_groups)", s.groups_per_token, s.expert_groups));
  if (s.groups_per_token * (s.experts / s.expert_groups) < s.top_k)
    fail(fmt::format("groups_per_token = {} groups of {} experts cannot hold top-{} picks; raise groups_per_token",
                     s.groups_per_token, s.experts / s.expert_groups, s.top_k));
  if (s.gpus_per_node < 1 || s.ep < 1 || s.ep % s.gpus_per_node != 0)
    fail(fmt::format("ep = {} is not a whole number of nodes of gpus_per_node = {}; choose ep as a multiple of it",
                     s.ep, s.gpus_per_node));
  if (s.tokens_per_gpu < 0) fail(fmt::format("tokens_per_gpu = {} is negative", s.tokens_per_gpu));
  if (spec.sample_tokens < 1) fail(fmt::format("sample_tokens = {}; sample at least 1 token", spec.sample_tokens));
  if (spec.node_limit < 0) fail(fmt::format("node_limit = {}; use 0 (unlimited) or a node count", spec.node_limit));
  if (placement.gpus != s.ep || placement.slots() % s.ep != 0)
    fail(fmt::format("the placement is for {} GPUs ({} slots) but the expert-parallel group has ep = {}; build the "
                     "placement with gpus = ep",
                     placement.gpus, placement.slots(), s.ep));
  if (placement.experts() != s.experts)
    fail(fmt::format("the placement has {} logical experts but the model routes over {}", placement.experts(),
                     s.experts));
}

// ---- the placement as lookup tables ---------------------------------------

struct PlacementTables {
  std::vector<int> slot_node;                  // [R] node of each slot
  std::vector<std::vector<int>> replicas;      // [E] slots of each expert
  std::vector<std::vector<int>> node_experts;  // [nodes] distinct experts with a replica there
  std::vector<int> expert_node;                // [E] node of all the expert's replicas; -1 if several
};

PlacementTables tables_of(const Placement& placement, int nodes) {
  PlacementTables t;
  const int slots_per_node = placement.slots() / nodes;
  t.slot_node.resize(placement.slots());
  t.replicas.resize(placement.experts());
  t.node_experts.resize(nodes);
  for (int slot = 0; slot < placement.slots(); ++slot) {
    const int e = placement.phy2log[slot];
    const int node = slot / slots_per_node;
    t.slot_node[slot] = node;
    t.replicas[e].push_back(slot);
    auto& on_node = t.node_experts[node];
    if (std::find(on_node.begin(), on_node.end(), e) == on_node.end()) on_node.push_back(e);
  }
  t.expert_node.assign(placement.experts(), -1);
  for (int e = 0; e < placement.experts(); ++e) {
    const int home = t.slot_node[t.replicas[e].front()];
    bool one_node = true;
    for (const int slot : t.replicas[e]) one_node = one_node && t.slot_node[slot] == home;
    if (one_node) t.expert_node[e] = home;
  }
  return t;
}

// ---- one token ------------------------------------------------------------
//
// Scores are kept as keys: key_e = Exp(1) / p_e, smaller is better. The
// affinity score is s_e = -log(key_e) = log p_e + Gumbel, so the k smallest
// keys are a draw of k distinct experts with the distribution's
// probabilities, and a sum of scores ranks like the product of the keys.

// For each expert group, the node holding every replica of all its experts
// (-1 when they spread over several nodes).
std::vector<int> groups_on_one_node(const RoutingShape& shape, const PlacementTables& tables) {
  const int size = shape.experts / shape.expert_groups;
  std::vector<int> node(shape.expert_groups, -1);
  for (int g = 0; g < shape.expert_groups; ++g) {
    int home = tables.expert_node[g * size];
    for (int e = g * size; e < (g + 1) * size && home >= 0; ++e)
      if (tables.expert_node[e] != home) home = -1;
    node[g] = home;
  }
  return node;
}

class TokenRouter {
 public:
  TokenRouter(const RoutingShape& shape, const PlacementTables& tables, const std::vector<double>& inverse_p,
              int node_limit)
      : shape_(shape),
        tables_(tables),
        inverse_p_(inverse_p),
        group_size_(shape.experts / shape.expert_groups),
        group_limited_(shape.groups_per_token < shape.expert_groups),
        node_limit_(node_limit > 0 && node_limit < shape.nodes() ? node_limit : shape.nodes()),
        node_limited_(node_limit_ < shape.nodes()),
        node_top_(std::max(1, shape.top_k / std::max(1, node_limit_))),
        keys_(shape.experts),
        allowed_(shape.experts),
        group_key_(shape.expert_groups),
        kept_group_(shape.expert_groups),
        node_best_(node_top_),
        group_node_(groups_on_one_node(shape, tables)),
        nested_(!node_limited_ ||
                (node_top_ <= 2 && std::find(group_node_.begin(), group_node_.end(), -1) == group_node_.end())),
        group_first_(shape.expert_groups),
        group_second_(shape.expert_groups),
        node_first_(shape.nodes()),
        node_second_(shape.nodes()),
        node_count_(shape.nodes()),
        node_key_(shape.nodes()),
        kept_node_(shape.nodes()),
        order_(std::max(shape.expert_groups, shape.nodes())),
        chosen_(shape.top_k),
        top_keys_(std::max(shape.top_k, 2 * shape.expert_groups)),
        candidates_(shape.experts),
        token_nodes_(shape.nodes()),
        next_replica_(shape.experts, 0) {}

  // Picks one token's top_k experts into chosen_ (best first). `key_of(e)`
  // gives expert e's key; it is called once per expert, in expert order.
  // Returns whether the fast path (pick_by_group_tops) chose.
  template <typename KeyOf>
  bool choose(KeyOf&& key_of) {
    if (nested_ && pick_by_group_tops(key_of)) return true;
    if (!nested_) draw_keys(key_of);  // else the fast path drew them; it gives up only to drop the group limit
    std::fill(allowed_.begin(), allowed_.end(), 1);
    if (group_limited_ && !nested_) keep_best_groups();
    if (node_limited_) pick_top_k_on_best_nodes();
    else pick_top_k();
    return false;
  }

  const std::vector<int>& chosen() const { return chosen_; }

  // Starts a source GPU: replica round-robin restarts at an offset per source.
  void start_source(int source) { std::fill(next_replica_.begin(), next_replica_.end(), source); }

  // Routes one token: adds one copy to each chosen slot and one token to each
  // distinct destination node.
  void route(SplitMix64& rng, std::vector<long long>& slot_copies, std::vector<long long>& node_tokens,
             TokenRoute* record = nullptr) {
    const double* inverse_p = inverse_p_.data();
    choose([&](int e) { return exponential_(rng) * inverse_p[e]; });
    std::fill(token_nodes_.begin(), token_nodes_.end(), 0);
    for (const int e : chosen_) {
      const int slot = pick_replica(e);
      if (record) record->experts.push_back(e), record->slots.push_back(slot);
      ++slot_copies[slot];
      token_nodes_[tables_.slot_node[slot]] = 1;
    }
    for (int n = 0; n < shape_.nodes(); ++n) node_tokens[n] += token_nodes_[n];
  }

 private:
  // Fast path when every group lies on one node (contiguous placement, or
  // EPLB without cross-node replicas) and nodes rank on at most 2 scores:
  // the group and node rankings come from each group's two smallest keys,
  // drawn in the same pass as the keys, and the top_k scan covers only the
  // kept groups on kept nodes. Same choices as the general path; false when
  // the group limit leaves fewer than top_k experts on the kept nodes.
  template <typename KeyOf>
  bool pick_by_group_tops(KeyOf& key_of) {
    const int groups = shape_.expert_groups, size = group_size_, k = shape_.top_k, nodes = shape_.nodes();
    double* keys = keys_.data();
    for (int g = 0; g < groups; ++g) {
      double first = std::numeric_limits<double>::infinity(), second = first;
      for (int e = g * size; e < (g + 1) * size; ++e) {
        const double key = key_of(e);
        keys[e] = key;
        if (key < second) {
          if (key < first) second = first, first = key;
          else second = key;
        }
      }
      group_first_[g] = first;
      group_second_[g] = second;
      group_key_[g] = size >= 2 ? first * second : first;
    }
    char* kept_group = kept_group_.data();
    if (group_limited_) keep_smallest(group_key_.data(), groups, shape_.groups_per_token, kept_group);
    else std::fill(kept_group_.begin(), kept_group_.end(), 1);

    if (node_limited_) {
      // A node's top (top_k / M) <= 2 allowed keys are among its kept groups' top 2.
      const double inf = std::numeric_limits<double>::infinity();
      std::fill(node_first_.begin(), node_first_.end(), inf);
      std::fill(node_second_.begin(), node_second_.end(), inf);
      std::fill(node_count_.begin(), node_count_.end(), 0);
      for (int g = 0; g < groups; ++g) {
        if (!kept_group[g]) continue;
        const int n = group_node_[g];
        node_count_[n] += size;
        for (const double key : {group_first_[g], group_second_[g]}) {
          if (key < node_first_[n]) node_second_[n] = node_first_[n], node_first_[n] = key;
          else if (key < node_second_[n]) node_second_[n] = key;
        }
      }
      int available = 0;
      for (int n = 0; n < nodes; ++n)
        node_key_[n] = node_count_[n] == 0                     ? inf
                       : node_top_ == 1 || node_count_[n] == 1 ? node_first_[n]
                                                                : node_first_[n] * node_second_[n];
      keep_smallest(node_key_.data(), nodes, node_limit_, kept_node_.data());
      for (int n = 0; n < nodes; ++n) available += kept_node_[n] ? node_count_[n] : 0;
      if (available < k) return false;
    }

    // Top k: the k-th smallest of the eligible groups' two smallest keys
    // bounds the k-th smallest eligible key from above, so only keys up to it
    // are candidates (a branch-free gather), then a partial sort of those.
    auto eligible = [&](int g) { return kept_group[g] && (!node_limited_ || kept_node_[group_node_[g]]); };
    double* bound = top_keys_.data();
    int bounds = 0;
    for (int g = 0; g < groups; ++g) {
      if (!eligible(g)) continue;
      bound[bounds++] = group_first_[g];
      if (size >= 2) bound[bounds++] = group_second_[g];
    }
    double threshold = std::numeric_limits<double>::infinity();
    if (bounds >= k) {
      std::nth_element(bound, bound + (k - 1), bound + bounds);
      threshold = bound[k - 1];
    }
    int* candidates = candidates_.data();
    int have = 0;
    for (int g = 0; g < groups; ++g) {
      if (!eligible(g) || group_first_[g] > threshold) continue;
      for (int e = g * size; e < (g + 1) * size; ++e) {
        candidates[have] = e;
        have += keys[e] <= threshold;
      }
    }
    MOEPLAN_CHECK(have >= k, "only {} candidate experts for top-{}", have, k);
    // Insertion sort: the candidates are few (about k) and in index order.
    for (int c = 1; c < have; ++c) {
      const int e = candidates[c];
      int i = c;
      while (i > 0 && keys[candidates[i - 1]] > keys[e]) candidates[i] = candidates[i - 1], --i;
      candidates[i] = e;
    }
    std::copy(candidates, candidates + k, chosen_.begin());
    return true;
  }

  template <typename KeyOf>
  void draw_keys(KeyOf& key_of) {
    double* keys = keys_.data();
    for (int e = 0, n = shape_.experts; e < n; ++e) keys[e] = key_of(e);
  }

  // Marks the `keep` smallest of score[0, n) (first index on ties) in `kept`.
  // n is a group or node count, so an insertion sort is enough.
  void keep_smallest(const double* score, int n, int keep, char* kept) {
    int* order = order_.data();
    for (int i = 0; i < n; ++i) {
      int j = i;
      while (j > 0 && score[order[j - 1]] > score[i]) order[j] = order[j - 1], --j;
      order[j] = i;
    }
    for (int i = 0; i < n; ++i) kept[i] = 0;
    for (int i = 0; i < keep; ++i) kept[order[i]] = 1;
  }

  // Group-limited routing: groups ranked by the sum of their top-2 scores
  // (the product of their two smallest keys); the best groups_per_token stay.
  void keep_best_groups() {
    const double* keys = keys_.data();
    char* allowed = allowed_.data();
    char* kept = kept_group_.data();
    const int groups = shape_.expert_groups, size = group_size_;
    for (int g = 0; g < groups; ++g) {
      double first = std::numeric_limits<double>::infinity(), second = first;
      for (int e = g * size; e < (g + 1) * size; ++e) {
        if (keys[e] < first) second = first, first = keys[e];
        else if (keys[e] < second) second = keys[e];
      }
      group_key_[g] = size >= 2 ? first * second : first;
    }
    keep_smallest(group_key_.data(), groups, shape_.groups_per_token, kept);
    for (int g = 0; g < groups; ++g) std::fill(allowed + g * size, allowed + (g + 1) * size, kept[g]);
  }

  // Node-limited routing: nodes ranked by the sum of the top (top_k / M)
  // scores of their still-allowed experts; the best M stay, and the top_k
  // picks come from the allowed experts with a replica on them. If the group
  // limit leaves fewer than top_k experts there, the token drops its group
  // limit (the node limit is the one the network needs).
  void pick_top_k_on_best_nodes() {
    if (rank_nodes() >= shape_.top_k && pick_top_k_on_kept_nodes()) return;
    std::fill(allowed_.begin(), allowed_.end(), 1);
    const int available = rank_nodes();
    if (available < shape_.top_k || !pick_top_k_on_kept_nodes())
      throw std::invalid_argument(fmt::format(
          "routing: node_limit = {} leaves {} experts on the chosen nodes, fewer than top-{}; raise node_limit "
          "(each node holds about {} experts)",
          node_limit_, available, shape_.top_k, shape_.experts / shape_.nodes()));
  }

  // Ranks the nodes on the allowed experts and keeps the best node_limit_;
  // returns the allowed experts on the kept nodes (an expert replicated on
  // two kept nodes counts twice).
  int rank_nodes() {
    const int nodes = shape_.nodes(), top = node_top_;
    const double* keys = keys_.data();
    const char* allowed = allowed_.data();
    double* best = node_best_.data();
    int available = 0;
    for (int n = 0; n < nodes; ++n) {
      int have = 0, count = 0;
      for (const int e : tables_.node_experts[n]) {
        if (!allowed[e]) continue;
        ++count;
        const double key = keys[e];
        if (have == top && key >= best[top - 1]) continue;
        int i = have < top ? have++ : top - 1;
        while (i > 0 && best[i - 1] > key) best[i] = best[i - 1], --i;
        best[i] = key;
      }
      double product = have ? 1.0 : std::numeric_limits<double>::infinity();
      for (int i = 0; i < have; ++i) product *= best[i];
      node_key_[n] = product;
      node_count_[n] = count;
    }
    keep_smallest(node_key_.data(), nodes, node_limit_, kept_node_.data());
    for (int n = 0; n < nodes; ++n) available += kept_node_[n] ? node_count_[n] : 0;
    return available;
  }

  // The top_k distinct allowed experts on the kept nodes; false when fewer.
  bool pick_top_k_on_kept_nodes() {
    const int k = shape_.top_k;
    const double* keys = keys_.data();
    const char* allowed = allowed_.data();
    const int* home = tables_.expert_node.data();
    int* chosen = chosen_.data();
    double* best = top_keys_.data();
    int have = 0;
    for (int n = 0; n < shape_.nodes(); ++n) {
      if (!kept_node_[n]) continue;
      for (const int e : tables_.node_experts[n]) {
        if (!allowed[e]) continue;
        const double key = keys[e];
        if (have == k && key >= best[k - 1]) continue;
        if (home[e] < 0 && std::find(chosen, chosen + have, e) != chosen + have) continue;
        int i = have < k ? have++ : k - 1;
        while (i > 0 && best[i - 1] > key) best[i] = best[i - 1], chosen[i] = chosen[i - 1], --i;
        best[i] = key;
        chosen[i] = e;
      }
    }
    return have == k;
  }

  // The top_k allowed experts with the smallest keys (distinct by construction).
  void pick_top_k() {
    const int k = shape_.top_k, experts = shape_.experts;
    const double* keys = keys_.data();
    const char* allowed = allowed_.data();
    int* chosen = chosen_.data();
    double* best = top_keys_.data();
    int have = 0;
    for (int e = 0; e < experts; ++e) {
      if (!allowed[e]) continue;
      const double key = keys[e];
      if (have == k && key >= best[k - 1]) continue;
      int i = have < k ? have++ : k - 1;
      while (i > 0 && best[i - 1] > key) best[i] = best[i - 1], chosen[i] = chosen[i - 1], --i;
      best[i] = key;
      chosen[i] = e;
    }
    MOEPLAN_CHECK(have == k, "only {} allowed experts for top-{}", have, k);
  }

  // Round-robin over the expert's replicas on kept nodes (all replicas when
  // the token is not node-limited).
  int pick_replica(int e) {
    const auto& slots = tables_.replicas[e];
    if (slots.size() == 1) return slots.front();
    int eligible = 0;
    for (const int slot : slots) eligible += !node_limited_ || kept_node_[tables_.slot_node[slot]];
    int nth = next_replica_[e]++ % eligible;
    for (const int slot : slots) {
      if (node_limited_ && !kept_node_[tables_.slot_node[slot]]) continue;
      if (nth-- == 0) return slot;
    }
    MOEPLAN_CHECK(false, "expert {} has no replica on a kept node", e);
    return -1;
  }

  const ExponentialZiggurat& exponential_ = exponential();
  const RoutingShape& shape_;
  const PlacementTables& tables_;
  const std::vector<double>& inverse_p_;
  int group_size_;
  bool group_limited_;
  int node_limit_;
  bool node_limited_;
  int node_top_;
  std::vector<double> keys_;
  std::vector<char> allowed_;
  std::vector<double> group_key_;
  std::vector<char> kept_group_;
  std::vector<double> node_best_;     // a node's smallest allowed keys, ascending
  std::vector<int> group_node_;       // [group] the one node holding all its replicas, or -1
  bool nested_;                       // the fast path applies (see pick_by_group_tops)
  std::vector<double> group_first_, group_second_, node_first_, node_second_;
  std::vector<int> node_count_;       // allowed experts per node
  std::vector<double> node_key_;
  std::vector<char> kept_node_;
  std::vector<int> order_;
  std::vector<int> chosen_;
  std::vector<double> top_keys_;
  std::vector<int> candidates_;
  std::vector<char> token_nodes_;
  std::vector<int> next_replica_;
};

// ---- scaling samples to the real token count ------------------------------

// counts * num / den rounded to integers summing to `target`: floors first,
// then +1 by largest remainder; ties go to the lowest index counted from
// `rotate` (so no slot is favoured for every source).
std::vector<long long> scale_largest_remainder(const std::vector<long long>& counts, long long num, long long den,
                                               long long target, int rotate) {
  const int n = static_cast<int>(counts.size());
  std::vector<long long> out(n), remainder(n);
  long long total = 0;
  for (int i = 0; i < n; ++i) {
    out[i] = counts[i] * num / den;
    remainder[i] = counts[i] * num % den;
    total += out[i];
  }
  long long missing = target - total;
  MOEPLAN_CHECK(missing >= 0 && missing <= n, "largest remainder: {} units to hand out over {} entries", missing, n);
  if (missing == 0) return out;
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto from_rotate = [&](int i) { return (i - rotate % n + n) % n; };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return remainder[a] > remainder[b] || (remainder[a] == remainder[b] && from_rotate(a) < from_rotate(b));
  });
  for (int i = 0; i < missing; ++i) ++out[order[i]];
  return out;
}

}  // namespace

long long LayerRouting::sent(int src) const {
  long long total = 0;
  for (int dst = 0; dst < ep; ++dst) total += copies_between(src, dst);
  return total;
}

long long LayerRouting::received(int dst) const {
  long long total = 0;
  for (int src = 0; src < ep; ++src) total += copies_between(src, dst);
  return total;
}

RoutingShape routing_shape(const config::ModelConfig& model, int ep, int gpus_per_node, long long tokens_per_gpu) {
  RoutingShape s;
  s.experts = model.routed_experts;
  s.top_k = model.experts_per_token;
  s.expert_groups = model.expert_groups;
  s.groups_per_token = model.groups_per_token;
  s.ep = ep;
  s.gpus_per_node = gpus_per_node;
  s.tokens_per_gpu = tokens_per_gpu;
  return s;
}

std::vector<double> expert_probabilities(const RoutingSpec& spec, int experts, int layer, const LoadStats* measured) {
  if (experts < 1) throw std::invalid_argument(fmt::format("routing: {} experts; need at least 1", experts));
  std::vector<double> p(experts, 1.0 / experts);
  switch (spec.distribution) {
    case RoutingDistribution::uniform:
      break;
    case RoutingDistribution::zipf: {
      // The r-th expert of the layer's permutation gets mass 1 / (r + 1)^s.
      const auto perm = layer_permutation(spec.seed, layer, experts);
      double total = 0;
      for (int r = 0; r < experts; ++r) total += p[perm[r]] = std::pow(r + 1.0, -spec.zipf_s);
      for (auto& v : p) v /= total;
      break;
    }
    case RoutingDistribution::hot: {
      // hot_fraction of the mass on the first hot_experts of the permutation.
      const int hot = std::min(spec.hot_experts, experts);
      if (hot == experts) break;
      const auto perm = layer_permutation(spec.seed, layer, experts);
      for (int r = 0; r < experts; ++r)
        p[perm[r]] = r < hot ? spec.hot_fraction / hot : (1.0 - spec.hot_fraction) / (experts - hot);
      break;
    }
    case RoutingDistribution::measured: {
      if (!measured || measured->layers() == 0)
        throw std::invalid_argument("routing: distribution measured needs load statistics (routing.load_file)");
      if (measured->experts() != experts)
        throw std::invalid_argument(fmt::format("{}: has {} experts per row but the model routes over {}; use load "
                                                "statistics of this model",
                                                measured->file, measured->experts(), experts));
      const auto& row = measured->tokens[static_cast<std::size_t>(layer % measured->layers())];
      const double total = std::accumulate(row.begin(), row.end(), 0.0);
      if (total <= 0)
        throw std::invalid_argument(fmt::format("{}: row {} has no tokens; every layer row needs a positive count",
                                                measured->file, layer % measured->layers() + 1));
      for (int e = 0; e < experts; ++e) p[e] = row[e] / total;
      break;
    }
  }
  return p;
}

namespace {

// 1 / p per expert, p floored so that every expert keeps a finite key (an
// expert with no measured load is picked only when the group and node limits
// leave nothing else).
std::vector<double> inverse_probabilities(const RoutingSpec& spec, const RoutingShape& shape, int layer,
                                          const LoadStats* measured) {
  const auto p = expert_probabilities(spec, shape.experts, layer, measured);
  std::vector<double> inverse_p(shape.experts);
  for (int e = 0; e < shape.experts; ++e) inverse_p[e] = 1.0 / std::max(p[e], 1e-12 / shape.experts);
  return inverse_p;
}

// Every token's copy to a shared-expert replica (route_layer's header).
void add_shared_copies(const Placement& placement, LayerRouting& out) {
  const auto& shared = placement.shared_gpus;
  const long long n = static_cast<long long>(shared.size());
  if (n == 0) return;
  const long long tokens = out.tokens_per_gpu;
  std::vector<long long> to_node(static_cast<std::size_t>(out.nodes));
  for (int src = 0; src < out.ep; ++src) {
    std::fill(to_node.begin(), to_node.end(), 0);
    for (long long q = 0; q < n; ++q) {
      const long long share = tokens / n + (((q - src) % n + n) % n < tokens % n ? 1 : 0);
      const int dst = shared[static_cast<std::size_t>(q)];
      out.copies[static_cast<std::size_t>(src) * out.ep + dst] += share;
      out.shared_tokens[static_cast<std::size_t>(dst)] += share;
      to_node[static_cast<std::size_t>(out.node_of(dst))] += share;
    }
    for (int node = 0; node < out.nodes; ++node) {
      auto& distinct = out.node_tokens[static_cast<std::size_t>(src) * out.nodes + node];
      const double unseen = tokens > 0 ? 1.0 - static_cast<double>(distinct) / static_cast<double>(tokens) : 0.0;
      distinct += std::llround(static_cast<double>(to_node[static_cast<std::size_t>(node)]) * std::max(0.0, unseen));
    }
  }
}

SplitMix64 token_stream(const RoutingSpec& spec, int layer, int source) {
  return SplitMix64{stream_seed(spec.seed, kTokenStream, static_cast<std::uint64_t>(layer),
                                static_cast<std::uint64_t>(source))};
}

}  // namespace

std::vector<TokenRoute> sample_token_routes(const RoutingSpec& spec, const RoutingShape& shape,
                                            const Placement& placement, int layer, int source, int count,
                                            const LoadStats* measured) {
  check_inputs(spec, shape, placement);
  if (source < 0 || source >= shape.ep)
    throw std::invalid_argument(fmt::format("routing: source GPU {} is outside [0, {})", source, shape.ep));
  const auto inverse_p = inverse_probabilities(spec, shape, layer, measured);
  const auto tables = tables_of(placement, shape.nodes());
  TokenRouter router(shape, tables, inverse_p, spec.node_limit);
  router.start_source(source);
  auto rng = token_stream(spec, layer, source);
  std::vector<long long> slot_copies(placement.slots()), node_tokens(shape.nodes());
  std::vector<TokenRoute> out(std::max(count, 0));
  for (auto& token : out) router.route(rng, slot_copies, node_tokens, &token);
  return out;
}

ExpertChoice choose_experts_for_keys(const RoutingShape& shape, const Placement& placement, int node_limit,
                                     const std::vector<double>& keys) {
  RoutingSpec spec;
  spec.node_limit = node_limit;
  check_inputs(spec, shape, placement);
  if (static_cast<int>(keys.size()) != shape.experts)
    throw std::invalid_argument(fmt::format("routing: {} keys for {} experts", keys.size(), shape.experts));
  const auto tables = tables_of(placement, shape.nodes());
  const std::vector<double> inverse_p(static_cast<std::size_t>(shape.experts), 1.0);  // unused: the keys are given
  TokenRouter router(shape, tables, inverse_p, node_limit);
  ExpertChoice out;
  out.by_group_tops = router.choose([&](int e) { return keys[static_cast<std::size_t>(e)]; });
  out.experts = router.chosen();
  return out;
}

LayerRouting route_layer(const RoutingSpec& spec, const RoutingShape& shape, const Placement& placement, int layer,
                         const LoadStats* measured) {
  check_inputs(spec, shape, placement);
  const int ep = shape.ep, nodes = shape.nodes(), k = shape.top_k;
  const long long tokens = shape.tokens_per_gpu;
  const long long sampled = std::min<long long>(spec.sample_tokens, tokens);

  // Phase 1: the layer's expert probabilities and the placement as tables.
  const auto inverse_p = inverse_probabilities(spec, shape, layer, measured);
  const auto tables = tables_of(placement, nodes);

  LayerRouting out;
  out.ep = ep;
  out.nodes = nodes;
  out.gpus_per_node = shape.gpus_per_node;
  out.top_k = k;
  out.tokens_per_gpu = tokens;
  out.sampled_tokens_per_gpu = static_cast<int>(sampled);
  out.copies.assign(static_cast<std::size_t>(ep) * ep, 0);
  out.node_tokens.assign(static_cast<std::size_t>(ep) * nodes, 0);
  out.slot_tokens.assign(placement.slots(), 0);
  out.expert_tokens.assign(shape.experts, 0);
  out.shared_tokens.assign(static_cast<std::size_t>(ep), 0);
  if (sampled == 0) return out;

  // Phase 2, ep sources x `sampled` tokens: route each sampled token, then
  // scale the source's slot copies to tokens * k and its distinct node tokens
  // to the rounded scaled total.
  TokenRouter router(shape, tables, inverse_p, spec.node_limit);
  std::vector<long long> slot_copies(placement.slots()), node_tokens(nodes);
  for (int src = 0; src < ep; ++src) {
    auto rng = token_stream(spec, layer, src);
    std::fill(slot_copies.begin(), slot_copies.end(), 0);
    std::fill(node_tokens.begin(), node_tokens.end(), 0);
    router.start_source(src);
    for (long long t = 0; t < sampled; ++t) router.route(rng, slot_copies, node_tokens);

    const long long node_total = std::accumulate(node_tokens.begin(), node_tokens.end(), 0LL);
    const auto slots_scaled = scale_largest_remainder(slot_copies, tokens, sampled, tokens * k, src);
    const auto nodes_scaled =
        scale_largest_remainder(node_tokens, tokens, sampled, (node_total * tokens + sampled / 2) / sampled, src);
    for (int slot = 0; slot < placement.slots(); ++slot) {
      out.copies[static_cast<std::size_t>(src) * ep + placement.gpu_of_slot(slot)] += slots_scaled[slot];
      out.slot_tokens[slot] += slots_scaled[slot];
      out.expert_tokens[placement.phy2log[slot]] += slots_scaled[slot];
    }
    for (int n = 0; n < nodes; ++n) out.node_tokens[static_cast<std::size_t>(src) * nodes + n] = nodes_scaled[n];
  }
  add_shared_copies(placement, out);
  return out;
}

}  // namespace moeplan::moe
