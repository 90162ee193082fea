#include "sim/cli/load.h"

#include <fmt/format.h>

namespace moeplan::cli {

namespace {

std::optional<Loaded> validate(config::Scenario sc, Diagnostics& diag, const std::string& path) {
  std::optional<plan::ValidatedPlan> vp;
  if (diag.empty()) vp = plan::validate_plan(sc, diag);
  if (!diag.empty() || !vp) {
    fmt::print(stderr, "{}", diag.to_string());
    fmt::print(stderr, "{}: {} error{}\n", path, diag.size(), diag.size() == 1 ? "" : "s");
    return std::nullopt;
  }
  return Loaded{std::move(sc), std::move(*vp)};
}

}  // namespace

std::optional<Loaded> load_and_validate(const std::string& path) {
  Diagnostics diag;
  return validate(config::load_scenario(path, diag), diag, path);
}

std::optional<Loaded> load_and_validate_text(const std::string& text, const std::string& path) {
  Diagnostics diag;
  return validate(config::parse_scenario(text, path, diag), diag, path);
}

}  // namespace moeplan::cli
