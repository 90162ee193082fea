#include "runtime/profile/kernel_profiler.h"

#include <cuda_runtime_api.h>
#include <cublasLt.h>
#include <nccl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <stdexcept>
#include <fmt/format.h>
#include <tuple>
#include <vector>

#include "kernels/moe_kernels.h"
#include "kernels/util/cuda_check.h"
#include "kernels/util/device_buffer.h"
#include "runtime/exec/compute_kernels.h"
#include "sim/cost/layer_work.h"
#include "sim/program/kernel.h"

namespace moeplan::runtime {
namespace {

namespace mk = moeplan::kernels;
using mk::DeviceBuffer;
using program::KernelKind;

// Median seconds per launch of `run`, timed as a program meets it: queued
// behind other work, so neither the host's launch latency nor its API time
// shows (the executor keeps up to 128 ops in flight; runtime/exec/rank_executor.h).
// Each repetition first queues a 1 GiB memset (the GPU busy for a few hundred
// microseconds), then kBatch launches between two events, so the host has
// enqueued the batch before the GPU reaches it; its span over kBatch is one sample.
double median_s(const std::function<void()>& run, int warmup, int reps) {
  constexpr int kBatch = 4;
  static mk::DeviceBuffer<std::byte> busy(std::size_t{1} << 30);
  for (int i = 0; i < warmup; ++i) run();
  cudaEvent_t a, b;
  MOEPLAN_CUDA_CHECK(cudaEventCreate(&a));
  MOEPLAN_CUDA_CHECK(cudaEventCreate(&b));
  std::vector<float> ms;
  for (int i = 0; i < reps; ++i) {
    MOEPLAN_CUDA_CHECK(cudaMemsetAsync(busy.data(), i & 0xff, busy.bytes(), nullptr));
    MOEPLAN_CUDA_CHECK(cudaEventRecord(a, nullptr));
    for (int j = 0; j < kBatch; ++j) run();
    MOEPLAN_CUDA_CHECK(cudaEventRecord(b, nullptr));
    MOEPLAN_CUDA_CHECK(cudaEventSynchronize(b));
    float t = 0;
    MOEPLAN_CUDA_CHECK(cudaEventElapsedTime(&t, a, b));
    ms.push_back(t / kBatch);
  }
  MOEPLAN_CUDA_CHECK(cudaGetLastError());
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  std::nth_element(ms.begin(), ms.begin() + static_cast<long>(ms.size() / 2), ms.end());
  return ms[ms.size() / 2] * 1e-3;
}

// Repetitions that keep each point near 20 ms of GPU time, within [10, 50].
int reps_for(double estimate_s) { return std::clamp(static_cast<int>(0.02 / std::max(estimate_s, 1e-7)), 10, 50); }

nlohmann::json device_record() {
  cudaDeviceProp prop{};
  MOEPLAN_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  int driver = 0, runtime = 0, nccl = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  ncclGetVersion(&nccl);
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  auto version = [](int v) { return fmt::format("{}.{}", v / 1000, (v % 1000) / 10); };
  nlohmann::json d{{"name", prop.name},
                   {"sms", prop.multiProcessorCount},
                   {"driver", version(driver)},
                   {"cuda", version(runtime)},
                   {"cublas", std::to_string(cublasLtGetVersion())},
                   {"nccl", std::to_string(nccl)},
                   {"date", date}};
#if defined(MOEPLAN_HAVE_CUDNN)
  d["cudnn"] = std::to_string(mk::CudnnAttention::cudnn_version());
#else
  d["cudnn"] = "not built";
#endif
  return d;
}

// ---- GEMMs -------------------------------------------------------------------------------
// Launched as a program's GEMMs are (ComputeKernels::gemm): BF16, FP8 with the
// weight's 128x128 scales (layout f: F, Bi) and FP8 with two 1x128-scaled
// activations (layout w: W).
void profile_gemms(nlohmann::json& out, bool quick) {
  const std::vector<int> ms = quick ? std::vector<int>{256, 4096} : std::vector<int>{64, 256, 1024, 4096, 16384};
  // n and k from 128: the low-rank MLA projections (kv_lora_rank 512, rope 64
  // in DeepSeek-V3; 256 in smaller models) and the router's experts.
  const std::vector<int> ns = quick ? std::vector<int>{1024, 7168} : std::vector<int>{128, 512, 2048, 7168, 24576};
  const std::vector<int> ks = quick ? std::vector<int>{1024, 7168} : std::vector<int>{128, 512, 2048, 7168, 16384};
  const program::Gemm largest{ms.back(), ns.back(), ks.back()};
  program::Op op;
  op.dtype = DType::FP8;
  op.gemms = {largest};
  ComputeSizes sizes;
  for (auto pass : {program::Pass::F, program::Pass::W}) {  // both FP8 scale layouts
    op.pass = pass;
    sizes.add(op);
  }
  ComputeKernels compute(sizes, 1, 11, nullptr);
  // Clocks up first: half a second of the largest GEMM before anything is timed.
  median_s([&] { compute.gemm(largest, false, program::Pass::F, 0, nullptr); }, 0, 30);
  for (int m : ms)
    for (int n : ns)
      for (int k : ks) {
        const program::Gemm g{m, n, k};
        const int reps = reps_for(program::gemm_flops(g) / 5e14);
        const double bf16_s = median_s([&] { compute.gemm(g, false, program::Pass::F, 0, nullptr); }, 2, reps);
        for (const char* layout : {"f", "w"})
          out.push_back({{"dtype", "bf16"}, {"layout", layout}, {"m", m}, {"n", n}, {"k", k}, {"seconds", bf16_s}});
        for (auto [layout, pass] : {std::pair{"f", program::Pass::F}, {"w", program::Pass::W}}) {
          const double s = median_s([&] { compute.gemm(g, true, pass, 0, nullptr); }, 2, reps);
          out.push_back({{"dtype", "fp8"}, {"layout", layout}, {"m", m}, {"n", n}, {"k", k}, {"seconds", s}});
        }
      }
}

// ---- the attention core --------------------------------------------------------------------
// One sequence per shape, through the runtime's cuDNN plans (ComputeKernels::attention).
void profile_attention(nlohmann::json& out, bool quick) {
  if (!ComputeKernels::has_fused_attention()) return;
  const std::vector<int> lengths = quick ? std::vector<int>{1024, 4096} : std::vector<int>{512, 1024, 2048, 4096};
  const std::vector<int> heads = quick ? std::vector<int>{16, 128} : std::vector<int>{16, 32, 64, 128};
  constexpr int kQk = 192, kV = 128;
  std::vector<program::AttentionShape> shapes;
  ComputeSizes sizes;
  for (int l : lengths)
    for (int h : heads) {
      program::Op op;
      op.attention = {1, l, h, kQk, kV};
      sizes.add(op);
      shapes.push_back(op.attention);
    }
  ComputeKernels compute(sizes, 1, 21, nullptr);
  for (const auto& a : shapes) {
    const double f_flops = cost::attention_core_flops(a, program::Pass::F);
    const double b_flops = cost::attention_core_flops(a, program::Pass::Bi);
    const double f_s = median_s([&] { compute.attention(a, program::Pass::F, nullptr); }, 2, reps_for(f_flops / 4e14));
    const double b_s = median_s([&] { compute.attention(a, program::Pass::Bi, nullptr); }, 2, reps_for(b_flops / 3e14));
    for (auto [pass, flops, seconds] : {std::tuple{"F", f_flops, f_s}, {"Bi", b_flops, b_s}})
      out.push_back({{"pass", pass}, {"length", a.length}, {"heads", a.heads}, {"qk_dim", kQk}, {"v_dim", kV},
                     {"flops", flops}, {"seconds", seconds}});
  }
}

// ---- decode attention over the latent cache --------------------------------------------------
// Absorbed MLA (ComputeKernels::latent_attention) over (query rows per sequence:
// new tokens x heads, sequences, keys per sequence), two new tokens (an MTP
// draft) at DeepSeek-V3's latent width; FLOPs as the cost model counts them.
void profile_latent_attention(nlohmann::json& out, bool quick) {
  const std::vector<int> heads = quick ? std::vector<int>{16, 128} : std::vector<int>{16, 32, 64, 128};
  const std::vector<int> sequences = quick ? std::vector<int>{4, 64} : std::vector<int>{1, 4, 16, 64};
  const std::vector<int> keys = quick ? std::vector<int>{1024, 8192} : std::vector<int>{512, 2048, 8192};
  constexpr int kNew = 2, kLatent = 576, kValue = 512;
  std::vector<program::AttentionShape> shapes;
  ComputeSizes sizes;
  for (int h : heads)
    for (int b : sequences)
      for (int kv : keys) {
        program::Op op;
        op.attention = {b, kNew, h, kLatent, kValue, kv - kNew, true};
        sizes.add(op);
        shapes.push_back(op.attention);
      }
  ComputeKernels compute(sizes, 1, 41, nullptr);
  for (const auto& a : shapes) {
    const double flops = cost::attention_core_flops(a, program::Pass::F);
    const double seconds = median_s([&] { compute.latent_attention(a, nullptr); }, 2, reps_for(flops / 2e14));
    out.push_back({{"sequences", a.sequences}, {"length", a.length}, {"heads", a.heads}, {"kv", a.cached + a.length},
                   {"qk_dim", kLatent}, {"v_dim", kValue}, {"flops", flops}, {"seconds", seconds}});
  }
}

// ---- memory-bound kernels ------------------------------------------------------------------
// Each kind over rows at DeepSeek-V3's widths, launched exactly as a program's
// kernels are (ComputeKernels::kernel), so the rates are those a step sees.
void profile_memory_kernels(nlohmann::json& out, bool quick) {
  constexpr int kHidden = 7168, kInter = 2048, kHeads = 128, kRope = 64, kTopk = 8;
  const std::vector<std::int64_t> rows_list =
      quick ? std::vector<std::int64_t>{1024, 8192} : std::vector<std::int64_t>{32, 256, 1024, 4096, 16384, 32768};
  std::vector<program::Kernel> all;
  for (const auto r : rows_list) {
    const std::int64_t rope_cols = static_cast<std::int64_t>(kHeads) * kRope;
    for (const program::Kernel k : {program::Kernel{KernelKind::RmsNorm, r, kHidden},
                                    program::Kernel{KernelKind::RmsNormBackward, r, kHidden},
                                    program::Kernel{KernelKind::Rope, r, rope_cols},
                                    program::Kernel{KernelKind::RopeBackward, r, rope_cols},
                                    program::Kernel{KernelKind::SwiGlu, r, kInter},
                                    program::Kernel{KernelKind::SwiGluBackward, r, kInter},
                                    program::Kernel{KernelKind::Quantize, r, kHidden},
                                    program::Kernel{KernelKind::QuantizeTranspose, r, kHidden},
                                    program::Kernel{KernelKind::Permute, r, kHidden, kTopk},
                                    program::Kernel{KernelKind::Unpermute, r, kHidden, kTopk},
                                    program::Kernel{KernelKind::Add, r, kHidden}})
      all.push_back(k);
  }
  program::Op op;
  op.kernels = all;
  ComputeSizes sizes;
  sizes.add(op);
  ComputeKernels compute(sizes, 1, 31, nullptr);
  for (const auto& k : all) {
    const double bytes = program::kernel_bytes(k);
    const double s = median_s([&] { compute.kernel(k, nullptr); }, 2, reps_for(bytes / 2e12));
    out.push_back({{"kind", program::to_string(k.kind)}, {"rows", k.rows}, {"cols", k.cols}, {"bytes", bytes}, {"seconds", s}});
  }
}

}  // namespace

const std::vector<std::string>& profile_sections() {
  static const std::vector<std::string> names{"gemm", "attention", "latent_attention", "kernels"};
  return names;
}

nlohmann::json profile_kernels(const ProfileOptions& options) {
  auto say = [&](const std::string& s) {
    if (options.progress) options.progress(s);
  };
  for (const auto& name : options.only)
    if (std::find(profile_sections().begin(), profile_sections().end(), name) == profile_sections().end())
      throw std::runtime_error(fmt::format("no profile section \"{}\" (sections: {})", name,
                                           fmt::join(profile_sections(), ", ")));
  auto wanted = [&](const std::string& name) {
    return options.only.empty() || std::find(options.only.begin(), options.only.end(), name) != options.only.end();
  };
  nlohmann::json j{{"schema", "moeplan-kernel-profile"}, {"version", 1}, {"device", device_record()}};
  if (wanted("gemm")) {
    say("GEMMs (BF16, FP8 f and w layouts) over m x n x k");
    profile_gemms(j["gemm"] = nlohmann::json::array(), options.quick);
  }
  if (wanted("attention")) {
    say("attention core (cuDNN) over length x heads, forward and backward");
    profile_attention(j["attention"] = nlohmann::json::array(), options.quick);
  }
  if (wanted("latent_attention")) {
    say("decode attention over the latent cache over rows x sequences x keys");
    profile_latent_attention(j["latent_attention"] = nlohmann::json::array(), options.quick);
  }
  if (wanted("kernels")) {
    say("memory-bound kernels over bytes");
    profile_memory_kernels(j["kernels"] = nlohmann::json::array(), options.quick);
  }
  return j;
}

}  // namespace moeplan::runtime
