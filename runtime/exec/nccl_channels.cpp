#include "runtime/exec/nccl_channels.h"

#include <fmt/format.h>

#include <cuda_runtime_api.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <thread>

namespace moeplan::runtime {

void throw_nccl_error(ncclResult_t result, int rank, const std::string& what) {
  throw std::runtime_error(fmt::format("rank {}: {}: NCCL error {} ({}); last NCCL message: {}", rank, what,
                                       static_cast<int>(result), ncclGetErrorString(result),
                                       ncclGetLastError(nullptr) ? ncclGetLastError(nullptr) : ""));
}

namespace {

ncclConfig_t communicator_config(bool blocking) {
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = blocking ? 1 : 0;
  return config;
}

}  // namespace

NcclChannels::NcclChannels(const CommPlan& plan, int rank, int world_size, const ncclUniqueId& id, double timeout_s,
                           const RuntimeSwitches& switches)
    : rank_(rank), timeout_s_(timeout_s), blocking_(switches.nccl_blocking) {
  try {
    create(plan, world_size, id);
  } catch (...) {
    abort_all();  // the destructor does not run for a half-built object
    throw;
  }
}

void NcclChannels::create(const CommPlan& plan, int world_size, const ncclUniqueId& id) {
  const int rank = rank_;
  auto config = communicator_config(blocking_);
  const auto init = ncclCommInitRankConfig(&world_, world_size, id, rank, &config);  // sets world_ first
  settle(init, world_, "ncclCommInitRankConfig (world)");
  wait_ready(world_, "world communicator");
  comms_.assign(plan.channels.size(), nullptr);
  for (std::size_t c = 0; c < plan.channels.size(); ++c) {
    const auto& ch = plan.channels[c];
    if (ch.local()) continue;  // same decision on every rank
    const int key = ch.comm_rank_of(rank);
    auto split_config = communicator_config(blocking_);
    ncclComm_t comm = nullptr;
    const auto what = fmt::format("ncclCommSplit ({})", ch.name());
    const auto split = ncclCommSplit(world_, key >= 0 ? 0 : NCCL_SPLIT_NOCOLOR, key, &comm, &split_config);
    if (split != ncclSuccess && split != ncclInProgress) {
      throw_nccl_error(split, rank_, what);
    }
    // Non-blocking split: the new handle appears when the job completes, so
    // watch the parent until it does, then the new communicator itself.
    const auto start = std::chrono::steady_clock::now();
    while (key >= 0 && comm == nullptr) {
      check_async_errors(what);
      if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout_s_) {
          throw std::runtime_error(fmt::format("rank {}: {} gave no communicator within {} s", rank_, what, timeout_s_));
      }
      std::this_thread::yield();
    }
    wait_ready(world_, what);
    if (key >= 0) wait_ready(comm, what);
    comms_[c] = comm;
  }
  connect(plan);
}

void NcclChannels::connect(const CommPlan& plan) {
  // NCCL connects peers lazily, and a non-blocking call that connects can
  // return in progress until the peer makes its call: posting eager receives
  // on one channel while the peer posts them on another would then wait in a
  // cycle. So every channel is connected here, all ranks in plan order (a
  // total order, so no cycle), with one byte to and from each peer.
  cudaStream_t s = nullptr;
  void* buf = nullptr;
  cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
  cudaMalloc(&buf, 2 * plan.channels.size() * 64 + 64);
  for (std::size_t c = 0; c < plan.channels.size(); ++c) {
    const auto& ch = plan.channels[c];
    const int me = ch.comm_rank_of(rank_);
    if (ch.local() || me < 0) continue;
    const auto what = fmt::format("connecting {}", ch.name());
    ncclComm_t comm = comms_[c];
    settle(ncclGroupStart(), comm, what);
    for (int j = 0; j < static_cast<int>(ch.ranks.size()); ++j) {
      if (j == me) continue;
      settle(ncclSend(buf, 1, ncclChar, j, comm, s), comm, what);
      settle(ncclRecv(static_cast<char*>(buf) + 1 + j, 1, ncclChar, j, comm, s), comm, what);
    }
    settle(ncclGroupEnd(), comm, what);
    wait_stream(s, what);
  }
  cudaFree(buf);
  cudaStreamDestroy(s);
}

void NcclChannels::wait_stream(cudaStream_t stream, const std::string& what) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const auto q = cudaStreamQuery(stream);
    if (q == cudaSuccess) return;
    if (q != cudaErrorNotReady)
      throw std::runtime_error(fmt::format("rank {}: {}: CUDA error {}", rank_, what, cudaGetErrorString(q)));
    check_async_errors(what);
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout_s_) {
      throw std::runtime_error(fmt::format("rank {}: {} did not complete in {} s: a peer is hung or gone", rank_, what, timeout_s_));
    }
    std::this_thread::yield();
  }
}

NcclChannels::~NcclChannels() {
  if (aborted_) return;
  for (auto comm : comms_)
    if (comm) ncclCommDestroy(comm);
  if (world_) ncclCommDestroy(world_);
}

void NcclChannels::abort_all() noexcept {
  if (aborted_) return;
  aborted_ = true;
  // ncclCommAbort can itself block while a kernel of the communicator still
  // waits for a peer that is gone (measured on 2 x H200 with a hung peer), so
  // it runs on a helper thread; if it has not returned in time the process
  // ends here: exit reclaims the GPU and the launcher reports the rank.
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread([this, done] {
    for (auto comm : comms_)
      if (comm) ncclCommAbort(comm);
    if (world_) ncclCommAbort(world_);
    *done = true;
  }).detach();
  const auto start = std::chrono::steady_clock::now();
  while (!*done) {
    if (std::chrono::steady_clock::now() - start > std::chrono::seconds(kAbortWaitSeconds)) {
      std::fprintf(stderr, "rank %d: ncclCommAbort did not return within %d s; ending the process\n", rank_,
                   kAbortWaitSeconds);
      std::fflush(stderr);
      std::_Exit(3);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void NcclChannels::wait_ready(ncclComm_t comm, const std::string& what) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    ncclResult_t state = ncclSuccess;
    const auto r = ncclCommGetAsyncError(comm, &state);
    if (r != ncclSuccess) {
      throw_nccl_error(r, rank_, what);
    }
    if (state == ncclSuccess) return;
    if (state != ncclInProgress) {
      throw_nccl_error(state, rank_, what);
    }
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout_s_) {
      throw std::runtime_error(fmt::format("rank {}: {} still in progress after {} s: a peer is hung or missing; "
                                           "(raise --timeout if the machine is just slow)",
                                           rank_, what, timeout_s_));
    }
    std::this_thread::yield();
  }
}

void NcclChannels::settle(ncclResult_t result, ncclComm_t comm, const std::string& what) {
  if (result == ncclSuccess) return;
  if (result == ncclInProgress) return wait_ready(comm, what);
  throw_nccl_error(result, rank_, what);
}

void NcclChannels::check_async_errors(const std::string& what) {
  auto check = [&](ncclComm_t comm) {
    if (!comm) return;
    ncclResult_t state = ncclSuccess;
    ncclCommGetAsyncError(comm, &state);
    if (state != ncclSuccess && state != ncclInProgress) {
      throw_nccl_error(state, rank_, what);
    }
  };
  check(world_);
  for (auto comm : comms_) check(comm);
}

}  // namespace moeplan::runtime
