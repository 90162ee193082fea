#include "sim/cli/load.h"

#include <fmt/format.h>

namespace moeplan::cli {

std::optional<Loaded> load_and_validate(const std::string& path) {
  Diagnostics diag;
  auto sc = config::load_scenario(path, diag);
  std::optional<plan::ValidatedPlan> vp;
  if (diag.empty()) vp = plan::validate_plan(sc, diag);
  if (!diag.empty() || !vp) {
    fmt::print(stderr, "{}", diag.to_string());
    fmt::print(stderr, "{}: {} error{}\n", path, diag.size(), diag.size() == 1 ? "" : "s");
    return std::nullopt;
  }
  return Loaded{std::move(sc), std::move(*vp)};
}

}  // namespace moeplan::cli
