// validate refuses what simulate would fail on in routing: a measured load
// file that is missing, shaped for another model or with an all-zero row.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/sim/scenario_text.h"

namespace moeplan::test {
namespace {

// Any diagnostic on `field` containing `text` (the load file's own errors name the load file).
::testing::AssertionResult has_routing_error(const Checked& c, const std::string& field, const std::string& text) {
  for (const auto& d : c.diag.items())
    if (d.field.find(field) != std::string::npos && d.to_string().find(text) != std::string::npos)
      return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "no error on " << field << " containing \"" << text << "\" in:\n"
                                       << c.diag.to_string();
}

std::string load_file(const std::string& json) {
  static int counter = 0;
  const auto path = (std::filesystem::temp_directory_path() / ("moeplan-load-" + std::to_string(::getpid()) + "-" +
                                                               std::to_string(counter++) + ".json")).string();
  std::ofstream(path) << json;
  return path;
}

std::string with_routing(const std::string& routing) { return base_scenario() + "routing: " + routing + "\n"; }

std::string rows(int layers, int experts, const std::string& count) {
  std::string j = "[";
  for (int l = 0; l < layers; ++l) {
    j += l ? ",[" : "[";
    for (int e = 0; e < experts; ++e) j += (e ? "," : "") + count;
    j += "]";
  }
  return j + "]";
}

TEST(ValidateRouting, AcceptsAMeasuredLoadFileOfTheModel) {
  const auto path = load_file(rows(2, 256, "3"));
  const auto c = check_text(with_routing("{distribution: measured, load_file: " + path + "}"));
  std::filesystem::remove(path);
  EXPECT_TRUE(c.diag.empty()) << c.diag.to_string();
}

TEST(ValidateRouting, RefusesAMissingLoadFile) {
  const auto c = check_text(with_routing("{distribution: measured, load_file: /nonexistent/load.json}"));
  EXPECT_TRUE(has_routing_error(c, "", "/nonexistent/load.json"));
}

TEST(ValidateRouting, RefusesALoadFileWithAnotherExpertCount) {
  const auto path = load_file(rows(2, 3, "3"));
  const auto c = check_text(with_routing("{distribution: measured, load_file: " + path + "}"));
  std::filesystem::remove(path);
  EXPECT_TRUE(has_routing_error(c, "routing.load_file", "3 experts"));
}

TEST(ValidateRouting, RefusesALoadFileWithAnAllZeroRow) {
  const auto path = load_file(rows(2, 256, "0"));
  const auto c = check_text(with_routing("{distribution: measured, load_file: " + path + "}"));
  std::filesystem::remove(path);
  EXPECT_TRUE(has_routing_error(c, "routing.load_file", "no tokens"));
}

}  // namespace
}  // namespace moeplan::test
