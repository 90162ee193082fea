#include "sim/program/program.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>

#include "sim/program/program_index.h"
#include "sim/util/check.h"

namespace moeplan::program {
namespace {

template <typename E, std::size_t N>
E parse_enum(std::string_view s, const std::array<std::string_view, N>& names, const char* what) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  throw std::invalid_argument(std::string("unknown ") + what + " \"" + std::string(s) + "\"");
}

constexpr std::array<std::string_view, 4> kOpTypes{"compute", "send", "recv", "collective"};
constexpr std::array<std::string_view, 4> kPasses{"F", "Bi", "W", "none"};
constexpr std::array<std::string_view, kStreamCount> kStreams{"compute", "comm", "compute_b", "comm_b"};
constexpr std::array<std::string_view, 4> kCollectives{"all_to_all", "all_reduce", "reduce_scatter",
                                                       "all_gather"};
constexpr std::array<std::string_view, 18> kParts{
    "embedding", "attention",    "attention_core", "dense_ffn", "gating",   "routed_experts",
    "shared_expert", "head",     "loss",           "optimizer", "pp_activation", "pp_gradient",
    "dispatch",  "combine",      "grad_sync",      "param_sync", "sp_gather", "sp_scatter"};

}  // namespace

std::string_view to_string(OpType t) { return kOpTypes[static_cast<std::size_t>(t)]; }
std::string_view to_string(Pass p) { return kPasses[static_cast<std::size_t>(p)]; }
std::string_view to_string(Stream s) { return kStreams[static_cast<std::size_t>(s)]; }
std::string_view to_string(CollectiveKind k) { return kCollectives[static_cast<std::size_t>(k)]; }
std::string_view to_string(Part p) { return kParts[static_cast<std::size_t>(p)]; }
std::string_view to_string(AllToAllAlgorithm a) {
  switch (a) {
    case AllToAllAlgorithm::Pairwise: return "pairwise";
    case AllToAllAlgorithm::Hierarchical: return "hierarchical";
    case AllToAllAlgorithm::LowLatency: return "low_latency";
  }
  return "pairwise";
}
AllToAllAlgorithm parse_all_to_all(std::string_view s) {
  if (s == "pairwise") return AllToAllAlgorithm::Pairwise;
  if (s == "hierarchical") return AllToAllAlgorithm::Hierarchical;
  if (s == "low_latency") return AllToAllAlgorithm::LowLatency;
  throw std::invalid_argument("unknown all-to-all algorithm \"" + std::string(s) + "\" (pairwise, hierarchical, low_latency)");
}

OpType parse_op_type(std::string_view s) { return parse_enum<OpType>(s, kOpTypes, "op type"); }
Pass parse_pass(std::string_view s) { return parse_enum<Pass>(s, kPasses, "pass"); }
Stream parse_stream(std::string_view s) { return parse_enum<Stream>(s, kStreams, "stream"); }
CollectiveKind parse_collective(std::string_view s) {
  return parse_enum<CollectiveKind>(s, kCollectives, "collective");
}
Part parse_part(std::string_view s) { return parse_enum<Part>(s, kParts, "part"); }

Op& Program::add(Op op) {
  MOEPLAN_CHECK(op.rank >= 0 && op.rank < world_size, "rank {} outside world of {}", op.rank, world_size);
  MOEPLAN_CHECK(ops.size() < static_cast<std::size_t>(INT32_MAX), "too many ops ({})", ops.size());
  op.id = static_cast<OpId>(ops.size());
  if (by_rank.size() != static_cast<std::size_t>(world_size)) by_rank.resize(static_cast<std::size_t>(world_size));
  by_rank[static_cast<std::size_t>(op.rank)].push_back(op.id);
  ops.push_back(std::move(op));
  return ops.back();
}

std::vector<int> Program::present_ranks() const {
  std::vector<int> r;
  for (std::size_t i = 0; i < by_rank.size(); ++i)
    if (!by_rank[i].empty()) r.push_back(static_cast<int>(i));
  return r;
}

std::vector<double> member_send_row(const Program& p, const Op& op, int member) {
  if (op.traffic < 0) return {};
  const auto& t = p.traffic.at(static_cast<std::size_t>(op.traffic));
  const auto i = static_cast<std::size_t>(member);
  if (!t.reverse) return t.gpu_bytes.at(i);
  std::vector<double> row;
  row.reserve(t.gpu_bytes.size());
  for (const auto& from : t.gpu_bytes) row.push_back(from.at(i));
  return row;
}

Traffic all_to_all_traffic(const Program& p, int group, const std::vector<OpId>& held_ops) {
  const auto& first = p.op(held_ops.front());
  if (first.traffic >= 0) return p.traffic.at(static_cast<std::size_t>(first.traffic));
  const auto& members = p.groups.at(static_cast<std::size_t>(group)).ranks;
  const int n = static_cast<int>(members.size());
  auto index_of = [&](int rank) { return static_cast<int>(std::find(members.begin(), members.end(), rank) - members.begin()); };
  Traffic t;
  t.gpu_bytes.assign(static_cast<std::size_t>(n), {});
  for (auto id : held_ops) t.gpu_bytes[static_cast<std::size_t>(index_of(p.op(id).rank))] = p.op(id).send_bytes;
  const int h = index_of(first.rank);
  for (int i = 0; i < n; ++i) {
    auto& row = t.gpu_bytes[static_cast<std::size_t>(i)];
    if (!row.empty()) continue;
    row.resize(static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j)
      row[static_cast<std::size_t>(j)] = first.send_bytes[static_cast<std::size_t>(((j - i + h) % n + n) % n)];
  }
  return t;
}

std::vector<double> send_row(const Program& p, const Op& op) {
  if (op.traffic < 0) return op.send_bytes;
  const auto& ranks = p.groups.at(static_cast<std::size_t>(op.group)).ranks;
  const auto i = std::find(ranks.begin(), ranks.end(), op.rank) - ranks.begin();
  MOEPLAN_CHECK(i < static_cast<std::ptrdiff_t>(ranks.size()), "op {}: rank {} is not in its group {}", op.id, op.rank,
                op.group);
  return member_send_row(p, op, static_cast<int>(i));
}

void check_program(const Program& p) {
  const auto op_count = static_cast<OpId>(p.ops.size());
  MOEPLAN_CHECK(p.ops.empty() || p.by_rank.size() == static_cast<std::size_t>(p.world_size),
                "by_rank has {} ranks, world_size is {}", p.by_rank.size(), p.world_size);
  struct Instance {
    OpId first = -1;  // its first member op
    std::size_t members = 0;
    std::map<int, OpId> op_of_rank;
  };
  std::map<int, Instance> instances;
  for (std::size_t i = 0; i < p.ops.size(); ++i) {
    const auto& op = p.ops[i];
    MOEPLAN_CHECK(op.id == static_cast<OpId>(i), "op at index {} has id {}", i, op.id);
    MOEPLAN_CHECK(op.rank >= 0 && op.rank < p.world_size, "op {}: rank {} is outside the world of {}", op.id, op.rank,
                  p.world_size);
    // Deps point back: op ids are handed out in creation order, so a cycle is impossible.
    for (auto d : op.deps) {
      MOEPLAN_CHECK(d >= 0 && d < op_count, "op {} depends on op {}, which does not exist ({} ops)", op.id, d,
                    op_count);
      MOEPLAN_CHECK(d < op.id, "op {} depends on op {}, which is not created before it (a dependency cycle or a "
                    "forward reference)", op.id, d);
    }
    if (op.type == OpType::Send || op.type == OpType::Recv) {
      MOEPLAN_CHECK(op.peer >= 0 && op.peer < p.world_size, "{} op {}: peer {} is outside the world of {}",
                    to_string(op.type), op.id, op.peer, p.world_size);
    }
    if (op.type == OpType::Collective) {
      MOEPLAN_CHECK(op.group >= 0 && op.group < static_cast<int>(p.groups.size()),
                    "collective op {}: group {} is outside the program's {} groups", op.id, op.group, p.groups.size());
      const auto& ranks = p.groups[static_cast<std::size_t>(op.group)].ranks;
      MOEPLAN_CHECK(std::find(ranks.begin(), ranks.end(), op.rank) != ranks.end(),
                    "collective op {}: its rank {} is not a member of group {}", op.id, op.rank, op.group);
      MOEPLAN_CHECK(op.instance >= 0, "collective op {} has no instance ({})", op.id, op.instance);
      auto& inst = instances[op.instance];
      if (inst.first < 0) inst.first = op.id;
      const auto& first = p.ops[static_cast<std::size_t>(inst.first)];
      MOEPLAN_CHECK(first.group == op.group, "collective instance {} spans groups {} (op {}) and {} (op {})",
                    op.instance, first.group, first.id, op.group, op.id);
      MOEPLAN_CHECK(first.collective == op.collective, "collective instance {}: op {} is {} but op {} is {}",
                    op.instance, first.id, to_string(first.collective), op.id, to_string(op.collective));
      const auto [same_rank, inserted] = inst.op_of_rank.try_emplace(op.rank, op.id);
      MOEPLAN_CHECK(inserted, "collective instance {}: rank {} holds two members, ops {} and {}", op.instance, op.rank,
                    same_rank->second, op.id);
      ++inst.members;
      if (op.collective == CollectiveKind::AllToAll) {
        MOEPLAN_CHECK(op.send_bytes.size() == ranks.size() || (op.traffic >= 0 && op.send_bytes.empty()),
                      "all-to-all op {} has {} send sizes for a group of {}", op.id, op.send_bytes.size(),
                      ranks.size());
        MOEPLAN_CHECK(op.traffic >= -1 && op.traffic < static_cast<int>(p.traffic.size()),
                      "all-to-all op {}: traffic {} is outside the program's {} traffic matrices", op.id, op.traffic,
                      p.traffic.size());
        if (op.traffic >= 0)
          MOEPLAN_CHECK(p.traffic[static_cast<std::size_t>(op.traffic)].gpu_bytes.size() == ranks.size(),
                        "all-to-all op {}: traffic {} does not match its group's size", op.id, op.traffic);
        MOEPLAN_CHECK(op.lead >= -1 && op.lead < static_cast<int>(p.leads.size()),
                      "all-to-all op {}: lead {} is outside the program's {} leads", op.id, op.lead, p.leads.size());
        if (op.lead >= 0) {
          const auto& lead = p.leads[static_cast<std::size_t>(op.lead)];
          MOEPLAN_CHECK(lead.flops.size() == ranks.size() && lead.bytes.size() == ranks.size(),
                        "all-to-all op {}: lead {} has {} FLOPs and {} bytes entries for a group of {}", op.id,
                        op.lead, lead.flops.size(), lead.bytes.size(), ranks.size());
        }
      }
    }
  }
  // Pairing and instance grouping: the program's index (a user error there,
  // in a program moeplan built, is a broken invariant here).
  const auto index = [&] {
    try {
      return ProgramIndex(p);
    } catch (const std::runtime_error& e) {
      throw InvariantError(fmt::format("internal error: the program's index rejects it: {}", e.what()));
    }
  }();
  if (!p.reduced && !p.partial)
    for (const int inst : index.instances())
      MOEPLAN_CHECK(index.complete(inst), "collective instance {} (op {}) has {} members, group {} has {}", inst,
                    index.first_member(inst), index.held_members(inst), index.group_of(inst),
                    index.members(inst).size());
}

}  // namespace moeplan::program
