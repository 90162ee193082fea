#include "sim/cost/layer_work.h"

#include "sim/util/check.h"

namespace moeplan::cost {
namespace {


void add_gemm(PartWork& w, std::int64_t m, std::int64_t n, std::int64_t k, double in_bytes, double out_bytes) {
  if (m <= 0 || n <= 0 || k <= 0) return;
  w.gemms.push_back({m, n, k});
  const double dm = static_cast<double>(m), dn = static_cast<double>(n), dk = static_cast<double>(k);
  w.flops += 2.0 * dm * dn * dk;
  w.bytes += (dm * dk + dk * dn) * in_bytes + dm * dn * out_bytes;
}

// The same GEMM list serves F, Bi and W: each pass is one GEMM of equal size.
void attention_projections(PartWork& w, const config::ModelConfig& m, std::int64_t t, double b) {
  const std::int64_t qk = m.qk_nope_head_dim + m.qk_rope_head_dim;
  if (m.q_lora_rank > 0) {
    add_gemm(w, t, m.q_lora_rank, m.hidden, b, 2);
    add_gemm(w, t, static_cast<std::int64_t>(m.heads) * qk, m.q_lora_rank, b, 2);
  } else {
    add_gemm(w, t, static_cast<std::int64_t>(m.heads) * qk, m.hidden, b, 2);
  }
  add_gemm(w, t, m.kv_lora_rank + m.qk_rope_head_dim, m.hidden, b, 2);
  add_gemm(w, t, static_cast<std::int64_t>(m.heads) * (m.qk_nope_head_dim + m.v_head_dim), m.kv_lora_rank, b, 2);
  add_gemm(w, t, m.hidden, static_cast<std::int64_t>(m.heads) * m.v_head_dim, b, 2);
}

void swiglu(PartWork& w, std::int64_t tokens, std::int64_t hidden, std::int64_t inter, double b) {
  add_gemm(w, tokens, 2 * inter, hidden, b, 2);  // gate and up projections, fused
  add_gemm(w, tokens, hidden, inter, b, 2);      // down projection
}

}  // namespace

PartWork part_work(const config::ModelConfig& m, const MicroBatchShape& mb, Part part, Pass pass,
                   DType gemm_dtype, int ep) {
  PartWork w;
  w.part = part;
  w.pass = pass;
  w.dtype = gemm_dtype;
  const std::int64_t t = mb.tokens();
  const double b = bytes_of(gemm_dtype);
  switch (part) {
    case Part::Attention:
      attention_projections(w, m, t, b);
      break;
    case Part::AttentionCore: {
      w.dtype = DType::BF16;
      if (pass == Pass::W) break;  // no weights
      const double l = mb.sequence_length, s = mb.sequences;
      const double fwd = 2.0 * (l * l / 2.0) * m.heads * (m.qk_nope_head_dim + m.qk_rope_head_dim + m.v_head_dim) * s;
      w.flops = pass == Pass::F ? fwd : 2.0 * fwd;
      const double qkvo = static_cast<double>(t) * m.heads *
                          (2.0 * (m.qk_nope_head_dim + m.qk_rope_head_dim) + 2.0 * m.v_head_dim) * 2.0;
      w.bytes = pass == Pass::F ? qkvo : 2.0 * qkvo;
      break;
    }
    case Part::DenseFfn:
      swiglu(w, t, m.hidden, m.dense_intermediate, b);
      break;
    case Part::Gating:
      w.dtype = DType::BF16;
      add_gemm(w, t, m.routed_experts, m.hidden, 2, 4);
      break;
    case Part::RoutedExperts: {
      MOEPLAN_CHECK(ep >= 1 && m.routed_experts % ep == 0, "ep {} experts {}", ep, m.routed_experts);
      const int local = m.routed_experts / ep;
      const std::int64_t received = t * m.experts_per_token;  // token copies per rank, uniform routing
      for (int e = 0; e < local; ++e) {
        const std::int64_t tokens_e = received / local + (e < received % local ? 1 : 0);
        swiglu(w, tokens_e, m.hidden, m.moe_intermediate, b);
      }
      break;
    }
    case Part::SharedExpert:
      swiglu(w, t, m.hidden, static_cast<std::int64_t>(m.moe_intermediate) * m.shared_experts, b);
      break;
    case Part::Embedding:
      w.dtype = DType::BF16;
      w.bytes = static_cast<double>(t) * m.hidden * (pass == Pass::F ? 2.0 * 2.0 : 2.0 * 4.0);
      if (pass == Pass::Bi) w.bytes = 0;  // nothing upstream of the embedding
      break;
    case Part::Head:
      w.dtype = DType::BF16;
      add_gemm(w, t, m.vocab, m.hidden, 2, 2);
      break;
    case Part::Loss:
      w.dtype = DType::FP32;
      if (pass == Pass::W) break;
      w.flops = 5.0 * static_cast<double>(t) * m.vocab;           // max, exp, sum, log, gradient
      w.bytes = 2.0 * 4.0 * static_cast<double>(t) * m.vocab;     // read and write the logits
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
  for (auto tokens : tokens_per_slot) swiglu(w, tokens, m.hidden, m.moe_intermediate, bytes_of(gemm_dtype));
  return w;
}

double token_payload_bytes(const config::ModelConfig& m, Part comm_part, Pass pass, DType gemm_dtype) {
  const double h = m.hidden;
  if (comm_part == Part::Dispatch && pass == Pass::F && gemm_dtype == DType::FP8)
    return h + (h / 128.0) * 4.0;  // E4M3 values + one FP32 scale per 128
  return 2.0 * h;                   // BF16
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
