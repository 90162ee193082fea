// An all-to-all as a list of point-to-point flows between group members.
//
// Pairwise: member i sends gpu_bytes[i][j] straight to member j.
//
// Low-latency (DeepSeek's decode kernels, GPU-initiated RDMA with a receive
// hook; it holds no SMs, the plan's comm_sms 0): every token copy is its own
// RDMA write to its expert's GPU, no deduplication per node. A NIC reaches
// only its own plane on a multi-plane fat-tree (one isolated IB plane per
// rail), so a copy for a GPU of another rail crosses the owner's plane to the
// GPU of the owner's rail on the expert's node, and NVLink from there:
//     dispatch, owner i on node a, plane l; expert GPU j on node b:
//       i -> j             gpu_bytes[i][j]   j on node a, or j on plane l (direct)
//       i -> rail(b, l)    gpu_bytes[i][j]   otherwise (IB, one copy per j)
//       rail(b, l) -> j    gpu_bytes[i][j]   (NVLink forward)
//     combine: the same edges backwards, each copy returned on its own.
// The forward sits on the expert's node, as in the hierarchical plan, so the
// two differ only in the deduplication (node_bytes against gpu_bytes); on a
// single-plane fabric every copy goes direct, as pairwise.
//
// Hierarchical (DeepSeek-V3's dispatch/combine kernels): a token crosses IB at
// most once per destination node, to the GPU of the same rail there, which
// forwards it over NVLink to the GPUs holding its experts:
//     dispatch, owner i on node a, rail l:
//       i -> j             gpu_bytes[i][j]   for j on node a (NVLink)
//       i -> rail(b, l)    node_bytes[i][b]  for every other node b (IB, deduplicated)
//       rail(b, l) -> j    gpu_bytes[i][j]   for j on node b (NVLink forward)
//     combine (reverse): the same edges backwards; the rail GPU reduces the
//     partial outputs of its node before the single IB transfer.
// Forwarding is assumed pipelined in chunks, so IB and NVLink flows run at the
// same time. Flows between the same pair are merged (their sum finishes when
// the last of them would under fair sharing).
#pragma once

#include <vector>

#include "sim/program/program.h"
#include "sim/topology/topology.h"

namespace moeplan::comm {

struct MemberPlace {
  int node = 0;   // node ordinal inside the group, in order of first appearance
  int local = 0;  // rail: the GPU's index inside its node
  int plane = 0;  // network plane of its NIC: its rail on a multi-plane fat-tree, else 0
};

struct Flow {
  int src = 0, dst = 0;  // member indices
  double bytes = 0;
  bool operator==(const Flow&) const = default;
};

std::vector<Flow> all_to_all_flows(const program::Traffic& t, program::AllToAllAlgorithm algorithm,
                                   const std::vector<MemberPlace>& places);

// Where the members of `group` sit on the fabric of `t`.
std::vector<MemberPlace> member_places(const program::Program& p, const topology::Topology& t, int group);

// The flows of an all-to-all instance over `group` of which `member_ops` are
// held (lowest op id first), its traffic from program::all_to_all_traffic, with
// its members placed on the fabric of `t` under the program's all-to-all algorithm.
std::vector<Flow> instance_flows(const program::Program& p, const topology::Topology& t, int group,
                                 const std::vector<program::OpId>& member_ops);

}  // namespace moeplan::comm
