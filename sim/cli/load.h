// Shared by the subcommands: load + validate a scenario, printing all errors.
#pragma once

#include <optional>
#include <string>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"

namespace moeplan::cli {

struct Loaded {
  config::Scenario scenario;
  plan::ValidatedPlan plan;
};

// Prints "error: file:line: field: message" lines to stderr on failure.
std::optional<Loaded> load_and_validate(const std::string& path);
// The same for scenario YAML text standing for the file `path`.
std::optional<Loaded> load_and_validate_text(const std::string& text, const std::string& path);

}  // namespace moeplan::cli
