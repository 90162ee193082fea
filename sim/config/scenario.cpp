#include "sim/config/scenario.h"

#include <filesystem>
#include <fmt/format.h>

namespace moeplan::config {

int Scenario::line_of(const std::string& field) const {
  const auto it = lines.find(field);
  return it == lines.end() ? 0 : it->second;
}

bool Scenario::full_simulation() const {
  switch (simulation.mode) {
    case SimMode::Full: return true;
    case SimMode::Reduced: return false;
    case SimMode::Auto: return gpus() <= 64;
  }
  return false;
}

std::string default_scenario_path() {
  const std::string rel = "scenarios/deepseek-v3-pretrain-2048xH800.yaml";
  if (std::filesystem::exists(rel)) return rel;
  return std::string(MOEPLAN_SOURCE_DIR) + "/" + rel;
}

namespace {

void read_model_section(YamlReader& r, Scenario& s) {
  auto node = r.raw("model");
  if (!node.IsDefined()) {
    r.error("model", "missing; give a path to a HuggingFace config.json or an inline mapping");
  } else if (node.IsScalar()) {
    s.model = load_hf_config(resolve_path(s.path, node.Scalar()), r.diagnostics());
  } else {
    auto m = r.child("model", true);
    s.model = read_model(m);
  }
}

void read_hardware_section(YamlReader& r, Scenario& s) {
  auto node = r.raw("hardware");
  if (!node.IsDefined()) {
    r.error("hardware", "missing; give a path to a GPU file (hardware/h800.yaml) or an inline `gpu:` mapping");
  } else if (node.IsScalar()) {
    s.gpu = load_gpu_file(resolve_path(s.path, node.Scalar()), r.diagnostics());
  } else {
    auto h = r.child("hardware", true);
    auto g = h.child("gpu", true);
    if (g.valid()) s.gpu = read_gpu(g);
    h.finish();
  }
}

void read_workload_section(YamlReader& r, Scenario& s) {
  auto w = r.child("workload", true);
  if (!w.valid()) return;
  w.text("kind", true, {"training"});
  if (auto v = w.integer("global_batch", true, 1, 1LL << 40)) s.workload.global_batch = *v;
  if (auto v = w.integer("sequence_length", true, 1, 1 << 24)) s.workload.sequence_length = static_cast<int>(*v);
  if (auto v = w.integer("micro_batch", true, 1, 1 << 20)) s.workload.micro_batch = static_cast<int>(*v);
  s.lines["workload.global_batch"] = w.line_of("global_batch");
  s.lines["workload.micro_batch"] = w.line_of("micro_batch");
  w.finish();
}

void read_plan_section(YamlReader& r, Scenario& s) {
  auto p = r.child("plan", true);
  if (!p.valid()) return;
  auto& plan = s.plan;
  for (auto [key, out] : {std::pair<const char*, int*>{"pp", &plan.pp}, {"dp", &plan.dp}, {"ep", &plan.ep},
                          {"tp", &plan.tp}}) {
    if (auto v = p.integer(key, std::string(key) != "tp", 1, 1 << 20)) *out = static_cast<int>(*v);
    s.lines[fmt::format("plan.{}", key)] = p.line_of(key);
  }
  if (auto v = p.text("schedule", true, {"1f1b", "interleaved", "zb1p", "dualpipe", "dualpipev"}))
    plan.schedule = schedule::parse_kind(*v);
  s.lines["plan.schedule"] = p.line_of("schedule");
  if (auto v = p.integer("chunks", false, 1, 64)) plan.chunks = static_cast<int>(*v);
  if (auto v = p.text("precision", true, {"fp8", "bf16"})) plan.precision = *v == "fp8" ? DType::FP8 : DType::BF16;
  if (auto v = p.integer("comm_sms", false, 0, 1024)) plan.comm_sms = static_cast<int>(*v);
  s.lines["plan.comm_sms"] = p.line_of("comm_sms");
  if (auto v = p.integer("zero_stage", false, 0, 1)) plan.zero_stage = static_cast<int>(*v);
  if (auto v = p.text("all_to_all", false, {"hierarchical", "pairwise"})) plan.all_to_all = program::parse_all_to_all(*v);
  if (auto v = p.integer_list("layers_per_stage", false)) {
    for (auto n : *v) plan.layers_per_stage.push_back(static_cast<int>(n));
  }
  s.lines["plan.layers_per_stage"] = p.line_of("layers_per_stage");
  s.lines["plan"] = p.line_of("pp");
  p.finish();
}

void read_simulation_section(YamlReader& r, Scenario& s) {
  auto m = r.child("simulation", false);
  if (!m.valid()) return;
  if (auto v = m.text("mode", false, {"auto", "reduced", "full"}))
    s.simulation.mode = *v == "full" ? SimMode::Full : *v == "reduced" ? SimMode::Reduced : SimMode::Auto;
  if (auto v = m.integer("seed", false, 0, 1LL << 62)) s.simulation.seed = static_cast<std::uint64_t>(*v);
  m.finish();
}

}  // namespace

Scenario load_scenario(const std::string& path, Diagnostics& diag) {
  Scenario s;
  s.path = path;
  auto root = load_yaml_file(path, diag);
  if (!root) return s;
  YamlReader r(*root, path, "", diag);
  if (!r.valid()) {
    diag.add(path, 1, "", "a scenario is a YAML mapping with model, hardware, topology, workload and plan");
    return s;
  }
  s.name = r.text("name", false).value_or(std::filesystem::path(path).stem().string());
  r.text("description", false);
  read_model_section(r, s);
  read_hardware_section(r, s);
  if (auto t = r.text("topology", true)) {
    s.topology = topology::load_topology(resolve_path(path, *t), diag);
    s.lines["topology"] = r.line_of("topology");
  }
  read_workload_section(r, s);
  read_plan_section(r, s);
  read_simulation_section(r, s);
  if (r.has("routing")) {
    auto m = r.child("routing", false);
    if (m.valid()) s.routing = moe::read_routing(m);
  } else {
    r.raw("routing");
  }
  if (r.has("placement")) {
    auto m = r.child("placement", false);
    if (m.valid()) s.placement = moe::read_placement(m);
  } else {
    r.raw("placement");
  }
  s.lines["routing"] = r.line_of("routing");
  s.lines["placement"] = r.line_of("placement");
  r.finish();
  return s;
}

}  // namespace moeplan::config
