#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "sim/cli/load.h"
#include "sim/engine/simulation.h"
#include "sim/trace/trace.h"

namespace moeplan::cli {

void add_simulate_command(CLI::App& app) {
  struct Args {
    std::string scenario, report, trace, calibration;
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("simulate", "Simulate one training step of a scenario (default: DeepSeek-V3 on 2048 H800)");
  cmd->add_option("scenario", args->scenario, "Scenario YAML (default: the bundled DeepSeek-V3 pre-training scenario)");
  cmd->add_option("--report", args->report, "Write the report as JSON");
  cmd->add_option("--trace", args->trace, "Write a Chrome trace-event JSON (open in Perfetto)");
  cmd->add_option("--calibration", args->calibration, "Calibration JSON measured by moeplan-run")->check(CLI::ExistingFile);
  cmd->add_flag("-q,--quiet", args->quiet, "No progress output");
  cmd->callback([args] {
    const auto path = args->scenario.empty() ? config::default_scenario_path() : args->scenario;
    auto loaded = load_and_validate(path);
    if (!loaded) throw CLI::RuntimeError(2);
    engine::SimulationOptions opt;
    opt.calibration_path = args->calibration;
    const bool show_progress = !args->quiet && isatty(fileno(stderr));
    if (show_progress)
      opt.progress = [](double f) { fmt::print(stderr, "\rsimulating... {:3.0f}%", 100 * f); };
    const auto result = engine::simulate(loaded->scenario, loaded->plan, opt);
    if (show_progress) fmt::print(stderr, "\r{:20}\r", "");
    fmt::print("{}", report::summary_text(result.report, loaded->scenario));
    if (!args->report.empty()) trace::write_json(report::to_json(result.report), args->report);
    if (!args->trace.empty()) trace::write_json(trace::to_chrome_trace(result.output.trace, result.program), args->trace);
  });
}

}  // namespace moeplan::cli
