// Reads a topology file (YAML) and builds the graph with the named generator.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "sim/topology/generators.h"
#include "sim/util/diagnostics.h"

namespace moeplan::config {

struct TopologyFile {
  std::string path;            // the topology file, or the scenario that holds it inline
  bool inline_mapping = false;  // given as a mapping inside the scenario (`topology: {generator: ...}`)
  std::string generator;  // nvswitch_node | fat_tree | multi_plane_fat_tree
  topology::ClusterSpec spec;
  topology::Topology topology;
};

// The most GPUs a topology file may describe: 131,072 (64 x DeepSeek-V3's
// 2,048-GPU cluster); nodes x gpus_per_node is checked before the graph is built.
inline constexpr long long kMaxTopologyGpus = 1LL << 17;

// Collects every problem into `diag`; the topology is built only if none.
TopologyFile load_topology(const std::string& path, Diagnostics& diag);
// The same from a mapping in `file`; `field` prefixes its fields in messages
// ("topology" for one inline in a scenario; empty for a topology file).
TopologyFile read_topology(const YAML::Node& node, const std::string& file, const std::string& field,
                           Diagnostics& diag);

}  // namespace moeplan::config
