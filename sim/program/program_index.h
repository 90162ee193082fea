// The structure of a program, derived once from its ops and read by every
// executor (the SimGrid engine, the runtime's channel, enqueue-order and
// buffer planners) instead of each deriving it again:
//
//   transfers    each send's receive and each receive's send: the two ops of
//                one (src rank, dst rank, tag);
//   instances    each collective instance's member ops, in the member order
//                of its group, with the members' group and kind checked alike;
//   successors   the ops that wait for an op (its deps, reversed);
//   positions    each op's index in its rank's program order and among its
//                rank's ops on the same stream, and those per-stream orders;
//   traffic      an all-to-all instance's whole-group matrix.
//
// The shape follows astra-sim's one dependency solver behind all of its
// network backends (workload/feeder_v3/dependancy_solver.h), without the run
// state: the index is immutable; an executor keeps its own unmet-dependency
// counts. It holds no reference to the program and can be copied with a plan.
//
// Built from a program read from a file, it is the first to see a broken one:
// it throws std::runtime_error naming the op ids (a receive with no send, two
// sends on one (src, dst, tag), an instance whose members disagree, an op that
// refers to a rank, op or group that does not exist). A transfer with a rank
// that holds no ops (reduced programs hold one pipeline) stays unpaired.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "sim/program/program.h"

namespace moeplan::program {

class ProgramIndex {
 public:
  ProgramIndex() = default;  // the index of a program without ops
  explicit ProgramIndex(const Program& p);

  // ---- transfers ----------------------------------------------------------------
  // The receive a send meets, or the send a receive meets; -1 for other ops
  // and where the peer rank holds no ops.
  OpId partner(OpId send_or_recv) const { return partner_[at(send_or_recv)]; }

  // ---- collective instances -------------------------------------------------------
  const std::vector<int>& instances() const { return instance_ids_; }  // ascending
  bool has_instance(int instance) const;
  int group_of(int instance) const { return instance_group_[ordinal(instance)]; }
  // One entry per member of the instance's group, in group member order: the
  // op of that member's rank, or -1 where the rank holds none (reduced programs).
  std::span<const OpId> members(int instance) const;
  int held_members(int instance) const { return instance_held_[ordinal(instance)]; }
  bool complete(int instance) const;  // every member of the group holds its op
  OpId first_member(int instance) const { return instance_first_[ordinal(instance)]; }  // lowest op id
  // A collective op's index in its group's member order; -1 for other ops.
  int member_index(OpId collective) const { return member_index_[at(collective)]; }

  // ---- dependencies ----------------------------------------------------------------
  // The ops that list `id` in their deps, by ascending id, once per listing.
  std::span<const OpId> successors(OpId id) const;

  // ---- positions -------------------------------------------------------------------
  int position(OpId id) const { return position_[at(id)]; }  // in its rank's program order
  int stream_position(OpId id) const { return stream_position_[at(id)]; }  // among its rank's ops on its stream
  // A rank's ops on one program stream (sends and receives included), in program order.
  std::span<const OpId> stream_ops(int rank, Stream s) const;

  // ---- traffic ---------------------------------------------------------------------
  // The traffic of an all-to-all instance: the program's whole-group matrix
  // when its first member names one, else the members' send_bytes rows; rows
  // of members that hold no op are the first member's row rotated so that each
  // plays its role (uniform routing: every member is alike).
  Traffic all_to_all_traffic(const Program& p, int instance) const;

 private:
  std::size_t at(OpId id) const;
  std::size_t ordinal(int instance) const;  // index into the per-instance vectors

  void index_positions(const Program& p);
  void index_successors(const Program& p);
  void index_transfers(const Program& p);
  void index_instances(const Program& p);

  std::vector<int> position_, stream_position_;
  std::vector<std::size_t> stream_begin_;  // (rank, stream) -> offset into stream_ops_
  std::vector<OpId> stream_ops_;
  std::vector<std::size_t> successor_begin_;  // op -> offset into successor_ops_
  std::vector<OpId> successor_ops_;
  std::vector<OpId> partner_;
  std::vector<int> instance_ids_, instance_group_, instance_held_;
  std::vector<OpId> instance_first_;
  std::vector<std::size_t> member_begin_;  // instance ordinal -> offset into member_ops_
  std::vector<OpId> member_ops_;
  std::vector<int> member_index_;
};

}  // namespace moeplan::program
