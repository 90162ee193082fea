#include "sim/cost/kernel_profile.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/cost/cost_model.h"

namespace moeplan::cost {
namespace {

using program::Gemm;
using program::Kernel;
using program::KernelKind;
using program::Pass;

// A 2 x 2 x 2 GEMM grid whose rate is a power law r = 1e12 * m^a n^b k^c:
// log-linear in each coordinate, so interpolation in log2 space is exact.
nlohmann::json power_law_profile() {
  nlohmann::json j{{"schema", "moeplan-kernel-profile"}, {"version", 1}, {"device", {{"name", "test GPU"}}}};
  for (double m : {128.0, 4096.0})
    for (double n : {512.0, 8192.0})
      for (double k : {256.0, 16384.0}) {
        const double rate = 1e12 * std::pow(m, 0.5) * std::pow(n, 0.25) * std::pow(k, 0.125);
        j["gemm"].push_back({{"dtype", "fp8"}, {"layout", "f"}, {"m", m}, {"n", n}, {"k", k},
                             {"seconds", 2 * m * n * k / rate}});
      }
  for (double bytes : {1e6, 1e9}) {
    const double rate = bytes == 1e6 ? 1e11 : 1e12;  // 10x the bandwidth over 1000x the bytes
    j["kernels"].push_back({{"kind", "rmsnorm"}, {"bytes", bytes}, {"seconds", bytes / rate}});
  }
  for (double l : {1024.0, 4096.0})
    for (double h : {16.0, 128.0})
      j["attention"].push_back({{"pass", "F"}, {"length", l}, {"heads", h}, {"flops", 1e12}, {"seconds", 1e12 / (l * h * 1e9)}});
  return j;
}

KernelProfile parse(const nlohmann::json& j) { return KernelProfile::parse(j.dump(), "test.json"); }

TEST(KernelProfile, InterpolatesAPowerLawExactlyInLogSpace) {
  const auto p = parse(power_law_profile());
  for (const Gemm g : {Gemm{128, 512, 256}, Gemm{1000, 2000, 3000}, Gemm{4096, 8192, 16384}, Gemm{300, 8000, 300}}) {
    const double expected = 1e12 * std::pow(g.m, 0.5) * std::pow(g.n, 0.25) * std::pow(g.k, 0.125);
    EXPECT_NEAR(*p.gemm_flops_per_s(DType::FP8, Pass::F, g), expected, expected * 1e-9) << g.m << " " << g.n << " " << g.k;
    EXPECT_NEAR(*p.gemm_flops_per_s(DType::FP8, Pass::Bi, g), expected, expected * 1e-9);  // F and Bi share layout f
  }
  EXPECT_FALSE(p.gemm_flops_per_s(DType::FP8, Pass::W, {128, 512, 256}));  // layout w not measured
  EXPECT_FALSE(p.gemm_flops_per_s(DType::BF16, Pass::F, {128, 512, 256}));
}

TEST(KernelProfile, BelowTheGridTheTimeStaysAboveItTheRateStays) {
  const auto p = parse(power_law_profile());
  // m = 64 under the smallest 128: the same time as m = 128, so half the rate.
  const double at_128 = *p.gemm_flops_per_s(DType::FP8, Pass::F, {128, 512, 256});
  EXPECT_NEAR(*p.gemm_flops_per_s(DType::FP8, Pass::F, {64, 512, 256}), at_128 / 2, at_128 * 1e-9);
  const double at_top = *p.gemm_flops_per_s(DType::FP8, Pass::F, {4096, 8192, 16384});
  EXPECT_NEAR(*p.gemm_flops_per_s(DType::FP8, Pass::F, {65536, 8192, 16384}), at_top, at_top * 1e-9);
  // Memory kernels over bytes: halfway in log2 between 1e6 and 1e9 the rate is
  // the geometric mean; below 1e6 bytes a launch takes the 1e6 time.
  EXPECT_NEAR(*p.kernel_bytes_per_s(KernelKind::RmsNorm, std::sqrt(1e6 * 1e9)), std::sqrt(1e11 * 1e12), 1e3);
  EXPECT_NEAR(1e3 / *p.kernel_bytes_per_s(KernelKind::RmsNorm, 1e3), 1e6 / 1e11, 1e-15);
  EXPECT_FALSE(p.kernel_bytes_per_s(KernelKind::Add, 1e6));
  EXPECT_NEAR(*p.attention_flops_per_s(Pass::F, {1, 2048, 32, 192, 128}), 2048.0 * 32 * 1e9, 1e9);
  // Four sequences of 16 heads fill the GPU as one of 64 heads.
  EXPECT_NEAR(*p.attention_flops_per_s(Pass::F, {4, 2048, 16, 192, 128}), 2048.0 * 64 * 1e9, 1e9);
}

TEST(KernelProfile, RefusesAnIncompleteGridNamingTheMissingPoint) {
  auto j = power_law_profile();
  j["gemm"].erase(j["gemm"].begin() + 3);
  try {
    parse(j);
    FAIL() << "an incomplete grid was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("test.json: gemm fp8/f: no measurement at (128, 8192, 16384)"), std::string::npos)
        << e.what();
  }
  j = power_law_profile();
  j["kernels"][0]["kind"] = "softmax";
  EXPECT_THROW(parse(j), std::runtime_error);
  j = power_law_profile();
  j["gemm"][0]["seconds"] = 0;
  EXPECT_THROW(parse(j), std::runtime_error);
  EXPECT_THROW(KernelProfile::parse("{\"schema\": \"other\"}", "x.json"), std::runtime_error);
}

TEST(CostModel, AnOpCostsTheSumOfItsKernelsAtTheProfiledRates) {
  const auto path = (std::filesystem::temp_directory_path() / "moeplan-kernel-profile-test.json").string();
  {
    std::ofstream(path) << power_law_profile().dump();
  }
  config::GpuSpec gpu;
  gpu.name = "test";
  gpu.peak_flops = {{DType::FP8, 2e15}, {DType::BF16, 1e15}, {DType::FP32, 5e14}};
  gpu.hbm_Bps = 3e12;
  gpu.gemm.value = 0.5;
  gpu.memory.value = 0.9;
  gpu.kernel_profile.path = path;
  const CostModel model(gpu);
  program::Op op;
  op.part = program::Part::Attention;
  op.pass = Pass::F;
  op.dtype = DType::FP8;
  op.gemms = {{1024, 1024, 1024}, {2048, 512, 4096}};
  op.kernels = {{KernelKind::RmsNorm, 1000, 500}, {KernelKind::Add, 1000, 500}};
  double expected = 0;
  for (const auto& g : op.gemms) {
    const double flops = 2.0 * static_cast<double>(g.m * g.n * g.k);
    expected += flops / (1e12 * std::pow(g.m, 0.5) * std::pow(g.n, 0.25) * std::pow(g.k, 0.125));
  }
  const double norm_bytes = program::kernel_bytes(op.kernels[0]);  // 2 x 2 x 5e5 + 4 x 1000
  EXPECT_DOUBLE_EQ(norm_bytes, 2e6 + 4e3);
  expected += norm_bytes / (1e11 * std::pow(10.0, std::log2(norm_bytes / 1e6) / std::log2(1e3)));
  expected += 3 * 2 * 5e5 / (3e12 * 0.9);  // add: no profile entry, the file's HBM efficiency
  EXPECT_NEAR(model.compute_seconds(op), expected, expected * 1e-9);
  std::filesystem::remove(path);
}

// Decode attention over the latent cache: a surface over (new tokens x heads,
// sequences, keys) whose rate is a power law, read at the op's own shape; the
// cost model prices a latent op at its FLOPs over that rate, and without the
// surface at its roofline (the larger of FLOPs and cache bytes).
TEST(KernelProfile, LatentAttentionReadsItsOwnSurface) {
  auto j = power_law_profile();
  auto rate_at = [](double rows, double seqs, double kv) { return 1e10 * rows * std::sqrt(seqs) * std::pow(kv, 0.25); };
  for (double heads : {16.0, 128.0})
    for (double seqs : {1.0, 64.0})
      for (double kv : {512.0, 8192.0})
        j["latent_attention"].push_back({{"sequences", seqs}, {"length", 2}, {"heads", heads}, {"kv", kv},
                                         {"flops", 1e9}, {"seconds", 1e9 / rate_at(2 * heads, seqs, kv)}});
  const auto p = parse(j);
  // 8 sequences of 2 new tokens x 64 heads over 2046 cached tokens: rows 128, keys 2048.
  const program::AttentionShape a{8, 2, 64, 576, 512, 2046, true};
  EXPECT_NEAR(*p.latent_attention_flops_per_s(a), rate_at(128, 8, 2048), rate_at(128, 8, 2048) * 1e-9);
  EXPECT_FALSE(parse(power_law_profile()).latent_attention_flops_per_s(a));

  const auto path = (std::filesystem::temp_directory_path() / "moeplan-latent-profile-test.json").string();
  std::ofstream(path) << j.dump();
  config::GpuSpec gpu;
  gpu.name = "test";
  gpu.peak_flops = {{DType::FP8, 2e15}, {DType::BF16, 1e15}, {DType::FP32, 5e14}};
  gpu.hbm_Bps = 3e12;
  gpu.memory.value = 0.9;
  gpu.kernel_profile.path = path;
  program::Op op;
  op.part = program::Part::AttentionCore;
  op.pass = Pass::F;
  op.dtype = DType::BF16;
  op.attention = a;
  op.flops = 3e10;
  op.bytes = 1e8;
  EXPECT_NEAR(CostModel(gpu).compute_seconds(op), 3e10 / rate_at(128, 8, 2048), 1e-15);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace moeplan::cost
