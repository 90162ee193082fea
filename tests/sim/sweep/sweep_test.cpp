#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <thread>

#include "sim/runner/child_process.h"
#include "sim/runner/simulation_job.h"
#include "sim/sweep/configurations.h"
#include "sim/sweep/merge.h"
#include "sim/sweep/sweep_run.h"
#include "tests/sim/test_paths.h"

namespace moeplan::sweep {
namespace {

namespace fs = std::filesystem;

// A fresh folder per test, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           fmt::format("moeplan-sweep-{}-{}", ::getpid(), testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name, const std::string& text = "") const {
    const auto p = (path / name).string();
    if (!text.empty()) std::ofstream(p) << text;
    return p;
  }
};

std::string base(const char* scenario) { return test::source_path(fmt::format("scenarios/{}.yaml", scenario)); }

SweepSpec load(const std::string& path) {
  Diagnostics diag;
  auto s = load_sweep_spec(path, diag);
  EXPECT_TRUE(s) << diag.to_string();
  return s ? std::move(*s) : SweepSpec{};
}

// Rows of a results file sorted by (tier, index), without the columns that
// differ between runs of the same configurations (wall time, shard).
std::vector<std::map<std::string, std::string>> comparable(const std::string& path) {
  Diagnostics diag;
  const auto r = read_results(path, Format::Csv, diag);
  EXPECT_TRUE(r) << diag.to_string();
  std::vector<std::map<std::string, std::string>> rows;
  for (const auto i : sorted_rows(*r)) {
    auto row = r->rows[i];
    row.erase("wall_s");
    row.erase("shard");
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST(SweepSpec, CrossedAxesAndZipGroupsCountAsTheirProductAndWhereFilters) {
  TempDir dir;
  const auto spec = load(dir.file("s.yaml", fmt::format(R"(base: {}
axes:
  plan.schedule: [1f1b, zb1p, dualpipe]
  plan.comm_sms: {{from: 0, to: 24, step: 8}}
zip:
  - {{plan.pp: [2, 1], plan.dp: [1, 2]}}
)", base("h200x2-pp2-1f1b"))));
  EXPECT_EQ(spec.combinations(), 3u * 4u * 2u);
  EXPECT_EQ(configurations(spec, Tier::Analytic).size(), 24u);
  const std::vector<std::string> fields{"plan.schedule", "plan.comm_sms", "plan.pp", "plan.dp"};
  EXPECT_EQ(spec.fields(), fields);
  // The first axis slowest, the zip group advancing its fields together.
  const auto configs = configurations(spec, Tier::Analytic);
  EXPECT_EQ(configs[0].values, (std::vector<std::string>{"1f1b", "0", "2", "1"}));
  EXPECT_EQ(configs[1].values, (std::vector<std::string>{"1f1b", "0", "1", "2"}));
  EXPECT_EQ(configs[2].values, (std::vector<std::string>{"1f1b", "8", "2", "1"}));
  // Hashes: distinct per configuration and per tier.
  std::set<std::string> hashes;
  for (const auto& c : configs) hashes.insert(c.hash);
  for (const auto& c : configurations(spec, Tier::Des)) hashes.insert(c.hash);
  EXPECT_EQ(hashes.size(), 48u);

  const auto filtered = load(dir.file("f.yaml", fmt::format(R"(base: {}
axes:
  plan.schedule: [1f1b, zb1p, dualpipe]
  plan.comm_sms: {{from: 0, to: 24, step: 8}}
where:
  - {{field: plan.comm_sms, min: 8, max: 16}}
  - {{field: plan.schedule, not_in: [zb1p]}}
)", base("h200x2-pp2-1f1b"))));
  EXPECT_EQ(configurations(filtered, Tier::Analytic).size(), 2u * 2u);  // {1f1b, dualpipe} x {8, 16}
}

struct BadSpec {
  const char* name;
  const char* body;  // after `base: ...`
  int line;
  const char* field;
  const char* says;
};

class SweepSpecErrors : public testing::TestWithParam<BadSpec> {};

TEST_P(SweepSpecErrors, NameTheFileLineAndField) {
  TempDir dir;
  const auto& c = GetParam();
  const auto path = dir.file("bad.yaml", fmt::format("base: {}\n{}", base("h200x2-pp2-1f1b"), c.body));
  Diagnostics diag;
  EXPECT_FALSE(load_sweep_spec(path, diag));
  ASSERT_FALSE(diag.empty());
  const auto& d = diag.items().front();
  EXPECT_EQ(d.file, path);
  EXPECT_EQ(d.line, c.line) << diag.to_string();
  EXPECT_EQ(d.field, c.field) << diag.to_string();
  EXPECT_NE(d.message.find(c.says), std::string::npos) << diag.to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SweepSpecErrors,
    testing::Values(BadSpec{"UnknownField", "axes:\n  plan.ppp: [1, 2]\n", 3, "plan.ppp", "did you mean \"pp\""},
                    BadSpec{"EmptyAxis", "axes:\n  plan.pp: []\n", 3, "plan.pp", "non-empty list"},
                    BadSpec{"BackwardsRange", "axes:\n  plan.pp: {from: 4, to: 1}\n", 3, "plan.pp", "from <= to"},
                    BadSpec{"ZipOfUnequalLengths", "zip:\n  - {plan.pp: [1, 2], plan.dp: [1]}\n", 3, "plan.dp",
                            "as many values"},
                    BadSpec{"NoAxes", "tier: des\n", 1, "axes", "no axes"},
                    BadSpec{"BadTier", "tier: fast\naxes: {plan.pp: [1]}\n", 2, "tier", "analytic"},
                    BadSpec{"SweptTwice", "axes: {plan.pp: [1]}\nzip:\n  - {plan.pp: [2]}\n", 4, "plan.pp",
                            "swept twice"},
                    BadSpec{"EmptyCondition", "axes: {plan.pp: [1]}\nwhere:\n  - {field: plan.pp}\n", 4, "where",
                            "at least one"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(SweepSpec, AMissingBaseNamesIt) {
  TempDir dir;
  Diagnostics diag;
  EXPECT_FALSE(load_sweep_spec(dir.file("s.yaml", "base: nowhere.yaml\naxes: {plan.pp: [1]}\n"), diag));
  EXPECT_NE(diag.to_string().find("nowhere.yaml"), std::string::npos) << diag.to_string();
}

// A topology axis reads the base's topology file into the scenario: each
// configuration simulates its own cluster size.
TEST(Sweep, ATopologyAxisInlinesTheTopologyAndAnInvalidCombinationIsARow) {
  TempDir dir;
  const auto spec = load(dir.file("s.yaml", fmt::format(R"(base: {}
axes:
  topology.nodes: [8, 16]
  plan.dp: [16, 32]
)", base("small-moe-64xH800"))));
  SweepOptions opt;
  opt.output = dir.file("r.csv");
  const auto p = run_sweep(spec, opt);
  EXPECT_EQ(p.done, 4u);
  const auto rows = comparable(opt.output);
  ASSERT_EQ(rows.size(), 4u);
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>> at;
  for (const auto& r : rows) at[{r.at("topology.nodes"), r.at("plan.dp")}] = r;
  // small-moe-64xH800 is PP4: 8 nodes of 8 GPUs hold dp 16, 16 nodes dp 32; dp 32 on 8 nodes does not fit.
  const auto& small = at[std::pair<std::string, std::string>{"8", "16"}];
  const auto& large = at[std::pair<std::string, std::string>{"16", "32"}];
  const auto& too_many = at[std::pair<std::string, std::string>{"8", "32"}];
  EXPECT_EQ(small.at("status"), "ok") << small.at("reason");
  EXPECT_EQ(large.at("status"), "ok") << large.at("reason");
  EXPECT_EQ(large.at("gpus"), "128");
  EXPECT_EQ(too_many.at("status"), "invalid");
  EXPECT_NE(too_many.at("reason").find("GPU"), std::string::npos) << too_many.at("reason");
}

// Three shards run at once, merged, give exactly the unsharded result.
TEST(Sweep, ThreeShardsMergedEqualTheUnshardedRun) {
  TempDir dir;
  const auto spec = load(dir.file("s.yaml", fmt::format(R"(base: {}
axes:
  plan.schedule: [1f1b, zb1p, dualpipe, dualpipev]
  plan.comm_sms: [0, 16, 32]
  workload.global_batch: [4, 8]
)", base("h200x2-pp2-1f1b"))));
  SweepOptions whole;
  whole.output = dir.file("whole.csv");
  whole.jobs = 2;
  run_sweep(spec, whole);

  std::vector<std::string> parts;
  std::vector<std::jthread> shards;
  for (int i = 0; i < 3; ++i) {
    parts.push_back(dir.file(fmt::format("part{}.csv", i)));
    shards.emplace_back([&, i] {
      SweepOptions opt;
      opt.output = parts[static_cast<std::size_t>(i)];
      opt.shard = {i, 3};
      run_sweep(spec, opt);
    });
  }
  shards.clear();
  merge_results(parts, dir.file("merged.csv"), Format::Csv);
  const auto merged = comparable(dir.file("merged.csv"));
  EXPECT_EQ(merged.size(), 24u);
  EXPECT_EQ(merged, comparable(whole.output));

  // Merging two shards only, or one twice, is refused with the reason.
  EXPECT_THROW(
      {
        try {
          merge_results({parts[0], parts[1]}, dir.file("m2.csv"), Format::Csv);
        } catch (const ConfigError& e) {
          EXPECT_NE(std::string(e.what()).find("incomplete: 16 of 24"), std::string::npos) << e.what();
          throw;
        }
      },
      ConfigError);
  EXPECT_THROW(
      {
        try {
          merge_results({parts[0], parts[1], parts[2], parts[0]}, dir.file("m3.csv"), Format::Csv);
        } catch (const ConfigError& e) {
          EXPECT_NE(std::string(e.what()).find("disjoint"), std::string::npos) << e.what();
          throw;
        }
      },
      ConfigError);
}

// A sweep killed after k rows (and in the middle of writing one) is finished
// by --resume: every configuration once, nothing done twice.
TEST(Sweep, ResumeAfterAKillFinishesTheRestAndRecomputesNothing) {
  TempDir dir;
  const auto spec_path = dir.file("s.yaml", fmt::format(R"(base: {}
tier: des
axes:
  plan.comm_sms: {{from: 0, to: 39}}
)", base("h100x1-small-moe")));
  const std::size_t n = 40;
  const auto out = dir.file("r.csv");
  const std::size_t k = 2;
  std::stop_source killer;
  std::jthread watch([&](std::stop_token done) {
    while (!done.stop_requested()) {
      std::ifstream in(out);
      std::size_t lines = 0;
      for (std::string l; std::getline(in, l);) ++lines;
      if (lines >= k + 1) {  // header + k rows
        killer.request_stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  runner::ChildSpec child;
  child.argv = {runner::default_moeplan_executable(), "sweep", spec_path, "-o", out};
  child.kill_grace_s = 0;  // SIGKILL at once: no chance to tidy up
  const auto exit = runner::run_child(child, {}, killer.get_token());
  watch.request_stop();
  ASSERT_EQ(exit.how, runner::ChildExit::How::Cancelled) << runner::describe(exit);
  const auto before = comparable(out);
  ASSERT_GE(before.size(), k);
  ASSERT_LT(before.size(), n);
  std::ofstream(out, std::ios::app) << "4,6,0/1,deadbeef";  // a row cut short by the kill

  SweepOptions opt;
  opt.output = out;
  opt.resume = true;
  const auto p = run_sweep(load(spec_path), opt);
  EXPECT_EQ(p.skipped, before.size());
  EXPECT_EQ(p.done, n - before.size());
  const auto after = comparable(out);
  ASSERT_EQ(after.size(), n);
  std::set<std::string> hashes;
  for (const auto& r : after) {
    hashes.insert(r.at("hash"));
    EXPECT_EQ(r.at("status"), "ok") << r.at("reason");
  }
  EXPECT_EQ(hashes.size(), n);
  for (const auto& row : before) EXPECT_EQ(row, after[std::stoul(row.at("index"))]);  // kept as they were
  // Without --resume, an existing results file is not touched.
  SweepOptions again;
  again.output = out;
  EXPECT_THROW(run_sweep(load(spec_path), again), std::runtime_error);
}

// A simulator that crashes is an error row with its last words; the sweep goes on.
TEST(Sweep, ACrashingSimulatorIsAnErrorRowAndTheSweepGoesOn) {
  TempDir dir;
  const auto crasher = dir.file("crash.sh", "#!/bin/sh\necho 'about to fail' >&2\nkill -SEGV $$\n");
  fs::permissions(crasher, fs::perms::owner_all);
  const auto spec = load(dir.file("s.yaml", fmt::format(R"(base: {}
tier: des
axes:
  plan.comm_sms: [0, 8, 16]
)", base("h100x1-small-moe"))));
  SweepOptions opt;
  opt.output = dir.file("r.csv");
  opt.evaluate.moeplan_path = crasher;
  const auto p = run_sweep(spec, opt);
  EXPECT_EQ(p.done, 3u);
  EXPECT_EQ(p.errors, 3u);
  for (const auto& r : comparable(opt.output)) {
    EXPECT_EQ(r.at("status"), "error");
    EXPECT_NE(r.at("reason").find("signal 11"), std::string::npos) << r.at("reason");
    EXPECT_NE(r.at("reason").find("about to fail"), std::string::npos) << r.at("reason");
  }
}

TEST(Shard, ParsesIOfNAndRefusesTheRest) {
  EXPECT_EQ(Shard::parse("3/16").index, 3);
  EXPECT_EQ(Shard::parse("3/16").count, 16);
  for (const char* bad : {"16/16", "-1/4", "3", "a/b", "1/0", "1/2x"}) EXPECT_THROW(Shard::parse(bad), std::invalid_argument) << bad;
}

}  // namespace
}  // namespace moeplan::sweep
