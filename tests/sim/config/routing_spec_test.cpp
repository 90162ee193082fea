#include "sim/config/routing_spec.h"

#include <gtest/gtest.h>

namespace moeplan::config {
namespace {

RoutingSpec read(const std::string& yaml, Diagnostics& diag) {
  config::YamlReader scenario(YAML::Load(yaml), "/scenarios/s.yaml", "", diag);
  auto section = scenario.child("routing", true);
  return read_routing(section);
}

TEST(RoutingSpec, ReadsTheScenarioSection) {
  Diagnostics diag;
  const auto s = read("routing: {distribution: zipf, zipf_s: 1.2, node_limit: 4, seed: 7}\n", diag);
  ASSERT_TRUE(diag.empty()) << diag.to_string();
  EXPECT_EQ(s.distribution, RoutingDistribution::zipf);
  EXPECT_DOUBLE_EQ(s.zipf_s, 1.2);
  EXPECT_EQ(s.node_limit, 4);
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.sample_tokens, 256);
}

TEST(RoutingSpec, ResolvesTheLoadFileAgainstTheScenarioFolder) {
  Diagnostics diag;
  const auto s = read("routing: {distribution: measured, load_file: loads/l.csv}\n", diag);
  ASSERT_TRUE(diag.empty()) << diag.to_string();
  EXPECT_EQ(s.load_file, "/scenarios/loads/l.csv");
}

TEST(RoutingSpec, ReportsEveryProblemWithItsField) {
  Diagnostics diag;
  read("routing:\n"
       "  distribution: measured\n"
       "  hot_fraction: 0.5\n"
       "  node_limt: 4\n"
       "  sample_tokens: 0\n",
       diag);
  const auto text = diag.to_string();
  EXPECT_NE(text.find("/scenarios/s.yaml:2: routing.load_file: missing"), std::string::npos) << text;
  EXPECT_NE(text.find("routing.hot_fraction: only used with distribution: hot"), std::string::npos) << text;
  EXPECT_NE(text.find("routing.node_limt: unknown key; did you mean \"node_limit\"?"), std::string::npos) << text;
  EXPECT_NE(text.find("routing.sample_tokens: 0 is out of range"), std::string::npos) << text;
}

TEST(RoutingSpec, RejectsAnUnknownDistribution) {
  Diagnostics diag;
  read("routing: {distribution: pareto}\n", diag);
  EXPECT_NE(diag.to_string().find("one of uniform, zipf, hot, measured"), std::string::npos) << diag.to_string();
}

}  // namespace
}  // namespace moeplan::config
