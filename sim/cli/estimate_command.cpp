#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <vector>

#include "sim/cli/commands.h"
#include "sim/cli/load.h"
#include "sim/estimate/estimate.h"
#include "sim/pipeline/simulate.h"
#include "sim/trace/trace.h"

namespace moeplan::cli {

void add_estimate_command(CLI::App& app) {
  struct Args {
    std::string scenario, report, calibration;
    int repeat = 0;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("estimate", "The analytical estimate of a scenario's step, without SimGrid (milliseconds)");
  cmd->add_option("scenario", args->scenario, "Scenario YAML (default: the bundled DeepSeek-V3 pre-training scenario)");
  cmd->add_option("--report", args->report, "Write the report as JSON (the same fields as simulate's)");
  cmd->add_option("--calibration", args->calibration, "Calibration JSON measured by moeplan-run")->check(CLI::ExistingFile);
  cmd->add_option("--repeat", args->repeat,
                  "Benchmark: estimate N more times and print the wall time per estimate (min, median)")
      ->check(CLI::Range(0, 100000));
  cmd->callback([args] {
    const auto loaded = load_and_validate(args->scenario.empty() ? config::default_scenario_path() : args->scenario);
    if (!loaded) throw CLI::RuntimeError(2);
    const auto cost = pipeline::cost_model_for(loaded->scenario, args->calibration);
    const auto e = estimate::estimate_step(loaded->scenario, loaded->plan, cost);
    fmt::print("{}", report::summary_text(e.report, loaded->scenario));
    if (args->repeat > 0) {
      std::vector<double> walls;
      for (int i = 0; i < args->repeat; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        (void)estimate::estimate_step(loaded->scenario, loaded->plan, cost);
        walls.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      std::sort(walls.begin(), walls.end());
      fmt::print("estimate wall over {} more runs (routing cached in process): min {:.3f} ms, median {:.3f} ms\n",
                 walls.size(), 1e3 * walls.front(), 1e3 * walls[walls.size() / 2]);
    }
    if (!args->report.empty()) trace::write_json(report::to_json(e.report), args->report);
  });
}

}  // namespace moeplan::cli
