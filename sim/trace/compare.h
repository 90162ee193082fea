// Simulated versus measured: the same program run by the SimGrid engine and by
// the CUDA/NCCL runtime gives two traces of the same op ids. Per op kind (part
// and pass, e.g. "routed_experts F", "dispatch F"), the summed op time of each
// side and their relative error; and the step time of each side.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/program/program.h"
#include "sim/trace/trace.h"

namespace moeplan::trace {

struct KindComparison {
  std::string kind;          // "<part> <pass>", pass omitted for step-level ops
  int ops = 0;               // ops of this kind present in both traces
  double simulated_s = 0;    // summed op durations over all ranks
  double measured_s = 0;
  double relative_error() const;  // (simulated - measured) / measured; 0 when both are 0
};

struct Comparison {
  std::vector<KindComparison> kinds;  // in order of first appearance in the program
  double simulated_step_s = 0;        // last end - first start over all records
  double measured_step_s = 0;
  int unmatched_ops = 0;              // ops present in only one of the two traces
  double step_relative_error() const;
};

// Reads a trace written by `to_json` (either executor). Throws std::runtime_error
// naming the file, the record index and the field when malformed or when an op
// id does not exist in `p` (a trace of another program), a record repeats an
// op or ends before it starts. No records is fine here (a rank's partial trace
// after a failure); read_trace, for a whole trace to compare, refuses it.
Trace trace_from_json(const nlohmann::json& j, const program::Program& p, const std::string& origin);
nlohmann::json read_json_file(const std::string& path);  // throws naming the path
// Warnings, one a line, when trace `t` (read from `origin`) says it was made
// for another scenario than the program's, or on another GPU model than
// `gpu_name` (H100, H200, H800: the first letter-and-three-digits of each name).
std::vector<std::string> provenance_warnings(const Trace& t, const program::Program& p, const std::string& gpu_name,
                                             const std::string& origin);
Trace read_trace(const std::string& path, const program::Program& p);

// Kind of an op as compare groups it.
std::string op_kind(const program::Op& op);

// Whether an op's span counts as its kind's time. Not a receive: receives are
// posted early (eagerly), so a receive's span is mostly the wait for its
// sender; the matching send's span is the transfer.
bool counts_in_kind_time(const program::Op& op);

Comparison compare_traces(const program::Program& p, const Trace& simulated, const Trace& measured);

// A fixed-width table: kind, ops, simulated ms, measured ms, error %, then the step line.
std::string format_comparison(const Comparison& c);
nlohmann::json to_json(const Comparison& c);

}  // namespace moeplan::trace
