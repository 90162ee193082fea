#include "sim/sweep/evaluate.h"

#include <chrono>
#include <fmt/format.h>

#include "sim/estimate/estimate.h"
#include "sim/pipeline/simulate.h"
#include "sim/runner/simulation_job.h"
#include "sim/sweep/results.h"
#include "sim/util/cancelled.h"

namespace moeplan::sweep {
namespace {

// Diagnostics on one line each, without the scenario's own (generated) path.
std::string problems_of(const Diagnostics& d) {
  std::string out;
  for (const auto& item : d.items()) {
    if (!out.empty()) out += " | ";
    out += item.field.empty() ? item.message : item.field + ": " + item.message;
  }
  return out;
}

}  // namespace

Parsed parse_and_validate(const std::string& text, const std::string& path) {
  Parsed p;
  Diagnostics diag;
  auto sc = config::parse_scenario(text, path, diag);
  if (!diag.empty()) {
    p.problems = problems_of(diag);
    return p;
  }
  auto vp = plan::validate_plan(sc, diag);
  if (!vp || !diag.empty()) {
    p.problems = problems_of(diag);
    return p;
  }
  p.scenario = std::move(sc);
  p.plan = std::move(vp);
  return p;
}

Evaluation evaluate(const std::string& text, const std::string& path, Tier tier, const EvaluateOptions& opt,
                    std::stop_token stop) {
  const auto t0 = std::chrono::steady_clock::now();
  Evaluation e;
  auto finish = [&] {
    e.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return e;
  };
  Parsed parsed;
  try {
    parsed = parse_and_validate(text, path);
  } catch (const std::exception& ex) {
    e.status = "error";
    e.reason = ex.what();
    return finish();
  }
  if (!parsed.plan) {
    e.status = "invalid";
    e.reason = parsed.problems;
    return finish();
  }
  const auto& sc = *parsed.scenario;
  if (tier == Tier::Des) {
    runner::RunnerOptions ro;
    ro.moeplan_path = opt.moeplan_path;
    ro.timeout_s = opt.timeout_s;
    auto request = runner::SimulationRequest::text(text, path);
    request.calibration_path = opt.calibration_path;
    const auto outcome = runner::run_simulation(request, ro, {}, stop);
    switch (outcome.status) {
      case runner::SimulationStatus::Ok: e.metrics = metrics_of(outcome.report, sc.gpu.hbm_bytes); break;
      case runner::SimulationStatus::InvalidScenario:
        e.status = "invalid";
        e.reason = outcome.message;
        break;
      case runner::SimulationStatus::Cancelled: e.status = "cancelled"; break;
      default:
        e.status = "error";
        e.reason = fmt::format("{}: {}", runner::to_string(outcome.status), outcome.message);
        break;
    }
    return finish();
  }
  try {
    const auto cost = pipeline::cost_model_for(sc, opt.calibration_path);
    const auto est = estimate::estimate_step(sc, *parsed.plan, cost, stop);
    e.metrics = metrics_of(report::to_json(est.report), sc.gpu.hbm_bytes);
  } catch (const Cancelled&) {
    e.status = "cancelled";
  } catch (const std::exception& ex) {
    e.status = "error";
    e.reason = ex.what();
  }
  return finish();
}

}  // namespace moeplan::sweep
