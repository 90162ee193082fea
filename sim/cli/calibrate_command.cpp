// moeplan calibrate program.json measured.json -o calibration.json: fits the
// cost model's per-kind compute efficiencies to a trace moeplan-run measured
// (sim/cost/calibration_fit.h), prints them beside the hardware file's, and
// writes the calibration that `simulate --calibration` and `compare
// --calibration` read. Closes the loop from the runtime back to the model.
#include <fmt/format.h>

#include "sim/cli/commands.h"
#include "sim/pipeline/program_scenario.h"
#include "sim/cost/calibration_fit.h"
#include "sim/program/program_json.h"
#include "sim/trace/compare.h"

namespace moeplan::cli {

void add_calibrate_command(CLI::App& app) {
  struct Args {
    std::string program, measured, scenario, hardware, output = "calibration.json";
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("calibrate", "Fit the cost model's compute efficiencies to a measured trace");
  cmd->add_option("program", args->program, "Program JSON (moeplan plan)")->required()->check(CLI::ExistingFile);
  cmd->add_option("measured", args->measured, "Trace moeplan-run measured for that program")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", args->output, "Calibration JSON to write");
  cmd->add_option("--scenario", args->scenario,
                  "Scenario the program was planned from (default: scenarios/<program scenario>.yaml)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--hardware", args->hardware, "GPU file whose peaks the efficiencies are relative to")
      ->check(CLI::ExistingFile);
  cmd->callback([args] {
    const auto p = program::read_program(args->program);
    const auto measured = trace::read_trace(args->measured, p);
    const auto sc = pipeline::load_program_scenario(p, args->scenario, args->hardware);
    for (const auto& w : trace::provenance_warnings(measured, p, sc.gpu.name, args->measured)) fmt::print(stderr, "{}\n", w);
    const auto source = fmt::format("moeplan calibrate: {} measured on {} ({})", args->measured,
                                    measured.gpu.empty() ? "an unnamed GPU" : measured.gpu, p.scenario);
    const auto fit = cost::fit_calibration(p, measured, sc.gpu, source);
    fmt::print("compute efficiency per op kind, fitted to {} (peaks of {})\n", args->measured, sc.gpu.name);
    fmt::print("{:<24} {:>5} {:>8} {:>10} {:>10}\n", "kind", "ops", "skipped", "default", "fitted");
    for (const auto& k : fit.kinds) {
      const auto fitted = k.ops > 0 ? fmt::format("{:.3f}", k.efficiency) : std::string("-");
      fmt::print("{:<24} {:>5} {:>8} {:>10.3f} {:>10}\n", k.key, k.ops, k.skipped, k.default_efficiency, fitted);
    }
    fmt::print("skipped: memory-bound by the roofline, FP8 (run in BF16 by the runtime), the attention core (run as\n"
               "a FLOP-equivalent GEMM), or overlapping another compute op of the rank\n");
    if (const auto& l = fit.calibration.eager_launch)
      fmt::print("host launch time (eager runtime), fitted to {} compute ops: {:.2f} us per op + {:.2f} us per library "
                 "call (cuBLASLt, cuDNN) + {:.2f} us per kernel; no op ends before the host has enqueued it\n",
                 l->ops, l->per_op_s * 1e6, l->per_library_call_s * 1e6, l->per_kernel_s * 1e6);
    fit.calibration.save(args->output);
    fmt::print("calibration: {} ({} kinds)\n", args->output, fit.calibration.compute_efficiency.size());
  });
}

}  // namespace moeplan::cli
