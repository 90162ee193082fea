// Internal invariants: a broken one is a bug in moeplan, not a user error.
// The exception names the subsystem, file:line, the condition and the values.
#pragma once

#include <fmt/format.h>
#include <stdexcept>
#include <string>

namespace moeplan {

class InvariantError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace moeplan

#define MOEPLAN_CHECK(cond, ...)                                                           \
  do {                                                                                     \
    if (!(cond))                                                                           \
      throw ::moeplan::InvariantError(fmt::format("internal error at {}:{}: check `{}` failed: {}", \
                                                  __FILE__, __LINE__, #cond,               \
                                                  fmt::format(__VA_ARGS__)));              \
  } while (0)
