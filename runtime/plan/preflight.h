// Can this machine run the program? Checked before any rank starts, so the
// user gets every problem at once and nothing hangs half-started.
#pragma once

#include <string>
#include <vector>

#include "sim/program/program.h"

namespace moeplan::runtime {

struct GpuInfo {
  std::string name;
  double memory_bytes = 0;
};

struct LocalMachine {
  std::vector<GpuInfo> gpus;
};

// `ranks_here`: ranks this node runs (all of them for the local launcher).
// One message per problem, each saying what to do; empty when it can run.
std::vector<std::string> preflight_problems(const program::Program& p, const LocalMachine& machine, int ranks_here,
                                            const std::string& program_path);

// Serialisation for the probe child (name \t bytes per line).
std::string to_text(const LocalMachine& m);
LocalMachine local_machine_from_text(const std::string& text);

}  // namespace moeplan::runtime
