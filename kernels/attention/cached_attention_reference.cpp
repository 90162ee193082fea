// Attention over a KV cache, one (sequence, token, head) row at a time
// (cached_attention_reference.h).
#include "attention/cached_attention_reference.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace moeplan::kernels {

void cached_attention_reference(const CachedAttentionDims& d, std::span<const double> q, std::span<const double> k,
                                std::span<const double> v, std::span<double> o) {
  const auto b_n = static_cast<std::size_t>(d.batch), s_n = static_cast<std::size_t>(d.seq),
             kv_n = static_cast<std::size_t>(d.kv), h_n = static_cast<std::size_t>(d.heads),
             g_n = static_cast<std::size_t>(d.key_heads), dq = static_cast<std::size_t>(d.qk_dim),
             dv = static_cast<std::size_t>(d.v_dim);
  if (d.kv < d.seq || (d.key_heads != 1 && d.key_heads != d.heads) || q.size() != b_n * s_n * h_n * dq ||
      k.size() != b_n * kv_n * g_n * dq || v.size() != b_n * kv_n * g_n * dv || o.size() != b_n * s_n * h_n * dv)
    throw std::invalid_argument("cached attention reference: sizes q " + std::to_string(q.size()) + ", k " +
                                std::to_string(k.size()) + ", v " + std::to_string(v.size()) + ", o " +
                                std::to_string(o.size()) + " do not match the dimensions");
  std::vector<double> p(kv_n);
  for (std::size_t b = 0; b < b_n; ++b)
    for (std::size_t i = 0; i < s_n; ++i)
      for (std::size_t h = 0; h < h_n; ++h) {
        const std::size_t g = g_n == 1 ? 0 : h, keys = kv_n - s_n + i + 1;
        const double* qi = &q[((b * s_n + i) * h_n + h) * dq];
        double row_max = -std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < keys; ++j) {
          const double* kj = &k[((b * kv_n + j) * g_n + g) * dq];
          double dot = 0.0;
          for (std::size_t c = 0; c < dq; ++c) dot += qi[c] * kj[c];
          p[j] = d.scale * dot;
          row_max = std::max(row_max, p[j]);
        }
        double sum = 0.0;
        for (std::size_t j = 0; j < keys; ++j) sum += p[j] = std::exp(p[j] - row_max);
        double* oi = &o[((b * s_n + i) * h_n + h) * dv];
        std::fill(oi, oi + dv, 0.0);
        for (std::size_t j = 0; j < keys; ++j) {
          const double* vj = &v[((b * kv_n + j) * g_n + g) * dv];
          for (std::size_t c = 0; c < dv; ++c) oi[c] += p[j] / sum * vj[c];
        }
      }
}

}  // namespace moeplan::kernels
