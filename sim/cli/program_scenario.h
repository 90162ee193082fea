// The scenario a program was planned from, for commands that simulate or cost
// a program: --scenario if given, else scenarios/<program.scenario>.yaml.
#pragma once

#include <string>

#include "sim/program/program.h"

namespace moeplan::cli {

std::string scenario_path_for(const program::Program& p, const std::string& given);

}  // namespace moeplan::cli
