// moeplan-kernel-bench: the MoE kernels at DeepSeek-V3 shapes on the local GPU,
// printed as one markdown table per GPU.
//
//   shapes   hidden 7168, expert intermediate 2048, 256 experts, top-8,
//            4096 tokens per GPU -> 32768 routed rows over the local experts
//            (EP8: 32 local experts, EP64: 4)
//   ceilings device-to-device copy bandwidth (bytes read + written) and one dense
//            cuBLAS BF16 GEMM with the grouped FFN's total FLOPs, both measured here
//   timing   CUDA events around each repetition after warm-up, median reported;
//            inputs are random (never zeros)
//   sections moeplan-kernel-bench [ffn] [permute] [quant] [gating] [gemm] [ffn8] [memory] [attention]
//            runs the named sections (all without arguments); the copy ceiling always.
//            gemm: cuBLASLt BF16 / FP8 block-scaled GEMMs vs the datasheet dense peaks
//            (H100/H200 SXM: 989 BF16, 1979 FP8 TFLOP/s); memory: transposed FP8
//            quantisation, RMSNorm, RoPE, SwiGLU backward, residual add vs HBM
//            (3.35 TB/s H100 SXM, 4.8 TB/s H200) and the measured copy.
//   attention (with cuDNN) MLA core, qk 192, v 128, causal, batch 1: seq 4096 x
//            128 heads (DeepSeek-V3 pre-training) and seq 1024/2048 x 16/32 heads;
//            FLOPs exact for the causal mask, pairs = seq*(seq+1)/2:
//            forward 2*pairs*heads*(qk+v), backward 2*pairs*heads*(3*qk+2*v),
//            against the H100/H200 dense BF16 peak of 989 TFLOP/s
//
// Usage: moeplan-kernel-bench [sections] (--attention-only: the attention section alone)
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <cstdio>
#include <functional>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#if defined(MOEPLAN_HAVE_CUDNN)
#include "attention/cudnn_mla_attention.h"
#endif
#include "dispatch/dispatch_layout_reference.h"
#include "moe_kernels.h"
#include "util/cuda_check.h"
#include "util/device_buffer.h"

namespace mk = moeplan::kernels;
using mk::Bf16Bits;
using mk::DeviceBuffer;
using mk::E4m3Bits;

namespace {

constexpr int kHidden = 7168;
constexpr int kIntermediate = 2048;
constexpr int kExperts = 256;
constexpr int kTopk = 8;
constexpr int kTokens = 4096;
constexpr int kRoutedRows = kTokens * kTopk;

// Median time of `reps` runs of `work` in ms, each bracketed by its own events.
double median_ms(const std::function<void()>& work, int warmup, int reps) {
  for (int i = 0; i < warmup; ++i) work();
  MOEPLAN_CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<cudaEvent_t> start(static_cast<std::size_t>(reps)), stop(static_cast<std::size_t>(reps));
  for (int i = 0; i < reps; ++i) {
    MOEPLAN_CUDA_CHECK(cudaEventCreate(&start[static_cast<std::size_t>(i)]));
    MOEPLAN_CUDA_CHECK(cudaEventCreate(&stop[static_cast<std::size_t>(i)]));
  }
  for (int i = 0; i < reps; ++i) {
    MOEPLAN_CUDA_CHECK(cudaEventRecord(start[static_cast<std::size_t>(i)], nullptr));
    work();
    MOEPLAN_CUDA_CHECK(cudaEventRecord(stop[static_cast<std::size_t>(i)], nullptr));
  }
  MOEPLAN_CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    float elapsed = 0.0f;
    MOEPLAN_CUDA_CHECK(cudaEventElapsedTime(&elapsed, start[static_cast<std::size_t>(i)], stop[static_cast<std::size_t>(i)]));
    ms.push_back(elapsed);
    MOEPLAN_CUDA_CHECK(cudaEventDestroy(start[static_cast<std::size_t>(i)]));
    MOEPLAN_CUDA_CHECK(cudaEventDestroy(stop[static_cast<std::size_t>(i)]));
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// Medians of several pieces of work timed in alternating rounds, so slow drifts
// of clock or temperature hit all of them alike (ratios between them are fair).
std::vector<double> interleaved_median_ms(const std::vector<std::function<void()>>& works,
                                          int warmup, int rounds, int reps_per_round) {
  for (const auto& work : works)
    for (int i = 0; i < warmup; ++i) work();
  std::vector<std::vector<double>> samples(works.size());
  for (int round = 0; round < rounds; ++round)
    for (std::size_t w = 0; w < works.size(); ++w) samples[w].push_back(median_ms(works[w], 0, reps_per_round));
  std::vector<double> medians;
  for (auto& s : samples) {
    std::sort(s.begin(), s.end());
    medians.push_back(s[s.size() / 2]);
  }
  return medians;
}

void check_cublas(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    std::fprintf(stderr, "%s failed: %s\n", what, cublasGetStatusString(status));
    std::exit(1);
  }
}

struct Row {
  std::string what_;
  std::string value_;
  std::string versus_;
};

std::string fmt(const char* format, double a, double b = 0.0, double c = 0.0) {
  char text[160];
  std::snprintf(text, sizeof(text), format, a, b, c);
  return text;
}

// Counts of kRoutedRows rows over `experts` local experts, each row's expert drawn uniformly.
std::vector<std::int32_t> random_expert_rows(int experts, std::mt19937_64& rng) {
  std::vector<std::int32_t> rows(static_cast<std::size_t>(experts), 0);
  std::uniform_int_distribution<int> pick(0, experts - 1);
  for (int i = 0; i < kRoutedRows; ++i) ++rows[static_cast<std::size_t>(pick(rng))];
  return rows;
}

#if defined(MOEPLAN_HAVE_CUDNN)
constexpr double kBf16PeakTFLOPs = 989.0;  // H100/H200 SXM dense BF16

// Forward and backward of the cuDNN fused attention at one shape: two rows.
void add_attention_rows(const mk::AttentionShape& shape, std::uint64_t& seed, std::vector<Row>& table) {
  const auto rows = static_cast<std::size_t>(shape.batch_) * shape.seq_ * shape.heads_;
  const auto qk = rows * static_cast<std::size_t>(shape.qk_dim_), v_count = rows * static_cast<std::size_t>(shape.v_dim_);
  const std::string name = std::string("attention ") + (shape.causal_ ? "causal" : "full") + fmt(" b%.0f s%.0f ", shape.batch_, shape.seq_) +
                           fmt("h%.0f qk%.0f v%.0f", shape.heads_, shape.qk_dim_, shape.v_dim_);
  DeviceBuffer<Bf16Bits> q(qk), k(qk), v(v_count), o(v_count), d_o(v_count), d_q(qk), d_k(qk), d_v(v_count);
  DeviceBuffer<float> stats(rows);
  for (auto* buffer : {&q, &k}) mk::launch_fill_uniform_bf16(buffer->data(), buffer->size(), seed++, -2.0f, 2.0f, nullptr);
  for (auto* buffer : {&v, &d_o}) mk::launch_fill_uniform_bf16(buffer->data(), buffer->size(), seed++, -1.0f, 1.0f, nullptr);
  std::unique_ptr<mk::CudnnAttention> attention;
  const auto build_start = std::chrono::steady_clock::now();
  try {
    attention = std::make_unique<mk::CudnnAttention>(shape);
  } catch (const std::exception& error) {
    table.push_back({name + " (cuDNN)", "not built", std::string(error.what()).substr(0, 400)});
    return;
  }
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
  const double fwd_ms = median_ms([&] {
    attention->forward(q.data(), k.data(), v.data(), o.data(), stats.data(), nullptr);
  }, 3, 20);
  const double bwd_ms = median_ms([&] {
    attention->backward(q.data(), k.data(), v.data(), o.data(), d_o.data(), stats.data(), d_q.data(), d_k.data(), d_v.data(), nullptr);
  }, 3, 20);
  const double fwd_TFLOPs = shape.forward_flops() / (fwd_ms * 1e-3) / 1e12;
  const double bwd_TFLOPs = shape.backward_flops() / (bwd_ms * 1e-3) / 1e12;
  table.push_back({name + " fwd (cuDNN)", fmt("%.0f TFLOP/s (%.3f ms)", fwd_TFLOPs, fwd_ms),
                   fmt("%.3f of BF16 peak 989 (plans built in %.1f s, engine %.0f)", fwd_TFLOPs / kBf16PeakTFLOPs, build_s,
                       static_cast<double>(attention->forward_engine()))});
  table.push_back({name + " bwd (cuDNN)", fmt("%.0f TFLOP/s (%.3f ms)", bwd_TFLOPs, bwd_ms),
                   fmt("%.3f of BF16 peak 989 (engine %.0f)", bwd_TFLOPs / kBf16PeakTFLOPs, static_cast<double>(attention->backward_engine()))});
}

void add_all_attention_rows(std::uint64_t& seed, std::vector<Row>& table) {
  for (const auto& [seq, heads] : {std::pair{1024, 16}, std::pair{1024, 32}, std::pair{2048, 16},
                                   std::pair{2048, 32}, std::pair{4096, 128}})
    add_attention_rows({.batch_ = 1, .seq_ = seq, .heads_ = heads}, seed, table);
}
#endif

void print_table(const cudaDeviceProp& prop, const std::vector<Row>& table) {
  std::printf("\n### %s (%d SMs, %.0f GiB, CUDA runtime %d)\n\n", prop.name, prop.multiProcessorCount,
              static_cast<double>(prop.totalGlobalMem) / (1 << 30), CUDART_VERSION);
#if defined(MOEPLAN_HAVE_CUDNN)
  std::printf("cuDNN %zu\n\n", mk::CudnnAttention::cudnn_version());
#endif
  std::printf("| kernel / shape | measured | versus ceiling |\n|---|---|---|\n");
  for (const auto& row : table) std::printf("| %s | %s | %s |\n", row.what_.c_str(), row.value_.c_str(), row.versus_.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const auto wants = [&](const char* section) {
    if (argc <= 1) return true;
    for (int i = 1; i < argc; ++i)
      if (std::string(argv[i]) == section || (std::string(argv[i]) == "--attention-only" && std::string(section) == "attention"))
        return true;
    return false;
  };
  int device = 0;
  cudaDeviceProp prop{};
  if (cudaGetDeviceCount(&device) != cudaSuccess || device == 0) {
    std::fprintf(stderr, "moeplan-kernel-bench: no CUDA device present\n");
    return 1;
  }
  MOEPLAN_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  std::mt19937_64 rng(20250101);
  std::vector<Row> table;
  std::uint64_t seed = 1;

  // ---- ceilings: device-to-device copy and one dense BF16 GEMM -------------
  const std::size_t copy_bytes = std::size_t{1} << 30;
  double copy_GBps = 0.0;
  {
    DeviceBuffer<unsigned char> a(copy_bytes), b(copy_bytes);
    MOEPLAN_CUDA_CHECK(cudaMemset(a.data(), 0x5a, copy_bytes));
    const double ms = median_ms([&] {
      MOEPLAN_CUDA_CHECK(cudaMemcpyAsync(b.data(), a.data(), copy_bytes, cudaMemcpyDeviceToDevice, nullptr));
    }, 3, 20);
    copy_GBps = 2.0 * static_cast<double>(copy_bytes) / (ms * 1e-3) / 1e9;
    table.push_back({"D2D copy 1 GiB (read+write)", fmt("%.0f GB/s", copy_GBps), "ceiling for bandwidth rows"});
  }

  if (wants("ffn")) {
  const double ffn_flops = 2.0 * kRoutedRows * (2.0 * kIntermediate * kHidden + static_cast<double>(kHidden) * kIntermediate);
  cublasHandle_t blas = nullptr;
  check_cublas(cublasCreate(&blas), "cublasCreate");
  // Dense ceiling with the same FLOPs as the two projections: [32768 x 7168] . [7168 x 6144].
  const int dense_n = 3 * kIntermediate;
  DeviceBuffer<Bf16Bits> dense_w(static_cast<std::size_t>(dense_n) * kHidden), dense_x(static_cast<std::size_t>(kRoutedRows) * kHidden),
      dense_y(static_cast<std::size_t>(kRoutedRows) * dense_n);
  mk::launch_fill_uniform_bf16(dense_w.data(), dense_w.size(), seed++, -0.02f, 0.02f, nullptr);
  mk::launch_fill_uniform_bf16(dense_x.data(), dense_x.size(), seed++, -1.0f, 1.0f, nullptr);
  const std::function<void()> dense_gemm = [&] {
    const float alpha = 1.0f, beta = 0.0f;
    check_cublas(cublasGemmEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, dense_n, kRoutedRows, kHidden, &alpha, dense_w.data(),
                              CUDA_R_16BF, kHidden, dense_x.data(), CUDA_R_16BF, kHidden, &beta, dense_y.data(),
                              CUDA_R_16BF, dense_n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                 "dense cublasGemmEx");
  };

  // ---- grouped SwiGLU FFN, EP8 and EP64 layouts, interleaved with the dense GEMM
  for (int ep : {8, 64}) {
    const int local = kExperts / ep;
    const auto rows = random_expert_rows(local, rng);
    const auto [min_it, max_it] = std::minmax_element(rows.begin(), rows.end());
    DeviceBuffer<Bf16Bits> w13(static_cast<std::size_t>(local) * 2 * kIntermediate * kHidden),
        w2(static_cast<std::size_t>(local) * kHidden * kIntermediate),
        x(static_cast<std::size_t>(kRoutedRows) * kHidden), y(static_cast<std::size_t>(kRoutedRows) * kHidden);
    mk::launch_fill_uniform_bf16(w13.data(), w13.size(), seed++, -0.02f, 0.02f, nullptr);
    mk::launch_fill_uniform_bf16(w2.data(), w2.size(), seed++, -0.02f, 0.02f, nullptr);
    mk::launch_fill_uniform_bf16(x.data(), x.size(), seed++, -1.0f, 1.0f, nullptr);
    struct Variant {
      const char* name_;
      mk::ExpertGemmPath path_;
      int streams_;
    };
    const std::vector<Variant> variants = {
        {"cublasGemmGroupedBatchedEx", mk::ExpertGemmPath::grouped_batched, 1},
        {"cublasGemmEx per expert, in order", mk::ExpertGemmPath::per_expert_loop, 1},
        {"cublasGemmEx per expert, SwiGLU on side stream (pipelined)", mk::ExpertGemmPath::per_expert_pipelined, 1},
        {"cublasGemmEx per expert, experts over 2 streams", mk::ExpertGemmPath::per_expert_streams, 2},
        {"cublasGemmEx per expert, experts over 4 streams", mk::ExpertGemmPath::per_expert_streams, 4}};
    std::vector<std::unique_ptr<mk::GroupedSwigluFfn>> ffns;
    for (const Variant& v : variants)
      ffns.push_back(std::make_unique<mk::GroupedSwigluFfn>(kHidden, kIntermediate, local, v.streams_));
    DeviceBuffer<unsigned char> workspace(ffns.front()->workspace_bytes(kRoutedRows));
    std::vector<std::function<void()>> works = {dense_gemm};
    for (std::size_t i = 0; i < variants.size(); ++i)
      works.push_back([&, i] {
        ffns[i]->run(x.data(), rows, w13.data(), w2.data(), y.data(), workspace.data(), variants[i].path_, nullptr);
      });
    const auto ms = interleaved_median_ms(works, 3, 9, 3);
    const double dense_TFLOPs = ffn_flops / (ms[0] * 1e-3) / 1e12;
    table.push_back({fmt("EP%.0f: dense BF16 GEMM 32768x6144x7168, same FLOPs (cuBLAS)", ep), fmt("%.0f TFLOP/s (%.3f ms)", dense_TFLOPs, ms[0]),
                     "ceiling for the rows below"});
    for (std::size_t i = 0; i < variants.size(); ++i) {
      const double tflops = ffn_flops / (ms[i + 1] * 1e-3) / 1e12;
      table.push_back({fmt("EP%.0f SwiGLU FFN, %.0f experts, rows %.0f..", ep, local, *min_it) +
                           fmt("%.0f, ", *max_it) + variants[i].name_,
                       fmt("%.0f TFLOP/s (%.3f ms)", tflops, ms[i + 1]), fmt("%.3f of dense (target >= 0.85)", tflops / dense_TFLOPs)});
    }
    if (ep == 8) {  // the activation alone, for the breakdown
      auto* h = reinterpret_cast<Bf16Bits*>(workspace.data());
      mk::launch_fill_uniform_bf16(h, static_cast<std::size_t>(kRoutedRows) * 2 * kIntermediate, seed++, -2.0f, 2.0f, nullptr);
      auto* act = h + static_cast<std::size_t>(kRoutedRows) * 2 * kIntermediate;
      const double act_ms = median_ms([&] { mk::launch_swiglu(h, kRoutedRows, kIntermediate, act, nullptr); }, 3, 50);
      const double bytes = static_cast<double>(kRoutedRows) * kIntermediate * 2 * 3;
      table.push_back({"  SwiGLU activation alone (32768 x 2048)", fmt("%.1f us, %.0f GB/s", act_ms * 1e3, bytes / (act_ms * 1e-3) / 1e9),
                       fmt("%.2f of copy", bytes / (act_ms * 1e-3) / 1e9 / copy_GBps)});
    }
  }

  check_cublas(cublasDestroy(blas), "cublasDestroy");
  }  // ffn

  // ---- permute / unpermute-combine -----------------------------------------
  if (wants("permute")) {
    std::vector<std::int32_t> routing;
    std::vector<std::int32_t> experts(kExperts);
    std::iota(experts.begin(), experts.end(), 0);
    for (int t = 0; t < kTokens; ++t) {
      std::shuffle(experts.begin(), experts.end(), rng);
      routing.insert(routing.end(), experts.begin(), experts.begin() + kTopk);
    }
    const auto layout = mk::dispatch_layout_reference(routing, kTokens, kTopk, kExperts, 8);
    DeviceBuffer<std::int32_t> pair_to_row{std::span<const std::int32_t>(layout.pair_to_row_)};
    DeviceBuffer<Bf16Bits> x(static_cast<std::size_t>(kTokens) * kHidden), grouped(static_cast<std::size_t>(kRoutedRows) * kHidden),
        out(static_cast<std::size_t>(kTokens) * kHidden);
    DeviceBuffer<float> weights(static_cast<std::size_t>(kRoutedRows));
    mk::launch_fill_uniform_bf16(x.data(), x.size(), seed++, -1.0f, 1.0f, nullptr);
    mk::launch_fill_uniform_bf16(grouped.data(), grouped.size(), seed++, -1.0f, 1.0f, nullptr);
    mk::launch_fill_uniform_f32(weights.data(), weights.size(), seed++, 0.0f, 0.3f, nullptr);
    const double bytes = static_cast<double>(kTokens + kRoutedRows) * kHidden * 2;
    const double permute_ms = median_ms([&] {
      mk::launch_permute(x.data(), pair_to_row.data(), kTokens, kTopk, kHidden, grouped.data(), nullptr);
    }, 5, 100);
    table.push_back({"permute 4096 tok x 8 -> 32768 rows x 7168 bf16", fmt("%.1f us, %.0f GB/s", permute_ms * 1e3, bytes / (permute_ms * 1e-3) / 1e9),
                     fmt("%.2f of copy (target >= 0.7)", bytes / (permute_ms * 1e-3) / 1e9 / copy_GBps)});
    const double combine_ms = median_ms([&] {
      mk::launch_unpermute_combine(grouped.data(), pair_to_row.data(), weights.data(), kTokens, kTopk, kHidden, out.data(), nullptr);
    }, 5, 100);
    table.push_back({"unpermute+combine 32768 rows -> 4096 tok", fmt("%.1f us, %.0f GB/s", combine_ms * 1e3, bytes / (combine_ms * 1e-3) / 1e9),
                     fmt("%.2f of copy (target >= 0.7)", bytes / (combine_ms * 1e-3) / 1e9 / copy_GBps)});
  }

  // ---- FP8 quantisation ----------------------------------------------------
  if (wants("quant"))
  for (int rows : {kTokens, kRoutedRows}) {
    const int tiles = mk::fp8_tiles_per_row(kHidden);
    DeviceBuffer<Bf16Bits> x(static_cast<std::size_t>(rows) * kHidden), back(static_cast<std::size_t>(rows) * kHidden);
    DeviceBuffer<E4m3Bits> q(static_cast<std::size_t>(rows) * kHidden);
    DeviceBuffer<float> scales(static_cast<std::size_t>(rows) * tiles);
    mk::launch_fill_uniform_bf16(x.data(), x.size(), seed++, -3.0f, 3.0f, nullptr);
    const double bytes = static_cast<double>(rows) * (kHidden * 3.0 + tiles * 4.0);
    const double quant_ms = median_ms([&] {
      mk::launch_fp8_quant_act_1x128(x.data(), rows, kHidden, q.data(), kHidden, scales.data(), tiles, nullptr);
    }, 5, 100);
    table.push_back({fmt("fp8 quant 1x128, %.0f x 7168", rows), fmt("%.1f us, %.0f GB/s", quant_ms * 1e3, bytes / (quant_ms * 1e-3) / 1e9),
                     fmt("%.2f of copy (target >= 0.7)", bytes / (quant_ms * 1e-3) / 1e9 / copy_GBps)});
    const double dequant_ms = median_ms([&] {
      mk::launch_fp8_dequant_act_1x128(q.data(), kHidden, scales.data(), tiles, rows, kHidden, back.data(), nullptr);
    }, 5, 100);
    table.push_back({fmt("fp8 dequant 1x128, %.0f x 7168", rows), fmt("%.1f us, %.0f GB/s", dequant_ms * 1e3, bytes / (dequant_ms * 1e-3) / 1e9),
                     fmt("%.2f of copy (target >= 0.7)", bytes / (dequant_ms * 1e-3) / 1e9 / copy_GBps)});
  }
  if (wants("quant")) {
    const int rows = 8 * 2 * kIntermediate;  // w13 of 8 experts: [32768 x 7168]
    const auto blocks = static_cast<std::size_t>(mk::fp8_tiles_per_row(rows) * mk::fp8_tiles_per_row(kHidden));
    DeviceBuffer<Bf16Bits> w(static_cast<std::size_t>(rows) * kHidden);
    DeviceBuffer<E4m3Bits> q(w.size());
    DeviceBuffer<float> scales(blocks);
    mk::launch_fill_uniform_bf16(w.data(), w.size(), seed++, -0.05f, 0.05f, nullptr);
    const double bytes = static_cast<double>(w.size()) * 3.0 + static_cast<double>(blocks) * 4.0;
    const double ms = median_ms([&] { mk::launch_fp8_quant_weight_128x128(w.data(), rows, kHidden, q.data(), scales.data(), nullptr); }, 5, 50);
    table.push_back({"fp8 quant 128x128, 32768 x 7168 weights", fmt("%.1f us, %.0f GB/s", ms * 1e3, bytes / (ms * 1e-3) / 1e9),
                     fmt("%.2f of copy (target >= 0.7)", bytes / (ms * 1e-3) / 1e9 / copy_GBps)});
  }

  // ---- gating and dispatch layout -------------------------------------------
  if (wants("gating")) {
    DeviceBuffer<float> logits(static_cast<std::size_t>(kTokens) * kExperts), bias(kExperts), weights(static_cast<std::size_t>(kRoutedRows));
    DeviceBuffer<std::int32_t> topk(static_cast<std::size_t>(kRoutedRows));
    mk::launch_fill_uniform_f32(logits.data(), logits.size(), seed++, -4.0f, 4.0f, nullptr);
    mk::launch_fill_uniform_f32(bias.data(), bias.size(), seed++, -0.1f, 0.1f, nullptr);
    mk::GatingConfig plain;
    mk::GatingConfig node_limited;
    node_limited.num_nodes_ = 8;
    node_limited.max_nodes_ = 4;
    for (const auto& [name, config] : {std::pair{"gating 4096 tok, 256 experts, 4 of 8 groups, top-8", plain},
                                       std::pair{"gating, plus node limit M=4 of 8 nodes", node_limited}}) {
      const double ms = median_ms([&] {
        mk::launch_gating(logits.data(), bias.data(), kTokens, config, topk.data(), weights.data(), nullptr);
      }, 10, 200);
      table.push_back({name, fmt("%.1f us per 4096 tokens", ms * 1e3), ""});
    }
    for (int ranks : {8, 64}) {
      DeviceBuffer<std::int32_t> expert_rows(kExperts), expert_offsets(kExperts + 1), rank_tokens(static_cast<std::size_t>(ranks)),
          rank_offsets(static_cast<std::size_t>(ranks) + 1), pair_to_row(static_cast<std::size_t>(kRoutedRows)),
          row_to_pair(static_cast<std::size_t>(kRoutedRows));
      const mk::DispatchLayout layout{expert_rows.data(), expert_offsets.data(), rank_tokens.data(),
                                      rank_offsets.data(), pair_to_row.data(),   row_to_pair.data()};
      const double ms = median_ms([&] {
        mk::launch_dispatch_layout(topk.data(), kTokens, kTopk, kExperts, ranks, layout, nullptr);
      }, 10, 200);
      table.push_back({fmt("dispatch layout 4096 x 8 -> 256 experts, %.0f ranks", ranks), fmt("%.1f us", ms * 1e3), ""});
    }
  }
  const bool is_h200 = std::string(prop.name).find("H200") != std::string::npos;
  const double hbm_GBps = is_h200 ? 4800.0 : 3350.0;
  const auto bandwidth_row = [&](const std::string& what, double ms, double bytes) {
    const double GBps = bytes / (ms * 1e-3) / 1e9;
    table.push_back({what, fmt("%.1f us, %.0f GB/s", ms * 1e3, GBps),
                     fmt("%.2f of HBM datasheet, %.2f of copy", GBps / hbm_GBps, GBps / copy_GBps)});
  };

  // ---- dense GEMMs through cuBLASLt: BF16 and FP8 block-scaled ---------------
  if (wants("gemm")) {
    struct GemmShape {
      const char* what_;
      int m_, n_, k_;
      mk::LtGemmMode fp8_mode_;
    };
    const GemmShape shapes[] = {
        {"fwd expert down, x[4096x2048] . W[7168x2048]^T", 4096, 7168, 2048, mk::LtGemmMode::fp8_act_x_weight},
        {"fwd gate/up, x[4096x7168] . W[4096x7168]^T", 4096, 4096, 7168, mk::LtGemmMode::fp8_act_x_weight},
        {"wgrad dW[2048x7168] = dy^T . x, K = 4096 tokens", 2048, 7168, 4096, mk::LtGemmMode::fp8_act_x_act},
        {"skinny expert, 128 rows . W[7168x2048]^T", 128, 7168, 2048, mk::LtGemmMode::fp8_act_x_weight},
        {"skinny expert, 128 rows . W[4096x7168]^T", 128, 4096, 7168, mk::LtGemmMode::fp8_act_x_weight}};
    mk::LtGemm gemm;
    for (const GemmShape& g : shapes) {
      const auto mk_ = static_cast<std::size_t>(g.m_) * static_cast<std::size_t>(g.k_);
      const auto nk = static_cast<std::size_t>(g.n_) * static_cast<std::size_t>(g.k_);
      DeviceBuffer<Bf16Bits> a(mk_), b(nk), d(static_cast<std::size_t>(g.m_) * static_cast<std::size_t>(g.n_));
      DeviceBuffer<E4m3Bits> qa(mk_), qb(nk);
      const bool weight = g.fp8_mode_ == mk::LtGemmMode::fp8_act_x_weight;
      DeviceBuffer<float> sa(static_cast<std::size_t>(mk::lt_vec128_scale_count(g.m_, g.k_))),
          sb(static_cast<std::size_t>(weight ? mk::lt_blk128_scale_count(g.n_, g.k_) : mk::lt_vec128_scale_count(g.n_, g.k_)));
      mk::launch_fill_uniform_bf16(a.data(), a.size(), seed++, -1.0f, 1.0f, nullptr);
      mk::launch_fill_uniform_bf16(b.data(), b.size(), seed++, -0.05f, 0.05f, nullptr);
      if (weight) {
        mk::launch_fp8_quant_act_1x128_gemm_scales(a.data(), g.m_, g.k_, qa.data(), sa.data(), nullptr);
        mk::launch_fp8_quant_weight_128x128_gemm_scales(b.data(), g.n_, g.k_, qb.data(), sb.data(), nullptr);
      } else {  // operands arrive as [k x m] and [k x n] (tokens first): transposed quantisation
        mk::launch_fp8_quant_transposed_1x128(a.data(), g.k_, g.m_, qa.data(), sa.data(), nullptr);
        mk::launch_fp8_quant_transposed_1x128(b.data(), g.k_, g.n_, qb.data(), sb.data(), nullptr);
      }
      const double flops = 2.0 * g.m_ * static_cast<double>(g.n_) * g.k_;
      if (!gemm.supports(g.fp8_mode_, g.m_, g.n_, g.k_)) {
        table.push_back({fmt("cuBLASLt FP8 %.0fx%.0fx%.0f: ", g.m_, g.n_, g.k_) + g.what_, "no cuBLASLt algorithm", ""});
        continue;
      }
      const std::vector<std::function<void()>> works = {
          [&] { gemm.run_bf16(a.data(), b.data(), d.data(), g.m_, g.n_, g.k_, nullptr); },
          [&] { gemm.run_fp8(g.fp8_mode_, qa.data(), sa.data(), qb.data(), sb.data(), d.data(), g.m_, g.n_, g.k_, nullptr); }};
      const auto ms = interleaved_median_ms(works, 3, 7, 5);
      const double bf16_T = flops / (ms[0] * 1e-3) / 1e12, fp8_T = flops / (ms[1] * 1e-3) / 1e12;
      table.push_back({fmt("cuBLASLt BF16 %.0fx%.0fx%.0f: ", g.m_, g.n_, g.k_) + g.what_,
                       fmt("%.0f TFLOP/s (%.3f ms)", bf16_T, ms[0]), fmt("%.2f of 989 BF16 peak", bf16_T / 989.0)});
      table.push_back({std::string("cuBLASLt FP8 ") + (weight ? "1x128 x 128x128" : "1x128 x 1x128") + fmt(" %.0fx%.0fx%.0f", g.m_, g.n_, g.k_),
                       fmt("%.0f TFLOP/s (%.3f ms)", fp8_T, ms[1]),
                       fmt("%.2f of 1979 FP8 peak, %.2fx BF16", fp8_T / 1979.0, fp8_T / bf16_T)});
    }
  }

  // ---- FP8 grouped SwiGLU FFN vs the BF16 one, EP8 layout (32 local experts) ----
  if (wants("ffn8")) {
    const int local = kExperts / 8;
    auto rows = random_expert_rows(local, rng);
    for (auto& r : rows) r = r / 8 * 8;  // FP8 path: segments padded/trimmed to multiples of 8
    const double flops = 2.0 * std::accumulate(rows.begin(), rows.end(), 0.0) * (2.0 * kIntermediate * kHidden + static_cast<double>(kHidden) * kIntermediate);
    DeviceBuffer<Bf16Bits> w13(static_cast<std::size_t>(local) * 2 * kIntermediate * kHidden),
        w2(static_cast<std::size_t>(local) * kHidden * kIntermediate),
        x(static_cast<std::size_t>(kRoutedRows) * kHidden), y(static_cast<std::size_t>(kRoutedRows) * kHidden);
    mk::launch_fill_uniform_bf16(w13.data(), w13.size(), seed++, -0.02f, 0.02f, nullptr);
    mk::launch_fill_uniform_bf16(w2.data(), w2.size(), seed++, -0.02f, 0.02f, nullptr);
    mk::launch_fill_uniform_bf16(x.data(), x.size(), seed++, -1.0f, 1.0f, nullptr);
    mk::GroupedSwigluFfn bf16_ffn(kHidden, kIntermediate, local, 1);
    mk::Fp8GroupedSwigluFfn fp8_ffn(kHidden, kIntermediate, local);
    DeviceBuffer<unsigned char> bf16_ws(bf16_ffn.workspace_bytes(kRoutedRows)), fp8_ws(fp8_ffn.workspace_bytes(kRoutedRows));
    const double quant_ms = median_ms([&] { fp8_ffn.quantise_weights(w13.data(), w2.data(), nullptr); }, 1, 5);
    const std::vector<std::function<void()>> works = {
        [&] { bf16_ffn.run(x.data(), rows, w13.data(), w2.data(), y.data(), bf16_ws.data(), mk::ExpertGemmPath::per_expert_loop, nullptr); },
        [&] { fp8_ffn.run(x.data(), rows, y.data(), fp8_ws.data(), nullptr); }};
    const auto ms = interleaved_median_ms(works, 3, 7, 3);
    const double bf16_T = flops / (ms[0] * 1e-3) / 1e12, fp8_T = flops / (ms[1] * 1e-3) / 1e12;
    table.push_back({"EP8 SwiGLU FFN 32 experts, 32768 rows, BF16 cublasGemmEx per expert, in order",
                     fmt("%.0f TFLOP/s (%.3f ms)", bf16_T, ms[0]), fmt("%.2f of 989 BF16 peak", bf16_T / 989.0)});
    table.push_back({"EP8 SwiGLU FFN, FP8 (quant + LtGemm 1x128 x 128x128 per expert, in order)",
                     fmt("%.0f TFLOP/s (%.3f ms)", fp8_T, ms[1]), fmt("%.2f of 1979 FP8 peak, %.2fx BF16", fp8_T / 1979.0, fp8_T / bf16_T)});
    table.push_back({"  FP8 weight quantisation of the 32 experts (once per step)", fmt("%.3f ms", quant_ms), ""});
  }

  // ---- memory-bound kernels of the training step ---------------------------
  if (wants("memory")) {
    const std::size_t n = static_cast<std::size_t>(kTokens) * kHidden;
    DeviceBuffer<Bf16Bits> x(n), y(n), dy(n), dx(n), w(kHidden);
    DeviceBuffer<float> rstd(kTokens), dw(kHidden);
    mk::launch_fill_uniform_bf16(x.data(), n, seed++, -2.0f, 2.0f, nullptr);
    mk::launch_fill_uniform_bf16(dy.data(), n, seed++, -1.0f, 1.0f, nullptr);
    mk::launch_fill_uniform_bf16(w.data(), kHidden, seed++, 0.5f, 1.5f, nullptr);
    {  // transposed 1x128 quantisation of a [4096 tokens x 7168] operand
      DeviceBuffer<E4m3Bits> q(n);
      DeviceBuffer<float> scales(static_cast<std::size_t>(mk::fp8_tiles_per_row(kTokens)) * kHidden);
      const double ms = median_ms([&] { mk::launch_fp8_quant_transposed_1x128(x.data(), kTokens, kHidden, q.data(), scales.data(), nullptr); }, 5, 50);
      bandwidth_row("fp8 quant transposed 1x128, 4096 x 7168 -> 7168 x 4096", ms, 3.0 * static_cast<double>(n) + 4.0 * static_cast<double>(scales.size()));
    }
    DeviceBuffer<unsigned char> workspace(mk::rms_norm_backward_workspace_bytes(kTokens, kHidden));
    {
      const double ms = median_ms([&] { mk::launch_rms_norm_forward(x.data(), w.data(), kTokens, kHidden, 1e-6f, y.data(), rstd.data(), nullptr); }, 5, 50);
      bandwidth_row("RMSNorm forward 4096 x 7168 (x, y; bytes once)", ms, 4.0 * static_cast<double>(n));
      const double back_ms = median_ms([&] {
        mk::launch_rms_norm_backward(x.data(), w.data(), rstd.data(), dy.data(), kTokens, kHidden, dx.data(), dw.data(), workspace.data(), nullptr);
      }, 5, 50);
      bandwidth_row("RMSNorm backward dx + dw 4096 x 7168 (x, dy, dx once)", back_ms, 6.0 * static_cast<double>(n));
    }
    {  // RoPE on the query: 4096 rows x 128 heads x 192, rope slice 64
      const std::size_t q_elems = static_cast<std::size_t>(kTokens) * 128 * 192;
      DeviceBuffer<Bf16Bits> q(q_elems);
      mk::launch_fill_uniform_bf16(q.data(), q_elems, seed++, -2.0f, 2.0f, nullptr);
      const double ms = median_ms([&] { mk::launch_rope_inplace(q.data(), kTokens, 128 * 192, 128, 192, 64, 4096, 10000.0f, false, nullptr); }, 5, 50);
      bandwidth_row("RoPE q 4096 x 128 heads, rope 64 of 192 (slice read+write)", ms, 2.0 * 2.0 * kTokens * 128.0 * 64.0);
    }
    {  // SwiGLU backward on 32768 routed rows x 2048
      const std::size_t h = static_cast<std::size_t>(kRoutedRows) * kIntermediate;
      DeviceBuffer<Bf16Bits> gate_up(2 * h), d_out(h), d_gate_up(2 * h);
      mk::launch_fill_uniform_bf16(gate_up.data(), 2 * h, seed++, -4.0f, 4.0f, nullptr);
      mk::launch_fill_uniform_bf16(d_out.data(), h, seed++, -1.0f, 1.0f, nullptr);
      const double ms = median_ms([&] { mk::launch_swiglu_backward(gate_up.data(), d_out.data(), kRoutedRows, kIntermediate, d_gate_up.data(), nullptr); }, 5, 50);
      bandwidth_row("SwiGLU backward 32768 x 2048", ms, 2.0 * 5.0 * static_cast<double>(h));
    }
    {
      const double ms = median_ms([&] { mk::launch_residual_add(x.data(), dy.data(), static_cast<std::int64_t>(n), y.data(), nullptr); }, 5, 50);
      bandwidth_row("residual add 4096 x 7168", ms, 6.0 * static_cast<double>(n));
    }
  }

  if (wants("attention")) {
#if defined(MOEPLAN_HAVE_CUDNN)
    add_all_attention_rows(seed, table);
#else
    table.push_back({"attention", "not built", "moeplan built without cuDNN"});
#endif
  }
  print_table(prop, table);
  return 0;
}
