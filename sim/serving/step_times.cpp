#include "sim/serving/step_times.h"

#include <chrono>

#include "sim/estimate/op_timer.h"
#include "sim/workload/serve_step.h"

namespace moeplan::serving {

StepTimes::StepTimes(const config::Scenario& sc, const plan::ValidatedPlan& vp, const cost::CostModel& cost)
    : sc_(sc), vp_(vp), cost_(cost) {}

double StepTimes::exact_seconds(const StepShape& shape) {
  if (auto it = memo_.find(shape); it != memo_.end()) return it->second;
  const auto t0 = std::chrono::steady_clock::now();
  const auto p = workload::build_serve_step(sc_, vp_, {.reduced = true, .shape = shape});
  estimate::OpTimer timer(p, sc_.topology.topology, cost_, sc_);
  const double s = timer.time(0, 0, static_cast<program::OpId>(p.ops.size())).span_s;
  wall_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return memo_[shape] = s;
}

std::pair<int, int> StepTimes::bracket(int v) {
  if (v <= 1) return {1, 1};
  int lo = 1;
  for (int p = 1;; p *= 2) {
    for (int g : {p, p + p / 2}) {  // p, 1.5 p
      if (g == v) return {v, v};
      if (g > v) return {lo, g};
      lo = g;
    }
  }
}

double StepTimes::seconds(const GpuBatch& b) {
  const auto [r0, r1] = bracket(b.requests);
  const auto [n0, n1] = bracket(b.new_tokens);
  const auto [c0, c1] = b.cached_tokens > 0 ? bracket(b.cached_tokens) : std::pair<int, int>{0, 0};
  auto weight = [](int v, int lo, int hi) { return hi == lo ? 0.0 : static_cast<double>(v - lo) / (hi - lo); };
  const double wr = weight(b.requests, r0, r1), wn = weight(b.new_tokens, n0, n1), wc = weight(b.cached_tokens, c0, c1);
  double s = 0;
  for (int i = 0; i < 8; ++i) {
    const double w = (i & 1 ? wr : 1 - wr) * (i & 2 ? wn : 1 - wn) * (i & 4 ? wc : 1 - wc);
    if (w == 0) continue;
    s += w * exact_seconds(make_step(sc_, i & 1 ? r1 : r0, i & 2 ? n1 : n0, i & 4 ? c1 : c0));
  }
  return s;
}

}  // namespace moeplan::serving
