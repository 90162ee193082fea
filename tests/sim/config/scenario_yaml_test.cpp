#include "sim/config/scenario_yaml.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

#include "tests/sim/test_paths.h"

namespace moeplan::config {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> bundled_scenarios() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(test::source_path("scenarios")))
    if (e.path().extension() == ".yaml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

class ScenarioRoundTrip : public testing::TestWithParam<std::string> {};

TEST_P(ScenarioRoundTrip, LoadWriteLoadGivesAnIdenticalScenario) {
  Diagnostics diag;
  const auto original = load_scenario(GetParam(), diag);
  ASSERT_TRUE(diag.empty()) << diag.to_string();

  // Written into another folder: references must be rewritten to still resolve.
  const auto folder = fs::temp_directory_path() / fs::path("moeplan-roundtrip-" + std::to_string(::getpid()));
  fs::create_directories(folder / "nested");
  const auto target = (folder / "nested" / fs::path(GetParam()).filename()).string();
  write_scenario(original, target);
  const auto reloaded = load_scenario(target, diag);
  ASSERT_TRUE(diag.empty()) << diag.to_string() << "\n" << to_yaml(original, target);
  EXPECT_TRUE(same_scenario(original, reloaded)) << to_yaml(original, target);
  // Writing what was reloaded gives the same text: nothing drifts on repeated saves.
  EXPECT_EQ(to_yaml(reloaded, target), to_yaml(original, target));
  fs::remove_all(folder);
}

INSTANTIATE_TEST_SUITE_P(Bundled, ScenarioRoundTrip, testing::ValuesIn(bundled_scenarios()),
                         [](const auto& param_info) {
                           auto name = fs::path(param_info.param).stem().string();
                           std::erase_if(name, [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); });
                           return name;
                         });

TEST(ScenarioText, ParsesLikeTheFileAndResolvesReferencesAgainstItsPath) {
  const auto path = test::source_path("scenarios/small-moe-64xH800.yaml");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  Diagnostics diag;
  const auto from_file = load_scenario(path, diag);
  const auto from_text = parse_scenario(text.str(), path, diag);
  ASSERT_TRUE(diag.empty()) << diag.to_string();
  EXPECT_TRUE(same_scenario(from_file, from_text));
}

TEST(ScenarioText, ErrorsNameTheGivenPathLineAndField) {
  const std::string text = "name: x\nmodel: nope.json\nhardware: ../hardware/h800.yaml\n"
                           "topology: ../topologies/h800-node.yaml\nworkload:\n  kind: training\n"
                           "  global_batch: many\n";
  Diagnostics diag;
  parse_scenario(text, test::source_path("scenarios/unsaved.yaml"), diag);
  ASSERT_FALSE(diag.empty());
  bool found = false;
  for (const auto& d : diag.items())
    if (d.field == "workload.global_batch") {
      EXPECT_EQ(d.line, 7);
      EXPECT_NE(d.file.find("unsaved.yaml"), std::string::npos);
      found = true;
    }
  EXPECT_TRUE(found) << diag.to_string();
}

TEST(ScenarioText, ASyntaxErrorNamesTheLine) {
  Diagnostics diag;
  parse_scenario("name: x\nplan: [unclosed\n", "buffer.yaml", diag);
  ASSERT_EQ(diag.size(), 1u);
  EXPECT_EQ(diag.items()[0].file, "buffer.yaml");
  EXPECT_GE(diag.items()[0].line, 2);
}

TEST(ScenarioWrite, AnUnwritableTargetIsAnErrorNamingIt) {
  Diagnostics diag;
  const auto sc = load_scenario(test::source_path("scenarios/small-moe-64xH800.yaml"), diag);
  EXPECT_THROW(
      {
        try {
          write_scenario(sc, "/nonexistent-folder/x.yaml");
        } catch (const std::runtime_error& e) {
          EXPECT_NE(std::string(e.what()).find("/nonexistent-folder/x.yaml"), std::string::npos);
          throw;
        }
      },
      std::runtime_error);
}

}  // namespace
}  // namespace moeplan::config
