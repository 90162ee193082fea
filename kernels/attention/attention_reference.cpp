// CPU reference of the attention core, one (batch, head) at a time:
//   forward   S = scale * Q_bh K_bh^T (masked), P = softmax(S), O = P V, stats = logsumexp(S)
//   backward  dP = dO V^T, D_i = sum_j P_ij dP_ij, dS = P * (dP - D),
//             dV = P^T dO, dQ = scale * dS K, dK = scale * dS^T Q
#include "attention/attention_reference.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace moeplan::kernels {
namespace {

struct Index {
  explicit Index(const AttentionShape& shape)
      : s_(static_cast<std::size_t>(shape.seq_)), h_(static_cast<std::size_t>(shape.heads_)),
        dqk_(static_cast<std::size_t>(shape.qk_dim_)), dv_(static_cast<std::size_t>(shape.v_dim_)) {}
  // Element (b, t, head, d) of a [batch, seq, heads, dim] buffer.
  std::size_t at(std::size_t b, std::size_t t, std::size_t head, std::size_t d, std::size_t dim) const {
    return ((b * s_ + t) * h_ + head) * dim + d;
  }
  std::size_t s_, h_, dqk_, dv_;
};

void check_sizes(const AttentionShape& shape, std::size_t q, std::size_t k, std::size_t v,
                 std::size_t o) {
  const auto rows = static_cast<std::size_t>(shape.batch_) * shape.seq_ * shape.heads_;
  if (q != rows * shape.qk_dim_ || k != rows * shape.qk_dim_ || v != rows * shape.v_dim_ ||
      o != rows * shape.v_dim_)
    throw std::invalid_argument("attention reference: buffer sizes q " + std::to_string(q) + ", k " +
                                std::to_string(k) + ", v " + std::to_string(v) + ", o " +
                                std::to_string(o) + " do not match the shape");
}

// P (row-major [seq, seq], zeros outside the mask) and logsumexp per row for one (b, head).
void probabilities(const AttentionShape& shape, const Index& ix, std::span<const double> q,
                   std::span<const double> k, std::size_t b, std::size_t head,
                   std::vector<double>& p, std::vector<double>& lse) {
  const double scale = shape.scale();
  for (std::size_t i = 0; i < ix.s_; ++i) {
    const std::size_t last = shape.causal_ ? i : ix.s_ - 1;
    double row_max = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j <= last; ++j) {
      double dot = 0.0;
      for (std::size_t d = 0; d < ix.dqk_; ++d)
        dot += q[ix.at(b, i, head, d, ix.dqk_)] * k[ix.at(b, j, head, d, ix.dqk_)];
      p[i * ix.s_ + j] = scale * dot;
      row_max = std::max(row_max, scale * dot);
    }
    double sum = 0.0;
    for (std::size_t j = 0; j <= last; ++j) {
      p[i * ix.s_ + j] = std::exp(p[i * ix.s_ + j] - row_max);
      sum += p[i * ix.s_ + j];
    }
    for (std::size_t j = 0; j <= last; ++j) p[i * ix.s_ + j] /= sum;
    for (std::size_t j = last + 1; j < ix.s_; ++j) p[i * ix.s_ + j] = 0.0;
    lse[i] = row_max + std::log(sum);
  }
}

}  // namespace

void attention_forward_reference(const AttentionShape& shape, std::span<const double> q,
                                 std::span<const double> k, std::span<const double> v,
                                 std::span<double> o, std::span<double> stats) {
  check_sizes(shape, q.size(), k.size(), v.size(), o.size());
  const Index ix(shape);
  std::vector<double> p(ix.s_ * ix.s_), lse(ix.s_);
  for (std::size_t b = 0; b < static_cast<std::size_t>(shape.batch_); ++b)
    for (std::size_t head = 0; head < ix.h_; ++head) {
      probabilities(shape, ix, q, k, b, head, p, lse);
      for (std::size_t i = 0; i < ix.s_; ++i) {
        stats[(b * ix.h_ + head) * ix.s_ + i] = lse[i];
        for (std::size_t d = 0; d < ix.dv_; ++d) {
          double acc = 0.0;
          for (std::size_t j = 0; j < ix.s_; ++j) acc += p[i * ix.s_ + j] * v[ix.at(b, j, head, d, ix.dv_)];
          o[ix.at(b, i, head, d, ix.dv_)] = acc;
        }
      }
    }
}

void attention_backward_reference(const AttentionShape& shape, std::span<const double> q,
                                  std::span<const double> k, std::span<const double> v,
                                  std::span<const double> d_o, std::span<double> d_q,
                                  std::span<double> d_k, std::span<double> d_v) {
  check_sizes(shape, q.size(), k.size(), v.size(), d_o.size());
  const Index ix(shape);
  const double scale = shape.scale();
  std::vector<double> p(ix.s_ * ix.s_), lse(ix.s_), d_s(ix.s_ * ix.s_);
  for (std::size_t b = 0; b < static_cast<std::size_t>(shape.batch_); ++b)
    for (std::size_t head = 0; head < ix.h_; ++head) {
      probabilities(shape, ix, q, k, b, head, p, lse);
      // dS = P * (dP - rowsum(P * dP)), dP = dO V^T
      for (std::size_t i = 0; i < ix.s_; ++i) {
        double row_dot = 0.0;
        for (std::size_t j = 0; j < ix.s_; ++j) {
          double d_p = 0.0;
          if (p[i * ix.s_ + j] != 0.0)
            for (std::size_t d = 0; d < ix.dv_; ++d)
              d_p += d_o[ix.at(b, i, head, d, ix.dv_)] * v[ix.at(b, j, head, d, ix.dv_)];
          d_s[i * ix.s_ + j] = d_p;
          row_dot += p[i * ix.s_ + j] * d_p;
        }
        for (std::size_t j = 0; j < ix.s_; ++j)
          d_s[i * ix.s_ + j] = p[i * ix.s_ + j] * (d_s[i * ix.s_ + j] - row_dot);
      }
      for (std::size_t j = 0; j < ix.s_; ++j) {
        for (std::size_t d = 0; d < ix.dv_; ++d) {  // dV = P^T dO
          double acc = 0.0;
          for (std::size_t i = 0; i < ix.s_; ++i) acc += p[i * ix.s_ + j] * d_o[ix.at(b, i, head, d, ix.dv_)];
          d_v[ix.at(b, j, head, d, ix.dv_)] = acc;
        }
        for (std::size_t d = 0; d < ix.dqk_; ++d) {  // dK = scale dS^T Q
          double acc = 0.0;
          for (std::size_t i = 0; i < ix.s_; ++i) acc += d_s[i * ix.s_ + j] * q[ix.at(b, i, head, d, ix.dqk_)];
          d_k[ix.at(b, j, head, d, ix.dqk_)] = scale * acc;
        }
      }
      for (std::size_t i = 0; i < ix.s_; ++i)
        for (std::size_t d = 0; d < ix.dqk_; ++d) {  // dQ = scale dS K
          double acc = 0.0;
          for (std::size_t j = 0; j < ix.s_; ++j) acc += d_s[i * ix.s_ + j] * k[ix.at(b, j, head, d, ix.dqk_)];
          d_q[ix.at(b, i, head, d, ix.dqk_)] = scale * acc;
        }
    }
}

}  // namespace moeplan::kernels
