#include "runtime/launch/run_options.h"

namespace moeplan::runtime {

void add_run_options(CLI::App& app, RunOptions& o) {
  app.add_option("program", o.program_path, "Program JSON written by `moeplan plan`")->required();
  app.add_option("--trace", o.trace_path, "Measured trace JSON to write (schema of the simulator's trace)");
  app.add_option("--chrome", o.chrome_path, "Also write a Chrome trace-event JSON (open in Perfetto)");
  app.add_option("--warmup", o.warmup_steps, "Steps run before timing")->check(CLI::Range(0, 1000));
  app.add_option("--steps", o.measured_steps, "Steps timed (per-op times are medians over them)")
      ->check(CLI::Range(1, 1000));
  app.add_flag("--check", o.check,
               "Check one MoE layer's distributed forward against a single-GPU computation instead of timing");
  app.add_option("--timeout", o.timeout_s, "Seconds a communicator may stay stuck before the run is aborted")
      ->check(CLI::Range(1.0, 86400.0));
  app.add_option("--seed", o.seed, "Seed of weights and activations");
  app.add_option("--work-dir", o.work_dir, "Directory for the NCCL id and partial traces (default: <trace>.d)");
  app.add_option_function<std::string>(
         "--inject-hang",
         [&o](const std::string& v) {
           const auto colon = v.find(':');
           try {
             if (colon == std::string::npos) throw std::invalid_argument(v);
             o.hang_rank = std::stoi(v.substr(0, colon));
             o.hang_step = std::stoi(v.substr(colon + 1));
           } catch (const std::exception&) {
             throw CLI::ValidationError("--inject-hang", "expected RANK:STEP, e.g. 1:3, got \"" + v + "\"");
           }
           if (o.hang_rank < 0 || o.hang_step < 0)
             throw CLI::ValidationError("--inject-hang", "RANK and STEP must be >= 0, got \"" + v + "\"");
         },
         "Fault injection: rank RANK stops answering at step STEP (tests that a hung peer ends the run)")
      ->type_name("RANK:STEP");
}

std::string work_dir_of(const RunOptions& o) { return o.work_dir.empty() ? o.trace_path + ".d" : o.work_dir; }

}  // namespace moeplan::runtime
