// The auto-planner: the legal layouts of a scenario's model on its cluster,
// ranked by the analytical tier, the best re-simulated with SimGrid.
//
// Enumerated: PP (powers of two up to the layers), DP = GPUs / PP, EP (powers
// of two dividing DP and the experts), every schedule (interleaved with 2
// chunks), micro-batch size 1 or 2, communication SMs {16, 20, 24}, node
// limit {2, 4, unlimited}, ZeRO stage {0, 1}. The layer split per PP gives
// each stage ceil(L / stages) layers and takes what is over from the last
// and first stages in turn (they also hold the head and the embedding):
// 61 layers over 16 stages gives DeepSeek's published [3, 4 x 14, 2].
// Layouts that do not validate are dropped and counted by reason.
#pragma once

#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/sweep/evaluate.h"

namespace moeplan::sweep {

enum class Objective { Throughput, Cost, Memory };
Objective parse_objective(const std::string& name);  // throughput | cost | memory

struct Candidate {
  config::Scenario scenario;
  std::string label;  // "PP16 DP128 EP64 dualpipe mb1 sms20 M4 zero1"
  std::map<std::string, double> analytic, des;  // metrics (results.h columns); des only for the re-simulated
  bool pareto = false;                          // on the frontier of throughput per GPU and memory headroom
};

struct SearchOptions {
  Objective objective = Objective::Throughput;
  std::size_t des_top = 3;  // re-simulated with SimGrid (0: none)
  int jobs = 1;
  EvaluateOptions evaluate;
  std::function<void(const std::string& phase, std::size_t done, std::size_t total)> progress;
  std::stop_token stop = {};
};

struct SearchResult {
  std::size_t enumerated = 0;
  std::map<std::string, std::size_t> dropped;  // reason -> layouts
  std::vector<Candidate> ranked;               // legal layouts, best first (DES order among the re-simulated)
  long base_rank = -1;                         // where the base scenario's own layout ranks (0-based), -1: not enumerated
};

// Layers per stage: each ceil(L / stages), the excess taken from the last and first stages in turn.
std::vector<int> balanced_layers(int layers, int stages);

SearchResult search_layouts(const config::Scenario& base, const SearchOptions& opt);

}  // namespace moeplan::sweep
