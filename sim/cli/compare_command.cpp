// moeplan compare program.json measured.json: the simulated side is the SimGrid
// engine run on the same program (op ids match one to one), with the GPU and
// topology of the scenario the program was planned from; or a simulated trace
// given with --simulated.
#include <fmt/format.h>

#include <filesystem>
#include <optional>

#include "sim/cli/commands.h"
#include "sim/engine/engine_executor.h"
#include "sim/pipeline/program_scenario.h"
#include "sim/pipeline/simulate.h"
#include "sim/program/program_json.h"
#include "sim/trace/compare.h"

namespace moeplan::cli {

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
    std::optional<config::Scenario> sc;
    if (args->simulated.empty()) sc = pipeline::load_program_scenario(p, args->scenario, args->hardware);
    for (const auto& w : trace::provenance_warnings(measured, p, sc ? sc->gpu.name : "", args->measured))
      fmt::print(stderr, "{}\n", w);
    const auto simulated = sc ? pipeline::execute_program(p, *sc, args->calibration, engine::simgrid_executor())
                              : trace::read_trace(args->simulated, p);
    const auto c = trace::compare_traces(p, simulated, measured);
    fmt::print("{} ({} ops, {} ranks): simulated vs measured ({}), op time summed over ranks\n", p.scenario,
               p.ops.size(), p.present_ranks().size(), args->measured);
    fmt::print("{}", trace::format_comparison(c));
    if (!args->json.empty()) trace::write_json(trace::to_json(c), args->json);
  });
}

}  // namespace moeplan::cli
