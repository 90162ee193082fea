#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "sim/sweep/configurations.h"
#include "sim/sweep/merge.h"
#include "sim/sweep/sweep_run.h"

namespace moeplan::cli {
namespace {

std::string duration_text(double s) {
  if (s < 60) return fmt::format("{:.0f}s", s);
  if (s < 3600) return fmt::format("{:.0f}m{:02.0f}s", std::floor(s / 60), std::fmod(s, 60));
  return fmt::format("{:.0f}h{:02.0f}m", std::floor(s / 3600), std::fmod(s, 3600) / 60);
}

// A bar with rate and ETA on a terminal; a plain line every 10% (or 30 s) otherwise.
std::function<void(const sweep::SweepProgress&)> progress_printer(bool terminal) {
  auto last_line = std::make_shared<double>(-1e9);
  auto last_decile = std::make_shared<std::size_t>(0);
  return [terminal, last_line, last_decile](const sweep::SweepProgress& p) {
    const double rate = p.elapsed_s > 0 ? static_cast<double>(p.done) / p.elapsed_s : 0;
    const double eta = rate > 0 ? static_cast<double>(p.total - p.done) / rate : 0;
    const auto notes = fmt::format("{} invalid, {} errors{}", p.invalid, p.errors,
                                   p.skipped ? fmt::format(", {} already done", p.skipped) : "");
    if (terminal) {
      constexpr int width = 30;
      const int filled = p.total ? static_cast<int>(width * p.done / p.total) : width;
      fmt::print(stderr, "\r[{:#<{}}{:-<{}}] {}/{}  {:.1f}/s  ETA {}  ({})   ", "", filled, "", width - filled, p.done,
                 p.total, rate, duration_text(eta), notes);
      if (p.done == p.total) fmt::print(stderr, "\n");
      return;
    }
    const std::size_t decile = p.total ? 10 * p.done / p.total : 10;
    if (decile == *last_decile && p.elapsed_s - *last_line < 30 && p.done != p.total) return;
    *last_decile = decile;
    *last_line = p.elapsed_s;
    fmt::print(stderr, "sweep: {}/{} rows, {:.1f}/s, ETA {} ({})\n", p.done, p.total, rate, duration_text(eta),
               notes);
  };
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  struct Args {
    std::string spec, output, format = "csv", shard = "0/1", calibration, tier;
    std::vector<std::string> parts;
    std::string merged;
    int jobs = 1;
    bool resume = false, count = false;
    double timeout_s = 1800;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("sweep", "Run a sweep of scenarios (sweeps/*.yaml): analytic, SimGrid, or both");
  cmd->add_option("spec", args->spec, "Sweep YAML (see sweeps/)");
  cmd->add_option("-o,--output", args->output, "Results file (CSV, or JSON lines with --format jsonl)");
  cmd->add_option("--format", args->format, "csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}));
  cmd->add_option("-j,--jobs", args->jobs, "Configurations evaluated at once (SimGrid runs are child processes)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--resume", args->resume, "Finish a results file: skip configurations already in it");
  cmd->add_option("--shard", args->shard, "Run task i of n (0-based, i/n): configurations whose index is i mod n");
  cmd->add_option("--tier", args->tier, "Override the spec's tier: analytic, des or both")
      ->check(CLI::IsMember({"analytic", "des", "both"}));
  cmd->add_option("--calibration", args->calibration, "Calibration JSON measured by moeplan-run")->check(CLI::ExistingFile);
  cmd->add_option("--timeout", args->timeout_s, "Seconds one SimGrid run may take before it is an error row (0: none)");
  cmd->add_flag("--count", args->count, "Print how many configurations the spec has, and exit");
  auto* merge = cmd->add_subcommand("merge", "Merge the results of a sweep's shards, checked complete and disjoint");
  merge->add_option("parts", args->parts, "Results files of the shards")->required()->check(CLI::ExistingFile);
  merge->add_option("-o,--output", args->merged, "Merged results file")->required();
  merge->add_option("--format", args->format, "csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}));
  merge->callback([args] {
    const auto summary = sweep::merge_results(args->parts, args->merged, sweep::format_of(args->format));
    fmt::print("merged {} rows from {} shards into {}\n", summary.rows, summary.parts, args->merged);
  });
  cmd->callback([args, merge] {
    if (merge->parsed()) return;
    if (args->spec.empty()) throw CLI::ValidationError("spec", "give a sweep YAML (see sweeps/)");
    Diagnostics diag;
    auto spec = sweep::load_sweep_spec(args->spec, diag);
    if (!spec) {
      for (const auto& d : diag.items()) fmt::print(stderr, "error: {}\n", d.to_string());
      throw CLI::RuntimeError(2);
    }
    if (!args->tier.empty())
      spec->tier = args->tier == "des" ? sweep::Tier::Des : args->tier == "both" ? sweep::Tier::Both : sweep::Tier::Analytic;
    if (args->count) {
      const auto kept = sweep::configurations(*spec, spec->tier).size();
      fmt::print("{}: {} combinations, {} kept by `where`, {} rows ({})\n", args->spec, spec->combinations(), kept,
                 kept * sweep::tiers_of(spec->tier).size(), sweep::to_string(spec->tier));
      return;
    }
    if (args->output.empty()) throw CLI::ValidationError("--output", "give the results file (-o results.csv)");
    sweep::SweepOptions opt;
    opt.output = args->output;
    opt.format = sweep::format_of(args->format);
    opt.jobs = args->jobs;
    opt.resume = args->resume;
    try {
      opt.shard = sweep::Shard::parse(args->shard);
    } catch (const std::invalid_argument& e) {
      throw CLI::ValidationError("--shard", e.what());
    }
    opt.evaluate.calibration_path = args->calibration;
    opt.evaluate.timeout_s = args->timeout_s;
    opt.progress = progress_printer(isatty(fileno(stderr)) != 0);
    const auto p = sweep::run_sweep(*spec, opt);
    fmt::print("{}: {} rows written ({} invalid, {} errors), {} already there, in {}\n", args->output, p.done,
               p.invalid, p.errors, p.skipped, duration_text(p.elapsed_s));
  });
}

}  // namespace moeplan::cli
