#include "sim/pipeline/program_scenario.h"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

#include "sim/util/data_dirs.h"

namespace moeplan::pipeline {

std::string scenario_path_for(const program::Program& p, const std::string& given) {
  if (!given.empty()) return given;
  const auto guess = data_dir() / "scenarios" / (p.scenario + ".yaml");
  if (std::filesystem::exists(guess)) return guess.string();
  throw std::runtime_error(fmt::format(
      "the program's scenario \"{}\" is not in {}: pass --scenario <file.yaml> (the scenario the program was "
      "planned from) or --simulated <trace.json>",
      p.scenario, guess.parent_path().string()));
}

config::Scenario load_program_scenario(const program::Program& p, const std::string& scenario_path,
                                       const std::string& hardware_path) {
  Diagnostics diag;
  auto sc = config::load_scenario(scenario_path_for(p, scenario_path), diag);
  if (!hardware_path.empty() && diag.empty()) sc.gpu = config::load_gpu_file(hardware_path, diag);
  diag.throw_if_any();
  return sc;
}

}  // namespace moeplan::pipeline
