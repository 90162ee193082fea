#include "runtime/check/moe_layer_check.h"

#include <cublas_v2.h>
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "dispatch/dispatch_layout.h"
#include "expert_ffn/grouped_swiglu_ffn.h"
#include "gating/gating.h"
#include "permute/permute.h"
#include "runtime/plan/expert_exchange.h"
#include "util/device_buffer.h"
#include "util/fill_random.h"

namespace moeplan::runtime {

namespace {

using kernels::Bf16Bits;
using kernels::DeviceBuffer;

// Rows are bf16 vectors of `hidden` values.
std::size_t row_bytes(int hidden) { return static_cast<std::size_t>(hidden) * sizeof(Bf16Bits); }

// Grouped send/recv of row slices with every rank (itself included).
void exchange_rows(NcclChannels& nccl, const Bf16Bits* send, const std::vector<std::int64_t>& send_rows,
                   const std::vector<std::int64_t>& send_offset, Bf16Bits* recv,
                   const std::vector<std::int64_t>& recv_rows, const std::vector<std::int64_t>& recv_offset,
                   int hidden, cudaStream_t s, const std::string& what) {
  ncclComm_t comm = nccl.world();
  nccl.settle(ncclGroupStart(), comm, what);
  for (std::size_t peer = 0; peer < send_rows.size(); ++peer) {
    if (send_rows[peer] > 0)
      nccl.settle(ncclSend(send + send_offset[peer] * hidden, static_cast<std::size_t>(send_rows[peer] * hidden),
                           ncclBfloat16, static_cast<int>(peer), comm, s), comm, what);
    if (recv_rows[peer] > 0)
      nccl.settle(ncclRecv(recv + recv_offset[peer] * hidden, static_cast<std::size_t>(recv_rows[peer] * hidden),
                           ncclBfloat16, static_cast<int>(peer), comm, s), comm, what);
  }
  nccl.settle(ncclGroupEnd(), comm, what);
}

void copy_rows(Bf16Bits* dst, const Bf16Bits* src, const std::vector<ExpertExchange::Copy>& copies, bool reverse,
               int hidden, cudaStream_t s) {
  for (const auto& c : copies) {
    const auto from = reverse ? c.to_row : c.from_row, to = reverse ? c.from_row : c.to_row;
    MOEPLAN_CUDA_CHECK(cudaMemcpyAsync(dst + to * hidden, src + from * hidden, static_cast<std::size_t>(c.rows) * row_bytes(hidden),
                                       cudaMemcpyDeviceToDevice, s));
  }
}

}  // namespace

MoeCheckResult run_moe_layer_check(const MoeCheckConfig& c, NcclChannels& nccl, int rank, std::uint64_t seed) {
  const int T = c.tokens, H = c.hidden, I = c.intermediate, E = c.experts, K = c.topk, n = c.ranks;
  const std::size_t rows = static_cast<std::size_t>(T) * static_cast<std::size_t>(K);
  cudaStream_t s = nullptr;
  MOEPLAN_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  cublasHandle_t blas = nullptr;
  if (cublasCreate(&blas) != CUBLAS_STATUS_SUCCESS || cublasSetStream(blas, s) != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error("cuBLAS handle for the check");

  // Inputs: tokens differ per rank; router and expert weights are shared
  // (scaled so activations stay O(1) through the layer).
  DeviceBuffer<Bf16Bits> x(static_cast<std::size_t>(T) * H), router(static_cast<std::size_t>(E) * H);
  DeviceBuffer<Bf16Bits> w13(static_cast<std::size_t>(E) * 2 * I * H), w2(static_cast<std::size_t>(E) * H * I);
  const float wr = 1.0f / std::sqrt(static_cast<float>(H)), wd = 1.0f / std::sqrt(static_cast<float>(I));
  kernels::launch_fill_uniform_bf16(x.data(), x.size(), seed * 7919 + static_cast<std::uint64_t>(rank) + 1, -1.0f, 1.0f, s);
  kernels::launch_fill_uniform_bf16(router.data(), router.size(), seed * 7919 + 1001, -wr, wr, s);
  kernels::launch_fill_uniform_bf16(w13.data(), w13.size(), seed * 7919 + 1002, -wr, wr, s);
  kernels::launch_fill_uniform_bf16(w2.data(), w2.size(), seed * 7919 + 1003, -wd, wd, s);

  // Gate: logits[T, E] = x . router^T in fp32, then group-limited top-k.
  DeviceBuffer<float> logits(static_cast<std::size_t>(T) * E), bias(static_cast<std::size_t>(E)), weight(rows);
  DeviceBuffer<std::int32_t> expert(rows);
  MOEPLAN_CUDA_CHECK(cudaMemsetAsync(bias.data(), 0, bias.bytes(), s));
  const float one = 1.0f, zero = 0.0f;
  if (cublasGemmEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, E, T, H, &one, router.data(), CUDA_R_16BF, H, x.data(), CUDA_R_16BF,
                   H, &zero, logits.data(), CUDA_R_32F, E, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT) != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error("router GEMM of the check failed");
  kernels::GatingConfig gate;
  gate.num_experts_ = E;
  gate.num_groups_ = c.groups;
  gate.topk_groups_ = c.topk_groups;
  gate.topk_ = K;
  if (const auto problems = kernels::validate_gating_config(gate); !problems.empty())
    throw std::runtime_error("check gating configuration: " + problems.front());
  kernels::launch_gating(logits.data(), bias.data(), T, gate, expert.data(), weight.data(), s);

  // Dispatch layout over n ranks, then rows sorted by expert.
  DeviceBuffer<std::int32_t> expert_rows(static_cast<std::size_t>(E)), expert_offsets(static_cast<std::size_t>(E) + 1),
      rank_tokens(static_cast<std::size_t>(n)), rank_offsets(static_cast<std::size_t>(n) + 1), pair_to_row(rows),
      row_to_pair(rows);
  kernels::launch_dispatch_layout(expert.data(), T, K, E, n,
                                  {expert_rows.data(), expert_offsets.data(), rank_tokens.data(), rank_offsets.data(),
                                   pair_to_row.data(), row_to_pair.data()},
                                  s);
  DeviceBuffer<Bf16Bits> x_sorted(rows * H), y_sorted_ref(rows * H), y_sorted(rows * H);
  kernels::launch_permute(x.data(), pair_to_row.data(), T, K, H, x_sorted.data(), s);

  // Every rank's per-expert row counts (the all-to-all's real, uneven sizes).
  DeviceBuffer<std::int32_t> all_rows(static_cast<std::size_t>(n) * E);
  nccl.settle(ncclAllGather(expert_rows.data(), all_rows.data(), static_cast<std::size_t>(E), ncclInt32, nccl.world(), s),
              nccl.world(), "check: all-gather of expert row counts");
  nccl.wait_stream(s, "check: gate and row counts");
  const auto flat = all_rows.download();
  std::vector<std::vector<std::int32_t>> counts(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r)
    counts[static_cast<std::size_t>(r)].assign(flat.begin() + r * E, flat.begin() + (r + 1) * E);
  const auto& mine = counts[static_cast<std::size_t>(rank)];

  // Reference: all experts on this GPU.
  kernels::GroupedSwigluFfn ffn(H, I, E);
  const auto plan = plan_expert_exchange(counts, rank);
  const auto received = static_cast<std::size_t>(plan.rows_received());
  DeviceBuffer<std::uint8_t> workspace(ffn.workspace_bytes(static_cast<std::int64_t>(std::max(rows, received))));
  ffn.run(x_sorted.data(), mine, w13.data(), w2.data(), y_sorted_ref.data(), workspace.data(),
          kernels::kDefaultExpertGemmPath, s);
  DeviceBuffer<Bf16Bits> y_ref(static_cast<std::size_t>(T) * H), y(static_cast<std::size_t>(T) * H);
  kernels::launch_unpermute_combine(y_sorted_ref.data(), pair_to_row.data(), weight.data(), T, K, H, y_ref.data(), s);

  // Distributed: rows to the experts' ranks, local experts, rows back.
  DeviceBuffer<Bf16Bits> in_src(std::max<std::size_t>(received, 1) * H), in_exp(std::max<std::size_t>(received, 1) * H),
      out_exp(std::max<std::size_t>(received, 1) * H), out_src(std::max<std::size_t>(received, 1) * H);
  exchange_rows(nccl, x_sorted.data(), plan.send_rows, plan.send_offset, in_src.data(), plan.recv_rows,
                plan.recv_offset, H, s, "check: dispatch");
  copy_rows(in_exp.data(), in_src.data(), plan.to_expert_major, false, H, s);
  const auto first = static_cast<std::size_t>(rank) * static_cast<std::size_t>(E / n);
  ffn.run(in_exp.data(), plan.local_expert_rows, w13.data() + first * 2 * I * H, w2.data() + first * H * I,
          out_exp.data(), workspace.data(), kernels::kDefaultExpertGemmPath, s);
  copy_rows(out_src.data(), out_exp.data(), plan.to_expert_major, true, H, s);
  exchange_rows(nccl, out_src.data(), plan.recv_rows, plan.recv_offset, y_sorted.data(), plan.send_rows,
                plan.send_offset, H, s, "check: combine");
  kernels::launch_unpermute_combine(y_sorted.data(), pair_to_row.data(), weight.data(), T, K, H, y.data(), s);
  // Negative control: the same path with the source-major rows handed to the
  // experts unsorted (a plausible grouping bug) must be caught.
  DeviceBuffer<Bf16Bits> y_bad(static_cast<std::size_t>(T) * H);
  ffn.run(in_src.data(), plan.local_expert_rows, w13.data() + first * 2 * I * H, w2.data() + first * H * I,
          out_src.data(), workspace.data(), kernels::kDefaultExpertGemmPath, s);
  exchange_rows(nccl, out_src.data(), plan.recv_rows, plan.recv_offset, y_sorted.data(), plan.send_rows,
                plan.send_offset, H, s, "check: negative control");
  kernels::launch_unpermute_combine(y_sorted.data(), pair_to_row.data(), weight.data(), T, K, H, y_bad.data(), s);
  nccl.wait_stream(s, "check: distributed layer");

  MoeCheckResult result;
  const auto ref = y_ref.download(), got = y.download(), bad = y_bad.download();
  double err2 = 0, ref2 = 0, bad2 = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double a = kernels::bf16_to_float(ref[i]), b = kernels::bf16_to_float(got[i]);
    const double wrong = kernels::bf16_to_float(bad[i]);
    err2 += (a - b) * (a - b);
    bad2 += (a - wrong) * (a - wrong);
    ref2 += a * a;
    result.max_abs_error = std::max(result.max_abs_error, std::abs(a - b));
  }
  result.reference_norm = std::sqrt(ref2);
  result.relative_error = ref2 > 0 ? std::sqrt(err2 / ref2) : std::sqrt(err2);
  result.control_error = ref2 > 0 ? std::sqrt(bad2 / ref2) : std::sqrt(bad2);
  for (int r = 0; r < n; ++r) {
    if (r == rank) continue;
    result.rows_sent_away += plan.send_rows[static_cast<std::size_t>(r)];
    result.rows_received += plan.recv_rows[static_cast<std::size_t>(r)];
  }
  // With one rank source-major is expert-major: the control cannot differ.
  result.control_caught = n == 1 || result.control_error > kMoeCheckTolerance;
  result.pass = std::isfinite(result.relative_error) && result.reference_norm > 0 &&
                result.relative_error <= kMoeCheckTolerance && result.control_caught;
  cublasDestroy(blas);
  cudaStreamDestroy(s);
  return result;
}

}  // namespace moeplan::runtime
