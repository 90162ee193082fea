// Step metrics from a trace: throughput, cost, MFU, where the time went.
//
// Per held rank, from its trace records:
//   compute   = union of its compute-stream intervals;
//   comm      = union of its collective and point-to-point intervals;
//   exposed   = comm time not covered by compute;
//   bubble    = step time covered by neither.
// Fractions are averaged over held ranks (in a reduced program every held
// rank stands for `replicas` identical ones).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/config/scenario.h"
#include "sim/plan/memory.h"
#include "sim/program/program.h"
#include "sim/trace/trace.h"

namespace moeplan::report {

struct Breakdown {  // seconds per step, mean over ranks
  double attention_s = 0;  // projections + core
  double experts_s = 0;    // routed + shared experts + gating
  double dense_s = 0;      // dense FFN layers
  double other_compute_s = 0;  // embedding, head, loss, optimizer
  double exposed_all_to_all_s = 0;
  double exposed_pp_s = 0;
  double exposed_dp_s = 0;
  double exposed_tp_s = 0;  // tensor-parallel all-gathers and reduce-scatters (serving attention TP + SP)
  double bubble_s = 0;
};

struct Report {
  std::string scenario;
  int gpus = 0;
  double step_time_s = 0;
  double tokens_per_step = 0;
  double tokens_per_s = 0;
  double tokens_per_s_per_gpu = 0;
  double gpu_hours_per_trillion_tokens = 0;
  double model_flops_per_step = 0;
  double mfu = 0;  // against the dense peak of the plan's GEMM precision
  std::string mfu_basis;
  double bubble_fraction = 0;
  double exposed_comm_s = 0;
  double memory_per_gpu_bytes = 0;
  plan::MemoryBreakdown memory;
  Breakdown breakdown;
  double sim_wall_s = 0;
  double peak_rss_bytes = 0;  // of the simulating process
  nlohmann::json engine;  // engine statistics
  nlohmann::json link_usage;  // per loaded link (pipeline::Execution::link_usage); null: not modelled, no key
  nlohmann::json serving;  // serving scenarios: the step's serving metrics (serving_report.h); null otherwise
};

// The breakdown slot a compute op of `part` adds its time to.
double& compute_slot(Breakdown& b, program::Part part);

// What a compute op counts towards the model's FLOPs: what the model needs,
// not what the slowest GPU does (routed experts at the mean load, tokens x k
// spread evenly); the optimizer and communication count nothing.
double model_flops(const config::Scenario& sc, const program::Op& op);

// The metrics that follow from the step time alone (throughput, GPU-hours)
// and the memory; the breakdown is left for the caller to fill.
Report step_report(const config::Scenario& sc, const plan::MemoryBreakdown& memory, double step_time_s);
// Once the breakdown is filled: exposed communication, bubble fraction, model FLOPs and MFU.
void finish_report(Report& r, const config::Scenario& sc, double model_flops_per_step);

Report make_report(const config::Scenario& sc, const plan::MemoryBreakdown& memory, const program::Program& p,
                   const trace::Trace& t, double step_time_s);

nlohmann::json to_json(const Report& r);
std::string summary_text(const Report& r, const config::Scenario& sc);

}  // namespace moeplan::report
