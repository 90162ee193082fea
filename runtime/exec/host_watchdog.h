// Catches a host thread stuck inside a CUDA or NCCL call. The executor's own
// waits poll with a deadline, but an enqueue call can block in the driver (a
// full launch queue, a wedged NCCL work queue) where no deadline reaches; the
// watchdog thread then reports which op was being enqueued and hands over to
// `on_stall`, which is expected to abort the communicators and end the process.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

namespace moeplan::runtime {

class HostWatchdog {
 public:
  // on_stall(seconds stuck, op id being enqueued) runs on the watchdog thread.
  HostWatchdog(double timeout_s, std::function<void(double, int)> on_stall);
  ~HostWatchdog();
  HostWatchdog(const HostWatchdog&) = delete;
  HostWatchdog& operator=(const HostWatchdog&) = delete;

  void enter(int op);  // the host is about to call into CUDA/NCCL for `op`
  void leave();

 private:
  double timeout_s_;
  std::function<void(double, int)> on_stall_;
  std::atomic<std::int64_t> since_ns_{0};  // 0: not inside a call
  std::atomic<int> op_{-1};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace moeplan::runtime
