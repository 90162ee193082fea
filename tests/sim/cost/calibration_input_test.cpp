// A calibration file is user input: each efficiency a number in
// [kMinCalibratedEfficiency, 1], named with the file when it is not.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/cost/cost_model.h"

namespace moeplan::cost {
namespace {

std::string load_error(const std::string& json) {
  const auto path = (std::filesystem::temp_directory_path() /
                     ("moeplan-calibration-" + std::to_string(::getpid()) + ".json")).string();
  std::ofstream(path) << json;
  std::string e;
  try {
    (void)Calibration::load(path);
  } catch (const std::runtime_error& err) {
    e = err.what();
  }
  std::filesystem::remove(path);
  return e.empty() ? e : e.substr(e.find(".json") == std::string::npos ? 0 : e.find(".json"));
}

TEST(CalibrationInput, RefusesAVanishingEfficiency) {
  const auto e = load_error(R"({"source": "x", "compute_efficiency": {"attention/F": 3.5e-305}})");
  EXPECT_NE(e.find("attention/F"), std::string::npos) << e;
  EXPECT_NE(e.find("0.001"), std::string::npos) << e;
}

TEST(CalibrationInput, RefusesAnEfficiencyThatIsNotANumberNamingIt) {
  const auto e = load_error(R"({"compute_efficiency": {"attention/F": "high"}})");
  EXPECT_NE(e.find(".json"), std::string::npos) << e;
  EXPECT_NE(e.find("attention/F"), std::string::npos) << e;
}

TEST(CalibrationInput, ReadsAPlausibleCalibration) {
  EXPECT_EQ(load_error(R"({"source": "x", "compute_efficiency": {"attention/F": 0.6}})"), "");
}

}  // namespace
}  // namespace moeplan::cost
