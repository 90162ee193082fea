#include "sim/program/program_json.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "sim/plan/validate.h"
#include "sim/workload/train_step.h"
#include "tests/sim/program/small_program.h"
#include "tests/sim/test_paths.h"

namespace moeplan::program {
namespace {

Program through_json_text(const Program& p) { return program_from_json(nlohmann::json::parse(to_json(p).dump())); }


TEST(ProgramJson, RoundTripsABuiltScenarioProgramExactly) {
  Diagnostics diag;
  const auto sc = config::load_scenario(test::source_path("scenarios/small-moe-64xH800.yaml"), diag);
  const auto vp = plan::validate_plan(sc, diag);
  ASSERT_TRUE(vp) << diag.to_string();
  const auto p = workload::build_train_step(sc, *vp, {.reduced = false});
  EXPECT_EQ(through_json_text(p), p);
}

// Every field away from its default, so an omitted-at-default field that
// does not come back would show.
TEST(ProgramJson, RoundTripsEveryFieldOfAHandMadeProgram) {
  auto p = small_program();
  p.reduced = true;
  p.replicas = 8;
  p.comm_sms = 20;
  p.all_to_all = AllToAllAlgorithm::Hierarchical;
  p.traffic[0].node_bytes = {{100.5, 0}, {0, 1.0 / 3}};
  p.traffic[0].reverse = true;
  p.leads[0].dtype = DType::FP8;
  auto& op = p.ops[3];
  op.stream = Stream::ComputeB;
  op.part = Part::RoutedExperts;
  op.pass = Pass::W;
  op.layer = 12;
  op.microbatch = 3;
  op.dir = 1;
  op.tokens = 4096;
  op.bytes = 0.1;
  op.dtype = DType::FP8;
  op.gemms = {{4096, 2048, 7168}, {4096, 7168, 2048}};
  const auto back = through_json_text(p);
  EXPECT_EQ(back, p);
  EXPECT_EQ(back.ops[3].gemms[1].k, 2048);
  EXPECT_EQ(back.traffic[0].node_bytes[1][1], 1.0 / 3);
}

TEST(ProgramJson, WrittenFileReadsBackAsTheSameProgram) {
  const auto path = (std::filesystem::temp_directory_path() /
                     ("moeplan-program-" + std::to_string(::getpid()) + ".json")).string();
  const auto p = small_program();
  write_program(p, path);
  const auto back = read_program(path);
  std::filesystem::remove(path);
  EXPECT_EQ(back, p);
}

TEST(ProgramJson, RejectsAForeignFileWithAClearMessage) {
  EXPECT_NE(read_error(nlohmann::json{{"hello", 1}}).find("not a moeplan program"), std::string::npos);
}

TEST(ProgramJson, RejectsAnotherSchemaVersionNamingBoth) {
  auto j = to_json(small_program());
  j["version"] = 1;
  const auto e = read_error(j);
  EXPECT_NE(e.find("version 1 is not supported (expected 3)"), std::string::npos) << e;
}

TEST(ProgramJson, RejectsABadOpFieldNamingTheOpIndexAndTheValue) {
  auto j = to_json(small_program());
  j["ops"][3]["stream"] = "gpu";
  const auto e = read_error(j);
  EXPECT_NE(e.find("ops[3]"), std::string::npos) << e;
  EXPECT_NE(e.find("\"gpu\""), std::string::npos) << e;
}

TEST(ProgramJson, RejectsOpsOutOfOrder) {
  auto j = to_json(small_program());
  std::swap(j["ops"][1], j["ops"][2]);
  const auto e = read_error(j);
  EXPECT_NE(e.find("ops[1]: id 2 out of order"), std::string::npos) << e;
}

}  // namespace
}  // namespace moeplan::program
