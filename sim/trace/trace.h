// The trace both executors write: one record per executed op. The simulator
// and the runtime share this schema, so a simulated and a measured run of the
// same program compare op by op (docs/trace.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/program/program.h"

namespace moeplan::trace {

struct Record {
  program::OpId op = -1;
  int rank = -1;
  program::Stream stream = program::Stream::Compute;
  double start_s = 0;
  double end_s = 0;
  double host_s = -1;  // runtime traces: host time to enqueue the op (its launches, events, waits); < 0: unknown
  double duration_s() const { return end_s - start_s; }
};

struct Trace {
  std::string source;  // "simgrid" or "runtime"
  std::string scenario, gpu;  // what the file says it was made for; empty when it does not say
  std::vector<Record> records;
};

// A readable op name: "L12 F routed_experts mb3", "send pp_activation mb3 -> r17".
std::string op_name(const program::Op& op);

nlohmann::json to_json(const Trace& t, const program::Program& p);
// Chrome trace-event JSON (Perfetto): one process per rank, one thread per stream.
nlohmann::json to_chrome_trace(const Trace& t, const program::Program& p);

void write_json(const nlohmann::json& j, const std::string& path);

}  // namespace moeplan::trace
