// moeplan-run: execute a planned program on the local GPUs with real compute
// and NCCL, and write the measured trace.
//
//   1. parse arguments and the environment switches, load the program, plan its communicators
//   2. find the ranks: from an MPI launcher's environment, else fork one per GPU
//   3. preflight against the machine (GPU count, memory) before anything starts
//   4. run: each rank executes warm-up + measured steps, writes its partial trace
//   5. merge the partial traces (even after a failure), write trace + Chrome trace
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>

#include "runtime/exec/gpu_probe.h"
#include "runtime/exec/rank_main.h"
#include "runtime/launch/local_launcher.h"
#include "runtime/launch/rank_environment.h"
#include "runtime/launch/run_options.h"
#include "runtime/launch/runtime_switches.h"
#include "runtime/plan/moe_check_config.h"
#include "runtime/plan/preflight.h"
#include "runtime/report/merge_traces.h"
#include "sim/program/program_json.h"

namespace {

using namespace moeplan;
using namespace moeplan::runtime;

int finish(const program::Program& p, const RunOptions& o, bool run_ok) {
  std::vector<std::string> files;
  for (int r = 0; r < p.world_size; ++r) files.push_back(partial_trace_path(o, r));
  const auto run = merge_partial_traces(p, files);
  trace::write_json(run.json, o.trace_path);
  if (!o.chrome_path.empty()) trace::write_json(trace::to_chrome_trace(run.trace, p), o.chrome_path);
  fmt::print("{}", summary_text(p, run));
  fmt::print("trace: {}{}{}\n", o.trace_path, o.chrome_path.empty() ? "" : ", chrome trace: ", o.chrome_path);
  if (!run_ok || !run.errors.empty()) {
    fmt::print(stderr, "moeplan-run: the run failed; {} holds the ops that finished (\"partial\": true)\n", o.trace_path);
    return 1;
  }
  return 0;
}

// The work directory, made ready only once the run goes ahead: a run refused
// (too few GPUs, a wrong launch) leaves the disk as it was.
void prepare_work_dir(const RunOptions& o) {
  std::filesystem::create_directories(work_dir_of(o));
  std::filesystem::remove(work_dir_of(o) + "/nccl-unique-id");
}

void remove_partial_traces(const program::Program& p, const RunOptions& o) {
  for (int r = 0; r < p.world_size; ++r) std::filesystem::remove(partial_trace_path(o, r));
}

// --check: the MoE layer, distributed over every rank versus one GPU.
int check(const program::Program& p, const RunOptions& o, const RuntimeSwitches& switches) {
  const auto config = moe_check_config(p);
  fmt::print("MoE layer check: {}\n", config.describe());
  std::fflush(stdout);
  if (const auto env = rank_from_environment()) {
    prepare_work_dir(o);
    return run_check_rank(p, o, switches, env->rank, env->local_rank);
  }
  const auto machine = local_machine_from_text(run_in_child([] { return to_text(probe_local_gpus()); }));
  if (static_cast<int>(machine.gpus.size()) < p.world_size) {
    fmt::print(stderr, "error: the check runs {} ranks (the program's world) but this machine has {} GPU(s)\n",
               p.world_size, machine.gpus.size());
    return 2;
  }
  prepare_work_dir(o);
  const auto result = launch_local(p.world_size, [&](int rank) { return run_check_rank(p, o, switches, rank, rank); },
                                   o.timeout_s * 4);
  if (!result.ok()) fmt::print(stderr, "{}", result.summary());
  fmt::print("MoE layer check: {}\n", result.ok() ? "PASS on every rank" : "FAILED");
  return result.ok() ? 0 : 1;
}

int run(const RunOptions& o) {
  const auto switches = read_runtime_switches();  // the only read of the MOEPLAN_* environment
  const auto p = program::read_program(o.program_path);  // checked: a broken program is refused here
  if (o.check) return check(p, o, switches);

  if (const auto env = rank_from_environment()) {  // started by mpirun: this process is one rank
    if (env->size != p.world_size)
      throw std::runtime_error(fmt::format("{} ranks were launched ({} launcher) but {} has {} ranks: launch with -n {}",
                                           env->size, env->launcher, o.program_path, p.world_size, p.world_size));
    prepare_work_dir(o);
    remove_partial_traces(p, o);
    const int code = run_rank(p, o, switches, env->rank, env->local_rank);
    return env->rank == 0 ? finish(p, o, code == 0) : code;  // rank 0 merges (shared work dir)
  }
  const auto machine = local_machine_from_text(run_in_child([] { return to_text(probe_local_gpus()); }));
  const auto problems = preflight_problems(p, machine, p.world_size, o.program_path);
  if (!problems.empty()) {
    for (const auto& m : problems) fmt::print(stderr, "error: {}\n", m);
    return 2;
  }
  prepare_work_dir(o);
  remove_partial_traces(p, o);
  fmt::print("{}: {} ranks on {} x {}\n", o.program_path, p.world_size, machine.gpus.size(), machine.gpus[0].name);
  const double deadline_s = o.timeout_s * (4 + o.warmup_steps + o.measured_steps);
  const auto result =
      launch_local(p.world_size, [&](int rank) { return run_rank(p, o, switches, rank, rank); }, deadline_s);
  if (!result.ok()) fmt::print(stderr, "{}", result.summary());
  return finish(p, o, result.ok());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"moeplan-run: execute a moeplan program on local GPUs (CUDA + NCCL) and measure it"};
  RunOptions options;
  add_run_options(app, options);
  CLI11_PARSE(app, argc, argv);
  try {
    return run(options);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}
