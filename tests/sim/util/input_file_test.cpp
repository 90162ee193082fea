// Input files are checked before they are opened: a directory, a FIFO (which
// would block) or a missing file is a message naming the path.
#include "sim/util/input_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace moeplan {
namespace {

namespace fs = std::filesystem;

std::string read_error(const std::string& path) {
  try {
    (void)read_input_file(path, "program");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

TEST(InputFile, ReadsARegularFile) {
  const auto path = (fs::temp_directory_path() / ("moeplan-input-" + std::to_string(::getpid()))).string();
  std::ofstream(path) << "{}";
  EXPECT_EQ(read_input_file(path, "program"), "{}");
  fs::remove(path);
}

TEST(InputFile, RefusesADirectoryNamingIt) {
  const auto e = read_error(fs::temp_directory_path().string());
  EXPECT_NE(e.find(fs::temp_directory_path().string()), std::string::npos) << e;
  EXPECT_NE(e.find("directory"), std::string::npos) << e;
}

TEST(InputFile, RefusesAFifoWithoutBlocking) {
  const auto path = (fs::temp_directory_path() / ("moeplan-fifo-" + std::to_string(::getpid()))).string();
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const auto e = read_error(path);
  fs::remove(path);
  EXPECT_NE(e.find("not a regular file"), std::string::npos) << e;
}

TEST(InputFile, RefusesAMissingFile) {
  EXPECT_NE(read_error("/nonexistent/p.json").find("/nonexistent/p.json: program file does not exist"),
            std::string::npos);
}

TEST(JsonBrief, ShowsScalarsAndSummarisesDeepValuesWithoutRecursing) {
  EXPECT_EQ(json_brief(nlohmann::json(1.5)), "1.5");
  EXPECT_EQ(json_brief(nlohmann::json(std::string("a\0b", 3))), "\"a\\u0000b\"");
  std::string deep(200000, '[');
  deep += std::string(200000, ']');
  const auto j = nlohmann::json::parse(deep);
  EXPECT_EQ(json_brief(j), "an array of 1 entry");
}

}  // namespace
}  // namespace moeplan
