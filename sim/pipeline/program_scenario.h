// The scenario a program was planned from, for commands that simulate or cost
// a program (compare, calibrate): --scenario if given, else
// scenarios/<program.scenario>.yaml; --hardware swaps its GPU file.
#pragma once

#include <string>

#include "sim/config/scenario.h"
#include "sim/program/program.h"

namespace moeplan::pipeline {

std::string scenario_path_for(const program::Program& p, const std::string& given);

// That scenario loaded, its GPU replaced by `hardware_path` when given; throws
// with every problem found.
config::Scenario load_program_scenario(const program::Program& p, const std::string& scenario_path,
                                       const std::string& hardware_path);

}  // namespace moeplan::pipeline
