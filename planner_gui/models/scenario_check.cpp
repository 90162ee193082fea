#include "planner_gui/models/scenario_check.h"

#include <stdexcept>

#include "sim/config/scenario_yaml.h"
#include "sim/plan/validate.h"
#include "sim/schedule/generate.h"

namespace moeplan::gui {

ScenarioCheck check_scenario(const config::Scenario& sc, const std::string& stands_for) {
  ScenarioCheck c;
  try {
    c.yaml = config::to_yaml(sc, stands_for);
  } catch (const std::exception& e) {
    c.diagnostics.add(stands_for, 0, "", std::string("cannot write the scenario: ") + e.what());
    return c;
  }
  Diagnostics read;
  config::Scenario parsed;
  try {
    parsed = config::parse_scenario(c.yaml, stands_for, read);
  } catch (const std::exception& e) {  // a broken invariant in the core: say so, do not take the GUI down
    c.diagnostics.add(stands_for, 0, "", std::string("internal error while reading the scenario: ") + e.what());
    return c;
  }
  if (!read.empty()) {
    c.diagnostics = read;
    return c;
  }
  c.hbm_bytes = parsed.gpu.hbm_bytes;
  std::optional<plan::ValidatedPlan> vp;
  try {
    vp = plan::validate_plan(parsed, c.diagnostics);
  } catch (const std::exception& e) {
    c.diagnostics.add(stands_for, 0, "", std::string("internal error while checking the plan: ") + e.what());
    return c;
  }
  // Memory per pipeline rank from the core memory model: when the plan
  // validates, or when the only problem is that it does not fit (then the
  // schedule and the layer split were valid, and the gauge shows by how much).
  bool only_memory = !c.diagnostics.empty();
  for (const auto& d : c.diagnostics.items()) only_memory = only_memory && d.field == "plan";
  if (vp || only_memory) {
    try {
      const auto& p = parsed.plan;
      const auto sched = vp ? vp->schedule
                            : schedule::generate(p.schedule, p.pp, static_cast<int>(parsed.microbatches()), p.chunks);
      const auto layers = vp ? vp->layers
                             : plan::assign_layers(parsed.model, schedule::stage_count(p.schedule, p.pp, p.chunks),
                                                   p.layers_per_stage);
      for (int r = 0; r < p.pp; ++r) c.memory.push_back(plan::rank_memory(parsed, sched, layers, r));
    } catch (const std::exception&) {
      c.memory.clear();  // the diagnostics already say what is wrong
    }
  }
  c.parsed = std::move(parsed);
  return c;
}

}  // namespace moeplan::gui
