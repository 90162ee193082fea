// Attention over a KV cache (serving): the CPU reference against the training
// reference and a closed form, then the two GPU kernels against it: cuDNN's
// fused attention over a cached prefix (bottom-right causal mask) and the
// absorbed-MLA decode attention over the latent cache (LatentAttention).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "attention/attention_reference.h"
#include "attention/cached_attention_reference.h"
#include "attention/latent_attention.h"
#include "attention/bf16_values.h"
#include "gpu_test_support.h"
#include "numeric/bf16_bits.h"
#include "util/device_buffer.h"

#if defined(MOEPLAN_HAVE_CUDNN)
#include "attention/cudnn_mla_attention.h"
#endif

namespace moeplan::kernels {
namespace {

std::vector<double> uniform(std::size_t count, double scale, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> pick(-scale, scale);
  std::vector<double> out(count);
  for (auto& x : out) x = pick(rng);
  return out;
}

// Without a prefix, attention over the cache is the training forward's causal attention.
TEST(CachedAttentionReference, WithoutAPrefixIsCausalSelfAttention) {
  const AttentionShape shape{.batch_ = 2, .seq_ = 5, .heads_ = 3, .qk_dim_ = 8, .v_dim_ = 4};
  std::mt19937_64 rng(5);
  const std::size_t rows = 2 * 5 * 3;
  const auto q = uniform(rows * 8, 1.0, rng), k = uniform(rows * 8, 1.0, rng), v = uniform(rows * 4, 1.0, rng);
  std::vector<double> want(rows * 4), stats(rows), got(rows * 4);
  attention_forward_reference(shape, q, k, v, want, stats);
  cached_attention_reference({2, 5, 5, 3, 3, 8, 4, shape.scale()}, q, k, v, got);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
}

// Zero queries weigh the visible keys alike: new token i of seq over kv keys
// averages the values of keys 0 .. kv - seq + i (one shared key head).
TEST(CachedAttentionReference, ZeroQueriesAverageThePrefixAndEarlierTokens) {
  const CachedAttentionDims d{1, 2, 6, 3, 1, 4, 2, 0.5};
  std::mt19937_64 rng(9);
  const std::vector<double> q(2 * 3 * 4, 0.0);
  const auto k = uniform(6 * 4, 1.0, rng), v = uniform(6 * 2, 1.0, rng);
  std::vector<double> o(2 * 3 * 2);
  cached_attention_reference(d, q, k, v, o);
  for (int i = 0; i < 2; ++i)
    for (int h = 0; h < 3; ++h)
      for (int c = 0; c < 2; ++c) {
        double mean = 0;
        const int keys = 6 - 2 + i + 1;
        for (int j = 0; j < keys; ++j) mean += v[static_cast<std::size_t>(j * 2 + c)];
        EXPECT_NEAR(o[static_cast<std::size_t>((i * 3 + h) * 2 + c)], mean / keys, 1e-12);
      }
}

TEST(LatentAttentionShape, CountsBothGemmsOverEveryKey) {
  const LatentAttentionShape s{.batch_ = 3, .seq_ = 2, .kv_ = 1001, .heads_ = 16, .latent_dim_ = 576, .v_dim_ = 512};
  EXPECT_EQ(s.rows(), 32);
  EXPECT_EQ(s.score_ld(), 1008);
  EXPECT_DOUBLE_EQ(s.flops(), 2.0 * 3 * 32 * 1001 * (576 + 512));
}

using test::bf16_error;
using test::random_bf16;
using test::to_double;

TEST(LatentAttention, MatchesReferenceOverTheLatentCache) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  // Decode: 1 or 2 new tokens (an MTP draft) per sequence over a cache of
  // odd length (the padded score rows), DeepSeek-V3's latent width.
  for (const auto& s : {LatentAttentionShape{.batch_ = 3, .seq_ = 1, .kv_ = 77, .heads_ = 16},
                        LatentAttentionShape{.batch_ = 2, .seq_ = 2, .kv_ = 300, .heads_ = 8, .softmax_scale_ = 0.07f}}) {
    const std::uint64_t seed = test::fresh_seed();
    SCOPED_TRACE("seed " + std::to_string(seed) + " batch " + std::to_string(s.batch_) + " seq " +
                 std::to_string(s.seq_) + " kv " + std::to_string(s.kv_));
    std::mt19937_64 rng(seed);
    const auto b = static_cast<std::size_t>(s.batch_), rows = b * static_cast<std::size_t>(s.rows());
    const auto d = static_cast<std::size_t>(s.latent_dim_), dv = static_cast<std::size_t>(s.v_dim_),
               kv = static_cast<std::size_t>(s.kv_);
    const auto q = random_bf16(rows * d, 0.3f, rng), cache = random_bf16(b * kv * d, 0.3f, rng);
    const auto cache_d = to_double(cache);
    std::vector<double> values(b * kv * dv);  // the first v_dim latent columns
    for (std::size_t t = 0; t < b * kv; ++t)
      for (std::size_t c = 0; c < dv; ++c) values[t * dv + c] = cache_d[t * d + c];
    std::vector<double> want(rows * dv);
    cached_attention_reference({s.batch_, s.seq_, s.kv_, s.heads_, 1, s.latent_dim_, s.v_dim_, s.scale()},
                               to_double(q), cache_d, values, want);
    LatentAttention attention(s);
    DeviceBuffer<Bf16Bits> q_d{std::span<const Bf16Bits>(q)}, cache_dev{std::span<const Bf16Bits>(cache)}, o_d(rows * dv);
    o_d.poison(0xff);
    attention.forward(q_d.data(), cache_dev.data(), o_d.data(), nullptr);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    const double error = bf16_error(o_d.download(), want);
    std::printf("[ latent   ] b%d s%d kv%d h%d: rel. error O %.2e\n", s.batch_, s.seq_, s.kv_, s.heads_, error);
    EXPECT_LE(error, 4 * kBf16Epsilon);  // P and O each rounded to bf16 once
  }
}

#if defined(MOEPLAN_HAVE_CUDNN)

TEST(CudnnAttention, MatchesReferenceOverACachedPrefix) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  const AttentionShape shape{.batch_ = 2, .seq_ = 64, .heads_ = 2, .kv_seq_ = 200};
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::size_t q_rows = 2 * 64 * 2, kv_rows = 2 * 200 * 2;
  const auto q = random_bf16(q_rows * 192, 2.0f, rng), k = random_bf16(kv_rows * 192, 2.0f, rng),
             v = random_bf16(kv_rows * 128, 1.0f, rng);
  std::vector<double> want(q_rows * 128);
  cached_attention_reference({2, 64, 200, 2, 2, 192, 128, shape.scale()}, to_double(q), to_double(k), to_double(v),
                             want);
  CudnnAttention attention(shape);
  EXPECT_FALSE(attention.has_backward());
  DeviceBuffer<Bf16Bits> q_d{std::span<const Bf16Bits>(q)}, k_d{std::span<const Bf16Bits>(k)},
      v_d{std::span<const Bf16Bits>(v)}, o_d(q_rows * 128);
  DeviceBuffer<float> stats_d(q_rows);
  o_d.poison(0xff);
  attention.forward(q_d.data(), k_d.data(), v_d.data(), o_d.data(), stats_d.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const double error = bf16_error(o_d.download(), want);
  std::printf("[ cudnn    ] cached prefix b2 s64 kv200 h2: rel. error O %.2e (engine %lld)\n", error,
              static_cast<long long>(attention.forward_engine()));
  EXPECT_LE(error, 4 * kBf16Epsilon);
}

#endif

}  // namespace
}  // namespace moeplan::kernels
