// Transformer shape of a DeepSeek-V3-class MoE model (MLA attention, dense
// FFN layers first, then MoE layers with shared + routed SwiGLU experts).
#pragma once

#include <string>

#include "sim/config/yaml_reader.h"

namespace moeplan::config {

// The most transformer layers a model may have: 16,384 (268 x DeepSeek-V3's
// 61); every layer becomes ops on every rank for every micro-batch.
inline constexpr int kMaxLayers = 1 << 14;

struct ModelConfig {
  std::string name = "model";
  int layers = 0;            // transformer layers (num_hidden_layers)
  int dense_layers = 0;      // first layers with a dense FFN (first_k_dense_replace)
  int hidden = 0;            // hidden_size
  int dense_intermediate = 0;  // intermediate_size of dense FFN layers
  int moe_intermediate = 0;  // intermediate size of one expert
  int routed_experts = 0;
  int shared_experts = 0;
  int experts_per_token = 0;  // top-k
  int expert_groups = 1;      // n_group
  int groups_per_token = 1;   // topk_group
  double routed_scale = 1.0;
  int heads = 0;
  int q_lora_rank = 0;        // 0: plain query projection
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;
  int vocab = 0;
  int mtp_layers = 0;         // multi-token-prediction modules (num_nextn_predict_layers)

  int moe_layers() const { return layers - dense_layers; }
  // Parameter counts (elements), computed from the shape.
  double attention_params() const;
  // Of those, the down-projections to the latents (q and kv), which every
  // head reads: what a tensor-parallel GPU holds whole; the rest splits by heads.
  double attention_latent_params() const;
  double dense_ffn_params() const;
  double expert_params() const;  // one routed (or shared) expert
  double gate_params() const;
  double embedding_params() const;  // input embedding (the output head is the same size)
  double total_params() const;       // all layers + MTP + embedding + head
  double activated_params() const;   // per token
  bool operator==(const ModelConfig&) const = default;
};

// Reads an inline `model:` mapping (our field names, units-free integers).
ModelConfig read_model(YamlReader& r);

// Reads a HuggingFace-style config.json (DeepSeek-V3 field names); unknown
// keys are ignored, missing required keys are reported.
ModelConfig load_hf_config(const std::string& path, Diagnostics& diag);

}  // namespace moeplan::config
