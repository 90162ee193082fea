#include "sim/util/data_dirs.h"

#include <cstdlib>
#include <fmt/format.h>
#include <system_error>

#include "sim/util/diagnostics.h"

namespace moeplan {

namespace fs = std::filesystem;

fs::path executable_folder() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path{} : exe.parent_path();
}

std::vector<fs::path> data_dir_candidates() {
  std::vector<fs::path> out;
  if (const char* env = std::getenv("MOEPLAN_DATA_DIR"); env && *env) out.emplace_back(env);
  if (const auto exe = executable_folder(); !exe.empty()) {
    out.push_back((exe / ".." / "share" / "moeplan").lexically_normal());
    out.push_back((exe / "share" / "moeplan").lexically_normal());
  }
  return out;
}

fs::path data_dir() {
  const auto candidates = data_dir_candidates();
  for (const auto& c : candidates) {
    std::error_code ec;
    if (fs::is_directory(c / "scenarios", ec)) return c;
  }
  std::string searched;
  for (const auto& c : candidates) searched += fmt::format("{}{}", searched.empty() ? "" : ", ", c.string());
  Diagnostics diag;
  diag.add("moeplan", 0, "",
           fmt::format("moeplan's data folder (scenarios, topologies, hardware, models) was not found; searched: {}. "
                       "Set MOEPLAN_DATA_DIR to the folder that holds `scenarios/`, or reinstall with cmake --install",
                       searched.empty() ? "nothing (the executable's folder is unknown)" : searched));
  throw ConfigError(std::move(diag));
}

std::string bundled_path(const std::string& relative) { return (data_dir() / relative).string(); }

}  // namespace moeplan
