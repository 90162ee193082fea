// The runtime's compute kernels on a GPU (skipped without one): every compute
// op of a program, BF16 and FP8, runs its list (cuBLASLt GEMMs in their padded
// launch shapes, every memory-bound kernel kind, the cuDNN attention core)
// without a launch error; shapes the FP8 heuristic refuses unpadded run padded.
#include "runtime/exec/compute_kernels.h"

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <set>

#include "tests/runtime/runtime_test_program.h"

namespace moeplan::runtime {
namespace {

bool gpu_present() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

// Returns whether any op ran FP8 GEMMs.
bool run_every_compute_op(const program::Program& p, std::size_t min_kernel_kinds = 9) {
  ComputeSizes sizes;
  for (const auto id : p.by_rank.at(0))
    if (p.op(id).type == program::OpType::Compute && compute_kind(p.op(id)) == ComputeKind::Listed) sizes.add(p.op(id));
  ComputeKernels compute(sizes, 1, 7, nullptr);
  std::set<program::KernelKind> kinds;
  bool attention = false, fp8 = false;
  for (const auto id : p.by_rank.at(0)) {
    const auto& op = p.op(id);
    if (op.type != program::OpType::Compute || compute_kind(op) != ComputeKind::Listed) continue;
    compute.run_listed(op, 0, nullptr);
    for (const auto& k : op.kernels) kinds.insert(k.kind);
    attention |= op.attention.sequences > 0;
    fp8 |= runs_fp8(op);
  }
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  EXPECT_TRUE(attention || !ComputeKernels::has_fused_attention());
  EXPECT_GE(kinds.size(), min_kernel_kinds) << "a training step runs nearly every kernel kind";
  return fp8;
}

// Serving: decode's attention over the latent cache (LatentAttention) and
// prefill's over a cached prefix (cuDNN, bottom-right causal) run their real
// kernels, with every other forward op.
TEST(ComputeKernelsGpu, EveryOpOfTheServingStepsRuns) {
  if (!gpu_present()) GTEST_SKIP() << "no CUDA device";
  const auto decode = test::program_of("h100x1-serve-decode.yaml");
  const auto prefill = test::program_of("h100x1-serve-prefill.yaml");
  bool latent = false, cached = false;
  for (const auto& op : decode.ops) latent |= runs_latent_attention(op.attention);
  for (const auto& op : prefill.ops) cached |= runs_on_fused_attention(op.attention) && op.attention.cached > 0;
  EXPECT_TRUE(latent && cached);
  run_every_compute_op(decode, 4);
  run_every_compute_op(prefill, 4);
}

TEST(ComputeKernelsGpu, EveryOpOfABf16StepRuns) {
  if (!gpu_present()) GTEST_SKIP() << "no CUDA device";
  EXPECT_FALSE(run_every_compute_op(test::program_of("h100x1-small-moe.yaml")));
}

TEST(ComputeKernelsGpu, EveryOpOfAnFp8StepRuns) {
  if (!gpu_present()) GTEST_SKIP() << "no CUDA device";
  EXPECT_TRUE(run_every_compute_op(test::program_of("../bench/accuracy/scenarios/ho-base-fp8.yaml")));
}

TEST(ComputeKernelsGpu, FP8GemmsRunInTheirPaddedShapes) {
  if (!gpu_present()) GTEST_SKIP() << "no CUDA device";
  ComputeSizes sizes;
  program::Op op;
  op.type = program::OpType::Compute;
  op.part = program::Part::RoutedExperts;
  op.dtype = DType::FP8;
  op.tokens = 1057;
  // m = 1 and m = 1057 have no FP8 algorithm unpadded on H100 (kernels/gemm/lt_gemm.h).
  op.gemms = {{1, 2048, 7168}, {1057, 2048, 7168}, {0, 2048, 7168}};
  for (auto pass : {program::Pass::F, program::Pass::W}) {
    op.pass = pass;
    sizes.add(op);
  }
  ComputeKernels compute(sizes, 1, 7, nullptr);
  for (auto pass : {program::Pass::F, program::Pass::Bi, program::Pass::W}) {
    op.pass = pass;
    EXPECT_NO_THROW(compute.run_listed(op, 0, nullptr)) << program::to_string(pass);
  }
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
}

}  // namespace
}  // namespace moeplan::runtime
