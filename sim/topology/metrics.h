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
  bool diameter_exact = true;     // false: measured from the first and last nodes' GPUs (see diameter)
};

// Per-GPU figures are those of GPU 0 (generators build homogeneous clusters).
TopologyMetrics compute_metrics(const Topology& t);

// Maximum flow (bytes/s, one direction) from GPUs [0, n/2) to GPUs [n/2, n),
// every link carrying its bandwidth in each direction independently.
double bisection_bandwidth(const Topology& t);

// Longest shortest path between two GPUs. Every pair (quadratic: 16,384 GPUs
// took 97 s) up to `exact_up_to_gpus`; above, from the GPUs of the first and
// the last node to every GPU, which for the bundled generators (every node
// built alike) is the same figure.
inline constexpr int kExactDiameterGpus = 4096;
int diameter(const Topology& t, int exact_up_to_gpus = kExactDiameterGpus);

}  // namespace moeplan::topology
