// Reads a topology file (YAML) and builds the graph with the named generator.
#pragma once

#include <string>

#include "sim/topology/generators.h"
#include "sim/util/diagnostics.h"

namespace moeplan::config {

struct TopologyFile {
  std::string path;
  std::string generator;  // nvswitch_node | fat_tree | multi_plane_fat_tree
  topology::ClusterSpec spec;
  topology::Topology topology;
};

// The most GPUs a topology file may describe: 131,072 (64 x DeepSeek-V3's
// 2,048-GPU cluster); nodes x gpus_per_node is checked before the graph is built.
inline constexpr long long kMaxTopologyGpus = 1LL << 17;

// Collects every problem into `diag`; the topology is built only if none.
TopologyFile load_topology(const std::string& path, Diagnostics& diag);

}  // namespace moeplan::config
