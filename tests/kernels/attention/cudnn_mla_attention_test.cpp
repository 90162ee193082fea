// Attention core: the CPU reference against closed forms and finite
// differences, then CudnnAttention (cuDNN fused flash attention) against the
// reference on small MLA-shaped problems (qk 192, v 128).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "attention/attention_reference.h"
#include "attention/bf16_values.h"
#include "gpu_test_support.h"
#include "numeric/bf16_bits.h"

#if defined(MOEPLAN_HAVE_CUDNN)
#include "attention/cudnn_mla_attention.h"
#include "util/device_buffer.h"
#endif

namespace moeplan::kernels {
namespace {

std::size_t rows_of(const AttentionShape& shape) {
  return static_cast<std::size_t>(shape.batch_) * shape.seq_ * shape.heads_;
}

std::vector<double> uniform(std::size_t count, double scale, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> pick(-scale, scale);
  std::vector<double> out(count);
  for (auto& x : out) x = pick(rng);
  return out;
}

TEST(AttentionShape, CausalFlopsCountTheLowerTriangle) {
  AttentionShape shape{.batch_ = 2, .seq_ = 4, .heads_ = 3, .qk_dim_ = 192, .v_dim_ = 128};
  EXPECT_EQ(shape.pairs_per_sequence(), 10.0);  // 1 + 2 + 3 + 4
  EXPECT_EQ(shape.forward_flops(), 2.0 * 10 * 3 * 2 * (192 + 128));
  EXPECT_EQ(shape.backward_flops(), 2.0 * 10 * 3 * 2 * (3 * 192 + 2 * 128));
  shape.causal_ = false;
  EXPECT_EQ(shape.pairs_per_sequence(), 16.0);
}

TEST(AttentionReference, FirstCausalRowCopiesTheFirstValue) {
  const AttentionShape shape{.batch_ = 1, .seq_ = 6, .heads_ = 2, .qk_dim_ = 8, .v_dim_ = 4};
  std::mt19937_64 rng(7);
  const auto q = uniform(rows_of(shape) * 8, 1.0, rng), k = uniform(rows_of(shape) * 8, 1.0, rng),
             v = uniform(rows_of(shape) * 4, 1.0, rng);
  std::vector<double> o(rows_of(shape) * 4), stats(rows_of(shape));
  attention_forward_reference(shape, q, k, v, o, stats);
  for (int head = 0; head < 2; ++head) {
    double dot = 0.0;  // row 0 sees only key 0: O = V[0], logsumexp = its score
    for (int d = 0; d < 8; ++d) dot += q[head * 8 + d] * k[head * 8 + d];
    EXPECT_NEAR(stats[static_cast<std::size_t>(head) * 6], shape.scale() * dot, 1e-12);
    for (int d = 0; d < 4; ++d) EXPECT_EQ(o[head * 4 + d], v[head * 4 + d]);
  }
}

TEST(AttentionReference, ZeroQueriesAverageTheVisibleValues) {
  const AttentionShape shape{.batch_ = 2, .seq_ = 5, .heads_ = 1, .qk_dim_ = 8, .v_dim_ = 3};
  std::mt19937_64 rng(11);
  const std::vector<double> q(rows_of(shape) * 8, 0.0);
  const auto k = uniform(rows_of(shape) * 8, 1.0, rng), v = uniform(rows_of(shape) * 3, 1.0, rng);
  std::vector<double> o(rows_of(shape) * 3), stats(rows_of(shape));
  attention_forward_reference(shape, q, k, v, o, stats);
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t i = 0; i < 5; ++i) {
      EXPECT_NEAR(stats[b * 5 + i], std::log(static_cast<double>(i + 1)), 1e-12);  // i+1 equal scores
      for (std::size_t d = 0; d < 3; ++d) {
        double mean = 0.0;
        for (std::size_t j = 0; j <= i; ++j) mean += v[(b * 5 + j) * 3 + d];
        EXPECT_NEAR(o[(b * 5 + i) * 3 + d], mean / static_cast<double>(i + 1), 1e-12);
      }
    }
}

// The analytic gradients of L = sum(O * dO) against central differences.
void expect_backward_matches_finite_differences(bool causal) {
  const AttentionShape shape{.batch_ = 2, .seq_ = 5, .heads_ = 2, .qk_dim_ = 4, .v_dim_ = 3,
                             .causal_ = causal};
  std::mt19937_64 rng(causal ? 3 : 5);
  auto q = uniform(rows_of(shape) * 4, 1.5, rng), k = uniform(rows_of(shape) * 4, 1.5, rng),
       v = uniform(rows_of(shape) * 3, 1.0, rng);
  const auto d_o = uniform(rows_of(shape) * 3, 1.0, rng);
  std::vector<double> d_q(q.size()), d_k(k.size()), d_v(v.size());
  attention_backward_reference(shape, q, k, v, d_o, d_q, d_k, d_v);
  const auto loss = [&] {
    std::vector<double> o(d_o.size()), stats(rows_of(shape));
    attention_forward_reference(shape, q, k, v, o, stats);
    double sum = 0.0;
    for (std::size_t i = 0; i < o.size(); ++i) sum += o[i] * d_o[i];
    return sum;
  };
  const double step = 1e-6;
  for (auto [input, grad, name] : {std::tuple{&q, &d_q, "dQ"}, std::tuple{&k, &d_k, "dK"},
                                   std::tuple{&v, &d_v, "dV"}})
    for (std::size_t i = 0; i < input->size(); ++i) {
      const double saved = (*input)[i];
      (*input)[i] = saved + step;
      const double up = loss();
      (*input)[i] = saved - step;
      const double down = loss();
      (*input)[i] = saved;
      EXPECT_NEAR((*grad)[i], (up - down) / (2 * step), 1e-7) << name << " element " << i;
    }
}

TEST(AttentionReference, CausalBackwardMatchesFiniteDifferences) {
  expect_backward_matches_finite_differences(true);
}

TEST(AttentionReference, FullBackwardMatchesFiniteDifferences) {
  expect_backward_matches_finite_differences(false);
}

#if defined(MOEPLAN_HAVE_CUDNN)

using test::bf16_error;
using test::random_bf16;
using test::to_double;

void expect_cudnn_matches_reference(const AttentionShape& shape) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " batch " + std::to_string(shape.batch_) + " seq " +
               std::to_string(shape.seq_) + " heads " + std::to_string(shape.heads_) +
               (shape.causal_ ? " causal" : " full"));
  std::mt19937_64 rng(seed);
  const std::size_t rows = rows_of(shape);
  const auto dqk = static_cast<std::size_t>(shape.qk_dim_), dv = static_cast<std::size_t>(shape.v_dim_);
  // Scores of order 1 (q, k in [-2, 2], scale 1/sqrt(192)): softmax neither flat nor one-hot.
  const auto q = random_bf16(rows * dqk, 2.0f, rng), k = random_bf16(rows * dqk, 2.0f, rng),
             v = random_bf16(rows * dv, 1.0f, rng), d_o = random_bf16(rows * dv, 1.0f, rng);

  std::vector<double> o_want(rows * dv), stats_want(rows), d_q_want(rows * dqk),
      d_k_want(rows * dqk), d_v_want(rows * dv);
  attention_forward_reference(shape, to_double(q), to_double(k), to_double(v), o_want, stats_want);
  attention_backward_reference(shape, to_double(q), to_double(k), to_double(v), to_double(d_o),
                               d_q_want, d_k_want, d_v_want);

  CudnnAttention attention(shape);
  DeviceBuffer<Bf16Bits> q_d{std::span<const Bf16Bits>(q)}, k_d{std::span<const Bf16Bits>(k)},
      v_d{std::span<const Bf16Bits>(v)}, d_o_d{std::span<const Bf16Bits>(d_o)}, o_d(rows * dv),
      d_q_d(rows * dqk), d_k_d(rows * dqk), d_v_d(rows * dv);
  DeviceBuffer<float> stats_d(rows);
  for (auto* buffer : {&o_d, &d_q_d, &d_k_d, &d_v_d}) buffer->poison(0xff);
  stats_d.poison(0xff);
  attention.forward(q_d.data(), k_d.data(), v_d.data(), o_d.data(), stats_d.data(), nullptr);
  attention.backward(q_d.data(), k_d.data(), v_d.data(), o_d.data(), d_o_d.data(), stats_d.data(),
                     d_q_d.data(), d_k_d.data(), d_v_d.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);

  const auto stats_got = stats_d.download();
  const double stats_error = test::relative_error<float, double>(
      stats_got, stats_want, [](auto x) { return static_cast<double>(x); });
  const double o_error = bf16_error(o_d.download(), o_want);
  const double d_q_error = bf16_error(d_q_d.download(), d_q_want);
  const double d_k_error = bf16_error(d_k_d.download(), d_k_want);
  const double d_v_error = bf16_error(d_v_d.download(), d_v_want);
  std::printf("[ cudnn    ] %s b%d s%d h%d: rel. error O %.2e stats %.2e dQ %.2e dK %.2e dV %.2e "
              "(cuDNN %zu, engines %lld/%lld, workspace %.1f MiB)\n",
              shape.causal_ ? "causal" : "full", shape.batch_, shape.seq_, shape.heads_, o_error,
              stats_error, d_q_error, d_k_error, d_v_error, CudnnAttention::cudnn_version(),
              static_cast<long long>(attention.forward_engine()),
              static_cast<long long>(attention.backward_engine()),
              static_cast<double>(attention.workspace_bytes()) / (1 << 20));
  // stats: fp32 logsumexp of fp32 scores; O: P and O each rounded to bf16 once
  // (a few bf16 unit roundoffs); gradients: bf16 P, dS and outputs.
  EXPECT_LE(stats_error, 1e-4);
  EXPECT_LE(o_error, 4 * kBf16Epsilon);
  EXPECT_LE(d_q_error, 5 * kBf16Epsilon);
  EXPECT_LE(d_k_error, 5 * kBf16Epsilon);
  EXPECT_LE(d_v_error, 5 * kBf16Epsilon);
}

TEST(CudnnAttention, MatchesReferenceOnCausalMlaHeads) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_cudnn_matches_reference({.batch_ = 1, .seq_ = 128, .heads_ = 2});
  expect_cudnn_matches_reference({.batch_ = 2, .seq_ = 256, .heads_ = 4});
}

TEST(CudnnAttention, MatchesReferenceWithoutMask) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_cudnn_matches_reference({.batch_ = 1, .seq_ = 128, .heads_ = 2, .causal_ = false});
}

#else

TEST(CudnnAttention, SkippedWithoutCudnn) {
  GTEST_SKIP() << "built without cuDNN (CMake found no cudnn.h / libcudnn): CudnnAttention not built";
}

#endif

}  // namespace
}  // namespace moeplan::kernels
