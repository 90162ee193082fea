#include "sim/plan/layout.h"

#include "sim/util/check.h"

namespace moeplan::plan {

std::vector<int> Layout::ep_group(int r) const {
  const int s = pipe_rank_of(r), first = (pipeline_of(r) / ep) * ep;
  std::vector<int> g;
  for (int i = 0; i < ep; ++i) g.push_back(rank(s, first + i));
  return g;
}

std::vector<int> Layout::dp_group(int r) const {
  const int s = pipe_rank_of(r);
  std::vector<int> g;
  for (int i = pipeline_of(r) % tp; i < pipelines(); i += tp) g.push_back(rank(s, i));
  return g;
}

std::vector<int> Layout::edp_group(int r) const {
  const int s = pipe_rank_of(r), pos = pipeline_of(r) % ep;
  std::vector<int> g;
  for (int i = pos; i < pipelines(); i += ep) g.push_back(rank(s, i));
  return g;
}

std::vector<int> Layout::tp_group(int r) const {
  const int first = r / tp * tp;
  std::vector<int> g;
  for (int t = 0; t < tp; ++t) g.push_back(first + t);
  return g;
}

StageLayers assign_layers(const config::ModelConfig& m, int stages, const std::vector<int>& layers_per_stage) {
  MOEPLAN_CHECK(stages >= 1, "stages {}", stages);
  StageLayers out;
  out.layers.resize(static_cast<std::size_t>(stages));
  std::vector<int> counts = layers_per_stage;
  if (counts.empty()) {
    MOEPLAN_CHECK(m.layers % stages == 0, "{} layers over {} stages", m.layers, stages);
    counts.assign(static_cast<std::size_t>(stages), m.layers / stages);
  }
  MOEPLAN_CHECK(static_cast<int>(counts.size()) == stages, "{} counts for {} stages", counts.size(), stages);
  int next = 0;
  for (int s = 0; s < stages; ++s)
    for (int i = 0; i < counts[static_cast<std::size_t>(s)]; ++i) out.layers[static_cast<std::size_t>(s)].push_back(next++);
  MOEPLAN_CHECK(next == m.layers, "assigned {} of {} layers", next, m.layers);
  return out;
}

}  // namespace moeplan::plan
