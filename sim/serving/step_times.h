// Step times of one serving pool for any batch shape, for the request-level
// simulation: the pool's step program built for that shape (reduced: one
// rank, every rank alike) and timed by the analytical tier (estimate/
// op_timer.h: compute from the cost model, all-to-alls from the port model,
// overlap as the program's dependencies allow). SimGrid runs once per
// process, so the stream uses the analytical tier; `moeplan simulate` reports
// both for the scenario's nominal step.
//
// Memoised by shape on a grid: requests and cached tokens on
// {1, 2, 3, 4, 6, 8, 12, 16, ...} (powers of two and their halfway points),
// new tokens likewise; a shape between grid points is interpolated linearly
// in each coordinate from the step times of its corners.
#pragma once

#include <map>
#include <memory>
#include <tuple>

#include "sim/config/scenario.h"
#include "sim/cost/cost_model.h"
#include "sim/plan/validate.h"
#include "sim/serving/request_sim.h"
#include "sim/serving/step_shape.h"

namespace moeplan::serving {

class StepTimes {
 public:
  StepTimes(const config::Scenario& sc, const plan::ValidatedPlan& vp, const cost::CostModel& cost);

  // Seconds of one step of `shape` exactly (no interpolation), memoised.
  double exact_seconds(const StepShape& shape);
  // Seconds of the step of the busiest GPU's batch, interpolated on the grid.
  double seconds(const GpuBatch& batch);
  std::size_t shapes_timed() const { return memo_.size(); }
  double timing_wall_s() const { return wall_s_; }

  // The grid points around `v` (equal when v is on the grid).
  static std::pair<int, int> bracket(int v);

 private:
  const config::Scenario& sc_;
  const plan::ValidatedPlan& vp_;
  const cost::CostModel& cost_;
  std::map<StepShape, double> memo_;
  double wall_s_ = 0;
};

}  // namespace moeplan::serving
