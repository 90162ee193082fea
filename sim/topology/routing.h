// Routes between GPUs: shortest paths in hops (Boost BFS), with deterministic
// ECMP among equal-cost next hops (parallel links included): the choice at
// each hop is a fixed hash of (source, destination, hop), so the same pair
// always takes the same path and different pairs spread over the fabric.
#pragma once

#include <unordered_map>
#include <vector>

#include "sim/topology/topology.h"

namespace moeplan::topology {

struct Hop {
  int link = -1;        // link id
  bool forward = true;  // traversed from the edge's source to its target
};
using Path = std::vector<Hop>;

class Router {
 public:
  explicit Router(const Topology& t) : t_(t) {}

  Path route(int src_gpu, int dst_gpu);
  int hops(int src_gpu, int dst_gpu);
  double path_bandwidth(const Path& p) const;  // min link bandwidth along the path
  double path_latency(const Path& p) const;    // sum of link latencies

 private:
  const std::vector<int>& distances_from(VertexId v);
  const Topology& t_;
  std::unordered_map<VertexId, std::vector<int>> dist_;
};

}  // namespace moeplan::topology
