#include "runtime/report/merge_traces.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/runtime/runtime_test_program.h"

namespace moeplan::runtime {
namespace {

using test::program_of;

// A rank that failed (its partial trace says why) and a rank that died before
// writing: both are errors, the run is partial, each message names its rank once.
TEST(MergeTraces, FailedAndMissingRanksAreErrorsOfAPartialRun) {
  const auto p = program_of("h200x2-ep2.yaml");
  const auto dir = std::filesystem::temp_directory_path() / "moeplan-merge-test";
  std::filesystem::create_directories(dir);
  const auto rank0 = (dir / "rank0.json").string(), rank1 = (dir / "rank1.json").string();
  std::filesystem::remove(rank1);
  trace::Trace t;
  const auto& first = p.op(p.by_rank[0].front());
  t.records.push_back({.op = first.id, .rank = 0, .stream = first.stream, .start_s = 0.0, .end_s = 1e-3});
  auto j = trace::to_json(t, p);
  j["error"] = "rank 0: step barrier all-reduce did not complete in 10 s: a peer is hung or gone";
  j["partial"] = true;
  std::ofstream(rank0) << j.dump();
  const auto run = merge_partial_traces(p, {rank0, rank1});
  ASSERT_EQ(run.errors.size(), 2u);
  EXPECT_EQ(run.errors[0], "rank 0: step barrier all-reduce did not complete in 10 s: a peer is hung or gone");
  EXPECT_EQ(run.errors[1].rfind("rank 1: wrote no trace", 0), 0u) << run.errors[1];
  EXPECT_EQ(run.missing_ranks, 1);
  EXPECT_TRUE(run.json.value("partial", false));
  EXPECT_EQ(run.trace.records.size(), 1u);  // what rank 0 finished is kept
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace moeplan::runtime
