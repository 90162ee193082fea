// How tokens choose experts in a scenario: the `routing:` section.
//
//   routing: {distribution: zipf, zipf_s: 1.2, node_limit: 4, seed: 7}
//
// distribution   uniform | zipf | hot | measured
// zipf_s         Zipf exponent s (zipf): the r-th hottest expert gets mass
//                proportional to 1 / (r + 1)^s
// hot_fraction   share f of the routing mass on the hot experts (hot)
// hot_experts    number h of hot experts (hot)
// load_file      per-layer, per-expert token counts (measured); JSON or CSV,
//                resolved against the scenario's folder
// node_limit     M: each token reaches at most M nodes (0: unlimited)
// seed           seed of every random draw (routing is deterministic for it)
// sample_tokens  tokens sampled per source GPU; counts are scaled to the real
//                token count (more samples: less noise, more time)
#pragma once

#include <cstdint>
#include <string>

#include "sim/config/yaml_reader.h"

namespace moeplan::config {

enum class RoutingDistribution { uniform, zipf, hot, measured };

struct RoutingSpec {
  RoutingDistribution distribution = RoutingDistribution::uniform;
  double zipf_s = 1.0;
  double hot_fraction = 0.5;
  int hot_experts = 8;
  std::string load_file;  // path, already resolved against the scenario file
  int node_limit = 0;     // M; 0 = unlimited
  std::uint64_t seed = 1;
  int sample_tokens = 256;
  bool operator==(const RoutingSpec&) const = default;
};

const char* to_string(RoutingDistribution d);

// Reads a `routing:` mapping; every problem goes to r's diagnostics with the
// file, line and field. Calls r.finish() (unknown keys are reported).
RoutingSpec read_routing(YamlReader& r);

}  // namespace moeplan::config
