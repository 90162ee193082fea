#include "sim/pipeline/simulate.h"

#include <chrono>
#include <fmt/format.h>
#include <sys/resource.h>

#include "sim/report/serving_report.h"
#include "sim/serving/traffic_simulation.h"
#include "sim/workload/build_program.h"

namespace moeplan::pipeline {

cost::CostModel cost_model_for(const config::Scenario& sc, const std::string& calibration_path) {
  return cost::CostModel(sc.gpu, calibration_path.empty() ? cost::Calibration{} : cost::Calibration::load(calibration_path));
}

SimulationResult simulate(const config::Scenario& sc, const plan::ValidatedPlan& vp, const Executor& executor,
                          const SimulationOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  SimulationResult r;
  r.program = workload::build_program(sc, vp, {.reduced = !sc.full_simulation(), .stop = opt.stop});
  const auto cost = cost_model_for(sc, opt.calibration_path);
  r.execution = executor(r.program, sc.topology.topology, cost, {.progress = opt.progress});
  r.report = report::make_report(sc, vp.peak_memory, r.program, r.execution.trace, r.execution.makespan_s);
  if (sc.is_serving()) {
    r.report.serving = report::serving_step_metrics(sc, vp.serving_memory, r.report);
    if (sc.serving().traffic) {
      auto traffic = serving::simulate_traffic(sc, vp, opt.calibration_path);
      r.report.serving["traffic"] = std::move(traffic.metrics);
      r.pools_trace = std::move(traffic.chrome_trace);
    }
  }
  r.report.sim_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  r.report.peak_rss_bytes = static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux reports KiB
  r.report.engine = r.execution.stats;
  r.report.link_usage = r.execution.link_usage;
  return r;
}

trace::Trace execute_program(const program::Program& p, const config::Scenario& sc,
                             const std::string& calibration_path, const Executor& executor) {
  if (p.partial)
    throw std::runtime_error(fmt::format("program of {} is partial (one rank's file of a larger program); simulate "
                                         "the scenario itself, or plan the whole program (moeplan plan without --per-rank)",
                                         p.scenario));
  if (sc.topology.topology.gpu_count() < p.world_size)
    throw std::runtime_error(fmt::format("{}: topology {} has {} GPUs, the program needs {}", sc.path,
                                         sc.topology.path, sc.topology.topology.gpu_count(), p.world_size));
  for (std::size_t r = 0; r < p.rank_gpu.size(); ++r)
    if (p.rank_gpu[r] >= sc.topology.topology.gpu_count())
      throw std::runtime_error(fmt::format("the program puts rank {} on GPU {}; topology {} has GPUs 0..{}", r,
                                           p.rank_gpu[r], sc.topology.path, sc.topology.topology.gpu_count() - 1));
  return executor(p, sc.topology.topology, cost_model_for(sc, calibration_path), {}).trace;
}

}  // namespace moeplan::pipeline
