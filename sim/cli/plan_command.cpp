#include <fmt/format.h>

#include "sim/cli/commands.h"
#include "sim/cli/load.h"
#include "sim/program/program_json.h"
#include "sim/workload/build_program.h"

namespace moeplan::cli {

void add_plan_command(CLI::App& app) {
  struct Args {
    std::string scenario, output;
    bool reduced = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("plan", "Export the program (per-rank ops and dependencies) of one training step");
  cmd->add_option("scenario", args->scenario, "Scenario YAML")->required();
  cmd->add_option("-o,--output", args->output, "Program JSON to write")->required();
  cmd->add_flag("--reduced", args->reduced, "Hold only one pipeline (data-parallel index 0)");
  cmd->callback([args] {
    auto loaded = load_and_validate(args->scenario);
    if (!loaded) throw CLI::RuntimeError(2);
    const auto p = workload::build_program(loaded->scenario, loaded->plan, {.reduced = args->reduced});
    program::write_program(p, args->output);
    fmt::print("{}: {} ops over {} ranks ({} groups) -> {}\n", args->scenario, p.ops.size(), p.present_ranks().size(),
               p.groups.size(), args->output);
  });
}

}  // namespace moeplan::cli
