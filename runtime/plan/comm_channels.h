// The communicators a program needs, derived from its ops, identically on every
// rank (each rank reads the same program, so all create them in the same order).
//
// NCCL matches the operations of one communicator by their order, not by tag,
// so every communicator carries one ordered stream of work:
//   collective channel = (group, program stream): the group's members run its
//       collectives of that stream in program order; members must agree on it.
//   p2p channel        = (src rank, dst rank, stream of the send): the sends in
//       src's program order; dst posts the matching receives in that same order
//       on a stream of their own (receives are eager in the program contract).
// A channel of one rank (an EP group of size 1) needs no NCCL: the executor
// runs its all-to-all as a local copy.
#pragma once

#include <string>
#include <vector>

#include "sim/program/program.h"
#include "sim/program/program_index.h"

namespace moeplan::runtime {

struct CommChannel {
  enum class Kind { Collective, PointToPoint } kind = Kind::Collective;
  std::vector<int> ranks;  // world ranks in communicator-rank order
  int group = -1;          // collective: index into Program::groups
  program::Stream stream = program::Stream::Comm;
  std::vector<program::OpId> ops_in_order;  // collective: rank 0's ops; p2p: the sends, src's program order
  std::vector<program::OpId> recvs_in_order;  // p2p: the receives matching ops_in_order
  std::string name() const;  // "ep group 0 / comm", "p2p 0->1 / comm"
  bool local() const { return ranks.size() == 1; }
  int comm_rank_of(int world_rank) const;  // -1 if not a member
};

struct CommPlan {
  program::ProgramIndex index;  // the program's pairs and instances, read by the runtime's other planners too
  std::vector<CommChannel> channels;
  std::vector<int> channel_of_op;  // by op id; -1 for compute ops
  // The world ranks grouped by the kind of the program's groups, plus "pp":
  // every rank pair that exchanges point-to-point traffic.
  std::vector<std::vector<int>> groups_of_kind(const program::Program& p, const std::string& kind) const;
};

// Throws std::runtime_error naming the ops when the program cannot run on NCCL:
// a reduced program, one its index rejects (program_index.h: unpaired or
// doubled transfers, collective members that disagree or sit outside their
// group), a transfer with a rank that holds no ops, or members of a group that
// order their collectives differently.
CommPlan plan_comm_channels(const program::Program& p);

}  // namespace moeplan::runtime
