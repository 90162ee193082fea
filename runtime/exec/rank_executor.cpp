#include "runtime/exec/rank_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "gating/gating.h"
#include "util/cuda_check.h"
#include "util/fill_random.h"

namespace moeplan::runtime {

using program::CollectiveKind;
using program::Op;
using program::OpType;

namespace {

// Element count of a buffer from a planned size; none where the program needs none.
std::size_t count_of(std::int64_t elems) { return elems > 0 ? static_cast<std::size_t>(elems) : 0; }

ncclDataType_t nccl_type(DType d) {
  switch (d) {
    case DType::FP32: return ncclFloat32;
    case DType::BF16: return ncclBfloat16;
    default: return ncclBfloat16;  // FP8 payloads are reduced in BF16 here
  }
}

std::size_t nccl_size(DType d) { return d == DType::FP32 ? 4 : 2; }

}  // namespace

RankExecutor::RankExecutor(const program::Program& p, const CommPlan& plan, NcclChannels& nccl, int rank,
                           std::uint64_t seed, const RuntimeSwitches& switches, HostWatchdog* watchdog)
    : p_(p), plan_(plan), nccl_(nccl), rank_(rank), sizes_(plan_rank_buffers(p, plan.index, rank)), watchdog_(watchdog),
      self_copy_(switches.all_to_all_self == AllToAllSelfPart::DeviceCopy) {
  ops_ = p.by_rank.at(static_cast<std::size_t>(rank));
  order_ = plan_enqueue_order(p, plan).by_rank.at(static_cast<std::size_t>(rank));
  position_.assign(p.ops.size(), -1);
  for (std::size_t i = 0; i < ops_.size(); ++i) position_[static_cast<std::size_t>(ops_[i])] = static_cast<int>(i);
  for (int s = 0; s < program::kStreamCount; ++s) {
    MOEPLAN_CUDA_CHECK(cudaStreamCreateWithFlags(&streams_[s], cudaStreamNonBlocking));
  }
  recv_streams_.assign(plan.channels.size(), nullptr);
  for (std::size_t c = 0; c < plan.channels.size(); ++c)
    if (plan.channels[c].kind == CommChannel::Kind::PointToPoint && plan.channels[c].ranks[1] == rank)
      MOEPLAN_CUDA_CHECK(cudaStreamCreateWithFlags(&recv_streams_[c], cudaStreamNonBlocking));
  start_events_.resize(ops_.size());
  end_events_.resize(ops_.size());
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    MOEPLAN_CUDA_CHECK(cudaEventCreate(&start_events_[i]));
    MOEPLAN_CUDA_CHECK(cudaEventCreate(&end_events_[i]));
  }
  MOEPLAN_CUDA_CHECK(cudaEventCreate(&step_start_));

  // Buffers, shared by the ops of all streams (their contents do not matter
  // for timing; they are drawn from the seed so no op runs on zeros).
  const auto& z = sizes_;
  compute_ = std::make_unique<ComputeKernels>(z.compute, program::kStreamCount, seed, streams_[0]);
  copy_src_ = kernels::DeviceBuffer<std::byte>(count_of(z.copy_bytes));
  copy_dst_ = kernels::DeviceBuffer<std::byte>(count_of(z.copy_bytes));
  logits_ = kernels::DeviceBuffer<float>(count_of(z.gating_max_tokens * z.gating_max_experts));
  expert_bias_ = kernels::DeviceBuffer<float>(count_of(z.gating_max_experts));
  topk_expert_ = kernels::DeviceBuffer<std::int32_t>(count_of(z.gating_max_tokens * 8));
  topk_weight_ = kernels::DeviceBuffer<float>(count_of(z.gating_max_tokens * 8));
  send_ = kernels::DeviceBuffer<std::byte>(count_of(z.comm_send_bytes));
  recv_ = kernels::DeviceBuffer<std::byte>(count_of(z.comm_recv_bytes));
  barrier_buf_ = kernels::DeviceBuffer<float>(64);
  auto fill_bf16 = [&](void* ptr, std::int64_t elems, std::uint64_t salt) {
    if (ptr) kernels::launch_fill_uniform_bf16(static_cast<kernels::Bf16Bits*>(ptr), static_cast<std::size_t>(elems),
                                               seed * 1000003 + salt, -1.0f, 1.0f, streams_[0]);
  };
  fill_bf16(copy_src_.data(), z.copy_bytes / 2, 3);
  fill_bf16(send_.data(), z.comm_send_bytes / 2, 7);
  if (logits_.size() > 0)
    kernels::launch_fill_uniform_f32(logits_.data(), logits_.size(), seed + 8, -4.0f, 4.0f, streams_[0]);
  if (expert_bias_.size() > 0)
    MOEPLAN_CUDA_CHECK(cudaMemsetAsync(expert_bias_.data(), 0, expert_bias_.bytes(), streams_[0]));
  MOEPLAN_CUDA_CHECK(cudaStreamSynchronize(streams_[0]));
}

RankExecutor::~RankExecutor() {
  cudaDeviceSynchronize();  // the device buffers are released after this body, with nothing left running
  compute_.reset();
  for (auto ev : start_events_) cudaEventDestroy(ev);
  for (auto ev : end_events_) cudaEventDestroy(ev);
  if (step_start_) cudaEventDestroy(step_start_);
  for (int s = 0; s < program::kStreamCount; ++s)
    if (streams_[s]) cudaStreamDestroy(streams_[s]);
  for (auto s : recv_streams_)
    if (s) cudaStreamDestroy(s);
}

cudaStream_t RankExecutor::stream_of(const Op& op) {
  if (op.type == OpType::Recv) return recv_streams_.at(static_cast<std::size_t>(plan_.channel_of_op[static_cast<std::size_t>(op.id)]));
  return streams_[static_cast<int>(op.stream)];
}

void RankExecutor::barrier() {
  MOEPLAN_CUDA_CHECK(cudaDeviceSynchronize());
  nccl_.settle(ncclAllReduce(barrier_buf_.data(), barrier_buf_.data(), 1, ncclFloat32, ncclSum, nccl_.world(), streams_[0]),
               nccl_.world(), "barrier all-reduce");
  nccl_.wait_stream(streams_[0], "step barrier all-reduce");
  MOEPLAN_CUDA_CHECK(cudaGetLastError());
}

void RankExecutor::run_compute(const Op& op, cudaStream_t s) {
  const int lane = static_cast<int>(op.stream);
  switch (compute_kind(op)) {
    case ComputeKind::GatingTopk: {
      // Its list (norm, router GEMM, cast, permute), and the top-k selection,
      // which the program does not cost on its own (a [tokens, experts] pass).
      compute_->run_listed(op, lane, s);
      kernels::GatingConfig config;
      config.num_experts_ = static_cast<int>(op.gemms[0].n);
      config.num_groups_ = 1;
      config.topk_groups_ = 1;
      config.topk_ = std::min(8, config.num_experts_);
      kernels::launch_gating(logits_.data(), expert_bias_.data(), static_cast<int>(op.gemms[0].m), config,
                             topk_expert_.data(), topk_weight_.data(), s);
      break;
    }
    case ComputeKind::Listed: compute_->run_listed(op, lane, s); break;
    case ComputeKind::FlopGemm:
      for (const auto& g : gemms_of(op)) compute_->gemm(g, false, op.pass, lane, s);
      break;
    case ComputeKind::DeviceCopy:
      MOEPLAN_CUDA_CHECK(cudaMemcpyAsync(copy_dst_.data(), copy_src_.data(), static_cast<std::size_t>(copy_bytes_of(op)),
                                         cudaMemcpyDeviceToDevice, s));
      break;
  }
}

void RankExecutor::run_comm(const Op& op, cudaStream_t s) {
  const int c = plan_.channel_of_op[static_cast<std::size_t>(op.id)];
  const auto& ch = plan_.channels.at(static_cast<std::size_t>(c));
  const auto what = fmt::format("op {} ({})", op.id, trace::op_name(op));
  // A group of one: the data is already where it goes (an all-to-all's rows
  // were permuted in place by the compute op before it, a reduction over one
  // member is the identity), so nothing runs, as the simulator charges nothing.
  if (ch.local()) return;
  auto* send = send_.data();
  auto* recv = recv_.data();
  ncclComm_t comm = nccl_.channel(c);
  const auto bytes = static_cast<std::size_t>(op.bytes);
  switch (op.type) {
    case OpType::Send:
      nccl_.settle(ncclSend(send, bytes, ncclChar, ch.comm_rank_of(op.peer), comm, s), comm, what);
      return;
    case OpType::Recv:
      nccl_.settle(ncclRecv(recv, bytes, ncclChar, ch.comm_rank_of(op.peer), comm, s), comm, what);
      return;
    case OpType::Collective: break;
    case OpType::Compute: return;
  }
  const auto n = ch.ranks.size();
  const auto elem = nccl_size(op.dtype);
  switch (op.collective) {
    case CollectiveKind::AllToAll: {
      const auto recv_bytes = all_to_all_recv_bytes(p_, plan_.index, op);
      const auto send_bytes = program::send_row(p_, op);
      const auto me = static_cast<std::size_t>(ch.comm_rank_of(rank_));
      std::size_t send_off = 0, recv_off = 0;
      nccl_.settle(ncclGroupStart(), comm, what);
      for (std::size_t j = 0; j < n; ++j) {
        const auto sb = static_cast<std::size_t>(send_bytes[j]);
        const auto rb = static_cast<std::size_t>(recv_bytes[j]);
        if (j == me && self_copy_) {  // this rank's own part by the copy engine, beside NCCL's kernel
          if (sb > 0) MOEPLAN_CUDA_CHECK(cudaMemcpyAsync(recv + recv_off, send + send_off, sb, cudaMemcpyDeviceToDevice, s));
        } else {
          if (sb > 0) nccl_.settle(ncclSend(send + send_off, sb, ncclChar, static_cast<int>(j), comm, s), comm, what);
          if (rb > 0) nccl_.settle(ncclRecv(recv + recv_off, rb, ncclChar, static_cast<int>(j), comm, s), comm, what);
        }
        send_off += sb;
        recv_off += rb;
      }
      nccl_.settle(ncclGroupEnd(), comm, what);
      return;
    }
    case CollectiveKind::ReduceScatter:
      nccl_.settle(ncclReduceScatter(send, recv, bytes / elem / n, nccl_type(op.dtype), ncclSum, comm, s), comm, what);
      return;
    case CollectiveKind::AllGather:
      nccl_.settle(ncclAllGather(send, recv, bytes / elem / n, nccl_type(op.dtype), comm, s), comm, what);
      return;
    case CollectiveKind::AllReduce:
      nccl_.settle(ncclAllReduce(send, recv, bytes / elem, nccl_type(op.dtype), ncclSum, comm, s), comm, what);
      return;
  }
}

void RankExecutor::enqueue(const Op& op, cudaStream_t s) {
  const auto i = static_cast<std::size_t>(position_[static_cast<std::size_t>(op.id)]);
  for (const auto dep : op.deps) {
    const int d = position_[static_cast<std::size_t>(dep)];
    if (d >= 0) MOEPLAN_CUDA_CHECK(cudaStreamWaitEvent(s, end_events_[static_cast<std::size_t>(d)], 0));
  }
  MOEPLAN_CUDA_CHECK(cudaEventRecord(start_events_[i], s));
  if (op.type == OpType::Compute)
    run_compute(op, s);
  else
    run_comm(op, s);
  MOEPLAN_CUDA_CHECK(cudaEventRecord(end_events_[i], s));
}

void RankExecutor::collect_finished(std::size_t upto) {
  bool progressed = false;
  for (std::size_t k = first_open_; k < upto; ++k) {
    const auto i = static_cast<std::size_t>(position_[static_cast<std::size_t>(order_[k])]);
    if (last_[i].done) continue;
    const auto q = cudaEventQuery(end_events_[i]);
    if (q == cudaErrorNotReady) continue;
    MOEPLAN_CUDA_CHECK(q);
    float start_ms = 0, end_ms = 0;
    MOEPLAN_CUDA_CHECK(cudaEventElapsedTime(&start_ms, step_start_, start_events_[i]));
    MOEPLAN_CUDA_CHECK(cudaEventElapsedTime(&end_ms, step_start_, end_events_[i]));
    last_[i] = {.start_s = start_ms * 1e-3, .end_s = end_ms * 1e-3, .host_s = 0, .done = true};
    progressed = true;
  }
  while (first_open_ < upto && last_[static_cast<std::size_t>(position_[static_cast<std::size_t>(order_[first_open_])])].done)
    ++first_open_;
  const auto now = std::chrono::steady_clock::now();
  if (progressed) {
    last_progress_ = now;
    return;
  }
  nccl_.check_async_errors("step");
  if (std::chrono::duration<double>(now - last_progress_).count() > nccl_.timeout_s()) {
    const Op& stuck = p_.op(order_[first_open_]);
    throw std::runtime_error(fmt::format("rank {}: no op finished for {} s; waiting for op {} ({}): a peer is hung "
                                         "or gone",
                                         rank_, nccl_.timeout_s(), stuck.id, trace::op_name(stuck)));
  }
  std::this_thread::sleep_for(std::chrono::microseconds(20));
}

std::vector<OpTimes> RankExecutor::run_step() {
  barrier();
  MOEPLAN_CUDA_CHECK(cudaEventRecord(step_start_, streams_[0]));
  for (int s = 1; s < program::kStreamCount; ++s) MOEPLAN_CUDA_CHECK(cudaStreamWaitEvent(streams_[s], step_start_, 0));
  for (auto rs : recv_streams_)
    if (rs) MOEPLAN_CUDA_CHECK(cudaStreamWaitEvent(rs, step_start_, 0));
  last_.assign(ops_.size(), {});
  first_open_ = 0;
  last_progress_ = std::chrono::steady_clock::now();
  std::vector<double> host_s(order_.size(), 0.0);  // by enqueue position
  // Ops in the global enqueue order, at most kMaxOpsInFlight unfinished at a
  // time (runtime/plan/enqueue_order.h says why that cannot deadlock).
  for (std::size_t k = 0; k < order_.size(); ++k) {
    while (k - first_open_ >= kMaxOpsInFlight) collect_finished(k);
    const Op& op = p_.op(order_[k]);
    if (watchdog_) watchdog_->enter(op.id);
    const auto host0 = std::chrono::steady_clock::now();
    enqueue(op, stream_of(op));
    host_s[k] = std::chrono::duration<double>(std::chrono::steady_clock::now() - host0).count();
    if (watchdog_) watchdog_->leave();
  }
  while (first_open_ < order_.size()) collect_finished(order_.size());
  for (std::size_t k = 0; k < order_.size(); ++k)
    last_[static_cast<std::size_t>(position_[static_cast<std::size_t>(order_[k])])].host_s = host_s[k];
  return last_;
}

RankExecutor::AllToAllBench RankExecutor::bench_all_to_all(program::OpId id, int repeats) {
  const Op& op = p_.op(id);
  const int c = plan_.channel_of_op[static_cast<std::size_t>(id)];
  const auto& ch = plan_.channels.at(static_cast<std::size_t>(c));
  ncclComm_t comm = nccl_.channel(c);
  cudaStream_t s = streams_[static_cast<int>(op.stream)];
  AllToAllBench out{.op = id, .bytes = static_cast<double>(send_total_bytes(op))};
  const auto n = ch.ranks.size();
  const std::size_t per_peer = static_cast<std::size_t>(send_total_bytes(op)) / n;
  cudaEvent_t e0, e1;
  MOEPLAN_CUDA_CHECK(cudaEventCreate(&e0));
  MOEPLAN_CUDA_CHECK(cudaEventCreate(&e1));
  auto time_it = [&](auto&& issue) {
    for (int w = 0; w < 3; ++w) issue();
    barrier();
    MOEPLAN_CUDA_CHECK(cudaEventRecord(e0, s));
    for (int r = 0; r < repeats; ++r) issue();
    MOEPLAN_CUDA_CHECK(cudaEventRecord(e1, s));
    barrier();
    float ms = 0;
    MOEPLAN_CUDA_CHECK(cudaEventElapsedTime(&ms, e0, e1));
    return ms * 1e-3 / repeats;
  };
  const auto what = fmt::format("all-to-all bench op {}", id);
  const bool self_copy = self_copy_;
  for (int round = 0; round < 3; ++round) {  // interleaved, best of 3 each
    self_copy_ = !self_copy;
    const double other = time_it([&] { run_comm(op, s); });
    self_copy_ = self_copy;
    const double ours = time_it([&] { run_comm(op, s); });
    out.other_s = round == 0 ? other : std::min(out.other_s, other);
    const double theirs = time_it([&] {
      nccl_.settle(ncclAlltoAll(send_.data(), recv_.data(), per_peer, ncclChar, comm, s), comm, what);
    });
    out.ours_s = round == 0 ? ours : std::min(out.ours_s, ours);
    out.nccl_s = round == 0 ? theirs : std::min(out.nccl_s, theirs);
  }
  cudaEventDestroy(e0);
  cudaEventDestroy(e1);
  return out;
}

trace::Trace median_trace(const program::Program& p, const std::vector<program::OpId>& ops,
                          const std::vector<std::vector<OpTimes>>& steps, int rank) {
  trace::Trace t;
  t.source = "runtime";
  for (std::size_t i = 0; i < ops.size(); ++i) {
    std::vector<double> starts, durations, host;
    for (const auto& step : steps)
      if (i < step.size() && step[i].done) {
        starts.push_back(step[i].start_s);
        durations.push_back(step[i].end_s - step[i].start_s);
        host.push_back(step[i].host_s);
      }
    if (starts.empty()) continue;
    auto median = [](std::vector<double>& v) {
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
      return v[v.size() / 2];
    };
    const Op& op = p.op(ops[i]);
    t.records.push_back({.op = op.id, .rank = rank, .stream = op.stream, .start_s = 0, .end_s = 0});
    t.records.back().start_s = median(starts);
    t.records.back().end_s = t.records.back().start_s + median(durations);
    t.records.back().host_s = median(host);
  }
  return t;
}

}  // namespace moeplan::runtime
