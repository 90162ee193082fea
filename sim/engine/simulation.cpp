#include "sim/engine/simulation.h"

#include <chrono>
#include <sys/resource.h>

#include "sim/workload/build_program.h"

namespace moeplan::engine {

SimulationResult simulate(const config::Scenario& sc, const plan::ValidatedPlan& vp, const SimulationOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  SimulationResult r;
  r.program = workload::build_program(sc, vp, {.reduced = !sc.full_simulation()});
  const cost::CostModel cost(sc.gpu, opt.calibration_path.empty() ? cost::Calibration{}
                                                                   : cost::Calibration::load(opt.calibration_path));
  r.output = run_program(r.program, sc.topology.topology, cost, {.progress = opt.progress});
  r.report = report::make_report(sc, vp.peak_memory, r.program, r.output.trace, r.output.makespan_s);
  r.report.sim_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  r.report.peak_rss_bytes = static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux reports KiB
  const auto& s = r.output.stats;
  r.report.engine = {{"mode", r.program.reduced ? "reduced" : "full"},
                     {"ops", s.ops},
                     {"ranks_held", r.program.present_ranks().size()},
                     {"transfers", s.transfers},
                     {"live_collectives", s.live_collectives},
                     {"replayed_collectives", s.replayed_collectives},
                     {"measured_signatures", s.measured_signatures},
                     {"measurement_sim_s", s.measurement_sim_s},
                     {"measurement_wall_s", s.measurement_wall_s},
                     {"step_wall_s", s.step_wall_s},
                     {"routes", s.routes}};
  return r;
}

}  // namespace moeplan::engine
