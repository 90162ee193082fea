// A trace is user input: a record must be typed, once per op, and end after it
// starts; an empty trace is refused; a trace made for another scenario or GPU
// is compared with a warning.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <string>

#include "sim/trace/compare.h"

namespace moeplan::trace {
namespace {

program::Program two_op_program() {
  program::Program p;
  p.scenario = "two-ops";
  p.world_size = 1;
  program::Op op;
  op.rank = 0;
  op.flops = 1e9;
  p.add(op);
  p.add(op);
  return p;
}

nlohmann::json two_records(const program::Program& p) {
  Trace t;
  t.records = {{.op = 0, .rank = 0, .stream = program::Stream::Compute, .start_s = 0, .end_s = 1e-3},
               {.op = 1, .rank = 0, .stream = program::Stream::Compute, .start_s = 1e-3, .end_s = 2e-3}};
  return to_json(t, p);
}

std::string read_error(const nlohmann::json& j, const program::Program& p) {
  try {
    (void)trace_from_json(j, p, "measured.json");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

void expect_has(const std::string& e, const std::string& part) {
  EXPECT_NE(e.find(part), std::string::npos) << "\"" << part << "\" not in: " << e;
}

TEST(TraceInput, RefusesARecordThatEndsBeforeItStarts) {
  const auto p = two_op_program();
  auto j = two_records(p);
  j["records"][1]["end_s"] = 0.0;
  const auto e = read_error(j, p);
  expect_has(e, "measured.json: records[1]");
  expect_has(e, "end_s");
}

TEST(TraceInput, RefusesATimeOfTheWrongTypeNamingTheField) {
  const auto p = two_op_program();
  auto j = two_records(p);
  j["records"][0]["start_s"] = "soon";
  const auto e = read_error(j, p);
  expect_has(e, "records[0]");
  expect_has(e, "start_s");
}

TEST(TraceInput, RefusesAnOpIdThatIsNotAnInteger) {
  const auto p = two_op_program();
  auto j = two_records(p);
  j["records"][0]["op"] = 1e30;
  expect_has(read_error(j, p), "records[0]");
}

TEST(TraceInput, RefusesTwoRecordsOfOneOp) {
  const auto p = two_op_program();
  auto j = two_records(p);
  j["records"][1]["op"] = 0;
  expect_has(read_error(j, p), "op 0");
}

// A rank's partial trace may be empty (it failed before any op); a trace to
// compare may not (every relative error would be infinite).
TEST(TraceInput, RefusesAnEmptyTraceToCompare) {
  const auto p = two_op_program();
  auto j = two_records(p);
  j["records"] = nlohmann::json::array();
  EXPECT_EQ(read_error(j, p), "");
  const auto path = (std::filesystem::temp_directory_path() / ("moeplan-trace-" + std::to_string(::getpid()) + ".json")).string();
  std::ofstream(path) << j.dump();
  std::string e;
  try {
    (void)read_trace(path, p);
  } catch (const std::runtime_error& err) {
    e = err.what();
  }
  std::filesystem::remove(path);
  expect_has(e, "no records");
}

TEST(TraceInput, WarnsOfATraceMadeForAnotherScenarioOrGpu) {
  const auto p = two_op_program();
  auto j = two_records(p);
  j["scenario"] = "other-scenario";
  j["gpu"] = "NVIDIA H100 80GB HBM3";
  const auto t = trace_from_json(j, p, "measured.json");
  const auto warnings = provenance_warnings(t, p, "H800-SXM5", "measured.json");
  ASSERT_EQ(warnings.size(), 2u);
  expect_has(warnings[0], "other-scenario");
  expect_has(warnings[1], "H100");
  j["scenario"] = "two-ops";
  j.erase("gpu");
  EXPECT_TRUE(provenance_warnings(trace_from_json(j, p, "m.json"), p, "H800-SXM5", "m.json").empty());
}

}  // namespace
}  // namespace moeplan::trace
