#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "sim/cli/load.h"
#include "sim/config/scenario_yaml.h"
#include "sim/sweep/search.h"
#include "sim/util/units.h"

namespace moeplan::cli {
namespace {

std::string row(std::size_t rank, const sweep::Candidate& c) {
  const auto& a = c.analytic;
  const std::string des = c.des.empty() ? std::string("-") : fmt::format("{:.3f}", c.des.at("step_time_s"));
  return fmt::format("{:>4}  {:<44} {:>9.3f} {:>9} {:>10.1f} {:>9.3g} {:>10} {}\n", rank + 1, c.label,
                     a.at("step_time_s"), des, a.at("tokens_per_s_per_gpu"), a.at("gpu_hours_per_trillion_tokens"),
                     format_bytes(a.at("memory_headroom_bytes")), c.pareto ? "*" : "");
}

}  // namespace

void add_search_command(CLI::App& app) {
  struct Args {
    std::string scenario, output, objective = "throughput", calibration;
    std::size_t top = 10, des_top = 3;
    int jobs = 1;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("search", "Auto-planner: rank the legal layouts of a scenario's model on its cluster");
  cmd->add_option("scenario", args->scenario, "Scenario YAML whose model, GPU, cluster and batch are kept (default: the bundled one)");
  cmd->add_option("--objective", args->objective, "throughput (per GPU), cost (GPU-hours per trillion tokens) or memory (headroom)")
      ->check(CLI::IsMember({"throughput", "cost", "memory"}));
  cmd->add_option("--top", args->top, "Layouts to print")->check(CLI::Range(1, 100000));
  cmd->add_option("--simgrid-top", args->des_top, "Best layouts re-simulated with SimGrid (0: none)")->check(CLI::Range(0, 1000));
  cmd->add_option("-j,--jobs", args->jobs, "Estimates at once")->check(CLI::Range(1, 1024));
  cmd->add_option("-o,--output", args->output, "Write the winner as a scenario file (ready for moeplan plan / moeplan-run)");
  cmd->add_option("--calibration", args->calibration, "Calibration JSON measured by moeplan-run")->check(CLI::ExistingFile);
  cmd->callback([args] {
    const auto loaded = load_and_validate(args->scenario.empty() ? config::default_scenario_path() : args->scenario);
    if (!loaded) throw CLI::RuntimeError(2);
    sweep::SearchOptions opt;
    opt.objective = sweep::parse_objective(args->objective);
    opt.des_top = args->des_top;
    opt.jobs = args->jobs;
    opt.evaluate.calibration_path = args->calibration;
    const bool terminal = isatty(fileno(stderr)) != 0;
    opt.progress = [terminal](const std::string& phase, std::size_t done, std::size_t total) {
      if (terminal) fmt::print(stderr, "\r{} {}/{}   {}", phase, done, total, done == total ? "\n" : "");
      else if (done == total || done % 500 == 0) fmt::print(stderr, "search: {} {}/{}\n", phase, done, total);
    };
    const auto r = sweep::search_layouts(loaded->scenario, opt);
    fmt::print("{} layouts enumerated, {} legal; dropped:", r.enumerated, r.ranked.size());
    for (const auto& [why, n] : r.dropped) fmt::print(" {} {},", n, why);
    fmt::print("\n\n{:>4}  {:<44} {:>9} {:>9} {:>10} {:>9} {:>10} {}\n", "rank", "layout", "step s", "SimGrid s",
               "tok/s/GPU", "GPUh/Ttok", "headroom", "pareto");
    for (std::size_t i = 0; i < std::min(args->top, r.ranked.size()); ++i) fmt::print("{}", row(i, r.ranked[i]));
    if (r.ranked.empty()) throw std::runtime_error("no legal layout: see the dropped counts above");
    if (r.base_rank >= 0) {
      fmt::print("\nthe scenario's own layout ranks {} of {}:\n", r.base_rank + 1, r.ranked.size());
      fmt::print("{}", row(static_cast<std::size_t>(r.base_rank), r.ranked[static_cast<std::size_t>(r.base_rank)]));
      const auto& w = r.ranked.front().analytic;
      const auto& b = r.ranked[static_cast<std::size_t>(r.base_rank)].analytic;
      fmt::print("\nwinner against it, seconds per step (analytic):\n");
      for (const auto* term : {"attention_s", "experts_s", "dense_s", "other_compute_s", "exposed_all_to_all_s",
                               "exposed_pp_s", "exposed_dp_s", "bubble_s", "step_time_s"})
        fmt::print("  {:<22} {:>9.3f} {:>9.3f} {:>+9.3f}\n", term, w.at(term), b.at(term), w.at(term) - b.at(term));
    }
    if (!args->output.empty()) {
      config::write_scenario(r.ranked.front().scenario, args->output);
      fmt::print("\nwrote the winner ({}) to {}\n", r.ranked.front().label, args->output);
    }
  });
}

}  // namespace moeplan::cli
