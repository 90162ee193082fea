#include "runtime/plan/compute_mapping.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace moeplan::runtime {

using program::Op;
using program::OpType;
using program::Part;

std::int64_t ExpertFfnShape::total_rows() const {
  std::int64_t s = 0;
  for (const auto r : expert_rows) s += r;
  return s;
}

namespace {

// Routed experts list every expert's gate/up GEMM, then every expert's down
// GEMM (the program's forward order, cost/layer_work.h): ups [e] and downs [E + e].
bool gemms_are_swiglu_pairs(const Op& op) {
  if (op.gemms.empty() || op.gemms.size() % 2 != 0) return false;
  const std::size_t experts = op.gemms.size() / 2;
  for (std::size_t e = 0; e < experts; ++e) {
    const auto& up = op.gemms[e];
    const auto& down = op.gemms[experts + e];
    if (up.m != down.m || up.n % 2 != 0 || up.n / 2 != down.k || up.k != down.n) return false;
    if (up.k != op.gemms[0].k || up.n != op.gemms[0].n) return false;
  }
  return true;
}

std::int64_t round_up(std::int64_t v, std::int64_t to) { return (v + to - 1) / to * to; }

constexpr double kRidgeFlopsPerByte = 206.0;  // H200: 989e12 / 4.8e12; H100 is 295

}  // namespace

bool is_swiglu_experts(const Op& op) { return op.part == Part::RoutedExperts && op.pass == program::Pass::F && gemms_are_swiglu_pairs(op); }

ComputeKind compute_kind(const Op& op) {
  if (op.part == Part::Gating && op.pass == program::Pass::F && op.gemms.size() == 1 && op.gemms[0].n >= 2)
    return ComputeKind::GatingTopk;
  if (!op.gemms.empty() || !op.kernels.empty() || runs_on_fused_attention(op.attention) ||
      runs_latent_attention(op.attention))
    return ComputeKind::Listed;
  // Without lists, an op runs as a GEMM of its FLOPs only when it is
  // compute-bound: its intensity above the BF16 roofline ridge of the Hopper
  // GPUs we run on (989 TFLOP/s over 3.35-4.8 TB/s: 206-295 FLOP/B,
  // hardware/*.yaml). Memory-bound ops (loss, optimizer-like work) move their bytes.
  if (op.flops > 0 && op.tokens > 0 && op.flops > kRidgeFlopsPerByte * op.bytes) return ComputeKind::FlopGemm;
  return ComputeKind::DeviceCopy;
}

ExpertFfnShape expert_ffn_shape(const Op& op) {
  ExpertFfnShape s;
  s.hidden = static_cast<int>(op.gemms[0].k);
  s.intermediate = static_cast<int>(op.gemms[0].n / 2);
  for (std::size_t e = 0; e < op.gemms.size() / 2; ++e) s.expert_rows.push_back(static_cast<std::int32_t>(op.gemms[e].m));
  return s;
}

std::vector<program::Gemm> gemms_of(const Op& op) {
  if (compute_kind(op) != ComputeKind::FlopGemm) return op.gemms;
  const std::int64_t t = op.tokens;
  const auto k = std::max<std::int64_t>(16, round_up(static_cast<std::int64_t>(std::llround(op.flops / (2.0 * static_cast<double>(t) * static_cast<double>(t)))), 16));
  return {{t, t, k}};
}

bool runs_on_fused_attention(const program::AttentionShape& a) { return a.sequences > 0 && !a.latent; }

bool runs_latent_attention(const program::AttentionShape& a) { return a.sequences > 0 && a.latent; }

bool runs_fp8(const Op& op) { return op.dtype == DType::FP8 && compute_kind(op) == ComputeKind::Listed; }

program::Gemm gemm_launch_shape(const program::Gemm& g, bool fp8) {
  program::Gemm l = g;
  if (g.m <= 0 || g.n <= 0 || g.k <= 0) {
    l.m = l.n = l.k = 0;
    return l;
  }
  l.k = round_up(g.k, 16);
  l.n = round_up(g.n, 8);
  if (fp8) l.m = round_up(g.m, 8);
  return l;
}

KernelLaunch kernel_launch(const program::Kernel& k) {
  KernelLaunch l;
  l.rows = k.rows;
  l.count = k.count;
  std::int64_t cols = k.cols;
  if (k.kind == program::KernelKind::Permute && k.dtype == DType::FP8) cols = (cols + 1) / 2;
  l.cols = static_cast<int>(round_up(cols, 8));  // 16-byte rows, as every kernel loads them
  if (k.kind == program::KernelKind::QuantizeTranspose) l.rows = round_up(k.rows, 16);
  if (k.kind == program::KernelKind::Rope || k.kind == program::KernelKind::RopeBackward) {
    constexpr int kRopeDim = 64;  // DeepSeek-V3 qk_rope_head_dim; the slice is heads x rope dim
    if (l.cols % kRopeDim == 0) {
      l.rope_dim = kRopeDim;
      l.rope_heads = l.cols / kRopeDim;
    } else {
      l.rope_dim = l.cols;
      l.rope_heads = 1;
    }
  }
  return l;
}

void ComputeSizes::add(const Op& op) {
  const bool fp8 = runs_fp8(op);
  for (const auto& g0 : gemms_of(op)) {
    const auto g = gemm_launch_shape(g0, fp8);
    gemm_a_elems = std::max(gemm_a_elems, g.m * g.k);
    gemm_b_elems = std::max(gemm_b_elems, g.n * g.k);
    gemm_c_elems = std::max(gemm_c_elems, g.m * g.n);
    if (fp8) {  // VEC128 over K for A; B: BLK128x128 (F, Bi) or VEC128 (W), whichever is larger
      const auto kb = (g.k + 127) / 128;
      gemm_a_scales = std::max(gemm_a_scales, kb * g.m);
      gemm_b_scales = std::max({gemm_b_scales, kb * g.n, (g.n + 127) / 128 * round_up(kb, 4)});
    }
  }
  for (const auto& k : op.kernels) {
    const auto l = kernel_launch(k);
    const std::int64_t fan = std::max(2, l.count);  // SwiGLU reads [rows, 2 cols]; permute writes count copies
    kernel_elems = std::max(kernel_elems, l.rows * l.cols * fan);
    kernel_rows = std::max(kernel_rows, l.rows * l.count);
    kernel_cols = std::max(kernel_cols, l.cols);
    if (k.kind == program::KernelKind::Quantize) quant_scales = std::max(quant_scales, (l.cols + 127) / 128 * l.rows);
    if (k.kind == program::KernelKind::QuantizeTranspose) quant_scales = std::max(quant_scales, (l.rows + 127) / 128 * l.cols);
    const bool moves_pairs = k.kind == program::KernelKind::Permute || k.kind == program::KernelKind::Unpermute;
    if (moves_pairs && std::find(permute_pairs.begin(), permute_pairs.end(), l.rows * l.count) == permute_pairs.end())
      permute_pairs.push_back(l.rows * l.count);
    if (k.kind == program::KernelKind::RmsNormBackward) {
      norm_workspace_rows = std::max(norm_workspace_rows, l.rows);
      norm_workspace_cols = std::max(norm_workspace_cols, l.cols);
    }
  }
  const auto& a = op.attention;
  const std::int64_t rows = std::int64_t{a.sequences} * a.length * a.heads;  // query rows
  if (runs_on_fused_attention(a)) {  // K and V hold the cached prefix too: size every operand by them
    const std::int64_t kv_rows = std::int64_t{a.sequences} * (a.cached + a.length) * a.heads;
    attention_qk_elems = std::max(attention_qk_elems, kv_rows * a.qk_dim);
    attention_v_elems = std::max(attention_v_elems, kv_rows * a.v_dim);
    attention_rows = std::max(attention_rows, rows);
    if (std::find(attention_shapes.begin(), attention_shapes.end(), a) == attention_shapes.end())
      attention_shapes.push_back(a);
  }
  if (runs_latent_attention(a)) {
    latent_q_elems = std::max(latent_q_elems, rows * a.qk_dim);
    latent_cache_elems = std::max(latent_cache_elems, std::int64_t{a.sequences} * (a.cached + a.length) * a.qk_dim);
    latent_o_elems = std::max(latent_o_elems, rows * a.v_dim);
    if (std::find(latent_shapes.begin(), latent_shapes.end(), a) == latent_shapes.end()) latent_shapes.push_back(a);
  }
}

double ComputeSizes::buffer_bytes() const {
  const double bf16 = 2, fp32 = 4, e4m3 = 1;
  double b = (bf16 + e4m3) * static_cast<double>(gemm_a_elems + gemm_b_elems) + bf16 * static_cast<double>(gemm_c_elems);
  b += fp32 * static_cast<double>(gemm_a_scales + gemm_b_scales);
  const double ke = static_cast<double>(kernel_elems);
  b += 3 * bf16 * ke + e4m3 * ke + fp32 * static_cast<double>(quant_scales);  // x, y, dy; the e4m3 cast and its scales
  b += (fp32 + fp32) * static_cast<double>(kernel_rows);  // rstd, top-k weights
  for (const auto pairs : permute_pairs) b += 4.0 * static_cast<double>(pairs);  // the row maps
  b += fp32 * static_cast<double>(norm_workspace_rows / 32 + 1) * norm_workspace_cols;  // dw partials, approximate
  b += 4 * bf16 * static_cast<double>(attention_qk_elems + attention_v_elems) + fp32 * 2 * static_cast<double>(attention_rows);
  b += bf16 * static_cast<double>(latent_q_elems + latent_cache_elems + latent_o_elems);
  for (const auto& a : latent_shapes)  // each plan's fp32 scores and bf16 probabilities (kernels/attention/latent_attention.h)
    b += (fp32 + bf16) * static_cast<double>(std::int64_t{a.sequences} * a.length * a.heads) *
         static_cast<double>((a.cached + a.length + 7) / 8 * 8);
  return b;
}

std::int64_t copy_bytes_of(const Op& op) { return std::max<std::int64_t>(256, round_up(static_cast<std::int64_t>(op.bytes / 2), 256)); }

std::int64_t send_total_bytes(const Op& op) { return static_cast<std::int64_t>(op.bytes); }

std::vector<std::int64_t> all_to_all_recv_bytes(const program::Program& p, const program::ProgramIndex& index,
                                                const Op& op) {
  const auto members = index.members(op.instance);  // the instance's ops, in group member order
  const auto me = static_cast<std::size_t>(index.member_index(op.id));
  std::vector<std::int64_t> recv(members.size(), -1);
  for (std::size_t j = 0; j < members.size(); ++j) {
    // Member j's op, or where it is not held (a rank file) the matrix this op names.
    const auto row = members[j] >= 0 ? program::send_row(p, p.op(members[j]))
                                     : program::member_send_row(p, op, static_cast<int>(j));
    if (me < row.size()) recv[j] = static_cast<std::int64_t>(row[me]);
    if (recv[j] < 0)
      throw std::runtime_error(fmt::format("op {}: all-to-all instance {} has no op on member rank {} with send_bytes",
                                           op.id, op.instance, p.groups[static_cast<std::size_t>(op.group)].ranks[j]));
  }
  return recv;
}

double RankBuffers::total_bytes() const {
  double b = compute.buffer_bytes() + 2.0 * static_cast<double>(copy_bytes);
  b += 4.0 * static_cast<double>(gating_max_tokens) * (gating_max_experts + 2 * 8) + 4.0 * gating_max_experts;
  b += static_cast<double>(comm_send_bytes + comm_recv_bytes);
  // cuBLASLt workspaces (one per program stream, kernels/gemm/lt_gemm.h) and the
  // cuDNN plans' workspace with the backward's fp32 dQ scratch, approximate.
  b += program::kStreamCount * 32.0 * 1024 * 1024;
  b += 64.0 * 1024 * 1024 + 4.0 * static_cast<double>(compute.attention_qk_elems);
  return b;
}

RankBuffers plan_rank_buffers(const program::Program& p, const program::ProgramIndex& index, int rank) {
  RankBuffers rb;
  for (const auto id : p.by_rank.at(static_cast<std::size_t>(rank))) {
    const Op& op = p.op(id);
    if (op.type == OpType::Compute) {
      const auto kind = compute_kind(op);
      if (kind == ComputeKind::DeviceCopy) {
        rb.copy_bytes = std::max(rb.copy_bytes, copy_bytes_of(op));
        continue;
      }
      rb.compute.add(op);
      if (kind == ComputeKind::GatingTopk) {
        rb.gating_max_experts = std::max(rb.gating_max_experts, static_cast<int>(op.gemms[0].n));
        rb.gating_max_tokens = std::max(rb.gating_max_tokens, op.gemms[0].m);
      }
    } else {
      rb.comm_send_bytes = std::max(rb.comm_send_bytes, round_up(send_total_bytes(op), 256));
      std::int64_t recv = static_cast<std::int64_t>(op.bytes);
      if (op.type == OpType::Collective && op.collective == program::CollectiveKind::AllToAll) {
        recv = 0;
        for (const auto b : all_to_all_recv_bytes(p, index, op)) recv += b;
      }
      rb.comm_recv_bytes = std::max(rb.comm_recv_bytes, round_up(recv, 256));
    }
  }
  return rb;
}

}  // namespace moeplan::runtime
