#include "sim/workload/build_program.h"

#include <gtest/gtest.h>

#include "sim/util/cancelled.h"
#include "sim/workload/train_step.h"
#include "tests/sim/bundled_scenario.h"

namespace moeplan::workload {
namespace {

using test::load_bundled;

TEST(BuildProgram, ATrainingWorkloadBuildsItsTrainStep) {
  const auto l = load_bundled("scenarios/small-moe-64xH800.yaml");
  ASSERT_TRUE(l.sc.is_training());
  EXPECT_EQ(build_program(l.sc, l.vp, {}), build_train_step(l.sc, l.vp, {}));
  EXPECT_EQ(build_program(l.sc, l.vp, {.reduced = true}), build_train_step(l.sc, l.vp, {.reduced = true}));
}

TEST(BuildProgram, AStopRequestedCancelsTheBuild) {
  const auto l = load_bundled("scenarios/small-moe-64xH800.yaml");
  std::stop_source stop;
  stop.request_stop();
  EXPECT_THROW(build_program(l.sc, l.vp, {.reduced = false, .stop = stop.get_token()}), Cancelled);
}

TEST(BuildProgram, OnePipelineHoldsExactlyItsRanks) {
  const auto l = load_bundled("scenarios/small-moe-64xH800.yaml");
  const auto p = build_program(l.sc, l.vp, {.pipeline = 5});
  std::vector<int> expected;
  for (int s = 0; s < l.vp.layout.pp; ++s) expected.push_back(l.vp.layout.rank(s, 5));
  EXPECT_EQ(p.present_ranks(), expected);
  EXPECT_TRUE(p.partial);
  EXPECT_FALSE(p.reduced);
}

}  // namespace
}  // namespace moeplan::workload
