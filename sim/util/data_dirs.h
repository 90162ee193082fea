// Where moeplan's bundled data folders (scenarios, topologies, hardware,
// models) live, found at run time so that an installed binary finds its own
// files and a build-tree binary finds the source tree's:
//   1. $MOEPLAN_DATA_DIR, when set;
//   2. <folder of the running executable>/../share/moeplan  (cmake --install;
//      the build tree mirrors it with links, see sim/CMakeLists.txt);
//   3. <folder of the running executable>/share/moeplan     (build/moeplan).
// The first candidate that holds a `scenarios` folder wins.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace moeplan {

// The folder of the running executable (empty when /proc/self/exe cannot be read).
std::filesystem::path executable_folder();

// The data folder; throws ConfigError naming every place searched when none has data.
std::filesystem::path data_dir();

// The candidates in search order (for messages and tests).
std::vector<std::filesystem::path> data_dir_candidates();

// `relative` under the data folder, e.g. bundled_path("scenarios/x.yaml").
std::string bundled_path(const std::string& relative);

}  // namespace moeplan
