#include "runtime/launch/runtime_switches.h"

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace moeplan::runtime {

namespace {

// The variable's value, or empty when it is unset.
std::string value_of(const GetEnv& getenv, const char* name) {
  const char* text = getenv(name);
  return text == nullptr ? std::string() : std::string(text);
}

[[noreturn]] void reject(const char* name, const std::string& value, const char* accepted) {
  throw std::runtime_error(fmt::format("environment variable {}=\"{}\" is not recognised (accepted: {}); unset it "
                                       "for the default (docs/runtime.md, \"Environment switches\")",
                                       name, value, accepted));
}

bool read_nccl_blocking(const GetEnv& getenv) {
  const char* name = "MOEPLAN_NCCL_BLOCKING";
  const auto value = value_of(getenv, name);
  if (value.empty() || value == "0") return false;
  if (value == "1") return true;
  reject(name, value, "0, 1");
}

AllToAllSelfPart read_all_to_all_self(const GetEnv& getenv) {
  const char* name = "MOEPLAN_A2A_SELF";
  const auto value = value_of(getenv, name);
  if (value.empty() || value == "nccl") return AllToAllSelfPart::NcclSend;
  if (value == "copy") return AllToAllSelfPart::DeviceCopy;
  reject(name, value, "nccl, copy");
}

}  // namespace

RuntimeSwitches read_runtime_switches(const GetEnv& getenv) {
  RuntimeSwitches s;
  s.nccl_blocking = read_nccl_blocking(getenv);
  s.all_to_all_self = read_all_to_all_self(getenv);
  return s;
}

RuntimeSwitches read_runtime_switches() {
  return read_runtime_switches([](const char* name) { return std::getenv(name); });
}

}  // namespace moeplan::runtime
