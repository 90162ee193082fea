// Sizes far beyond what can be simulated are refused up front, fast, with the
// limit and what the request would have taken, not run for minutes.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "sim/config/topology_file.h"
#include "sim/schedule/generate.h"
#include "tests/sim/scenario_text.h"

namespace moeplan::test {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(SizeLimits, RefusesAHundredMillionSampleBatchUpFront) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto c = check_text(replace(base_scenario(), "global_batch: 15360", "global_batch: 100000000"));
  EXPECT_TRUE(has_error(c, "workload.global_batch", "limit is 65536"));
  EXPECT_TRUE(has_error(c, "workload.global_batch", "781250 micro-batches"));
  EXPECT_LT(seconds_since(t0), 5.0);
}

TEST(SizeLimits, RefusesHugeLayersPerStageWithoutOverflow) {
  const auto c = check_text(replace(base_scenario(), "[3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2]",
                                    "[2147483647, 2147483647, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2]"));
  EXPECT_TRUE(has_error(c, "plan.layers_per_stage", "2147483647"));
}

TEST(SizeLimits, RefusesAScheduleBeyondTheLimitBeforeBuildingIt) {
  const auto t0 = std::chrono::steady_clock::now();
  try {
    schedule::generate(schedule::Kind::OneFOneB, 4096, 100000, 1);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("the limit is"), std::string::npos) << e.what();
  }
  try {
    schedule::generate(schedule::Kind::Interleaved, 1 << 20, 1 << 20, 64);  // n * chunks overflows an int
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("the limit is"), std::string::npos) << e.what();
  }
  EXPECT_LT(seconds_since(t0), 1.0);
}

TEST(SizeLimits, RefusesATopologyOfAMillionNodes) {
  std::ifstream in(source_path("topologies/h800-cluster-2048.yaml"));
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto path = (std::filesystem::temp_directory_path() /
                     ("moeplan-topology-" + std::to_string(::getpid()) + ".yaml")).string();
  std::ofstream(path) << replace(text, "nodes: 256", "nodes: 1048576");
  const auto t0 = std::chrono::steady_clock::now();
  Diagnostics diag;
  config::load_topology(path, diag);
  std::filesystem::remove(path);
  EXPECT_NE(diag.to_string().find("the limit is 131072 GPUs"), std::string::npos) << diag.to_string();
  EXPECT_LT(seconds_since(t0), 1.0);
}

}  // namespace
}  // namespace moeplan::test
