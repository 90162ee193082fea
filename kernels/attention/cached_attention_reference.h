// CPU reference, in double, of attention over a KV cache (serving), forward
// only: per sequence b, new token i (of seq) and query head h,
//   o[b, i, h] = sum_j softmax_j(scale * q[b, i, h] . k[b, j, g]) v[b, j, g],
//   j = 0 .. kv - seq + i (the causal mask aligned bottom-right: the cached
//   prefix, then the new tokens up to i), g = h for one key head per query head
//   (CudnnAttention over a cached prefix), g = 0 for one shared key head
//   (LatentAttention, whose values are the first v_dim columns of its keys).
// Layouts: q [batch, seq, heads, qk_dim]; k [batch, kv, key_heads, qk_dim];
// v [batch, kv, key_heads, v_dim]; o [batch, seq, heads, v_dim].
#pragma once

#include <span>

namespace moeplan::kernels {

struct CachedAttentionDims {
  int batch = 1, seq = 1, kv = 1, heads = 1, key_heads = 1, qk_dim = 1, v_dim = 1;
  double scale = 1.0;
};

// Throws std::invalid_argument when a buffer's size does not match `d`.
void cached_attention_reference(const CachedAttentionDims& d, std::span<const double> q, std::span<const double> k,
                                std::span<const double> v, std::span<double> o);

}  // namespace moeplan::kernels
