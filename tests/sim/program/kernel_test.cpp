#include "sim/program/kernel.h"

#include <gtest/gtest.h>

#include "sim/config/model.h"
#include "sim/cost/layer_work.h"
#include "sim/program/program_json.h"
#include "tests/sim/program/small_program.h"

namespace moeplan::program {
namespace {

// Hand-counted bytes: a 4096 x 7168 bf16 tensor is 58,720,256 bytes.
TEST(Kernel, BytesFollowTheTable) {
  const double e = 4096.0 * 7168;
  EXPECT_DOUBLE_EQ(kernel_bytes({KernelKind::RmsNorm, 4096, 7168}), 4 * e + 4 * 4096);
  EXPECT_DOUBLE_EQ(kernel_bytes({KernelKind::Quantize, 4096, 7168}), 2 * e + e + e / 32);
  EXPECT_DOUBLE_EQ(kernel_bytes({KernelKind::Add, 4096, 7168}), 6 * e);
  EXPECT_DOUBLE_EQ(kernel_bytes({KernelKind::Permute, 4096, 7168, 8, DType::FP8}), 9 * e);
  EXPECT_DOUBLE_EQ(kernel_bytes({KernelKind::Unpermute, 4096, 7168, 8}), 18 * e);
  EXPECT_DOUBLE_EQ(kernel_bytes({KernelKind::SwiGluBackward, 4096, 2048}), 10 * 4096.0 * 2048);
  for (int k = 0; k < kKernelKindCount; ++k) EXPECT_EQ(parse_kernel_kind(to_string(static_cast<KernelKind>(k))), static_cast<KernelKind>(k));
  EXPECT_THROW(parse_kernel_kind("softmax"), std::runtime_error);
}

TEST(Kernel, OpsRoundTripTheirKernelsRecomputesAndAttentionShapeThroughJson) {
  auto p = small_program();
  auto& op = p.ops[0];
  op.kernels = {{KernelKind::RmsNorm, 16, 7168}, {KernelKind::Permute, 16, 7168, 8, DType::FP8}};
  op.gemms = {{16, 7168, 2048}, {16, 2048, 7168, true}};
  op.attention = {2, 4096, 128, 192, 128};
  EXPECT_EQ(program_from_json(to_json(p)).ops[0], op);
  auto j = to_json(p);
  j["ops"][0]["kernels"][0] = {"rmsnorm", 16};
  EXPECT_NE(read_error(j).find("kernels[0]"), std::string::npos) << read_error(j);
  j["ops"][0]["kernels"][0] = {"softmax", 16, 16};
  EXPECT_NE(read_error(j).find("unknown kernel kind \"softmax\""), std::string::npos) << read_error(j);
}

config::ModelConfig v3_like() {
  config::ModelConfig m;
  m.hidden = 7168;
  m.heads = 128;
  m.q_lora_rank = 1536;
  m.kv_lora_rank = 512;
  m.qk_nope_head_dim = 128;
  m.qk_rope_head_dim = 64;
  m.v_head_dim = 128;
  m.routed_experts = 256;
  m.experts_per_token = 8;
  m.moe_intermediate = 2048;
  m.shared_experts = 1;
  m.dense_intermediate = 18432;
  m.vocab = 129280;
  return m;
}

// FP8 adds a cast before every GEMM input and a transposed cast of both
// operands of every weight-gradient GEMM; BF16 adds none. The backward's
// recomputed up-projections are flagged and leave the model FLOPs alone.
TEST(LayerWork, Fp8CastsEveryGemmInputAndBackwardRecomputesTheUpProjections) {
  const auto m = v3_like();
  const cost::MicroBatchShape mb{1, 4096};
  auto count = [](const cost::PartWork& w, KernelKind k) {
    return std::count_if(w.kernels.begin(), w.kernels.end(), [&](const Kernel& x) { return x.kind == k; });
  };
  const auto f8 = cost::part_work(m, mb, Part::Attention, Pass::W, DType::FP8, 1);
  EXPECT_EQ(f8.gemms.size(), 5u);
  EXPECT_EQ(count(f8, KernelKind::QuantizeTranspose), 9);  // two per GEMM, the normed input shared by both down-projections
  for (const auto& g : f8.gemms) EXPECT_EQ(g.k, 4096);        // K is the tokens in W
  const auto b16 = cost::part_work(m, mb, Part::Attention, Pass::W, DType::BF16, 1);
  EXPECT_EQ(count(b16, KernelKind::QuantizeTranspose), 0);
  const auto bi = cost::part_work(m, mb, Part::Attention, Pass::Bi, DType::FP8, 1);
  const auto f = cost::part_work(m, mb, Part::Attention, Pass::F, DType::FP8, 1);
  EXPECT_EQ(std::count_if(bi.gemms.begin(), bi.gemms.end(), [](const Gemm& g) { return g.recompute; }), 2);
  EXPECT_DOUBLE_EQ(bi.model_flops, f.model_flops);     // same GEMMs, transposed
  EXPECT_GT(bi.flops - bi.model_flops, 0.25 * f.model_flops);  // q_up and kv_up again
  const auto core_bi = cost::part_work(m, mb, Part::AttentionCore, Pass::Bi, DType::FP8, 1);
  const double pairs = 4096.0 * 4097 / 2;
  EXPECT_DOUBLE_EQ(core_bi.flops, 2 * pairs * 128 * (3 * 192 + 2 * 128));
  EXPECT_DOUBLE_EQ(core_bi.model_flops, 2 * 2 * pairs * 128 * (192 + 128));
  // After an MoE layer the attention assembles its input: unpermute + two adds.
  const auto after = cost::part_work(m, mb, Part::Attention, Pass::F, DType::FP8, 1, cost::BlockInput::AfterMoe);
  EXPECT_EQ(count(after, KernelKind::Unpermute), 1);
  EXPECT_EQ(count(after, KernelKind::Add), count(f, KernelKind::Add) + 2);
}

}  // namespace
}  // namespace moeplan::program
