#include "sim/config/scenario_yaml.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <yaml-cpp/yaml.h>

#include "sim/util/atomic_file.h"

namespace moeplan::config {

namespace fs = std::filesystem;

namespace {

// `file` (as resolved at load time) relative to the folder `target_path` will sit in.
std::string reference_from(const std::string& target_path, const std::string& file) {
  const auto folder = fs::absolute(fs::path(target_path)).parent_path();
  const auto rel = fs::proximate(fs::absolute(fs::path(file)), folder);
  return rel.empty() ? file : rel.generic_string();
}

std::string exact(double v) { return fmt::format("{}", v); }  // shortest text that reads back identically

void write_model(YAML::Emitter& e, const ModelConfig& m) {
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << m.name;
  for (auto [key, v] : {std::pair<const char*, int>{"layers", m.layers}, {"dense_layers", m.dense_layers},
                        {"hidden_size", m.hidden}, {"dense_intermediate_size", m.dense_intermediate},
                        {"moe_intermediate_size", m.moe_intermediate}, {"routed_experts", m.routed_experts},
                        {"shared_experts", m.shared_experts}, {"experts_per_token", m.experts_per_token},
                        {"expert_groups", m.expert_groups}, {"groups_per_token", m.groups_per_token}})
    if (v != 0 || std::string(key) == "dense_layers") e << YAML::Key << key << YAML::Value << v;
  e << YAML::Key << "routed_scale" << YAML::Value << exact(m.routed_scale);
  for (auto [key, v] : {std::pair<const char*, int>{"heads", m.heads}, {"q_lora_rank", m.q_lora_rank},
                        {"kv_lora_rank", m.kv_lora_rank}, {"qk_nope_head_dim", m.qk_nope_head_dim},
                        {"qk_rope_head_dim", m.qk_rope_head_dim}, {"v_head_dim", m.v_head_dim},
                        {"vocab_size", m.vocab}, {"mtp_layers", m.mtp_layers}})
    e << YAML::Key << key << YAML::Value << v;
  e << YAML::EndMap;
}

void write_efficiency(YAML::Emitter& e, const char* key, const Efficiency& eff) {
  e << YAML::Key << key << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "value" << YAML::Value << exact(eff.value);
  e << YAML::Key << "source" << YAML::Value << YAML::DoubleQuoted << eff.source;
  e << YAML::EndMap;
}

void write_gpu(YAML::Emitter& e, const GpuSpec& g) {
  e << YAML::BeginMap << YAML::Key << "gpu" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << g.name;
  e << YAML::Key << "sms" << YAML::Value << g.sms;
  e << YAML::Key << "peak" << YAML::Value << YAML::BeginMap;
  for (const auto& [dtype, flops] : g.peak_flops)
    e << YAML::Key << std::string(to_string(dtype)) << YAML::Value << exact(flops) + " FLOP/s";
  e << YAML::EndMap;
  e << YAML::Key << "hbm_bandwidth" << YAML::Value << exact(g.hbm_Bps) + " B/s";
  e << YAML::Key << "hbm_capacity" << YAML::Value << exact(g.hbm_bytes) + " B";
  e << YAML::Key << "efficiency" << YAML::Value << YAML::BeginMap;
  write_efficiency(e, "gemm", g.gemm);
  write_efficiency(e, "attention", g.attention);
  write_efficiency(e, "memory", g.memory);
  e << YAML::EndMap << YAML::EndMap << YAML::EndMap;
}

void write_traffic(YAML::Emitter& e, const ServingTraffic& t, const std::string& target_path) {
  e << YAML::BeginMap;
  e << YAML::Key << "prefill" << YAML::Value << reference_from(target_path, t.prefill_scenario);
  e << YAML::Key << "prefill_units" << YAML::Value << t.prefill_units;
  e << YAML::Key << "decode_units" << YAML::Value << t.decode_units;
  if (t.arrivals == Arrivals::Trace) {
    e << YAML::Key << "arrivals" << YAML::Value << "trace";
    e << YAML::Key << "trace" << YAML::Value << reference_from(target_path, t.trace_file);
  } else {
    e << YAML::Key << "arrivals" << YAML::Value << "poisson";
    e << YAML::Key << "rate_per_s" << YAML::Value << exact(t.rate_per_s);
    e << YAML::Key << "duration_s" << YAML::Value << exact(t.duration_s);
    e << YAML::Key << "prompt_tokens" << YAML::Value << t.prompt_tokens;
    e << YAML::Key << "output_tokens" << YAML::Value << t.output_tokens;
    e << YAML::Key << "cached_fraction" << YAML::Value << exact(t.cached_fraction);
  }
  e << YAML::Key << "seed" << YAML::Value << t.seed;
  e << YAML::EndMap;
}

void write_workload(YAML::Emitter& e, const Workload& w, const std::string& target_path) {
  e << YAML::BeginMap << YAML::Key << "kind" << YAML::Value << std::string(kind_name(w));
  if (const auto* t = std::get_if<TrainingWorkload>(&w)) {
    e << YAML::Key << "global_batch" << YAML::Value << t->global_batch;
    e << YAML::Key << "sequence_length" << YAML::Value << t->sequence_length;
    e << YAML::Key << "micro_batch" << YAML::Value << t->micro_batch;
  }
  if (const auto* s = std::get_if<ServingWorkload>(&w)) {
    e << YAML::Key << "phase" << YAML::Value << to_string(s->phase);
    e << YAML::Key << "batch" << YAML::Value << s->batch;
    if (s->prompt_tokens > 0) e << YAML::Key << "prompt_tokens" << YAML::Value << s->prompt_tokens;
    if (s->cached_tokens > 0) e << YAML::Key << "cached_tokens" << YAML::Value << s->cached_tokens;
    if (s->context_tokens > 0) e << YAML::Key << "context_tokens" << YAML::Value << s->context_tokens;
    e << YAML::Key << "micro_batches" << YAML::Value << s->micro_batches;
    e << YAML::Key << "mtp_acceptance" << YAML::Value << exact(s->mtp_acceptance);
    e << YAML::Key << "price_per_gpu_hour" << YAML::Value << exact(s->price_per_gpu_hour);
    if (s->traffic) {
      e << YAML::Key << "traffic" << YAML::Value;
      write_traffic(e, *s->traffic, target_path);
    }
  }
  e << YAML::EndMap;
}

void write_plan(YAML::Emitter& e, const PlanConfig& p) {
  e << YAML::BeginMap;
  e << YAML::Key << "pp" << YAML::Value << p.pp << YAML::Key << "dp" << YAML::Value << p.dp;
  e << YAML::Key << "ep" << YAML::Value << p.ep << YAML::Key << "tp" << YAML::Value << p.tp;
  e << YAML::Key << "schedule" << YAML::Value << std::string(schedule::to_string(p.schedule));
  if (p.chunks != 1) e << YAML::Key << "chunks" << YAML::Value << p.chunks;
  e << YAML::Key << "precision" << YAML::Value << std::string(to_string(p.precision));
  e << YAML::Key << "comm_sms" << YAML::Value << p.comm_sms;
  e << YAML::Key << "zero_stage" << YAML::Value << p.zero_stage;
  if (!p.layers_per_stage.empty())
    e << YAML::Key << "layers_per_stage" << YAML::Value << YAML::Flow << p.layers_per_stage;
  e << YAML::Key << "all_to_all" << YAML::Value << std::string(program::to_string(p.all_to_all));
  e << YAML::EndMap;
}

void write_routing(YAML::Emitter& e, const RoutingSpec& r, const std::string& target_path) {
  e << YAML::BeginMap << YAML::Key << "distribution" << YAML::Value << to_string(r.distribution);
  if (r.distribution == RoutingDistribution::zipf) e << YAML::Key << "zipf_s" << YAML::Value << exact(r.zipf_s);
  if (r.distribution == RoutingDistribution::hot) {
    e << YAML::Key << "hot_fraction" << YAML::Value << exact(r.hot_fraction);
    e << YAML::Key << "hot_experts" << YAML::Value << r.hot_experts;
  }
  if (r.distribution == RoutingDistribution::measured)
    e << YAML::Key << "load_file" << YAML::Value << reference_from(target_path, r.load_file);
  e << YAML::Key << "node_limit" << YAML::Value << r.node_limit;
  e << YAML::Key << "seed" << YAML::Value << r.seed;
  e << YAML::Key << "sample_tokens" << YAML::Value << r.sample_tokens;
  e << YAML::EndMap;
}

void write_placement(YAML::Emitter& e, const PlacementSpec& p) {
  e << YAML::BeginMap << YAML::Key << "policy" << YAML::Value << to_string(p.policy);
  if (p.policy == PlacementPolicy::eplb)
    e << YAML::Key << "redundant_experts" << YAML::Value << p.redundant_experts;
  if (p.shared_expert_gpus > 0) e << YAML::Key << "shared_expert_gpus" << YAML::Value << p.shared_expert_gpus;
  e << YAML::EndMap;
}

void write_link(YAML::Emitter& e, const char* key, const topology::LinkSpec& l) {
  e << YAML::Key << key << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "bandwidth" << YAML::Value << exact(l.Bps) + " B/s";
  e << YAML::Key << "latency" << YAML::Value << exact(l.latency_s) + " s";
  e << YAML::EndMap;
}

// A topology held inline in the scenario (a sweep's `topology.nodes` axis makes one).
void write_topology(YAML::Emitter& e, const TopologyFile& t) {
  const auto& s = t.spec;
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << t.topology.name;
  e << YAML::Key << "generator" << YAML::Value << t.generator;
  e << YAML::Key << "nodes" << YAML::Value << s.nodes;
  e << YAML::Key << "gpus_per_node" << YAML::Value << s.gpus_per_node;
  write_link(e, "nvlink", s.nvlink);
  if (t.generator != "nvswitch_node") {
    write_link(e, "pcie", s.pcie);
    write_link(e, "nic", s.nic);
    e << YAML::Key << "switch" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "ports" << YAML::Value << s.switch_ports;
    e << YAML::Key << "bandwidth" << YAML::Value << exact(s.fabric.Bps) + " B/s";
    e << YAML::Key << "latency" << YAML::Value << exact(s.fabric.latency_s) + " s";
    e << YAML::EndMap;
  }
  e << YAML::EndMap;
}

const char* mode_name(SimMode m) {
  switch (m) {
    case SimMode::Auto: return "auto";
    case SimMode::Reduced: return "reduced";
    case SimMode::Full: return "full";
  }
  return "auto";
}

}  // namespace

std::string to_yaml(const Scenario& s, const std::string& target_path) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << s.name;
  if (!s.description.empty()) e << YAML::Key << "description" << YAML::Value << YAML::Literal << s.description;
  e << YAML::Key << "model" << YAML::Value;
  if (s.model_file.empty()) write_model(e, s.model);
  else e << reference_from(target_path, s.model_file);
  e << YAML::Key << "hardware" << YAML::Value;
  if (s.hardware_file.empty()) write_gpu(e, s.gpu);
  else e << reference_from(target_path, s.hardware_file);
  e << YAML::Key << "topology" << YAML::Value;
  if (s.topology.inline_mapping) write_topology(e, s.topology);
  else e << reference_from(target_path, s.topology.path);
  e << YAML::Key << "workload" << YAML::Value;
  write_workload(e, s.workload, target_path);
  e << YAML::Key << "plan" << YAML::Value;
  write_plan(e, s.plan);
  e << YAML::Key << "routing" << YAML::Value;
  write_routing(e, s.routing, target_path);
  e << YAML::Key << "placement" << YAML::Value;
  write_placement(e, s.placement);
  e << YAML::Key << "simulation" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "mode" << YAML::Value << mode_name(s.simulation.mode);
  e << YAML::Key << "seed" << YAML::Value << s.simulation.seed;
  e << YAML::EndMap;
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

void write_scenario(const Scenario& s, const std::string& path) {
  const auto text = to_yaml(s, path);
  write_file_atomically(path, [&](std::ostream& out) { out << text; });
}

namespace {

bool same_file(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return a.empty() && b.empty();
  std::error_code ea, eb;
  return fs::weakly_canonical(a, ea) == fs::weakly_canonical(b, eb) && !ea && !eb;
}

// Workloads alike, the files a serving workload names compared as files.
bool same_workload(Workload a, Workload b) {
  auto* sa = std::get_if<ServingWorkload>(&a);
  auto* sb = std::get_if<ServingWorkload>(&b);
  if (sa && sb && sa->traffic && sb->traffic) {
    if (!same_file(sa->traffic->prefill_scenario, sb->traffic->prefill_scenario) ||
        !same_file(sa->traffic->trace_file, sb->traffic->trace_file))
      return false;
    sa->traffic->prefill_scenario = sb->traffic->prefill_scenario = "";
    sa->traffic->trace_file = sb->traffic->trace_file = "";
  }
  return a == b;
}

}  // namespace

bool same_scenario(const Scenario& a, const Scenario& b) {
  auto routing_a = a.routing, routing_b = b.routing;
  const bool same_load_file = same_file(routing_a.load_file, routing_b.load_file);
  routing_a.load_file = routing_b.load_file = "";
  const auto& ta = a.topology;
  const auto& tb = b.topology;
  return a.name == b.name && a.description == b.description && a.model == b.model &&
         same_file(a.model_file, b.model_file) && a.gpu == b.gpu && same_file(a.hardware_file, b.hardware_file) &&
         ta.inline_mapping == tb.inline_mapping && (ta.inline_mapping || same_file(ta.path, tb.path)) &&
         ta.topology.name == tb.topology.name && ta.generator == tb.generator && ta.spec == tb.spec &&
         same_workload(a.workload, b.workload) && a.plan == b.plan && a.simulation == b.simulation && routing_a == routing_b &&
         same_load_file && a.placement == b.placement;
}

}  // namespace moeplan::config
