// The program `moeplan plan` builds from a bundled scenario (training or
// serving), for runtime tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"
#include "sim/workload/build_program.h"

namespace moeplan::runtime::test {

inline program::Program program_of(const std::string& scenario, bool reduced = false) {
  Diagnostics diag;
  const auto sc = config::load_scenario(std::string(MOEPLAN_SOURCE_DIR) + "/scenarios/" + scenario, diag);
  EXPECT_TRUE(diag.empty()) << diag.to_string();
  const auto vp = plan::validate_plan(sc, diag);
  EXPECT_TRUE(diag.empty() && vp) << diag.to_string();
  return workload::build_program(sc, *vp, {.reduced = reduced});
}

}  // namespace moeplan::runtime::test
