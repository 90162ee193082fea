// A bundled scenario loaded and validated, for tests that build its program.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"
#include "tests/sim/test_paths.h"

namespace moeplan::test {

struct BundledScenario {
  config::Scenario sc;
  plan::ValidatedPlan vp;
};

// `rel` under the source tree, e.g. "scenarios/small-moe-64xH800.yaml"; a test failure when it does not validate.
inline BundledScenario load_bundled(const std::string& rel) {
  Diagnostics diag;
  BundledScenario b{config::load_scenario(source_path(rel), diag), {}};
  auto vp = diag.empty() ? plan::validate_plan(b.sc, diag) : std::nullopt;
  EXPECT_TRUE(diag.empty() && vp) << diag.to_string();
  if (vp) b.vp = std::move(*vp);
  return b;
}

}  // namespace moeplan::test
