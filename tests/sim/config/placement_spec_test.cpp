#include "sim/config/placement_spec.h"
#include "sim/moe/placement.h"

#include <gtest/gtest.h>
#include <stdexcept>

namespace moeplan::config {
namespace {

using moe::place_layer;

PlacementSpec read(const std::string& yaml, Diagnostics& diag) {
  config::YamlReader scenario(YAML::Load(yaml), "s.yaml", "", diag);
  auto section = scenario.child("placement", true);
  return read_placement(section);
}

TEST(PlacementSpec, ReadsEplbWithRedundantExperts) {
  Diagnostics diag;
  const auto s = read("placement: {policy: eplb, redundant_experts: 32}\n", diag);
  ASSERT_TRUE(diag.empty()) << diag.to_string();
  EXPECT_EQ(s.policy, PlacementPolicy::eplb);
  EXPECT_EQ(s.redundant_experts, 32);
}

TEST(PlacementSpec, ContiguousWithRedundantExpertsIsAnError) {
  Diagnostics diag;
  read("placement: {policy: contiguous, redundant_experts: 8}\n", diag);
  EXPECT_NE(diag.to_string().find("s.yaml:1: placement.redundant_experts: contiguous placement has no redundant"),
            std::string::npos)
      << diag.to_string();
}

TEST(PlacementSpec, PlaceLayerBuildsTheChosenPolicy) {
  const std::vector<double> load(256, 1.0);
  const auto contiguous = place_layer(PlacementSpec{}, load, 8, 64, 8);
  EXPECT_EQ(contiguous.slots(), 256);
  const auto eplb = place_layer(PlacementSpec{PlacementPolicy::eplb, 64}, load, 8, 64, 8);
  EXPECT_EQ(eplb.slots(), 320);
  EXPECT_EQ(eplb.slots_per_gpu(), 5);
}

TEST(PlacementSpec, RedundantExpertsThatDoNotFillGpusEvenlyAreRejectedWithAFix) {
  try {
    place_layer(PlacementSpec{PlacementPolicy::eplb, 30}, std::vector<double>(256, 1.0), 8, 32, 8);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("use redundant_experts = 32"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace moeplan::config
