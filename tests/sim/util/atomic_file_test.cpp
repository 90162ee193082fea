#include "sim/util/atomic_file.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

namespace moeplan {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class AtomicFile : public testing::Test {
 protected:
  void SetUp() override { fs::create_directories(folder_); }
  void TearDown() override { fs::remove_all(folder_); }
  fs::path folder_ = fs::temp_directory_path() / ("moeplan-atomic-" + std::to_string(::getpid()));
};

TEST_F(AtomicFile, WritesTheContentAndLeavesNoTemporary) {
  const auto path = (folder_ / "a.json").string();
  write_file_atomically(path, [](std::ostream& out) { out << "{\"x\": 1}\n"; });
  EXPECT_EQ(read(path), "{\"x\": 1}\n");
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST_F(AtomicFile, AFailedWriteIsAnErrorAndTheOldFileStays) {
  const auto path = (folder_ / "a.json").string();
  write_file_atomically(path, [](std::ostream& out) { out << "old"; });
  // As a full disk would: the stream goes bad halfway.
  EXPECT_THROW(write_file_atomically(path,
                                     [](std::ostream& out) {
                                       out << "new, half";
                                       out.setstate(std::ios::badbit);
                                     }),
               std::runtime_error);
  EXPECT_EQ(read(path), "old");
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST_F(AtomicFile, AMissingFolderIsAnErrorNamingTheFile) {
  const auto path = (folder_ / "missing" / "a.json").string();
  try {
    write_file_atomically(path, [](std::ostream& out) { out << "x"; });
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST_F(AtomicFile, ADeviceIsWrittenInPlaceNotReplaced) {
  EXPECT_THROW(write_file_atomically("/dev/full", [](std::ostream& out) { out << std::string(1 << 16, 'x'); }),
               std::runtime_error);  // a full disk: the write fails, and it says so
  EXPECT_FALSE(fs::is_regular_file("/dev/full"));
  EXPECT_FALSE(fs::exists("/dev/full.tmp"));
  write_file_atomically("/dev/null", [](std::ostream& out) { out << "gone"; });
  EXPECT_FALSE(fs::is_regular_file("/dev/null"));
}

}  // namespace
}  // namespace moeplan
