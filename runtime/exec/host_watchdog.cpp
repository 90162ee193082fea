#include "runtime/exec/host_watchdog.h"

#include <chrono>

namespace moeplan::runtime {

namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

HostWatchdog::HostWatchdog(double timeout_s, std::function<void(double, int)> on_stall)
    : timeout_s_(timeout_s), on_stall_(std::move(on_stall)) {
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      const auto since = since_ns_.load();
      if (since == 0) continue;
      const double stuck = static_cast<double>(now_ns() - since) * 1e-9;
      if (stuck > timeout_s_) {
        on_stall_(stuck, op_.load());
        return;
      }
    }
  });
}

HostWatchdog::~HostWatchdog() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void HostWatchdog::enter(int op) {
  op_ = op;
  since_ns_ = now_ns();
}

void HostWatchdog::leave() { since_ns_ = 0; }

}  // namespace moeplan::runtime
