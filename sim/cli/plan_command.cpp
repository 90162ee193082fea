#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "sim/cli/load.h"
#include "sim/pipeline/rank_files.h"
#include "sim/program/program_json.h"
#include "sim/program/rank_program.h"
#include "sim/util/units.h"
#include "sim/workload/build_program.h"

namespace moeplan::cli {

namespace {

// A whole program is refused up front when holding it would take more than
// this share of the machine's memory: it would be killed for memory instead.
constexpr double kMemoryShare = 0.5;

double physical_memory_bytes() {
  return static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

void add_plan_command(CLI::App& app) {
  struct Args {
    std::string scenario, output, ranks;
    bool reduced = false, per_rank = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("plan", "Export the program (per-rank ops and dependencies) of one training step");
  cmd->add_option("scenario", args->scenario, "Scenario YAML")->required();
  cmd->add_option("-o,--output", args->output, "Program JSON to write (with --per-rank: a folder)")->required();
  cmd->add_flag("--reduced", args->reduced, "Hold only one pipeline (data-parallel index 0)");
  cmd->add_flag("--per-rank", args->per_rank,
                "Write one file per rank into the --output folder, a pipeline at a time (memory bounded by one "
                "pipeline), with a manifest.json written last");
  cmd->add_option("--ranks", args->ranks, "Only these ranks, e.g. 0-15,32 (with --per-rank, or a single rank's file)");
  cmd->callback([args] {
    auto loaded = load_and_validate(args->scenario);
    if (!loaded) throw CLI::RuntimeError(2);
    const auto& sc = loaded->scenario;
    const int world = loaded->plan.layout.world();
    const auto ranks = args->ranks.empty() ? std::vector<int>{} : pipeline::parse_rank_list(args->ranks, world);
    if (args->per_rank) {
      if (args->reduced) throw std::invalid_argument("--per-rank writes the full program; drop --reduced");
      const bool tty = isatty(fileno(stderr));
      const auto r = pipeline::write_rank_files(sc, loaded->plan, args->output,
                                                {.ranks = ranks, .progress = [tty](int done, int total) {
                                                   if (tty) fmt::print(stderr, "\rpipelines {}/{}", done, total);
                                                 }});
      if (tty) fmt::print(stderr, "\r{:30}\r", "");
      fmt::print("{}: {} ops over {} rank files ({}) -> {}/ (manifest.json)\n", args->scenario, r.ops, r.files,
                 format_bytes(r.bytes), args->output);
      return;
    }
    if (ranks.size() == 1) {  // one rank's file, built from its pipeline alone
      const auto p = workload::build_program(sc, loaded->plan, {.pipeline = loaded->plan.layout.pipeline_of(ranks[0])});
      const auto rank = program::rank_program(p, ranks[0]);
      program::write_program(rank, args->output);
      fmt::print("{}: rank {}: {} ops -> {}\n", args->scenario, ranks[0], rank.ops.size(), args->output);
      return;
    }
    if (!ranks.empty()) throw std::invalid_argument("--ranks with several ranks needs --per-rank (one file per rank)");
    if (!args->reduced && loaded->plan.layout.pipelines() > 1) {
      const auto size = pipeline::estimate_program_size(sc, loaded->plan);
      const double limit = kMemoryShare * physical_memory_bytes();
      if (size.memory_bytes > limit)
        throw std::runtime_error(fmt::format(
            "{}: the whole program holds about {} ops over {} ranks and would need about {} of memory to build "
            "in one piece (this machine has {}; the limit is half of it). Write it per rank instead: moeplan plan "
            "{} --per-rank -o <folder> [--ranks 0-15] (one pipeline in memory at a time), or plan --reduced (one "
            "pipeline standing for all)",
            args->scenario, size.ops, world, format_bytes(size.memory_bytes), format_bytes(physical_memory_bytes()),
            args->scenario));
    }
    const auto p = workload::build_program(sc, loaded->plan, {.reduced = args->reduced});
    program::write_program(p, args->output);
    fmt::print("{}: {} ops over {} ranks ({} groups) -> {}\n", args->scenario, p.ops.size(), p.present_ranks().size(),
               p.groups.size(), args->output);
  });
}

}  // namespace moeplan::cli
