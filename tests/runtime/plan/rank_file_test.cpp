// A runtime process can load one rank's file (moeplan plan --per-rank)
// without the rest and plan its channels and buffers from it alone.
#include <filesystem>
#include <gtest/gtest.h>
#include <set>

#include "runtime/plan/comm_channels.h"
#include "runtime/plan/compute_mapping.h"
#include "runtime/plan/enqueue_order.h"
#include "sim/program/program_json.h"
#include "sim/program/rank_program.h"
#include "tests/runtime/runtime_test_program.h"

namespace moeplan::runtime {
namespace {

TEST(RankFile, PlansTheSameBuffersAsTheWholeProgramForItsRank) {
  for (const char* scenario : {"h200x2-ep2.yaml", "h200x2-pp2-dualpipe.yaml", "h200x4-pp2-ep2-dualpipe.yaml"}) {
    const auto whole = test::program_of(scenario);
    const auto whole_plan = plan_comm_channels(whole);
    for (int r = 0; r < whole.world_size; ++r) {
      const auto path = (std::filesystem::path(::testing::TempDir()) / ("rank-" + std::to_string(r) + ".json")).string();
      program::write_program(program::rank_program(whole, r), path);
      const auto alone = program::read_program(path);
      std::filesystem::remove(path);
      EXPECT_EQ(alone.present_ranks(), std::vector<int>{r});
      const auto plan = plan_comm_channels(alone);
      const auto a = plan_rank_buffers(alone, plan.index, r);
      const auto b = plan_rank_buffers(whole, whole_plan.index, r);
      EXPECT_EQ(a.comm_send_bytes, b.comm_send_bytes) << scenario << " rank " << r;
      EXPECT_EQ(a.comm_recv_bytes, b.comm_recv_bytes) << scenario << " rank " << r;
      EXPECT_EQ(a.total_bytes(), b.total_bytes()) << scenario << " rank " << r;
      // Every channel the rank uses in the whole program exists in its file's plan (by kind and ranks).
      std::set<std::pair<int, std::vector<int>>> mine, from_file;
      for (const auto& ch : whole_plan.channels)
        if (ch.comm_rank_of(r) >= 0) mine.insert({static_cast<int>(ch.kind), ch.ranks});
      for (const auto& ch : plan.channels) from_file.insert({static_cast<int>(ch.kind), ch.ranks});
      EXPECT_EQ(from_file, mine) << scenario << " rank " << r;
      // And it can order its own ops for enqueueing: all of them, each after its deps.
      const auto order = plan_enqueue_order(alone, plan).by_rank.at(static_cast<std::size_t>(r));
      EXPECT_EQ(order.size(), alone.ops.size());
      std::vector<bool> seen(alone.ops.size(), false);
      for (const auto id : order) {
        for (const auto d : alone.op(id).deps) EXPECT_TRUE(seen[static_cast<std::size_t>(d)]) << "op " << id;
        seen[static_cast<std::size_t>(id)] = true;
      }
    }
  }
}

}  // namespace
}  // namespace moeplan::runtime
