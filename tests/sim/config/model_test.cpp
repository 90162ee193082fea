#include "sim/config/model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

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

// The diagnostics of loading DeepSeek-V3's config.json with `key` set to `value` (JSON text).
std::string hf_errors(const std::string& key, const std::string& value, const std::string& key2 = "",
                      const std::string& value2 = "") {
  std::ifstream in(test::source_path("models/deepseek-v3/config.json"));
  auto j = nlohmann::json::parse(in);
  j[key] = nlohmann::json::parse(value);
  if (!key2.empty()) j[key2] = nlohmann::json::parse(value2);
  const auto path = (std::filesystem::temp_directory_path() /
                     ("moeplan-config-" + std::to_string(::getpid()) + ".json")).string();
  std::ofstream(path) << j.dump();
  Diagnostics diag;
  load_hf_config(path, diag);
  std::filesystem::remove(path);
  auto text = diag.to_string();
  const auto at = text.find(path);
  return at == std::string::npos ? "(no file name) " + text : text;
}

void expect_error(const std::string& key, const std::string& value, const std::string& part) {
  const auto e = hf_errors(key, value);
  EXPECT_NE(e.find(key + ": "), std::string::npos) << key << "=" << value << ": " << e;
  EXPECT_NE(e.find(part), std::string::npos) << key << "=" << value << ": " << e;
  EXPECT_EQ(e.find("(no file name)"), std::string::npos) << e;
}

TEST(ModelConfig, RefusesANegativeHuggingFaceSizeNamingFileAndField) {
  expect_error("hidden_size", "-7168", "-7168");
}

TEST(ModelConfig, RefusesAHuggingFaceCountThatWouldBeTruncated) {
  expect_error("num_hidden_layers", "99999999999", "99999999999");
}

TEST(ModelConfig, RefusesMoreLayersThanTheLimit) {
  expect_error("num_hidden_layers", "1073741824", "16384");
}

TEST(ModelConfig, RefusesAHuggingFaceFieldOfTheWrongType) {
  expect_error("hidden_size", "\"big\"", "integer");
  expect_error("hidden_size", "7168.5", "integer");
  expect_error("routed_scaling_factor", "\"x\"", "number");
  expect_error("routed_scaling_factor", "-2.5", "number");
}

// 256 groups of one expert, 4 of them per token: 4 experts for top-8 picks.
TEST(ModelConfig, RefusesGroupsThatCannotHoldTheTopKPicks) {
  const auto e = hf_errors("n_group", "256", "topk_group", "4");
  EXPECT_NE(e.find("groups_per_token"), std::string::npos) << e;
  EXPECT_NE(e.find("top-8"), std::string::npos) << e;
}

TEST(ModelConfig, RefusesAHuggingFaceConfigThatIsNotAnObject) {
  const auto path = (std::filesystem::temp_directory_path() /
                     ("moeplan-config-array-" + std::to_string(::getpid()) + ".json")).string();
  std::ofstream(path) << "[1, 2, 3]";
  Diagnostics diag;
  load_hf_config(path, diag);
  std::filesystem::remove(path);
  EXPECT_NE(diag.to_string().find("JSON object"), std::string::npos) << diag.to_string();
}

// Found by the loader fuzz test under UBSan: q_lora_rank x heads overflowed an int.
TEST(ModelConfig, ParameterCountsOfHugeSizesDoNotOverflow) {
  ModelConfig m;
  m.hidden = 1;
  m.q_lora_rank = 512;
  m.heads = 1 << 30;
  m.qk_nope_head_dim = 1;
  // q = h x q_rank + q_rank x heads x (nope + rope) = 512 + 2^39; the rest is h x rope + 0 + heads x v x h = 0.
  EXPECT_DOUBLE_EQ(m.attention_params(), 512.0 + 512.0 * (1LL << 30));
}

}  // namespace
}  // namespace moeplan::config
