#include "sim/util/data_dirs.h"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>

#include "sim/util/diagnostics.h"

namespace moeplan {
namespace {

namespace fs = std::filesystem;

class DataDirs : public testing::Test {
 protected:
  void SetUp() override {
    if (const char* v = std::getenv("MOEPLAN_DATA_DIR")) saved_ = v;
    folder_ = fs::temp_directory_path() / ("moeplan-data-" + std::to_string(::getpid()));
    fs::create_directories(folder_);
  }
  void TearDown() override {
    if (saved_) ::setenv("MOEPLAN_DATA_DIR", saved_->c_str(), 1);
    else ::unsetenv("MOEPLAN_DATA_DIR");
    fs::remove_all(folder_);
  }
  std::optional<std::string> saved_;
  fs::path folder_;
};

TEST_F(DataDirs, TheEnvironmentVariableWinsWhenItHoldsScenarios) {
  fs::create_directories(folder_ / "scenarios");
  ::setenv("MOEPLAN_DATA_DIR", folder_.c_str(), 1);
  EXPECT_EQ(data_dir(), folder_);
  EXPECT_EQ(bundled_path("scenarios/x.yaml"), (folder_ / "scenarios/x.yaml").string());
}

TEST_F(DataDirs, AFolderWithoutScenariosIsSkippedForTheBuildTreeCopy) {
  ::setenv("MOEPLAN_DATA_DIR", folder_.c_str(), 1);  // exists, but holds no scenarios/
  const auto found = data_dir();
  EXPECT_NE(found, folder_);
  // The test binary sits in build/tests/: the build tree's share/moeplan mirrors the sources.
  EXPECT_TRUE(fs::exists(found / "scenarios" / "deepseek-v3-pretrain-2048xH800.yaml"));
  EXPECT_TRUE(fs::exists(found / "hardware" / "h800.yaml"));
}

TEST_F(DataDirs, TheEnvironmentVariableIsSearchedFirst) {
  ::setenv("MOEPLAN_DATA_DIR", folder_.c_str(), 1);
  const auto candidates = data_dir_candidates();
  ASSERT_GE(candidates.size(), 2u);
  EXPECT_EQ(candidates.front(), folder_);
}

}  // namespace
}  // namespace moeplan
