#include "sim/config/model.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/util/input_file.h"

namespace moeplan::config {

double ModelConfig::attention_latent_params() const {
  const double h = hidden;
  return h * q_lora_rank + h * (static_cast<double>(kv_lora_rank) + qk_rope_head_dim);
}

double ModelConfig::attention_params() const {
  // In doubles throughout: each size may be up to 2^30, and their int sums and products overflow.
  const double h = hidden, n = heads, q_rank = q_lora_rank, kv_rank = kv_lora_rank;
  const double nope = qk_nope_head_dim, rope = qk_rope_head_dim, v = v_head_dim, qk = nope + rope;
  const double q = q_lora_rank > 0 ? h * q_rank + q_rank * n * qk : h * n * qk;
  const double kv_down = h * (kv_rank + rope);
  const double kv_up = kv_rank * n * (nope + v);
  const double out = n * v * h;
  return q + kv_down + kv_up + out;
}
double ModelConfig::dense_ffn_params() const { return 3.0 * hidden * dense_intermediate; }
double ModelConfig::expert_params() const { return 3.0 * hidden * moe_intermediate; }
double ModelConfig::gate_params() const { return static_cast<double>(hidden) * routed_experts; }
double ModelConfig::embedding_params() const { return static_cast<double>(vocab) * hidden; }

double ModelConfig::total_params() const {
  const double moe = gate_params() + (routed_experts + shared_experts) * expert_params();
  const double per_moe_layer = attention_params() + moe;
  const double per_dense_layer = attention_params() + dense_ffn_params();
  // An MTP module: a full MoE block plus a 2h -> h projection; it shares embedding and head.
  const double mtp = mtp_layers * (per_moe_layer + 2.0 * hidden * hidden);
  return dense_layers * per_dense_layer + moe_layers() * per_moe_layer + mtp + 2.0 * embedding_params();
}

double ModelConfig::activated_params() const {
  const double moe = gate_params() + (experts_per_token + shared_experts) * expert_params();
  return dense_layers * (attention_params() + dense_ffn_params()) +
         moe_layers() * (attention_params() + moe) + 2.0 * embedding_params();
}

namespace {

void check_model(const ModelConfig& m, const std::string& file, int line, const std::string& path,
                 Diagnostics& diag) {
  auto err = [&](const std::string& f, const std::string& msg) {
    diag.add(file, line, path.empty() ? f : path + "." + f, msg);
  };
  if (m.dense_layers > m.layers)
    err("dense_layers", fmt::format("{} exceeds layers ({})", m.dense_layers, m.layers));
  if (m.moe_layers() > 0) {
    if (m.routed_experts <= 0) {
      err("routed_experts", fmt::format("the {} MoE layers (layers - dense_layers) need at least one routed expert; "
                                        "for a dense model set dense_layers: {}", m.moe_layers(), m.layers));
      return;
    }
    if (m.experts_per_token <= 0 || m.experts_per_token > m.routed_experts)
      err("experts_per_token", fmt::format("{} must be in [1, routed_experts = {}]",
                                           m.experts_per_token, m.routed_experts));
    if (m.expert_groups <= 0 || (m.routed_experts > 0 && m.routed_experts % m.expert_groups != 0))
      err("expert_groups", fmt::format("{} must divide routed_experts ({})", m.expert_groups,
                                       m.routed_experts));
    if (m.groups_per_token <= 0 || m.groups_per_token > m.expert_groups)
      err("groups_per_token", fmt::format("{} must be in [1, expert_groups = {}]",
                                          m.groups_per_token, m.expert_groups));
    else if (m.expert_groups > 0 && m.routed_experts % m.expert_groups == 0 && m.experts_per_token > 0 &&
             static_cast<long long>(m.groups_per_token) * (m.routed_experts / m.expert_groups) < m.experts_per_token)
      err("groups_per_token", fmt::format("{} groups of {} experts cannot hold a token's top-{} picks; raise "
                                          "groups_per_token or lower expert_groups", m.groups_per_token,
                                          m.routed_experts / m.expert_groups, m.experts_per_token));
  }
}

}  // namespace

ModelConfig read_model(YamlReader& r) {
  ModelConfig m;
  constexpr long long kMax = 1LL << 30;
  auto get = [&](const char* key, int& out, bool required, long long lo = 1) {
    if (auto v = r.integer(key, required, lo, kMax)) out = static_cast<int>(*v);
  };
  if (auto n = r.text("name", false)) m.name = *n;
  if (auto v = r.integer("layers", true, 1, kMaxLayers)) m.layers = static_cast<int>(*v);
  get("dense_layers", m.dense_layers, false, 0);
  get("hidden_size", m.hidden, true);
  get("dense_intermediate_size", m.dense_intermediate, m.dense_layers > 0, 1);
  get("moe_intermediate_size", m.moe_intermediate, false);
  get("routed_experts", m.routed_experts, false, 0);
  get("shared_experts", m.shared_experts, false, 0);
  get("experts_per_token", m.experts_per_token, false, 0);
  get("expert_groups", m.expert_groups, false);
  get("groups_per_token", m.groups_per_token, false);
  if (auto v = r.number("routed_scale", false, 0.0)) m.routed_scale = *v;
  get("heads", m.heads, true);
  get("q_lora_rank", m.q_lora_rank, false, 0);
  get("kv_lora_rank", m.kv_lora_rank, true);
  get("qk_nope_head_dim", m.qk_nope_head_dim, true);
  get("qk_rope_head_dim", m.qk_rope_head_dim, false, 0);
  get("v_head_dim", m.v_head_dim, true);
  get("vocab_size", m.vocab, true);
  get("mtp_layers", m.mtp_layers, false, 0);
  r.finish();
  check_model(m, r.file(), r.line_of("layers"), r.path(), r.diagnostics());
  return m;
}

ModelConfig load_hf_config(const std::string& path, Diagnostics& diag) {
  ModelConfig m;
  std::string text;
  try {
    text = read_input_file(path, "model config.json");
  } catch (const std::runtime_error& e) {
    diag.add(path, 0, "", std::string(e.what()).substr(path.size() + 2));
    return m;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    diag.add(path, 0, "", fmt::format("JSON syntax error at byte {}: {}", e.byte, e.what()));
    return m;
  } catch (const nlohmann::json::exception& e) {  // a number too large for a double
    diag.add(path, 0, "", fmt::format("JSON the reader cannot hold: {}", e.what()));
    return m;
  }
  if (!j.is_object()) {
    diag.add(path, 0, "", "a HuggingFace config.json is a JSON object of fields such as \"hidden_size\"");
    return m;
  }
  // The same ranges as the inline model (read_model); null reads as absent.
  constexpr long long kMax = 1LL << 30;
  auto get = [&](const char* key, int& out, bool required, long long lo = 1) {
    const bool given = j.contains(key) && !j[key].is_null();
    if (!given) {
      if (required) diag.add(path, 0, key, "missing; a HuggingFace DeepSeek-V3-style config.json has it");
      return;
    }
    const auto& v = j[key];
    const bool fits = v.is_number_integer() && (!v.is_number_unsigned() || v.get<std::uint64_t>() <= kMax);
    if (!fits || v.get<long long>() < lo || v.get<long long>() > kMax) {
      diag.add(path, 0, key, fmt::format("{} is not valid; expected an integer in [{}, {}]",
                                         json_brief(v), lo, kMax));
      return;
    }
    out = static_cast<int>(v.get<long long>());
  };
  if (j.contains("model_type") && j["model_type"].is_string()) m.name = j["model_type"].get<std::string>();
  else m.name = "hf-model";
  get("num_hidden_layers", m.layers, true);
  if (m.layers > kMaxLayers) {
    diag.add(path, 0, "num_hidden_layers", fmt::format("{} is above the limit of {} layers", m.layers, kMaxLayers));
    m.layers = 0;
  }
  get("first_k_dense_replace", m.dense_layers, false, 0);
  get("hidden_size", m.hidden, true);
  get("intermediate_size", m.dense_intermediate, true);
  get("moe_intermediate_size", m.moe_intermediate, false);
  get("n_routed_experts", m.routed_experts, false, 0);
  get("n_shared_experts", m.shared_experts, false, 0);
  get("num_experts_per_tok", m.experts_per_token, false, 0);
  get("n_group", m.expert_groups, false);
  get("topk_group", m.groups_per_token, false);
  if (j.contains("routed_scaling_factor") && !j["routed_scaling_factor"].is_null()) {
    const auto& v = j["routed_scaling_factor"];
    if (v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= 0)
      m.routed_scale = v.get<double>();
    else
      diag.add(path, 0, "routed_scaling_factor", fmt::format("{} is not valid; expected a finite number >= 0",
                                                             json_brief(v)));
  }
  get("num_attention_heads", m.heads, true);
  get("q_lora_rank", m.q_lora_rank, false, 0);
  get("kv_lora_rank", m.kv_lora_rank, true);
  get("qk_nope_head_dim", m.qk_nope_head_dim, true);
  get("qk_rope_head_dim", m.qk_rope_head_dim, false, 0);
  get("v_head_dim", m.v_head_dim, true);
  get("vocab_size", m.vocab, true);
  get("num_nextn_predict_layers", m.mtp_layers, false, 0);
  if (m.routed_experts == 0) m.dense_layers = m.layers;
  check_model(m, path, 0, "", diag);
  return m;
}

}  // namespace moeplan::config
