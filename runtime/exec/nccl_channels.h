// NCCL communicators of one rank: the world communicator from a unique id, and
// one communicator per channel of the CommPlan, split from the world. All are
// non-blocking (ncclConfig_t.blocking = 0, unless MOEPLAN_NCCL_BLOCKING=1 in
// the switches), so every wait is a host loop with a deadline: a hung peer or
// an NCCL error throws, instead of hanging the process; the caller then keeps
// what finished and calls abort_all().
#pragma once

#include <cuda_runtime_api.h>
#include <nccl.h>

#include <chrono>
#include <string>
#include <vector>

#include "runtime/launch/runtime_switches.h"
#include "runtime/plan/comm_channels.h"

namespace moeplan::runtime {

class NcclChannels {
 public:
  NcclChannels(const CommPlan& plan, int rank, int world_size, const ncclUniqueId& id, double timeout_s,
               const RuntimeSwitches& switches);
  ~NcclChannels();
  NcclChannels(const NcclChannels&) = delete;
  NcclChannels& operator=(const NcclChannels&) = delete;

  ncclComm_t world() const { return world_; }
  ncclComm_t channel(int c) const { return comms_.at(static_cast<std::size_t>(c)); }  // null: local or not a member

  // After an NCCL call on `comm`: success, or in progress (waits), or throws.
  void settle(ncclResult_t result, ncclComm_t comm, const std::string& what);
  // Throws (after aborting) if any communicator reports an asynchronous error.
  void check_async_errors(const std::string& what);
  // Waits until `stream` has drained, polling NCCL for errors; past the
  // deadline it aborts every communicator and throws naming `what`.
  void wait_stream(cudaStream_t stream, const std::string& what);
  // ncclCommAbort on every communicator; if that blocks for kAbortWaitSeconds
  // the process ends (std::_Exit(3)).
  void abort_all() noexcept;
  static constexpr int kAbortWaitSeconds = 10;
  double timeout_s() const { return timeout_s_; }

 private:
  void create(const CommPlan& plan, int world_size, const ncclUniqueId& id);
  void wait_ready(ncclComm_t comm, const std::string& what);
  void connect(const CommPlan& plan);
  int rank_;
  double timeout_s_;
  bool blocking_;  // RuntimeSwitches::nccl_blocking
  ncclComm_t world_ = nullptr;
  std::vector<ncclComm_t> comms_;
  bool aborted_ = false;
};

// NCCL failure as a user-facing message: the call, the rank and NCCL's reason.
[[noreturn]] void throw_nccl_error(ncclResult_t result, int rank, const std::string& what);

}  // namespace moeplan::runtime
