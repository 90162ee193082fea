#include <cstdio>
#include <fmt/format.h>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "sim/cli/load.h"
#include "sim/engine/engine_executor.h"
#include "sim/pipeline/simulate.h"
#include "sim/trace/trace.h"

namespace moeplan::cli {

namespace {

// How progress is shown: a percentage on a terminal, nothing, or one JSON
// object per line on stdout for a parent process (sim/runner/simulation_job.h):
//   {"event":"phase","phase":"load","pid":4242}             load (with the process id), simulate, report
//   {"event":"progress","phase":"simulate","fraction":0.4}
//   {"event":"done","step_time_s":11.5}
class ProgressSink {
 public:
  enum class Style { None, Terminal, Jsonl };
  explicit ProgressSink(Style style) : style_(style) {}

  void phase(const char* name) const {
    if (style_ == Style::Jsonl) line({{"event", "phase"}, {"phase", name}, {"pid", ::getpid()}});
  }
  std::function<void(double)> simulate_callback() const {
    switch (style_) {
      case Style::None: return {};
      case Style::Terminal: return [](double f) { fmt::print(stderr, "\rsimulating... {:3.0f}%", 100 * f); };
      case Style::Jsonl:
        return [this](double f) { line({{"event", "progress"}, {"phase", "simulate"}, {"fraction", f}}); };
    }
    return {};
  }
  void simulate_done() const {
    if (style_ == Style::Terminal) fmt::print(stderr, "\r{:20}\r", "");
  }
  void done(double step_time_s) const {
    if (style_ == Style::Jsonl) line({{"event", "done"}, {"step_time_s", step_time_s}});
  }
  bool prints_summary() const { return style_ != Style::Jsonl; }

 private:
  static void line(const nlohmann::json& j) {
    fmt::print("{}\n", j.dump());
    std::fflush(stdout);
  }
  Style style_;
};

}  // namespace

void add_simulate_command(CLI::App& app) {
  struct Args {
    std::string scenario, stdin_path, report, trace, calibration, progress = "auto";
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("simulate", "Simulate one training or serving step of a scenario, and a serving scenario's request stream (default: DeepSeek-V3 training on 2048 H800)");
  cmd->add_option("scenario", args->scenario,
                  "Scenario YAML (default: the bundled DeepSeek-V3 pre-training scenario); - reads it from stdin");
  cmd->add_option("--stdin-path", args->stdin_path,
                  "With -: the file the text stands for (named in messages; its folder resolves relative references)");
  cmd->add_option("--report", args->report, "Write the report as JSON");
  cmd->add_option("--trace", args->trace, "Write a Chrome trace-event JSON (open in Perfetto)");
  cmd->add_option("--calibration", args->calibration, "Calibration JSON measured by moeplan-run")->check(CLI::ExistingFile);
  cmd->add_option("--progress", args->progress,
                  "auto (a percentage on a terminal), none, or jsonl (JSON lines on stdout for a parent process; "
                  "no summary)")
      ->check(CLI::IsMember({"auto", "none", "jsonl"}));
  cmd->add_flag("-q,--quiet", args->quiet, "No progress output (as --progress none)");
  cmd->callback([args] {
    using Style = ProgressSink::Style;
    const Style style = args->progress == "jsonl"                       ? Style::Jsonl
                        : args->quiet || args->progress == "none"       ? Style::None
                        : isatty(fileno(stderr))                        ? Style::Terminal
                                                                        : Style::None;
    const ProgressSink progress(style);
    progress.phase("load");
    std::optional<Loaded> loaded;
    if (args->scenario == "-") {
      const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
      loaded = load_and_validate_text(text, args->stdin_path.empty() ? "<stdin>" : args->stdin_path);
    } else {
      loaded = load_and_validate(args->scenario.empty() ? config::default_scenario_path() : args->scenario);
    }
    if (!loaded) throw CLI::RuntimeError(2);
    pipeline::SimulationOptions opt;
    opt.calibration_path = args->calibration;
    opt.progress = progress.simulate_callback();
    progress.phase("simulate");
    const auto result = pipeline::simulate(loaded->scenario, loaded->plan, engine::simgrid_executor(), opt);
    progress.simulate_done();
    progress.phase("report");
    if (progress.prints_summary()) fmt::print("{}", report::summary_text(result.report, loaded->scenario));
    if (!args->report.empty()) trace::write_json(report::to_json(result.report), args->report);
    if (!args->trace.empty())  // a request stream: both pools' steps; else the step's ops
      trace::write_json(result.pools_trace.is_null() ? trace::to_chrome_trace(result.execution.trace, result.program)
                                                     : result.pools_trace,
                        args->trace);
    progress.done(result.report.step_time_s);
  });
}

}  // namespace moeplan::cli
