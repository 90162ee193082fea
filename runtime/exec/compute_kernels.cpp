#include "runtime/exec/compute_kernels.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "moe_kernels.h"
#include "util/cuda_check.h"
#include "util/fill_random.h"

namespace moeplan::runtime {

namespace mk = moeplan::kernels;
using program::KernelKind;

namespace {

std::size_t count_of(std::int64_t elems) { return elems > 0 ? static_cast<std::size_t>(elems) : 0; }

auto attention_key(const program::AttentionShape& a) {
  return std::tuple{a.sequences, a.length, a.heads, a.qk_dim, a.v_dim, a.cached};
}

}  // namespace

bool ComputeKernels::has_fused_attention() {
#if defined(MOEPLAN_HAVE_CUDNN)
  return true;
#else
  return false;
#endif
}

ComputeKernels::ComputeKernels(const ComputeSizes& sizes, int lanes, std::uint64_t seed, cudaStream_t fill)
    : z_(sizes) {
  const bool any_gemm = z_.gemm_a_elems > 0 || z_.attention_rows > 0;
  for (int l = 0; l < lanes && any_gemm; ++l) lt_.push_back(std::make_unique<mk::LtGemm>());
  a_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.gemm_a_elems));
  b_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.gemm_b_elems));
  d_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.gemm_c_elems));
  if (z_.gemm_a_scales > 0) {
    a8_ = mk::DeviceBuffer<mk::E4m3Bits>(count_of(z_.gemm_a_elems));
    b8_ = mk::DeviceBuffer<mk::E4m3Bits>(count_of(z_.gemm_b_elems));
    a_scales_ = mk::DeviceBuffer<float>(count_of(z_.gemm_a_scales));
    b_scales_ = mk::DeviceBuffer<float>(count_of(z_.gemm_b_scales));
  }
  const auto ke = z_.kernel_elems;
  x_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(ke));
  y_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(ke));
  dy_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(ke));
  q8_ = mk::DeviceBuffer<mk::E4m3Bits>(count_of(ke));
  q_scales_ = mk::DeviceBuffer<float>(count_of(z_.quant_scales));
  rstd_ = mk::DeviceBuffer<float>(count_of(z_.kernel_rows));
  topk_weight_ = mk::DeviceBuffer<float>(count_of(z_.kernel_rows));
  norm_w_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.kernel_cols));
  dw_ = mk::DeviceBuffer<float>(count_of(z_.kernel_cols));
  if (z_.norm_workspace_rows > 0)
    norm_ws_ = mk::DeviceBuffer<unsigned char>(mk::rms_norm_backward_workspace_bytes(z_.norm_workspace_rows, z_.norm_workspace_cols));
  q_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.attention_qk_elems));
  k_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.attention_qk_elems));
  d_q_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.attention_qk_elems));
  d_k_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.attention_qk_elems));
  v_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.attention_v_elems));
  o_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.attention_v_elems));
  d_o_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.attention_v_elems));
  d_v_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.attention_v_elems));
  stats_ = mk::DeviceBuffer<float>(count_of(z_.attention_rows));
  latent_q_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.latent_q_elems));
  latent_cache_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.latent_cache_elems));
  latent_o_ = mk::DeviceBuffer<mk::Bf16Bits>(count_of(z_.latent_o_elems));

  auto fill_bf16 = [&](mk::Bf16Bits* p, std::size_t n, std::uint64_t salt, float lo, float hi) {
    if (p && n > 0) mk::launch_fill_uniform_bf16(p, n, seed * 1000003 + salt, lo, hi, fill);
  };
  fill_bf16(a_.data(), a_.size(), 101, -1, 1);
  fill_bf16(b_.data(), b_.size(), 102, -1, 1);
  fill_bf16(x_.data(), x_.size(), 103, -2, 2);
  fill_bf16(dy_.data(), dy_.size(), 104, -1, 1);
  fill_bf16(norm_w_.data(), norm_w_.size(), 105, 0.5f, 1.5f);
  fill_bf16(q_.data(), q_.size(), 106, -1, 1);
  fill_bf16(k_.data(), k_.size(), 107, -1, 1);
  fill_bf16(v_.data(), v_.size(), 108, -1, 1);
  fill_bf16(d_o_.data(), d_o_.size(), 109, -1, 1);
  fill_bf16(latent_q_.data(), latent_q_.size(), 113, -1, 1);
  fill_bf16(latent_cache_.data(), latent_cache_.size(), 114, -1, 1);
  if (a8_.size() > 0) {
    // e4m3 operands: random values cast once, as rows of 128 (a GEMM's scales
    // outnumber its elements / 128, so the scale buffers hold these casts'
    // scales); then scales random in [0.5, 2].
    mk::launch_fp8_quant_act_1x128_gemm_scales(a_.data(), static_cast<int>(a_.size() / 128), 128, a8_.data(),
                                               a_scales_.data(), fill);
    mk::launch_fp8_quant_act_1x128_gemm_scales(b_.data(), static_cast<int>(b_.size() / 128), 128, b8_.data(),
                                               b_scales_.data(), fill);
    mk::launch_fill_uniform_f32(a_scales_.data(), a_scales_.size(), seed + 110, 0.5f, 2.0f, fill);
    mk::launch_fill_uniform_f32(b_scales_.data(), b_scales_.size(), seed + 111, 0.5f, 2.0f, fill);
  }
  if (topk_weight_.size() > 0) mk::launch_fill_uniform_f32(topk_weight_.data(), topk_weight_.size(), seed + 112, 0.0f, 0.25f, fill);
  for (const auto pairs : z_.permute_pairs) {  // every (token, k) pair to its own row, scrambled (as routing does)
    std::vector<std::int32_t> rows(static_cast<std::size_t>(pairs));
    std::iota(rows.begin(), rows.end(), 0);
    for (std::size_t i = 0; i < rows.size(); ++i) std::swap(rows[i], rows[(i * 2654435761u) % rows.size()]);
    pair_to_row_.emplace(pairs, mk::DeviceBuffer<std::int32_t>(std::span<const std::int32_t>(rows)));
  }
#if defined(MOEPLAN_HAVE_CUDNN)
  for (const auto& a : z_.attention_shapes) {
    mk::AttentionShape shape;
    shape.batch_ = a.sequences;
    shape.seq_ = a.length;
    shape.heads_ = a.heads;
    shape.qk_dim_ = a.qk_dim;
    shape.v_dim_ = a.v_dim;
    shape.kv_seq_ = a.cached + a.length;
    attention_[attention_key(a)] = std::make_unique<mk::CudnnAttention>(shape);
  }
#endif
  for (const auto& a : z_.latent_shapes) {
    mk::LatentAttentionShape shape;
    shape.batch_ = a.sequences;
    shape.seq_ = a.length;
    shape.kv_ = a.cached + a.length;
    shape.heads_ = a.heads;
    shape.latent_dim_ = a.qk_dim;
    shape.v_dim_ = a.v_dim;
    latent_[attention_key(a)] = std::make_unique<mk::LatentAttention>(shape);
  }
  MOEPLAN_CUDA_CHECK(cudaStreamSynchronize(fill));
}

ComputeKernels::~ComputeKernels() = default;

void ComputeKernels::run_listed(const program::Op& op, int lane, cudaStream_t s) {
  const bool fp8 = runs_fp8(op);
  for (const auto& g : op.gemms) gemm(g, fp8, op.pass, lane, s);
  for (const auto& k : op.kernels) kernel(k, s);
  if (runs_on_fused_attention(op.attention)) attention(op.attention, op.pass, s);
  if (runs_latent_attention(op.attention)) latent_attention(op.attention, s);
}

void ComputeKernels::latent_attention(const program::AttentionShape& a, cudaStream_t s) {
  const auto it = latent_.find(attention_key(a));
  if (it == latent_.end())
    throw std::logic_error(fmt::format("latent attention {}x{}x{} over {} cached was not planned", a.sequences,
                                       a.length, a.heads, a.cached));
  it->second->forward(latent_q_.data(), latent_cache_.data(), latent_o_.data(), s);
}

void ComputeKernels::gemm(const program::Gemm& g0, bool fp8, program::Pass pass, int lane, cudaStream_t s) {
  const auto g = gemm_launch_shape(g0, fp8);
  if (g.m == 0) return;
  auto& lt = *lt_.at(static_cast<std::size_t>(lane));
  const int m = static_cast<int>(g.m), n = static_cast<int>(g.n), k = static_cast<int>(g.k);
  if (!fp8) {
    lt.run_bf16(a_.data(), b_.data(), d_.data(), m, n, k, s);
    return;
  }
  const auto mode = pass == program::Pass::W ? mk::LtGemmMode::fp8_act_x_act : mk::LtGemmMode::fp8_act_x_weight;
  lt.run_fp8(mode, a8_.data(), a_scales_.data(), b8_.data(), b_scales_.data(), d_.data(), m, n, k, s);
}

const std::int32_t* ComputeKernels::pair_map(std::int64_t pairs) const {
  const auto it = pair_to_row_.find(pairs);
  if (it == pair_to_row_.end()) throw std::logic_error(fmt::format("no row map of {} pairs was planned", pairs));
  return it->second.data();
}

void ComputeKernels::kernel(const program::Kernel& kk, cudaStream_t s) {
  const auto l = kernel_launch(kk);
  if (l.rows <= 0) return;
  const auto r = l.rows;
  const int ri = static_cast<int>(r), c = l.cols;
  switch (kk.kind) {
    case KernelKind::RmsNorm:
      mk::launch_rms_norm_forward(x_.data(), norm_w_.data(), r, c, mk::kRmsNormDefaultEps, y_.data(), rstd_.data(), s);
      return;
    case KernelKind::RmsNormBackward:
      mk::launch_rms_norm_backward(x_.data(), norm_w_.data(), rstd_.data(), dy_.data(), r, c, y_.data(), dw_.data(),
                                   norm_ws_.data(), s);
      return;
    case KernelKind::Rope:
    case KernelKind::RopeBackward:
      mk::launch_rope_inplace(x_.data(), r, c, l.rope_heads, l.rope_dim, l.rope_dim, 4096, mk::kRopeDefaultThetaBase,
                              kk.kind == KernelKind::RopeBackward, s);
      return;
    case KernelKind::SwiGlu: mk::launch_swiglu_forward(x_.data(), r, c, y_.data(), s); return;
    case KernelKind::SwiGluBackward: mk::launch_swiglu_backward(x_.data(), dy_.data(), r, c, y_.data(), s); return;
    case KernelKind::Quantize:
      mk::launch_fp8_quant_act_1x128_gemm_scales(x_.data(), ri, c, q8_.data(), q_scales_.data(), s);
      return;
    case KernelKind::QuantizeTranspose:
      mk::launch_fp8_quant_transposed_1x128(x_.data(), ri, c, q8_.data(), q_scales_.data(), s);
      return;
    case KernelKind::Permute:
      mk::launch_permute(x_.data(), pair_map(r * l.count), ri, l.count, c, y_.data(), s);
      return;
    case KernelKind::Unpermute:
      mk::launch_unpermute_combine(x_.data(), pair_map(r * l.count), topk_weight_.data(), ri, l.count, c, y_.data(), s);
      return;
    case KernelKind::Add: mk::launch_residual_add(x_.data(), dy_.data(), r * c, y_.data(), s); return;
  }
}

void ComputeKernels::attention(const program::AttentionShape& a, program::Pass pass, cudaStream_t s) {
#if defined(MOEPLAN_HAVE_CUDNN)
  const auto it = attention_.find(attention_key(a));
  if (it == attention_.end())
    throw std::logic_error(fmt::format("attention shape {}x{}x{} was not planned", a.sequences, a.length, a.heads));
  if (pass == program::Pass::F)
    it->second->forward(q_.data(), k_.data(), v_.data(), o_.data(), stats_.data(), s);
  else
    it->second->backward(q_.data(), k_.data(), v_.data(), o_.data(), d_o_.data(), stats_.data(), d_q_.data(),
                         d_k_.data(), d_v_.data(), s);
#else
  (void)a;
  (void)pass;
  (void)s;
  throw std::runtime_error("this moeplan-run was built without cuDNN: the attention core cannot run "
                           "(install cuDNN 9 and rebuild; see kernels/CMakeLists.txt)");
#endif
}

}  // namespace moeplan::runtime
