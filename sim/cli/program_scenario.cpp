#include "sim/cli/program_scenario.h"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

namespace moeplan::cli {

std::string scenario_path_for(const program::Program& p, const std::string& given) {
  if (!given.empty()) return given;
  const auto guess = std::filesystem::path(MOEPLAN_SOURCE_DIR) / "scenarios" / (p.scenario + ".yaml");
  if (std::filesystem::exists(guess)) return guess.string();
  throw std::runtime_error(fmt::format(
      "the program's scenario \"{}\" is not in {}: pass --scenario <file.yaml> (the scenario the program was "
      "planned from) or --simulated <trace.json>",
      p.scenario, guess.parent_path().string()));
}

}  // namespace moeplan::cli
