// JSON form of a Program (schema in docs/program.md). Round-trips exactly.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/program/program.h"

namespace moeplan::program {

inline constexpr int kProgramSchemaVersion = 3;  // 2: per-op all-to-all leads (Program::leads); 3: Op::kernels

nlohmann::json to_json(const Program& p);
// Throws std::runtime_error naming the op index and field on malformed input.
Program program_from_json(const nlohmann::json& j);

void write_program(const Program& p, const std::string& path);
Program read_program(const std::string& path);

}  // namespace moeplan::program
