// The analytical cost of communication on a cluster, without a flow
// simulation: every GPU has four ports, NVLink out and in (to its NVSwitch)
// and network out and in (PCIe to its NIC, then the NIC's link, whichever is
// slower). A set of flows that start together finishes when the busiest port
// has moved its bytes:
//     seconds = max over ports (bytes through the port / port bandwidth) + path latency.
// The fat-tree above the NICs is taken as non-blocking (the generators build
// it with full bisection); ECMP collisions in the switches, which the SimGrid
// engine sees, are not modelled. Flow routing between ports:
//   same node                        src NVLink out -> dst NVLink in
//   other node, same plane           src network out -> dst network in
//   other node, other plane          src NVLink out -> the GPU of dst's rail on the
//     (multi-plane fat-tree)         source node (NVLink in, network out) -> dst network in
#pragma once

#include <vector>

#include "sim/comm/all_to_all_flows.h"
#include "sim/program/program.h"
#include "sim/topology/topology.h"

namespace moeplan::comm {

class PortModel {
 public:
  explicit PortModel(const topology::Topology& t);

  // `flows` between members placed on `member_gpus`, all posted at once.
  double flows_seconds(const std::vector<Flow>& flows, const std::vector<int>& member_gpus) const;
  // One point-to-point transfer.
  double transfer_seconds(int src_gpu, int dst_gpu, double bytes) const;
  // A ring collective of `bytes` per member over `gpus` in ring order.
  double ring_seconds(program::CollectiveKind kind, const std::vector<int>& gpus, double bytes) const;

  double nvlink_Bps() const { return nvlink_Bps_; }
  double network_Bps() const { return network_Bps_; }

 private:
  bool same_node(int a, int b) const { return t_.node_of_gpu(a) == t_.node_of_gpu(b); }
  const topology::Topology& t_;
  double nvlink_Bps_ = 0, network_Bps_ = 0;
  double intra_latency_s_ = 0, inter_latency_s_ = 0;
};

}  // namespace moeplan::comm
