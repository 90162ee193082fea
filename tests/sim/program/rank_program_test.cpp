#include "sim/program/rank_program.h"

#include <gtest/gtest.h>
#include <map>
#include <set>

#include "sim/plan/validate.h"
#include "sim/workload/build_program.h"
#include "tests/sim/bundled_scenario.h"

namespace moeplan::program {
namespace {

using test::load_bundled;

// Every rank's file cut from the whole program equals the one cut from a
// build of its pipeline alone: rank files written a pipeline at a time are
// the whole program, whatever order the builds ran in.
void expect_pipeline_builds_give_the_whole_programs_rank_files(const std::string& scenario) {
  const auto b = load_bundled(scenario);
  const auto whole = workload::build_program(b.sc, b.vp, {});
  for (int d = 0; d < b.vp.layout.dp; ++d) {
    const auto one = workload::build_program(b.sc, b.vp, {.pipeline = d});
    EXPECT_TRUE(one.partial);
    for (int s = 0; s < b.vp.layout.pp; ++s) {
      const int r = b.vp.layout.rank(s, d);
      EXPECT_EQ(rank_program(one, r), rank_program(whole, r)) << scenario << " rank " << r;
    }
  }
}

TEST(RankProgram, PipelineBuildsGiveTheWholeProgramsRankFilesOneFOneB) {
  expect_pipeline_builds_give_the_whole_programs_rank_files("scenarios/small-moe-64xH800.yaml");
}

TEST(RankProgram, PipelineBuildsGiveTheWholeProgramsRankFilesDualPipe) {
  expect_pipeline_builds_give_the_whole_programs_rank_files("scenarios/h200x4-pp2-ep2-dualpipe.yaml");
}

TEST(RankProgram, HoldsOnlyTheRanksOpsRenumberedWithCanonicalInstances) {
  const auto b = load_bundled("scenarios/small-moe-64xH800.yaml");
  const auto whole = workload::build_program(b.sc, b.vp, {});
  const int r = b.vp.layout.rank(1, 3);
  const auto file = rank_program(whole, r);
  EXPECT_TRUE(file.partial);
  EXPECT_EQ(file.present_ranks(), std::vector<int>{r});
  ASSERT_EQ(file.ops.size(), whole.by_rank[static_cast<std::size_t>(r)].size());
  for (std::size_t i = 0; i < file.ops.size(); ++i) {
    const auto& a = file.ops[i];
    const auto& o = whole.op(whole.by_rank[static_cast<std::size_t>(r)][i]);
    EXPECT_EQ(a.id, static_cast<OpId>(i));
    EXPECT_EQ(a.part, o.part);
    EXPECT_EQ(a.flops, o.flops);
    for (auto d : a.deps) EXPECT_LT(d, a.id);
    if (a.type == OpType::Collective) {
      // Same members, same traffic content as in the whole program.
      EXPECT_EQ(file.groups[static_cast<std::size_t>(a.group)], whole.groups[static_cast<std::size_t>(o.group)]);
      if (o.traffic >= 0) {
        EXPECT_EQ(file.traffic[static_cast<std::size_t>(a.traffic)], whole.traffic[static_cast<std::size_t>(o.traffic)]);
      }
    }
  }
  check_program(file);  // a partial program is a valid program
}

TEST(RankProgram, MembersOfOneCollectiveAgreeOnTheCanonicalInstance) {
  const auto b = load_bundled("scenarios/small-moe-64xH800.yaml");
  const auto whole = workload::build_program(b.sc, b.vp, {});
  // Map each whole-program instance to the canonical ids its members got in their rank files.
  std::map<int, std::set<int>> canonical;
  for (int r = 0; r < whole.world_size; ++r) {
    const auto file = rank_program(whole, r);
    const auto& order = whole.by_rank[static_cast<std::size_t>(r)];
    for (std::size_t i = 0; i < order.size(); ++i)
      if (whole.op(order[i]).type == OpType::Collective)
        canonical[whole.op(order[i]).instance].insert(file.ops[i].instance);
  }
  std::set<int> seen;
  for (const auto& [instance, ids] : canonical) {
    EXPECT_EQ(ids.size(), 1u) << "instance " << instance;
    EXPECT_TRUE(seen.insert(*ids.begin()).second) << "two instances share canonical id " << *ids.begin();
  }
}

TEST(RankProgram, ARankWithoutOpsIsAnError) {
  const auto b = load_bundled("scenarios/small-moe-64xH800.yaml");
  const auto one = workload::build_program(b.sc, b.vp, {.pipeline = 0});
  EXPECT_THROW(rank_program(one, b.vp.layout.rank(0, 1)), std::runtime_error);
}

}  // namespace
}  // namespace moeplan::program
