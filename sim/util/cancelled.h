// Thrown by long core work (program building, routing, timeline evaluation)
// when its std::stop_token asks it to stop: not an error, the caller's choice.
#pragma once

#include <stdexcept>
#include <stop_token>

namespace moeplan {

class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

inline void throw_if_stopped(const std::stop_token& stop) {
  if (stop.stop_requested()) throw Cancelled();
}

}  // namespace moeplan
