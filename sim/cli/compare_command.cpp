// moeplan compare program.json measured.json: the simulated side is the SimGrid
// engine run on the same program (op ids match one to one), with the GPU and
// topology of the scenario the program was planned from; or a simulated trace
// given with --simulated.
#include <fmt/format.h>

#include <filesystem>

#include "sim/cli/commands.h"
#include "sim/cli/program_scenario.h"
#include "sim/config/scenario.h"
#include "sim/cost/cost_model.h"
#include "sim/engine/executor.h"
#include "sim/program/program_json.h"
#include "sim/trace/compare.h"

namespace moeplan::cli {

namespace {

trace::Trace simulate_trace(const program::Program& p, const std::string& scenario_path,
                            const std::string& hardware_path, const std::string& calibration_path) {
  const auto sc = load_program_scenario(p, scenario_path, hardware_path);
  if (sc.topology.topology.gpu_count() < p.world_size)
    throw std::runtime_error(fmt::format("{}: topology has {} GPUs, the program needs {}", scenario_path_for(p, scenario_path),
                                         sc.topology.topology.gpu_count(), p.world_size));
  const cost::CostModel cost(sc.gpu, calibration_path.empty() ? cost::Calibration{}
                                                              : cost::Calibration::load(calibration_path));
  return engine::run_program(p, sc.topology.topology, cost).trace;
}

}  // namespace

void add_compare_command(CLI::App& app) {
  struct Args {
    std::string program, measured, simulated, scenario, hardware, calibration, json;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("compare", "Simulated vs measured time per op kind, and step time, of one program");
  cmd->add_option("program", args->program, "Program JSON (moeplan plan)")->required()->check(CLI::ExistingFile);
  cmd->add_option("measured", args->measured, "Measured trace JSON (moeplan-run --trace)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--simulated", args->simulated, "Simulated trace JSON to compare instead of simulating now")
      ->check(CLI::ExistingFile);
  cmd->add_option("--scenario", args->scenario,
                  "Scenario the program was planned from (default: scenarios/<program scenario>.yaml)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--hardware", args->hardware, "GPU file to simulate with instead of the scenario's")
      ->check(CLI::ExistingFile);
  cmd->add_option("--calibration", args->calibration, "Calibration JSON for the cost model")->check(CLI::ExistingFile);
  cmd->add_option("--json", args->json, "Also write the comparison as JSON");
  cmd->callback([args] {
    const auto p = program::read_program(args->program);
    const auto measured = trace::read_trace(args->measured, p);
    const auto simulated = args->simulated.empty()
                               ? simulate_trace(p, args->scenario, args->hardware,
                                                args->calibration)
                               : trace::read_trace(args->simulated, p);
    const auto c = trace::compare_traces(p, simulated, measured);
    fmt::print("{} ({} ops, {} ranks): simulated vs measured ({}), op time summed over ranks\n", p.scenario,
               p.ops.size(), p.present_ranks().size(), args->measured);
    fmt::print("{}", trace::format_comparison(c));
    if (!args->json.empty()) trace::write_json(trace::to_json(c), args->json);
  });
}

}  // namespace moeplan::cli
