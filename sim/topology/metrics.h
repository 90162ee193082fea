// Summary figures of a topology: per-GPU bandwidths, bisection, diameter.
#pragma once

#include "sim/topology/topology.h"

namespace moeplan::topology {

struct TopologyMetrics {
  int gpus = 0, nodes = 0, nvswitches = 0, nics = 0, switches = 0, links = 0;
  double nvlink_Bps_per_gpu = 0;  // sum over the GPU's NVLink links, per direction
  double ib_Bps_per_gpu = 0;      // sum over the GPU's NICs' network links, per direction
  double bisection_Bps = 0;       // max flow, per direction, first half of GPUs -> second half
  int diameter_hops = 0;          // longest shortest path between two GPUs
};

// Per-GPU figures are those of GPU 0 (generators build homogeneous clusters).
TopologyMetrics compute_metrics(const Topology& t);

// Maximum flow (bytes/s, one direction) from GPUs [0, n/2) to GPUs [n/2, n),
// every link carrying its bandwidth in each direction independently.
double bisection_bandwidth(const Topology& t);

int diameter(const Topology& t);

}  // namespace moeplan::topology
