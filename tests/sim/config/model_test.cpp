#include "sim/config/model.h"

#include <gtest/gtest.h>

#include "tests/sim/test_paths.h"

namespace moeplan::config {
namespace {

// DeepSeek-V3 report: 671B total parameters (MTP excluded), about 37B
// activated per token; the MTP module adds 11.5B unique parameters.
TEST(ModelConfig, DeepSeekV3ParameterCountsMatchTheReport) {
  Diagnostics diag;
  const auto m = load_hf_config(test::source_path("models/deepseek-v3/config.json"), diag);
  ASSERT_TRUE(diag.empty()) << diag.to_string();
  auto no_mtp = m;
  no_mtp.mtp_layers = 0;
  EXPECT_NEAR(no_mtp.total_params() / 1e9, 671.0, 671.0 * 0.01);
  EXPECT_NEAR(m.activated_params() / 1e9, 37.0, 37.0 * 0.03);
  EXPECT_NEAR((m.total_params() - no_mtp.total_params()) / 1e9, 11.5, 11.5 * 0.05);
}

TEST(ModelConfig, ReportsMissingFieldsOfAHuggingFaceConfig) {
  Diagnostics diag;
  load_hf_config(test::source_path("tests/data/config-missing-hidden.json"), diag);
  ASSERT_FALSE(diag.empty());
  EXPECT_NE(diag.to_string().find("hidden_size: missing"), std::string::npos) << diag.to_string();
}

}  // namespace
}  // namespace moeplan::config
