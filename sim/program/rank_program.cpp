#include "sim/program/rank_program.h"

#include <fmt/format.h>
#include <limits>
#include <map>
#include <stdexcept>

namespace moeplan::program {

namespace {

int group_kind_index(const std::string& kind) {
  static const char* kKinds[] = {"ep", "dp", "edp", "pp"};
  for (int i = 0; i < 4; ++i)
    if (kind == kKinds[i]) return i;
  return 4;
}

// Canonical number of a group: its kind, then its first rank.
long long group_key(const RankGroup& g, int world_size) {
  return static_cast<long long>(group_kind_index(g.kind)) * world_size + (g.ranks.empty() ? 0 : g.ranks.front());
}

// Index of `value` in `table`, appending it when new; `kept` maps old index -> new.
template <class T>
int keep(std::vector<T>& table, const std::vector<T>& from, int index, std::map<int, int>& kept) {
  if (index < 0) return index;
  auto [it, added] = kept.try_emplace(index, static_cast<int>(table.size()));
  if (added) table.push_back(from.at(static_cast<std::size_t>(index)));
  return it->second;
}

}  // namespace

Program rank_program(const Program& p, int rank) {
  if (rank < 0 || rank >= p.world_size || p.by_rank[static_cast<std::size_t>(rank)].empty())
    throw std::runtime_error(fmt::format("rank {} holds no ops in this program", rank));
  Program out;
  out.scenario = p.scenario;
  out.world_size = p.world_size;
  out.reduced = p.reduced;
  out.replicas = p.replicas;
  out.partial = true;
  out.comm_sms = p.comm_sms;
  out.all_to_all = p.all_to_all;
  out.rank_gpu = p.rank_gpu;
  out.by_rank.resize(p.by_rank.size());

  std::map<OpId, OpId> local;  // old id -> new id
  std::map<int, int> groups, traffic, leads;
  std::map<int, int> seq_on_group;  // old group -> collectives seen
  for (const OpId old_id : p.by_rank[static_cast<std::size_t>(rank)]) {
    Op op = p.op(old_id);
    for (auto& d : op.deps) {
      const auto it = local.find(d);
      if (it == local.end())
        throw std::runtime_error(fmt::format("op {} of rank {} depends on op {} of rank {}: a rank file cannot hold "
                                             "a dependency on another rank", old_id, rank, d, p.op(d).rank));
      d = it->second;
    }
    if (op.type == OpType::Collective) {
      const int seq = seq_on_group[op.group]++;
      if (seq >= kInstanceStride)
        throw std::runtime_error(fmt::format("rank {} runs more than {} collectives on group {}; a rank file cannot "
                                             "number them", rank, kInstanceStride, op.group));
      const auto key = group_key(p.groups.at(static_cast<std::size_t>(op.group)), p.world_size);
      const long long instance = key * kInstanceStride + seq;
      if (instance > std::numeric_limits<int>::max())
        throw std::runtime_error(fmt::format("{} ranks are too many to number collective instances of rank files",
                                             p.world_size));
      op.instance = static_cast<int>(instance);
      op.group = keep(out.groups, p.groups, op.group, groups);
      op.traffic = keep(out.traffic, p.traffic, op.traffic, traffic);
      op.lead = keep(out.leads, p.leads, op.lead, leads);
    }
    const OpId new_id = static_cast<OpId>(out.ops.size());
    local[old_id] = new_id;
    op.id = -1;
    out.add(std::move(op));
  }
  return out;
}

}  // namespace moeplan::program
