// Decode attention of DeepSeek-V3's MLA with absorbed projections, over the
// compressed (latent) KV cache: every query head of a sequence reads the same
// cached latent vector per token. Per sequence b, with R = seq x heads query
// rows (seq new tokens: 1, or 2 with an MTP draft):
//
//   S_b = Q_b . C_b^T          [R x kv]   Q_b [R x latent_dim], C_b [kv x latent_dim]
//   P_b = softmax(scale * S_b) row-wise, causal aligned bottom-right
//         (new token j sees keys 0 .. kv - seq + j)
//   O_b = P_b . C_b[:, :v_dim] [R x v_dim] (the first v_dim latent columns are the values)
//
// Realised as two strided-batched cuBLAS GEMMs (BF16 in, FP32 scores; BF16 P
// and output) around a row softmax kernel. The cache is read by both GEMMs and
// the score matrix goes through HBM: this is not a fused FlashMLA kernel, and
// it costs more than the larger of the cache bytes and the FLOPs that the cost
// model's roofline charges (measure it: moeplan-profile-kernels' latent rows).
//
// Layouts (row-major, dim fastest): q [batch, seq, heads, latent_dim], cache
// [batch, kv, latent_dim], o [batch, seq, heads, v_dim]. CPU reference:
// cached_attention_reference.h (one key head shared by all query heads).
#pragma once

#include <cuda_runtime_api.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "numeric/bf16_bits.h"

struct cublasContext;

namespace moeplan::kernels {

struct LatentAttentionShape {
  int batch_ = 1;          // sequences
  int seq_ = 1;            // new tokens per sequence
  int kv_ = 1;             // keys per sequence: the cached context plus the new tokens
  int heads_ = 128;
  int latent_dim_ = 576;   // kv_lora_rank + rope dim
  int v_dim_ = 512;        // kv_lora_rank
  float softmax_scale_ = 0.0f;  // 0: 1/sqrt(latent_dim)

  float scale() const {
    return softmax_scale_ != 0.0f ? softmax_scale_ : static_cast<float>(1.0 / std::sqrt(static_cast<double>(latent_dim_)));
  }
  std::int64_t rows() const { return static_cast<std::int64_t>(seq_) * heads_; }  // per sequence
  // The leading dimension of the score and probability rows: kv rounded up to 8
  // (16-byte BF16 rows for the second GEMM's tensor cores).
  std::int64_t score_ld() const { return (static_cast<std::int64_t>(kv_) + 7) / 8 * 8; }
  // Multiply-adds x 2 the two GEMMs run (every key of every row: the GEMMs do not skip the mask).
  double flops() const {
    return 2.0 * static_cast<double>(batch_) * static_cast<double>(rows()) * kv_ * (latent_dim_ + v_dim_);
  }
};

class LatentAttention {
 public:
  explicit LatentAttention(const LatentAttentionShape& shape);
  ~LatentAttention();
  LatentAttention(const LatentAttention&) = delete;
  LatentAttention& operator=(const LatentAttention&) = delete;

  // o is the output; all device pointers. Enqueues on `stream`.
  void forward(const Bf16Bits* q, const Bf16Bits* cache, Bf16Bits* o, cudaStream_t stream);

  const LatentAttentionShape& shape() const { return shape_; }
  // Device bytes of the score (fp32) and probability (bf16) scratch it holds.
  std::size_t workspace_bytes() const { return workspace_bytes_; }

 private:
  LatentAttentionShape shape_;
  cublasContext* handle_ = nullptr;
  float* scores_ = nullptr;
  Bf16Bits* probs_ = nullptr;
  std::size_t workspace_bytes_ = 0;
};

}  // namespace moeplan::kernels
