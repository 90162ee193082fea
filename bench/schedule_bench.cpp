// Schedule benchmark: generating and evaluating every schedule at P = 16,
// N = 240 (analytical timeline), median of repeated runs, and one full
// SimGrid simulation of a 16-stage DualPipe with 240 micro-batches.
//   moeplan-schedule-bench [scenario]   (default: bench/scenarios/dualpipe-16x240.yaml)
#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/engine/engine_executor.h"
#include "sim/pipeline/simulate.h"
#include "sim/plan/validate.h"
#include "sim/schedule/generate.h"
#include "sim/schedule/timeline.h"

namespace {

using namespace moeplan;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int pp = 16, n = 240, reps = 21;
  fmt::print("{:<12} {:>4} {:>5} {:>12} {:>12} {:>10}\n", "schedule", "P", "N", "generate_ms", "timeline_ms", "ops");
  for (auto kind : {schedule::Kind::OneFOneB, schedule::Kind::Interleaved, schedule::Kind::ZB1P,
                    schedule::Kind::DualPipe, schedule::Kind::DualPipeV}) {
    std::vector<double> gen, eval;
    std::size_t ops = 0;
    for (int r = 0; r < reps; ++r) {
      auto t0 = Clock::now();
      const auto s = schedule::generate(kind, pp, n, 2);
      gen.push_back(seconds_since(t0) * 1e3);
      t0 = Clock::now();
      const auto t = schedule::evaluate_timeline(s, schedule::OpDurations{});
      eval.push_back(seconds_since(t0) * 1e3);
      ops = 0;
      for (const auto& rank : s.ranks) ops += rank.size();
      if (t.deadlocked()) return fmt::print(stderr, "{}", t.deadlock_report()), 1;
    }
    fmt::print("{:<12} {:>4} {:>5} {:>12.3f} {:>12.3f} {:>10}\n", schedule::to_string(kind), pp, n, median(gen),
               median(eval), ops);
  }

  const std::string path = argc > 1 ? argv[1] : std::string(MOEPLAN_SOURCE_DIR) + "/bench/scenarios/dualpipe-16x240.yaml";
  Diagnostics diag;
  const auto sc = config::load_scenario(path, diag);
  const auto vp = diag.empty() ? plan::validate_plan(sc, diag) : std::nullopt;
  if (!vp) return fmt::print(stderr, "{}", diag.to_string()), 2;
  const auto t0 = Clock::now();
  const auto result = pipeline::simulate(sc, *vp, engine::simgrid_executor());
  fmt::print("\nSimGrid, every op: {} ({} ops): generate + build + simulate {:.3f} s wall, simulated step {:.4f} s\n",
             sc.name, result.program.ops.size(), seconds_since(t0), result.report.step_time_s);
  return 0;
}
