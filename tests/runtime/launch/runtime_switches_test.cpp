#include "runtime/launch/runtime_switches.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace moeplan::runtime {
namespace {

GetEnv env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

// The message of the exception `f` throws (empty when it throws none).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

TEST(RuntimeSwitches, UnsetVariablesGiveNonBlockingNcclAndNcclSelfSend) {
  const auto s = read_runtime_switches(env_of({}));
  EXPECT_FALSE(s.nccl_blocking);
  EXPECT_EQ(s.all_to_all_self, AllToAllSelfPart::NcclSend);
}

TEST(RuntimeSwitches, EmptyVariablesKeepTheDefaults) {
  const auto s = read_runtime_switches(env_of({{"MOEPLAN_NCCL_BLOCKING", ""}, {"MOEPLAN_A2A_SELF", ""}}));
  EXPECT_FALSE(s.nccl_blocking);
  EXPECT_EQ(s.all_to_all_self, AllToAllSelfPart::NcclSend);
}

TEST(RuntimeSwitches, NcclBlockingOneTurnsBlockingOnAndZeroLeavesItOff) {
  EXPECT_TRUE(read_runtime_switches(env_of({{"MOEPLAN_NCCL_BLOCKING", "1"}})).nccl_blocking);
  EXPECT_FALSE(read_runtime_switches(env_of({{"MOEPLAN_NCCL_BLOCKING", "0"}})).nccl_blocking);
}

TEST(RuntimeSwitches, AllToAllSelfCopyPicksTheDeviceCopy) {
  EXPECT_EQ(read_runtime_switches(env_of({{"MOEPLAN_A2A_SELF", "copy"}})).all_to_all_self,
            AllToAllSelfPart::DeviceCopy);
  EXPECT_EQ(read_runtime_switches(env_of({{"MOEPLAN_A2A_SELF", "nccl"}})).all_to_all_self,
            AllToAllSelfPart::NcclSend);
}

TEST(RuntimeSwitches, UnrecognisedValueNamesTheVariableTheValueAndTheAcceptedOnes) {
  const auto a2a = error_of([] { read_runtime_switches(env_of({{"MOEPLAN_A2A_SELF", "cpy"}})); });
  EXPECT_NE(a2a.find("MOEPLAN_A2A_SELF"), std::string::npos) << a2a;
  EXPECT_NE(a2a.find("\"cpy\""), std::string::npos) << a2a;
  EXPECT_NE(a2a.find("nccl, copy"), std::string::npos) << a2a;
  const auto blocking = error_of([] { read_runtime_switches(env_of({{"MOEPLAN_NCCL_BLOCKING", "yes"}})); });
  EXPECT_NE(blocking.find("MOEPLAN_NCCL_BLOCKING"), std::string::npos) << blocking;
  EXPECT_NE(blocking.find("\"yes\""), std::string::npos) << blocking;
  EXPECT_NE(blocking.find("0, 1"), std::string::npos) << blocking;
}

TEST(RuntimeSwitches, OtherVariablesAreIgnored) {
  const auto s = read_runtime_switches(env_of({{"MOEPLAN_SOMETHING_ELSE", "x"}, {"NCCL_BLOCKING", "1"}}));
  EXPECT_FALSE(s.nccl_blocking);
  EXPECT_EQ(s.all_to_all_self, AllToAllSelfPart::NcclSend);
}

}  // namespace
}  // namespace moeplan::runtime
