#include "sim/engine/engine_executor.h"

#include "sim/engine/executor.h"

#include <algorithm>

namespace moeplan::engine {

pipeline::Executor simgrid_executor() {
  return [](const program::Program& p, const topology::Topology& t, const cost::CostModel& cost,
            const pipeline::ExecuteOptions& opt) {
    auto out = run_program(p, t, cost, {.progress = opt.progress});
    const auto& s = out.stats;
    pipeline::Execution e{std::move(out.trace), out.makespan_s, {}, {}};
    e.stats = {{"mode", p.reduced ? "reduced" : "full"},
               {"ops", s.ops},
               {"ranks_held", p.present_ranks().size()},
               {"transfers", s.transfers},
               {"live_collectives", s.live_collectives},
               {"replayed_collectives", s.replayed_collectives},
               {"measured_signatures", s.measured_signatures},
               {"measurement_sim_s", s.measurement_sim_s},
               {"measurement_wall_s", s.measurement_wall_s},
               {"step_wall_s", s.step_wall_s},
               {"routes", s.routes}};
    e.link_usage = nlohmann::json::array();
    for (const auto& l : out.link_loads) {  // by link id (the platform's map order)
      if (l.forward_bytes <= 0 && l.backward_bytes <= 0) continue;
      const auto& link = t.link(l.link);
      const double busier = std::max(l.forward_bytes, l.backward_bytes);
      e.link_usage.push_back({{"link", l.link},
                              {"kind", topology::to_string(link.kind)},
                              {"Bps", link.Bps},
                              {"forward_bytes", l.forward_bytes},
                              {"backward_bytes", l.backward_bytes},
                              {"busy", out.makespan_s > 0 ? busier / (link.Bps * out.makespan_s) : 0.0}});
    }
    return e;
  };
}

}  // namespace moeplan::engine
