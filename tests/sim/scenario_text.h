// Scenarios as text for config and plan tests: a valid DeepSeek-V3 scenario
// to change one line of, and the diagnostics of loading and validating it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"
#include "tests/sim/test_paths.h"

namespace moeplan::test {

// A valid scenario (DeepSeek-V3 on 2048 H800, PP16 DP128 EP64, 1F1B); each
// test changes one thing.
inline std::string base_scenario() {
  return "name: t\n"
         "model: " + source_path("models/deepseek-v3/config.json") + "\n"
         "hardware: " + source_path("hardware/h800.yaml") + "\n"
         "topology: " + source_path("topologies/h800-cluster-2048.yaml") + "\n"
         "workload:\n"
         "  kind: training\n"
         "  global_batch: 15360\n"
         "  sequence_length: 4096\n"
         "  micro_batch: 1\n"
         "plan:\n"
         "  pp: 16\n"
         "  dp: 128\n"
         "  ep: 64\n"
         "  schedule: 1f1b\n"
         "  precision: fp8\n"
         "  comm_sms: 20\n"
         "  layers_per_stage: [3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2]\n";
}

// A bundled scenario's text (`rel` under the source tree) with its relative
// file references made absolute, to change and check from another folder.
inline std::string bundled_scenario_text(const std::string& rel) {
  std::ifstream in(source_path(rel));
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_FALSE(text.empty()) << rel;
  for (std::size_t at; (at = text.find("../")) != std::string::npos;) text.replace(at, 3, source_path("") + "/");
  return text;
}

// `s` with its first `from` replaced by `to` (a test failure when absent).
inline std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

struct Checked {
  std::string path;  // the file the text was written to (gone again)
  Diagnostics diag;
};

// Loads `yaml` from a temporary file and, when it parses, validates its plan.
inline Checked check_text(const std::string& yaml) {
  static int counter = 0;
  namespace fs = std::filesystem;
  Checked c;
  c.path = (fs::temp_directory_path() / ("moeplan-scenario-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter++) + ".yaml")).string();
  std::ofstream(c.path) << yaml;
  auto sc = config::load_scenario(c.path, c.diag);
  if (c.diag.empty()) plan::validate_plan(sc, c.diag);
  fs::remove(c.path);
  return c;
}

// Whether `c` holds an error on `field` containing `text`, with its file and line.
inline ::testing::AssertionResult has_error(const Checked& c, const std::string& field, const std::string& text) {
  for (const auto& d : c.diag.items())
    if (d.field == field && d.message.find(text) != std::string::npos && d.file == c.path && d.line > 0)
      return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "no error on " << field << " containing \"" << text
                                       << "\" with file and line in:\n"
                                       << c.diag.to_string();
}

}  // namespace moeplan::test
