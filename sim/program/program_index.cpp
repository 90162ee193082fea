#include "sim/program/program_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <unordered_map>

#include "sim/util/check.h"

namespace moeplan::program {
namespace {

std::string where(const Op& op) {
  return fmt::format("{} op {} (rank {}, {})", to_string(op.type), op.id, op.rank, to_string(op.part));
}

[[noreturn]] void reject(const std::string& message) { throw std::runtime_error(message); }

// (src rank, dst rank, tag) of a transfer, as one hashable key.
struct TransferKey {
  int src, dst, tag;
  bool operator==(const TransferKey&) const = default;
};
struct TransferKeyHash {
  std::size_t operator()(const TransferKey& k) const {
    const auto ranks = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.src)) << 32) |
                       static_cast<std::uint32_t>(k.dst);
    return std::hash<std::uint64_t>{}(ranks) ^ (std::hash<int>{}(k.tag) * 0x9e3779b97f4a7c15ULL);
  }
};

bool holds_ops(const Program& p, int rank) {
  return static_cast<std::size_t>(rank) < p.by_rank.size() && !p.by_rank[static_cast<std::size_t>(rank)].empty();
}

}  // namespace

ProgramIndex::ProgramIndex(const Program& p) {
  index_positions(p);   // every op once in its rank's order; ranks inside the world
  index_successors(p);  // deps reversed; deps refer to existing ops
  index_transfers(p);   // one send meets one receive per (src, dst, tag)
  index_instances(p);   // collective members by instance, in group member order
}

// ---- positions: walk each rank's order once; per stream by a counting pass ----------
void ProgramIndex::index_positions(const Program& p) {
  const auto n = p.ops.size();
  if (p.world_size < 0 || p.by_rank.size() > static_cast<std::size_t>(p.world_size))
    reject(fmt::format("the program orders ops of {} ranks in a world of {}", p.by_rank.size(), p.world_size));
  for (std::size_t i = 0; i < n; ++i) {
    const Op& op = p.ops[i];
    if (op.id != static_cast<OpId>(i)) reject(fmt::format("op at index {} has id {}", i, op.id));
    if (op.rank < 0 || op.rank >= p.world_size)
      reject(fmt::format("{}: rank {} is outside the world of {}", where(op), op.rank, p.world_size));
  }
  position_.assign(n, -1);
  stream_position_.assign(n, -1);
  const auto world = static_cast<std::size_t>(p.world_size);
  std::vector<std::size_t> count(world * kStreamCount, 0);
  for (std::size_t r = 0; r < p.by_rank.size(); ++r) {
    const auto& order = p.by_rank[r];
    for (std::size_t k = 0; k < order.size(); ++k) {
      const OpId id = order[k];
      if (id < 0 || static_cast<std::size_t>(id) >= n)
        reject(fmt::format("rank {}'s program order lists op {}, which does not exist ({} ops)", r, id, n));
      const Op& op = p.ops[static_cast<std::size_t>(id)];
      if (op.rank != static_cast<int>(r))
        reject(fmt::format("rank {}'s program order lists {}, an op of another rank", r, where(op)));
      if (position_[static_cast<std::size_t>(id)] >= 0)
        reject(fmt::format("rank {}'s program order lists {} twice (at {} and {})", r, where(op),
                           position_[static_cast<std::size_t>(id)], k));
      position_[static_cast<std::size_t>(id)] = static_cast<int>(k);
      auto& on_stream = count[r * kStreamCount + static_cast<std::size_t>(op.stream)];
      stream_position_[static_cast<std::size_t>(id)] = static_cast<int>(on_stream++);
    }
  }
  for (const Op& op : p.ops)
    if (position_[static_cast<std::size_t>(op.id)] < 0)
      reject(fmt::format("{} is missing from its rank's program order", where(op)));
  stream_begin_.assign(world * kStreamCount + 1, 0);
  for (std::size_t s = 0; s < count.size(); ++s) stream_begin_[s + 1] = stream_begin_[s] + count[s];
  stream_ops_.assign(n, -1);
  for (const Op& op : p.ops)
    stream_ops_[stream_begin_[static_cast<std::size_t>(op.rank) * kStreamCount + static_cast<std::size_t>(op.stream)] +
                static_cast<std::size_t>(stream_position_[static_cast<std::size_t>(op.id)])] = op.id;
}

// ---- successors: count each op's dependents, then fill by ascending dependent id ----
void ProgramIndex::index_successors(const Program& p) {
  const auto n = p.ops.size();
  successor_begin_.assign(n + 1, 0);
  for (const Op& op : p.ops)
    for (const OpId d : op.deps) {
      if (d < 0 || static_cast<std::size_t>(d) >= n || d == op.id)
        reject(fmt::format("{} depends on op {}, which {}", where(op), d,
                           d == op.id ? "is itself" : fmt::format("does not exist ({} ops)", n)));
      ++successor_begin_[static_cast<std::size_t>(d) + 1];
    }
  for (std::size_t i = 0; i < n; ++i) successor_begin_[i + 1] += successor_begin_[i];
  successor_ops_.assign(successor_begin_[n], -1);
  auto next = successor_begin_;
  for (const Op& op : p.ops)
    for (const OpId d : op.deps) successor_ops_[next[static_cast<std::size_t>(d)]++] = op.id;
}

// ---- transfers: sends by key, then each receive finds its send --------------------
void ProgramIndex::index_transfers(const Program& p) {
  partner_.assign(p.ops.size(), -1);
  std::unordered_map<TransferKey, OpId, TransferKeyHash> send_of, recv_of;
  for (const Op& op : p.ops) {
    if (op.type != OpType::Send && op.type != OpType::Recv) continue;
    if (op.peer < 0 || op.peer >= p.world_size)
      reject(fmt::format("{}: peer {} is outside the world of {}", where(op), op.peer, p.world_size));
    const bool send = op.type == OpType::Send;
    const TransferKey key = send ? TransferKey{op.rank, op.peer, op.tag} : TransferKey{op.peer, op.rank, op.tag};
    const auto [it, added] = (send ? send_of : recv_of).try_emplace(key, op.id);
    if (!added)
      reject(fmt::format("{}: a second {} {}->{} with tag {} (the first is op {}); each transfer needs its own tag",
                         where(op), send ? "send" : "receive", key.src, key.dst, key.tag, it->second));
  }
  for (const Op& op : p.ops) {
    if (op.type != OpType::Recv) continue;
    const auto it = send_of.find({op.peer, op.rank, op.tag});
    if (it != send_of.end()) {
      partner_[static_cast<std::size_t>(op.id)] = it->second;
      partner_[static_cast<std::size_t>(it->second)] = op.id;
    } else if (holds_ops(p, op.peer)) {
      reject(fmt::format("{}: receive from rank {} with tag {} has no matching send", where(op), op.peer, op.tag));
    }
  }
  for (const Op& op : p.ops)
    if (op.type == OpType::Send && partner_[static_cast<std::size_t>(op.id)] < 0 && holds_ops(p, op.peer))
      reject(fmt::format("{}: send has no matching receive (rank {} posts none with tag {})", where(op), op.peer,
                         op.tag));
}

// ---- instances: ids sorted; each member in the slot of its rank in the group -------
void ProgramIndex::index_instances(const Program& p) {
  member_index_.assign(p.ops.size(), -1);
  for (const Op& op : p.ops) {
    if (op.type != OpType::Collective) continue;
    if (op.group < 0 || static_cast<std::size_t>(op.group) >= p.groups.size())
      reject(fmt::format("collective op {}: group {} is outside the program's {} groups", op.id, op.group,
                         p.groups.size()));
    const auto& ranks = p.groups[static_cast<std::size_t>(op.group)].ranks;
    const auto me = std::find(ranks.begin(), ranks.end(), op.rank);
    if (me == ranks.end())
      reject(fmt::format("collective op {}: its rank {} is not a member of group {}", op.id, op.rank, op.group));
    if (op.instance < 0) reject(fmt::format("collective op {} has no instance ({})", op.id, op.instance));
    member_index_[static_cast<std::size_t>(op.id)] = static_cast<int>(me - ranks.begin());
    instance_ids_.push_back(op.instance);
  }
  std::sort(instance_ids_.begin(), instance_ids_.end());
  instance_ids_.erase(std::unique(instance_ids_.begin(), instance_ids_.end()), instance_ids_.end());
  const auto count = instance_ids_.size();
  instance_group_.assign(count, -1);
  instance_held_.assign(count, 0);
  instance_first_.assign(count, -1);
  for (const Op& op : p.ops) {  // ascending id: the first member seen sets the group
    if (op.type != OpType::Collective) continue;
    const auto k = ordinal(op.instance);
    if (instance_first_[k] < 0) {
      instance_first_[k] = op.id;
      instance_group_[k] = op.group;
    }
    const Op& first = p.ops[static_cast<std::size_t>(instance_first_[k])];
    if (op.group != first.group)
      reject(fmt::format("collective instance {} spans groups {} (op {}) and {} (op {})", op.instance, first.group,
                         first.id, op.group, op.id));
    if (op.collective != first.collective)
      reject(fmt::format("collective instance {}: op {} is {} but op {} is {}", op.instance, first.id,
                         to_string(first.collective), op.id, to_string(op.collective)));
  }
  member_begin_.assign(count + 1, 0);
  for (std::size_t k = 0; k < count; ++k)
    member_begin_[k + 1] = member_begin_[k] + p.groups[static_cast<std::size_t>(instance_group_[k])].ranks.size();
  member_ops_.assign(member_begin_[count], -1);
  for (const Op& op : p.ops) {
    if (op.type != OpType::Collective) continue;
    const auto k = ordinal(op.instance);
    auto& slot = member_ops_[member_begin_[k] + static_cast<std::size_t>(member_index_[static_cast<std::size_t>(op.id)])];
    if (slot >= 0)
      reject(fmt::format("collective instance {}: rank {} holds two members, ops {} and {}", op.instance, op.rank,
                         slot, op.id));
    slot = op.id;
    ++instance_held_[k];
  }
}

bool ProgramIndex::has_instance(int instance) const {
  return std::binary_search(instance_ids_.begin(), instance_ids_.end(), instance);
}

std::span<const OpId> ProgramIndex::members(int instance) const {
  const auto k = ordinal(instance);
  return {member_ops_.data() + member_begin_[k], member_begin_[k + 1] - member_begin_[k]};
}

bool ProgramIndex::complete(int instance) const {
  const auto k = ordinal(instance);
  return static_cast<std::size_t>(instance_held_[k]) == member_begin_[k + 1] - member_begin_[k];
}

std::span<const OpId> ProgramIndex::successors(OpId id) const {
  const auto i = at(id);
  return {successor_ops_.data() + successor_begin_[i], successor_begin_[i + 1] - successor_begin_[i]};
}

std::span<const OpId> ProgramIndex::stream_ops(int rank, Stream s) const {
  MOEPLAN_CHECK(rank >= 0 && static_cast<std::size_t>(rank) * kStreamCount < stream_begin_.size(),
                "rank {} outside the indexed world", rank);
  const auto k = static_cast<std::size_t>(rank) * kStreamCount + static_cast<std::size_t>(s);
  return {stream_ops_.data() + stream_begin_[k], stream_begin_[k + 1] - stream_begin_[k]};
}

Traffic ProgramIndex::all_to_all_traffic(const Program& p, int instance) const {
  const Op& first = p.op(first_member(instance));
  MOEPLAN_CHECK(first.collective == CollectiveKind::AllToAll, "instance {} is {}, not an all-to-all", instance,
                to_string(first.collective));
  std::vector<OpId> held;
  for (const OpId o : members(instance))
    if (o >= 0) held.push_back(o);
  std::sort(held.begin(), held.end());  // the lowest id (the first member) leads
  return program::all_to_all_traffic(p, first.group, held);
}

std::size_t ProgramIndex::at(OpId id) const {
  MOEPLAN_CHECK(id >= 0 && static_cast<std::size_t>(id) < position_.size(), "op {} outside the index of {} ops", id,
                position_.size());
  return static_cast<std::size_t>(id);
}

std::size_t ProgramIndex::ordinal(int instance) const {
  const auto it = std::lower_bound(instance_ids_.begin(), instance_ids_.end(), instance);
  MOEPLAN_CHECK(it != instance_ids_.end() && *it == instance, "collective instance {} is not in the program",
                instance);
  return static_cast<std::size_t>(it - instance_ids_.begin());
}

}  // namespace moeplan::program
