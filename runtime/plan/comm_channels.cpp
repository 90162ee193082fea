#include "runtime/plan/comm_channels.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

namespace moeplan::runtime {

using program::Op;
using program::OpId;
using program::OpType;

std::string CommChannel::name() const {
  if (kind == Kind::Collective) return fmt::format("group {} / {}", group, program::to_string(stream));
  return fmt::format("p2p {}->{} / {}", ranks[0], ranks[1], program::to_string(stream));
}

int CommChannel::comm_rank_of(int world_rank) const {
  const auto it = std::find(ranks.begin(), ranks.end(), world_rank);
  return it == ranks.end() ? -1 : static_cast<int>(it - ranks.begin());
}

std::vector<std::vector<int>> CommPlan::groups_of_kind(const program::Program& p, const std::string& kind) const {
  std::vector<std::vector<int>> out;
  if (kind == "pp") {
    for (const auto& c : channels)
      if (c.kind == CommChannel::Kind::PointToPoint) {
        auto pair = std::vector<int>{std::min(c.ranks[0], c.ranks[1]), std::max(c.ranks[0], c.ranks[1])};
        if (std::find(out.begin(), out.end(), pair) == out.end()) out.push_back(pair);
      }
    return out;
  }
  for (const auto& g : p.groups)
    if (g.kind == kind) out.push_back(g.ranks);
  return out;
}

namespace {

std::string where(const Op& op) { return fmt::format("op {} (rank {}, {})", op.id, op.rank, program::to_string(op.part)); }

}  // namespace

CommPlan plan_comm_channels(const program::Program& p) {
  if (p.reduced)
    throw std::runtime_error("the program is reduced (it holds one pipeline's ranks only); the runtime runs every "
                             "rank: export it with `moeplan plan` without --reduced");
  CommPlan plan{program::ProgramIndex(p), {}, std::vector<int>(p.ops.size(), -1)};
  const auto& index = plan.index;
  std::map<std::pair<int, program::Stream>, int> collective_channel;
  std::map<std::tuple<int, int, program::Stream>, int> p2p_channel;
  // A rank file (a partial program) holds one rank: a collective's order comes
  // from its first held member, and a receive whose sender is elsewhere opens
  // the (sender, receiver) channel from the receiving side.
  auto held = [&](int rank) { return !p.by_rank[static_cast<std::size_t>(rank)].empty(); };
  auto first_held = [&](const std::vector<int>& members) {
    for (int m : members)
      if (held(m)) return m;
    return members.front();
  };
  auto p2p_channel_of = [&](int src, int dst, program::Stream stream) {
    auto [it, added] = p2p_channel.try_emplace(std::make_tuple(src, dst, stream), static_cast<int>(plan.channels.size()));
    if (added) {
      CommChannel ch;
      ch.kind = CommChannel::Kind::PointToPoint;
      ch.ranks = {src, dst};
      ch.stream = stream;
      plan.channels.push_back(std::move(ch));
    }
    return it->second;
  };

  // Channels in the order of first use walking ranks, then each rank's program
  // order: the same on every rank.
  for (std::size_t r = 0; r < p.by_rank.size(); ++r)
    for (const OpId id : p.by_rank[r]) {
      const Op& op = p.op(id);
      if (op.type == OpType::Collective) {
        const auto& members = p.groups[static_cast<std::size_t>(op.group)].ranks;
        const auto key = std::make_pair(op.group, op.stream);
        auto [it, added] = collective_channel.try_emplace(key, static_cast<int>(plan.channels.size()));
        if (added) {
          CommChannel ch;
          ch.ranks = members;
          ch.group = op.group;
          ch.stream = op.stream;
          plan.channels.push_back(std::move(ch));
        }
        plan.channel_of_op[static_cast<std::size_t>(id)] = it->second;
        if (op.rank == first_held(members)) plan.channels[static_cast<std::size_t>(it->second)].ops_in_order.push_back(id);
      } else if (op.type == OpType::Send) {
        const int c = p2p_channel_of(op.rank, op.peer, op.stream);
        plan.channel_of_op[static_cast<std::size_t>(id)] = c;
        plan.channels[static_cast<std::size_t>(c)].ops_in_order.push_back(id);
      } else if (op.type == OpType::Recv && p.partial && !held(op.peer)) {
        const int c = p2p_channel_of(op.peer, op.rank, op.stream);
        plan.channel_of_op[static_cast<std::size_t>(id)] = c;
        plan.channels[static_cast<std::size_t>(c)].recvs_in_order.push_back(id);
      }
    }

  // Receives join the channel of their send, in the send's order. The index
  // leaves a transfer with a rank that holds no ops unpaired; NCCL cannot run it.
  for (auto& ch : plan.channels) {
    if (ch.kind != CommChannel::Kind::PointToPoint) continue;
    for (const OpId send : ch.ops_in_order) {
      const OpId recv = index.partner(send);
      if (recv < 0 && p.partial && !held(p.op(send).peer)) continue;  // the receiver is in another rank file
      if (recv < 0) throw std::runtime_error(fmt::format("{}: send has no matching receive", where(p.op(send))));
      ch.recvs_in_order.push_back(recv);
      plan.channel_of_op[static_cast<std::size_t>(recv)] = plan.channel_of_op[static_cast<std::size_t>(send)];
    }
  }
  for (const Op& op : p.ops)
    if (op.type == OpType::Recv && index.partner(op.id) < 0 && !(p.partial && !held(op.peer)))
      throw std::runtime_error(fmt::format("{}: receive from rank {} with tag {} has no matching send", where(op),
                                           op.peer, op.tag));

  // Every member must run a channel's collectives in the same order (NCCL matches by order).
  for (const auto& ch : plan.channels) {
    if (ch.kind != CommChannel::Kind::Collective) continue;
    std::vector<int> reference;
    for (const OpId id : ch.ops_in_order) reference.push_back(p.op(id).instance);
    for (const int member : ch.ranks) {
      if (!held(member)) continue;  // a rank file: the others are checked in their own files
      std::vector<int> order;  // the member's collectives of this group on this stream
      for (const OpId id : index.stream_ops(member, ch.stream)) {
        const Op& op = p.op(id);
        if (op.type == OpType::Collective && op.group == ch.group) order.push_back(op.instance);
      }
      if (order != reference)
        throw std::runtime_error(fmt::format("{}: rank {} runs its collectives in another order than rank {} "
                                             "({} vs {} instances); NCCL would deadlock",
                                             ch.name(), member, ch.ranks.front(), order.size(), reference.size()));
    }
  }
  return plan;
}

}  // namespace moeplan::runtime
