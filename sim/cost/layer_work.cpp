#include "sim/cost/layer_work.h"

#include "sim/util/check.h"

namespace moeplan::cost {
namespace {

using program::KernelKind;

// Appends GEMMs and kernels to one PartWork, keeping its FLOPs and bytes.
class WorkBuilder {
 public:
  WorkBuilder(PartWork& w, DType gemm_dtype) : w_(w), fp8_(gemm_dtype == DType::FP8), in_bytes_(bytes_of(gemm_dtype)) {}

  // A linear layer in -> out over `rows` tokens, in the GEMM shape of pass
  // `as` (F, Bi or W; see the header). Recomputed GEMMs are not model FLOPs.
  void linear(Pass as, std::int64_t rows, std::int64_t in, std::int64_t out, bool recompute = false) {
    if (rows <= 0 || in <= 0 || out <= 0) return;
    Gemm g = as == Pass::F ? Gemm{rows, out, in} : as == Pass::Bi ? Gemm{rows, in, out} : Gemm{out, in, rows};
    g.recompute = recompute;
    add_gemm(g, as == Pass::W ? 4.0 : 2.0, recompute ? 0.0 : 1.0);
  }
  // A forward GEMM every GPU of a group of `group` runs on the group's rows
  // alike (tensor parallelism's replicated layers): model work only once.
  void linear_replicated(std::int64_t rows, std::int64_t in, std::int64_t out, int group) {
    if (rows <= 0 || in <= 0 || out <= 0) return;
    add_gemm(Gemm{rows, out, in}, 2.0, 1.0 / group);
  }
  // The same GEMM in BF16 whatever the plan's precision (router, head).
  void linear_bf16(Pass as, std::int64_t rows, std::int64_t in, std::int64_t out) {
    const double saved = in_bytes_;
    in_bytes_ = 2;
    linear(as, rows, in, out);
    in_bytes_ = saved;
  }
  void kernel(KernelKind kind, std::int64_t rows, std::int64_t cols, int count = 1, DType dtype = DType::BF16) {
    if (rows <= 0 || cols <= 0) return;
    const program::Kernel k{kind, rows, cols, count, dtype};
    w_.kernels.push_back(k);
    w_.flops += program::kernel_flops(k);
    w_.bytes += program::kernel_bytes(k);
  }
  // The FP8 cast of a GEMM input (nothing in BF16): along rows for F and Bi
  // operands, transposed for the weight-gradient GEMM, where K is the tokens.
  void cast(std::int64_t rows, std::int64_t cols) {
    if (fp8_) kernel(KernelKind::Quantize, rows, cols);
  }
  void cast_transposed(std::int64_t rows, std::int64_t cols) {
    if (fp8_) kernel(KernelKind::QuantizeTranspose, rows, cols);
  }
  bool fp8() const { return fp8_; }

 private:
  // `model_share`: the part of its FLOPs that is the model's own work (MFU).
  void add_gemm(const Gemm& g, double out_bytes, double model_share) {
    w_.gemms.push_back(g);
    const double m = static_cast<double>(g.m), n = static_cast<double>(g.n), k = static_cast<double>(g.k);
    w_.flops += program::gemm_flops(g);
    w_.model_flops += program::gemm_flops(g) * model_share;
    w_.bytes += (m * k + n * k) * in_bytes_ + m * n * out_bytes;
  }

  PartWork& w_;
  bool fp8_;
  double in_bytes_;
};

struct MlaShape {
  std::int64_t q_lora, kv_latent, kv_lora, q_heads_dim, kv_up_dim, core_out, rope_q, rope_k;
};

// The MLA of `heads` heads (a tensor-parallel GPU's share of the model's).
MlaShape mla_shape(const config::ModelConfig& m, std::int64_t heads) {
  return {m.q_lora_rank,
          m.kv_lora_rank + m.qk_rope_head_dim,
          m.kv_lora_rank,
          heads * (m.qk_nope_head_dim + m.qk_rope_head_dim),
          heads * (m.qk_nope_head_dim + m.v_head_dim),
          heads * m.v_head_dim,
          heads * m.qk_rope_head_dim,
          m.qk_rope_head_dim};
}

// The previous block's output assembled into this one's input (F), or this
// input's gradient cast and sent back into it (Bi); see the header.
void block_input(WorkBuilder& b, const config::ModelConfig& m, std::int64_t t, Pass pass, BlockInput input) {
  if (input == BlockInput::First) return;
  const std::int64_t h = m.hidden;
  if (pass == Pass::F) {
    if (input == BlockInput::AfterMoe) {
      b.kernel(KernelKind::Unpermute, t, h, m.experts_per_token);  // weighted sum of the top-k outputs
      b.kernel(KernelKind::Add, t, h);                             // + the shared expert(s)
    }
    b.kernel(KernelKind::Add, t, h);  // + the residual
  } else if (pass == Pass::Bi && input == BlockInput::AfterMoe) {
    b.cast(t, h);  // the gradient travels to the experts in FP8
    b.kernel(KernelKind::Permute, t, h, m.experts_per_token, b.fp8() ? DType::FP8 : DType::BF16);
  }
}

// The tokens a tensor-parallel GPU's attention sees: `group`, the tokens of
// its TP group (gathered), of which `local` are its own outside attention
// (sequence parallelism); heads / `tp` of every head-split layer.
struct AttentionSplit {
  std::int64_t group = 0, local = 0;
  int tp = 1;
};

// MLA projections (q down/up, kv down/up, output) with their norms and RoPE.
// Under tensor parallelism (forward only) the block's norm and residual run
// on the GPU's own tokens; the down-projections to the latents, which every
// head reads, run on the group's tokens on every GPU alike; the
// up-projections, the query RoPE and the output projection on heads / tp.
void attention_projections(WorkBuilder& b, const config::ModelConfig& m, const AttentionSplit& split, Pass pass) {
  const std::int64_t h = m.hidden, t = split.group;
  MOEPLAN_CHECK(pass == Pass::F || split.tp == 1, "attention tensor parallelism is forward only (pass {})",
                program::to_string(pass));
  const auto s = mla_shape(m, m.heads / split.tp);
  const bool q_lora = s.q_lora > 0;
  const std::int64_t q_in = q_lora ? s.q_lora : h;
  switch (pass) {
    case Pass::F:
      b.kernel(KernelKind::RmsNorm, split.local, h);
      b.cast(t, h);
      if (q_lora) b.linear_replicated(t, h, s.q_lora, split.tp);
      b.linear_replicated(t, h, s.kv_latent, split.tp);
      if (q_lora) b.kernel(KernelKind::RmsNorm, t, s.q_lora);
      b.kernel(KernelKind::RmsNorm, t, s.kv_lora);
      if (q_lora) b.cast(t, s.q_lora);
      b.cast(t, s.kv_lora);
      b.linear(Pass::F, t, q_in, s.q_heads_dim);
      b.linear(Pass::F, t, s.kv_lora, s.kv_up_dim);
      b.kernel(KernelKind::Rope, t, s.rope_q);
      b.kernel(KernelKind::Rope, t, s.rope_k);
      b.cast(t, s.core_out);
      b.linear(Pass::F, t, s.core_out, h);
      b.kernel(KernelKind::Add, split.local, h);  // the attention block's residual
      break;
    case Pass::Bi:
      // Recomputed: the latent norms, the up-projections and RoPE (the block
      // keeps its input and the compressed latents).
      if (q_lora) b.kernel(KernelKind::RmsNorm, t, s.q_lora);
      b.kernel(KernelKind::RmsNorm, t, s.kv_lora);
      if (q_lora) b.cast(t, s.q_lora);
      b.cast(t, s.kv_lora);
      b.linear(Pass::F, t, q_in, s.q_heads_dim, true);
      b.linear(Pass::F, t, s.kv_lora, s.kv_up_dim, true);
      b.kernel(KernelKind::Rope, t, s.rope_q);
      b.kernel(KernelKind::Rope, t, s.rope_k);
      // Gradients, output projection first.
      b.cast(t, h);
      b.linear(Pass::Bi, t, s.core_out, h);
      b.kernel(KernelKind::RopeBackward, t, s.rope_q);
      b.kernel(KernelKind::RopeBackward, t, s.rope_k);
      b.cast(t, s.q_heads_dim);
      b.cast(t, s.kv_up_dim);
      b.linear(Pass::Bi, t, q_in, s.q_heads_dim);
      b.linear(Pass::Bi, t, s.kv_lora, s.kv_up_dim);
      if (q_lora) b.kernel(KernelKind::RmsNormBackward, t, s.q_lora);
      b.kernel(KernelKind::RmsNormBackward, t, s.kv_lora);
      if (q_lora) b.cast(t, s.q_lora);
      b.cast(t, s.kv_latent);
      if (q_lora) b.linear(Pass::Bi, t, h, s.q_lora);
      b.linear(Pass::Bi, t, h, s.kv_latent);
      if (q_lora) b.kernel(KernelKind::Add, t, h);  // the two down-projections' input gradients
      b.kernel(KernelKind::RmsNorm, t, h);          // recomputed for its backward
      b.kernel(KernelKind::RmsNormBackward, t, h);
      b.kernel(KernelKind::Add, t, h);  // + the residual's gradient
      break;
    case Pass::W:
      b.cast_transposed(t, h);  // the normed input, for both down-projections
      if (q_lora) {
        b.cast_transposed(t, s.q_lora);
        b.linear(Pass::W, t, h, s.q_lora);
      }
      b.cast_transposed(t, s.kv_latent);
      b.linear(Pass::W, t, h, s.kv_latent);
      if (q_lora) b.cast_transposed(t, s.q_lora);
      b.cast_transposed(t, s.q_heads_dim);
      b.linear(Pass::W, t, q_in, s.q_heads_dim);
      b.cast_transposed(t, s.kv_lora);
      b.cast_transposed(t, s.kv_up_dim);
      b.linear(Pass::W, t, s.kv_lora, s.kv_up_dim);
      b.cast_transposed(t, s.core_out);
      b.cast_transposed(t, h);
      b.linear(Pass::W, t, s.core_out, h);
      break;
    case Pass::None: break;
  }
}

// A SwiGLU FFN on `rows` tokens: gate+up fused (hidden -> 2 inter), the
// activation, down (inter -> hidden). `input_cast`: whether its input still
// needs the FP8 cast (not when it arrives cast, as dispatched tokens do).
void swiglu_ffn(WorkBuilder& b, const std::vector<std::int64_t>& rows_per_expert, std::int64_t hidden,
                std::int64_t inter, Pass pass, bool input_cast, bool grad_cast) {
  std::int64_t rows = 0;
  for (auto r : rows_per_expert) rows += r;
  switch (pass) {
    case Pass::F:
      if (input_cast) b.cast(rows, hidden);
      for (auto r : rows_per_expert) b.linear(Pass::F, r, hidden, 2 * inter);
      b.kernel(KernelKind::SwiGlu, rows, inter);
      b.cast(rows, inter);
      for (auto r : rows_per_expert) b.linear(Pass::F, r, inter, hidden);
      break;
    case Pass::Bi:
      if (grad_cast) b.cast(rows, hidden);
      for (auto r : rows_per_expert) b.linear(Pass::Bi, r, inter, hidden);
      b.kernel(KernelKind::SwiGlu, rows, inter);  // recomputed: the down projection's input, for W
      b.kernel(KernelKind::SwiGluBackward, rows, inter);
      b.cast(rows, 2 * inter);
      for (auto r : rows_per_expert) b.linear(Pass::Bi, r, hidden, 2 * inter);
      break;
    case Pass::W:
      b.cast_transposed(rows, inter);
      b.cast_transposed(rows, hidden);
      for (auto r : rows_per_expert) b.linear(Pass::W, r, inter, hidden);
      b.cast_transposed(rows, hidden);
      b.cast_transposed(rows, 2 * inter);
      for (auto r : rows_per_expert) b.linear(Pass::W, r, hidden, 2 * inter);
      break;
    case Pass::None: break;
  }
}

}  // namespace

double attention_core_flops(const program::AttentionShape& a, Pass pass) {
  const double pairs = a.pairs(), heads = a.heads;
  if (pass == Pass::F) return 2.0 * pairs * heads * (a.qk_dim + a.v_dim);
  if (pass == Pass::Bi) return 2.0 * pairs * heads * (3.0 * a.qk_dim + 2.0 * a.v_dim);
  return 0;
}

double attention_core_model_flops(const program::AttentionShape& a, Pass pass) {
  const double fwd = attention_core_flops(a, Pass::F);
  return pass == Pass::F ? fwd : pass == Pass::Bi ? 2.0 * fwd : 0.0;
}

namespace {

// Decode: MLA with absorbed projections over the latent cache (header).
// Every head reads the whole latent cache of its sequences.
void latent_attention_core(PartWork& w, const config::ModelConfig& m, const MicroBatchShape& mb, int heads_here) {
  const int latent = m.kv_lora_rank + m.qk_rope_head_dim;
  w.attention = {mb.sequences, mb.sequence_length, heads_here, latent, m.kv_lora_rank, mb.cached, true};
  w.flops = w.model_flops = attention_core_flops(w.attention, Pass::F);
  const double t = static_cast<double>(mb.tokens()), heads = heads_here;
  const double cache = static_cast<double>(mb.sequences) * (mb.cached + mb.sequence_length) * latent * 2.0;
  w.bytes = cache + t * heads * (latent + m.kv_lora_rank) * 2.0 + t * heads * 4.0;  // + q, out, softmax stats
}

// `mb` and `heads`: the sequences and heads one GPU attends over (its TP
// group's sequences and heads / tp under tensor parallelism).
void attention_core(PartWork& w, const config::ModelConfig& m, const MicroBatchShape& mb, int heads_here, Pass pass) {
  w.dtype = DType::BF16;
  if (pass == Pass::W) return;  // no weights
  if (mb.latent_attention) return latent_attention_core(w, m, mb, heads_here);
  w.attention = {mb.sequences, mb.sequence_length, heads_here, m.qk_nope_head_dim + m.qk_rope_head_dim, m.v_head_dim};
  w.attention.cached = mb.cached;
  const double heads = heads_here, qk = m.qk_nope_head_dim + m.qk_rope_head_dim, v = m.v_head_dim;
  w.flops = attention_core_flops(w.attention, pass);
  w.model_flops = attention_core_model_flops(w.attention, pass);
  const double t = static_cast<double>(mb.tokens());
  const double qkvo = t * heads * (2.0 * qk + 2.0 * v) * 2.0;
  w.bytes = pass == Pass::F ? qkvo + t * heads * 4.0 : 2.0 * qkvo + t * heads * 4.0;
  if (mb.cached > 0)  // the cached prefix's up-projected keys and values
    w.bytes += static_cast<double>(mb.sequences) * mb.cached * heads * (qk + v) * 2.0;
}

}  // namespace

PartWork part_work(const config::ModelConfig& m, const MicroBatchShape& mb, Part part, Pass pass,
                   DType gemm_dtype, int ep, BlockInput input, int attention_tp) {
  MOEPLAN_CHECK(attention_tp >= 1 && m.heads % attention_tp == 0, "attention tp {} over {} heads", attention_tp,
                m.heads);
  MicroBatchShape group = mb;  // the sequences a tensor-parallel group attends over together
  group.sequences *= attention_tp;
  const int heads_here = m.heads / attention_tp;
  PartWork w;
  w.part = part;
  w.pass = pass;
  w.dtype = gemm_dtype;
  WorkBuilder b(w, gemm_dtype);
  const std::int64_t t = mb.tokens();
  const std::int64_t h = m.hidden;
  switch (part) {
    case Part::Attention:
      block_input(b, m, t, pass, input);
      attention_projections(b, m, {group.tokens(), t, attention_tp}, pass);
      if (pass == Pass::F && mb.cached > 0 && !mb.latent_attention) {  // the cached prefix's latents up-projected
        const std::int64_t prefix = static_cast<std::int64_t>(group.sequences) * mb.cached;
        const auto s = mla_shape(m, heads_here);
        b.cast(prefix, s.kv_lora);
        b.linear(Pass::F, prefix, s.kv_lora, s.kv_up_dim);
      }
      break;
    case Part::AttentionCore:
      attention_core(w, m, group, heads_here, pass);
      break;
    case Part::DenseFfn:
      if (pass == Pass::F) b.kernel(KernelKind::RmsNorm, t, h);
      swiglu_ffn(b, {t}, h, m.dense_intermediate, pass, true, true);
      if (pass == Pass::Bi) {
        b.kernel(KernelKind::RmsNorm, t, h);  // recomputed for its backward
        b.kernel(KernelKind::RmsNormBackward, t, h);
        b.kernel(KernelKind::Add, t, h);  // + the residual's gradient
      }
      break;
    case Part::Gating: {
      // The MoE block's norm, router and top-k; its input cast and permuted
      // into expert order for the dispatch. Backward: the dispatch gradient's
      // top-k copies summed, with the shared expert's and the residual's.
      w.dtype = DType::BF16;
      const int k = m.experts_per_token;
      if (pass == Pass::F) {
        b.kernel(KernelKind::RmsNorm, t, h);
        b.linear_bf16(Pass::F, t, h, m.routed_experts);
        b.cast(t, h);  // dispatch payload and the shared expert's input
        b.kernel(KernelKind::Permute, t, h, k, b.fp8() ? DType::FP8 : DType::BF16);
      } else if (pass == Pass::Bi) {
        b.kernel(KernelKind::Unpermute, t, h, k);
        b.linear_bf16(Pass::Bi, t, h, m.routed_experts);
        b.kernel(KernelKind::Add, t, h);
        b.kernel(KernelKind::RmsNorm, t, h);  // recomputed for its backward
        b.kernel(KernelKind::RmsNormBackward, t, h);
        b.kernel(KernelKind::Add, t, h);
      } else {
        b.linear_bf16(Pass::W, t, h, m.routed_experts);
      }
      break;
    }
    case Part::RoutedExperts: {
      MOEPLAN_CHECK(ep >= 1 && m.routed_experts % ep == 0, "ep {} experts {}", ep, m.routed_experts);
      const int local = m.routed_experts / ep;
      const std::int64_t received = t * m.experts_per_token;  // token copies per rank, uniform routing
      std::vector<std::int64_t> rows;
      for (int e = 0; e < local; ++e) rows.push_back(received / local + (e < received % local ? 1 : 0));
      return routed_experts_work(m, rows, pass, gemm_dtype);
    }
    case Part::SharedExpert:
      // Input cast with the dispatch payload (gating); its output gradient
      // cast here.
      swiglu_ffn(b, {t}, h, static_cast<std::int64_t>(m.moe_intermediate) * m.shared_experts, pass, false, true);
      break;
    case Part::Embedding:
      w.dtype = DType::BF16;
      w.bytes = static_cast<double>(t) * static_cast<double>(h) * (pass == Pass::F ? 2.0 * 2.0 : 2.0 * 4.0);
      if (pass == Pass::Bi) w.bytes = 0;  // nothing upstream of the embedding
      break;
    case Part::Head:
      w.dtype = DType::BF16;
      block_input(b, m, t, pass, input);
      if (pass == Pass::F) b.kernel(KernelKind::RmsNorm, t, h);
      b.linear_bf16(pass, t, h, m.vocab);
      if (pass == Pass::Bi) {
        b.kernel(KernelKind::RmsNorm, t, h);  // recomputed for its backward
        b.kernel(KernelKind::RmsNormBackward, t, h);
      }
      break;
    case Part::Loss:
      w.dtype = DType::FP32;
      if (pass == Pass::W) break;
      w.flops = w.model_flops = 5.0 * static_cast<double>(t) * m.vocab;  // max, exp, sum, log, gradient
      w.bytes = 2.0 * 4.0 * static_cast<double>(t) * m.vocab;            // read and write the logits
      break;
    default:
      MOEPLAN_CHECK(false, "part {} is not a compute part", program::to_string(part));
  }
  return w;
}

PartWork routed_experts_work(const config::ModelConfig& m, const std::vector<std::int64_t>& tokens_per_slot,
                             Pass pass, DType gemm_dtype) {
  PartWork w;
  w.part = Part::RoutedExperts;
  w.pass = pass;
  w.dtype = gemm_dtype;
  WorkBuilder b(w, gemm_dtype);
  // Tokens arrive cast (FP8 dispatch) and so do their gradients (the combine's
  // backward); outputs and input gradients leave in BF16.
  swiglu_ffn(b, tokens_per_slot, m.hidden, m.moe_intermediate, pass, false, false);
  return w;
}

double token_payload_bytes(const config::ModelConfig& m, Part comm_part, Pass pass, DType gemm_dtype) {
  const double h = m.hidden;
  const bool towards_experts = (comm_part == Part::Dispatch) == (pass == Pass::F);
  if (towards_experts && gemm_dtype == DType::FP8) return h + (h / 128.0) * 4.0;  // E4M3 values + one FP32 scale per 128
  return 2.0 * h;  // BF16
}

double sequence_parallel_bytes(const config::ModelConfig& m, std::int64_t group_tokens) {
  return static_cast<double>(group_tokens) * m.hidden * 2.0;
}

double pipeline_payload_bytes(const config::ModelConfig& m, const MicroBatchShape& mb) {
  return static_cast<double>(mb.tokens()) * m.hidden * 2.0;
}
double saved_activation_bytes_per_token(const config::ModelConfig& m, bool moe_layer, DType gemm_dtype) {
  const double b = bytes_of(gemm_dtype);
  const double h = m.hidden;
  // Attention: block input (BF16), the compressed latents, the core output
  // (BF16, input of the output projection in the GEMM dtype) and softmax
  // statistics; MLA up-projections and norms are recomputed in backward.
  const double attention = 2 * h + 2.0 * (m.q_lora_rank + m.kv_lora_rank + m.qk_rope_head_dim) +
                           static_cast<double>(m.heads) * m.v_head_dim * (2 + b) + 4.0 * m.heads;
  // FFNs keep their input and the SwiGLU input in the GEMM dtype; the SwiGLU
  // output (the down projection's input) is recomputed in backward (as
  // DeepSeek-V3 does).
  if (!moe_layer) {
    const double i = m.dense_intermediate;
    return attention + h * b + 2 * i * b;
  }
  const double i = m.moe_intermediate;
  const double k = m.experts_per_token;
  // MoE: gating input (BF16), then per received token copy its input and
  // SwiGLU input, and the same for the shared expert(s).
  const double routed = k * (h * b + 2 * i * b);
  const double shared = m.shared_experts * (2 * i * b);
  return attention + 2 * h + routed + shared;
}

}  // namespace moeplan::cost
