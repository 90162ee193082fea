// Paths to files of the source tree, for tests.
#pragma once

#include <string>

namespace moeplan::test {

inline std::string source_path(const std::string& rel) { return std::string(MOEPLAN_SOURCE_DIR) + "/" + rel; }
inline std::string binary_path(const std::string& rel) { return std::string(MOEPLAN_BINARY_DIR) + "/" + rel; }

}  // namespace moeplan::test
